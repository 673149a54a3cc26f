#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/clock.h>

#include "lib/core/internal.h"

namespace prefectcore::core {

// Appends `s` as a JSON string literal (with quotes). Escapes `"`, `\` and control
// characters as Python's json.dumps does; passes valid UTF-8 through and replaces invalid
// bytes with U+FFFD, so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);
// Appends a double the way Python's json module prints floats ("5.0", "0.1", "1e+16");
// NaN and infinities become null.
void append_json_double(std::string& out, double v);

// A streaming JSON writer that appends to a caller-owned buffer and places commas itself.
// Thread-bound.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);

  JsonWriter& string(std::string_view s);
  JsonWriter& integer(std::int64_t v);
  JsonWriter& number(double v);
  JsonWriter& boolean(bool v);
  JsonWriter& null();
  // An API timestamp ("...Z", fraction omitted when zero).
  JsonWriter& time(Timestamp t);
  // A pre-encoded JSON value, inserted verbatim (must be valid JSON).
  JsonWriter& raw(std::string_view json);

  JsonWriter& opt_string(const std::optional<std::string>& s) { return s ? string(*s) : null(); }
  JsonWriter& opt_time(const std::optional<Timestamp>& t) { return t ? time(*t) : null(); }
  JsonWriter& opt_raw(const std::optional<std::string>& j) { return j ? raw(*j) : null(); }
  JsonWriter& string_array(const std::vector<std::string>& items);

 private:
  void before_value();
  std::string& out_;
  std::vector<bool> has_items_;  // one entry per open container
  bool after_key_ = false;
};

// Convenience: the JSON string literal of `s`.
std::string json_quote(std::string_view s);

}  // namespace prefectcore::core
