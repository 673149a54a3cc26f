// Parsers for setting values, following pydantic's lax-mode rules for values that arrive
// as strings from the environment (bool, int, float, timedelta).

#include "lib/core/settings_values.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace prefectcore::core {

std::string_view trim_setting(std::string_view v) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) {
    v.remove_prefix(1);
  }
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) {
    v.remove_suffix(1);
  }
  return v;
}

std::string lower_setting(std::string_view v) {
  std::string out(v);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::optional<bool> parse_setting_bool(std::string_view text) {
  const std::string v = lower_setting(trim_setting(text));
  for (const char* t : {"1", "on", "t", "true", "y", "yes"}) {
    if (v == t) {
      return true;
    }
  }
  for (const char* f : {"0", "off", "f", "false", "n", "no"}) {
    if (v == f) {
      return false;
    }
  }
  return std::nullopt;
}

namespace {

// Python numeric literals allow single underscores between digits ("1_000"), and so does
// pydantic for numbers given as strings.
std::optional<std::string> strip_underscores(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '_') {
      const bool between_digits = i > 0 && i + 1 < v.size() &&
                                  std::isdigit(static_cast<unsigned char>(v[i - 1])) &&
                                  std::isdigit(static_cast<unsigned char>(v[i + 1]));
      if (!between_digits) {
        return std::nullopt;
      }
      continue;
    }
    out.push_back(v[i]);
  }
  return out;
}

}  // namespace

std::optional<std::int64_t> parse_setting_int(std::string_view text) {
  auto digits = strip_underscores(trim_setting(text));
  if (!digits || digits->empty()) {
    return std::nullopt;
  }
  std::string_view v = *digits;
  if (v.front() == '+') {
    v.remove_prefix(1);
  }
  // pydantic accepts an integral float string such as "5.0" for an int.
  if (auto dot = v.find('.'); dot != std::string_view::npos) {
    if (dot + 1 == v.size() || v.find_first_not_of('0', dot + 1) != std::string_view::npos) {
      return std::nullopt;
    }
    v = v.substr(0, dot);
  }
  std::int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || v.empty()) {
    return std::nullopt;
  }
  return out;
}

std::optional<double> parse_setting_float(std::string_view text) {
  auto digits = strip_underscores(trim_setting(text));
  if (!digits || digits->empty()) {
    return std::nullopt;
  }
  std::string_view v = *digits;
  if (v.front() == '+') {
    v.remove_prefix(1);
  }
  // from_chars takes neither a leading '+' nor hex here; NaN and infinities are refused
  // because no setting of ours can use them.
  double out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || v.empty() || !std::isfinite(out)) {
    return std::nullopt;
  }
  return out;
}

namespace {

// A run of digits with an optional fraction at `pos`; advances `pos`.
std::optional<double> read_quantity(std::string_view v, std::size_t& pos, bool& had_fraction) {
  const std::size_t start = pos;
  while (pos < v.size() && std::isdigit(static_cast<unsigned char>(v[pos]))) {
    ++pos;
  }
  if (pos == start) {
    return std::nullopt;
  }
  had_fraction = false;
  if (pos < v.size() && (v[pos] == '.' || v[pos] == ',')) {
    ++pos;
    const std::size_t frac = pos;
    while (pos < v.size() && std::isdigit(static_cast<unsigned char>(v[pos]))) {
      ++pos;
    }
    if (pos == frac) {
      return std::nullopt;
    }
    had_fraction = true;
  }
  std::string number(v.substr(start, pos - start));
  if (auto comma = number.find(','); comma != std::string::npos) {
    number[comma] = '.';
  }
  return parse_setting_float(number);
}

// ISO 8601 "PnYnMnWnDTnHnMnS" after the 'P'. Only the last quantity may have a fraction.
std::optional<double> parse_iso_duration(std::string_view v) {
  bool in_time = false;
  bool last_had_fraction = false;
  bool any = false;
  double seconds = 0;
  std::size_t pos = 0;
  while (pos < v.size()) {
    if (v[pos] == 'T') {
      if (in_time) {
        return std::nullopt;
      }
      in_time = true;
      ++pos;
      continue;
    }
    if (last_had_fraction) {
      return std::nullopt;
    }
    auto value = read_quantity(v, pos, last_had_fraction);
    if (!value || pos >= v.size()) {
      return std::nullopt;
    }
    double unit = 0;
    switch (v[pos]) {
      case 'Y':
        unit = in_time ? 0 : 365 * 86400.0;
        break;
      case 'M':
        unit = in_time ? 60 : 30 * 86400.0;
        break;
      case 'W':
        unit = in_time ? 0 : 7 * 86400.0;
        break;
      case 'D':
        unit = in_time ? 0 : 86400;
        break;
      case 'H':
        unit = in_time ? 3600 : 0;
        break;
      case 'S':
        unit = in_time ? 1 : 0;
        break;
      default:
        return std::nullopt;
    }
    if (unit == 0) {
      return std::nullopt;
    }
    seconds += *value * unit;
    any = true;
    ++pos;
  }
  return any ? std::optional<double>(seconds) : std::nullopt;
}

// "HH:MM[:SS[.ffffff]]" with HH < 24.
std::optional<double> parse_clock_time(std::string_view v) {
  auto two_digits = [](std::string_view p) -> std::optional<int> {
    if (p.size() < 2 || !std::isdigit(static_cast<unsigned char>(p[0])) ||
        !std::isdigit(static_cast<unsigned char>(p[1]))) {
      return std::nullopt;
    }
    return (p[0] - '0') * 10 + (p[1] - '0');
  };
  if (v.size() < 5 || v[2] != ':') {
    return std::nullopt;
  }
  auto h = two_digits(v.substr(0, 2));
  auto m = two_digits(v.substr(3, 2));
  if (!h || !m || *h >= 24 || *m >= 60) {
    return std::nullopt;
  }
  double seconds = *h * 3600 + *m * 60;
  if (v.size() == 5) {
    return seconds;
  }
  std::string_view sec = v.substr(5);
  auto s = sec.size() >= 3 && sec[0] == ':' ? two_digits(sec.substr(1, 2)) : std::nullopt;
  if (!s || *s >= 60) {
    return std::nullopt;
  }
  seconds += *s;
  std::string_view frac = sec.substr(3);
  if (frac.empty()) {
    return seconds;
  }
  if (frac.size() < 2 || frac[0] != '.' ||
      frac.find_first_not_of("0123456789", 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return seconds + *parse_setting_float("0" + std::string(frac));
}

// "D d", "D days", "D day, HH:MM:SS", "Dd HH:MM" (case-insensitive, ',' and spaces optional).
std::optional<double> parse_days_time(std::string_view v) {
  std::size_t pos = 0;
  bool fraction = false;
  auto days = read_quantity(v, pos, fraction);
  if (!days || fraction) {
    return std::nullopt;
  }
  if (pos < v.size() && v[pos] == ' ') {
    ++pos;
  }
  std::string rest = lower_setting(v.substr(pos));
  std::string_view r = rest;
  if (r.substr(0, 4) == "days") {
    r.remove_prefix(4);
  } else if (r.substr(0, 3) == "day") {
    r.remove_prefix(3);
  } else if (r.substr(0, 1) == "d") {
    r.remove_prefix(1);
  } else {
    return std::nullopt;
  }
  if (!r.empty() && r.front() == ',') {
    r.remove_prefix(1);
  }
  if (!r.empty() && r.front() == ' ') {
    r.remove_prefix(1);
  }
  if (r.empty()) {
    return *days * 86400;
  }
  auto time = parse_clock_time(r);
  return time ? std::optional<double>(*days * 86400 + *time) : std::nullopt;
}

}  // namespace

std::optional<double> parse_duration_seconds(std::string_view text) {
  std::string_view v = trim_setting(text);
  if (auto seconds = parse_setting_float(v)) {
    return seconds;  // prefect's SecondsTimeDelta: a bare number is seconds
  }
  double sign = 1;
  if (!v.empty() && (v.front() == '+' || v.front() == '-')) {
    sign = v.front() == '-' ? -1 : 1;
    v.remove_prefix(1);
  }
  std::optional<double> out;
  if (!v.empty() && v.front() == 'P') {
    out = parse_iso_duration(v.substr(1));
  } else if (v.size() > 2 && v[2] == ':') {
    out = parse_clock_time(v);
  } else {
    out = parse_days_time(v);
  }
  if (!out || !std::isfinite(*out)) {
    return std::nullopt;
  }
  return sign * *out;
}

std::string format_iso_duration(double seconds) {
  std::int64_t us = std::llround(seconds * 1e6);
  std::string out;
  if (us < 0) {
    out.push_back('-');
    us = -us;
  }
  out.push_back('P');
  const std::int64_t days = us / (86400LL * 1000000);
  const std::int64_t secs = us / 1000000 % 86400;
  const std::int64_t micros = us % 1000000;
  if (days / 365 != 0) {
    out += fmt::format("{}Y", days / 365);
  }
  if (days % 365 != 0) {
    out += fmt::format("{}D", days % 365);
  }
  if (secs != 0 || micros != 0) {
    out += fmt::format("T{}", secs);
    if (micros != 0) {
      std::string frac = fmt::format("{:06}", micros);
      frac.erase(frac.find_last_not_of('0') + 1);
      out += "." + frac;
    }
    out.push_back('S');
  }
  if (days == 0 && secs == 0 && micros == 0) {
    out += "T0S";
  }
  return out;
}

}  // namespace prefectcore::core
