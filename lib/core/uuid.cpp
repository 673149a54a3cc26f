#include "lib/core/uuid.h"

#include <array>
#include <random>

#include <fmt/format.h>

#include "lib/core/hex.h"

namespace prefectcore::core {
namespace {

std::mt19937_64& rng() {
  thread_local std::mt19937_64 gen([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }());
  return gen;
}

std::string format_bytes(const std::array<std::uint8_t, 16>& b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out.push_back('-');
    }
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xf]);
  }
  return out;
}

}  // namespace

std::string uuid4() {
  std::array<std::uint8_t, 16> b;
  const std::uint64_t hi = rng()();
  const std::uint64_t lo = rng()();
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<std::uint8_t>(hi >> (56 - 8 * i));
    b[8 + i] = static_cast<std::uint8_t>(lo >> (56 - 8 * i));
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  return format_bytes(b);
}

std::string uuid7(Timestamp t) {
  std::array<std::uint8_t, 16> b;
  const auto ms = static_cast<std::uint64_t>(t.time_since_epoch().count() / 1000);
  for (int i = 0; i < 6; ++i) {
    b[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  }
  const std::uint64_t r1 = rng()();
  const std::uint64_t r2 = rng()();
  b[6] = static_cast<std::uint8_t>(0x70 | (r1 & 0x0f));
  b[7] = static_cast<std::uint8_t>(r1 >> 8);
  b[8] = static_cast<std::uint8_t>(0x80 | ((r1 >> 16) & 0x3f));
  for (int i = 9; i < 16; ++i) {
    b[i] = static_cast<std::uint8_t>(r2 >> (8 * (i - 9)));
  }
  return format_bytes(b);
}

std::optional<std::string> normalize_uuid(std::string_view s) {
  if (s.size() >= 2 && s.front() == '{' && s.back() == '}') {
    s = s.substr(1, s.size() - 2);
  }
  if (s.size() > 9 && (s.substr(0, 9) == "urn:uuid:" || s.substr(0, 9) == "URN:UUID:")) {
    s = s.substr(9);
  }
  std::array<std::uint8_t, 16> b{};
  std::size_t n = 0;
  if (s.size() == 36) {
    if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') {
      return std::nullopt;
    }
  } else if (s.size() != 32) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.size() == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
      continue;
    }
    const int hi = core::hex_digit_value(s[i]);
    const int lo = i + 1 < s.size() ? core::hex_digit_value(s[i + 1]) : -1;
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    b[n++] = static_cast<std::uint8_t>(hi << 4 | lo);
    ++i;
  }
  return n == 16 ? std::optional<std::string>(format_bytes(b)) : std::nullopt;
}

std::string SequentialIds::random_id() {
  return fmt::format("00000000-0000-4000-8000-{:012x}", next_.fetch_add(1));
}

}  // namespace prefectcore::core
