#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <prefectcore/clock.h>

#include "lib/core/internal.h"

namespace prefectcore::core {

// A random (version 4) UUID, lowercase and hyphenated.
std::string uuid4();
// A time-ordered (version 7) UUID for `t`: ids minted later sort later, as upstream's
// uuid7 ids for runs, states and logs do.
std::string uuid7(Timestamp t);

// The canonical lowercase hyphenated form of `text` if it is a UUID in any of the forms
// Python's uuid.UUID accepts for JSON (hyphenated, 32 hex digits, braces, urn:uuid:).
std::optional<std::string> normalize_uuid(std::string_view text);
inline bool is_uuid(std::string_view text) { return normalize_uuid(text).has_value(); }

// Mints ids; injected wherever ids appear so tests can make them predictable.
// Thread-safe.
class IdGenerator {
 public:
  IdGenerator() = default;
  IdGenerator(const IdGenerator&) = delete;
  IdGenerator& operator=(const IdGenerator&) = delete;
  virtual ~IdGenerator() = default;
  virtual std::string random_id() = 0;              // uuid4 semantics
  virtual std::string ordered_id(Timestamp t) = 0;  // uuid7 semantics
};

class RandomIds final : public IdGenerator {
 public:
  std::string random_id() override { return uuid4(); }
  std::string ordered_id(Timestamp t) override { return uuid7(t); }
};

// 00000000-0000-4000-8000-000000000001, ...002: predictable ids for tests.
class SequentialIds final : public IdGenerator {
 public:
  std::string random_id() override;
  std::string ordered_id(Timestamp) override { return random_id(); }

 private:
  std::atomic<std::uint64_t> next_{1};
};

}  // namespace prefectcore::core
