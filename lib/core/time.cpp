#include "lib/core/time.h"

#include <cmath>
#include <cstdint>

#include <fmt/format.h>

namespace prefectcore::core {

// Howard Hinnant's civil calendar algorithms (public domain), exact for all int64 days.
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

void civil_from_days(long long z, long long& y, unsigned& m, unsigned& d) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

namespace {

constexpr std::int64_t kMicrosPerDay = 86400LL * 1000000;

void append_time(std::string& out, Timestamp t, bool always_fraction) {
  std::int64_t us = t.time_since_epoch().count();
  std::int64_t days = us / kMicrosPerDay;
  std::int64_t rem = us % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  long long y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  const auto secs = rem / 1000000;
  const auto frac = rem % 1000000;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}", y, m, d, secs / 3600,
                 (secs / 60) % 60, secs % 60);
  if (always_fraction || frac != 0) {
    fmt::format_to(it, ".{:06d}", frac);
  }
  out.push_back('Z');
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) {
    return false;
  }
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool valid_date(int y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1) {
    return false;
  }
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + ((m == 2 && leap) ? 1 : 0);
}

Status bad_time(std::string_view text) {
  return Status::invalid_argument(fmt::format("invalid datetime: '{}'", text));
}

// Parses the offset at `pos` into seconds east of UTC; true on success.
bool parse_offset(std::string_view s, std::size_t pos, int& offset_seconds) {
  if (pos == s.size()) {
    offset_seconds = 0;
    return true;
  }
  if (s[pos] == 'Z' || s[pos] == 'z') {
    offset_seconds = 0;
    return pos + 1 == s.size();
  }
  if (s[pos] != '+' && s[pos] != '-') {
    return false;
  }
  const int sign = s[pos] == '-' ? -1 : 1;
  int hh = 0, mm = 0;
  std::size_t p = pos + 1;
  if (!digits(s, p, 2, hh)) {
    return false;
  }
  p += 2;
  if (p < s.size() && s[p] == ':') {
    ++p;
  }
  if (p < s.size()) {
    if (!digits(s, p, 2, mm)) {
      return false;
    }
    p += 2;
  }
  if (p != s.size() || hh > 23 || mm > 59) {
    return false;
  }
  offset_seconds = sign * (hh * 3600 + mm * 60);
  return true;
}

}  // namespace

std::string format_storage_time(Timestamp t) {
  std::string out;
  out.reserve(27);
  append_time(out, t, true);
  return out;
}

std::string format_api_time(Timestamp t) {
  std::string out;
  out.reserve(27);
  append_time(out, t, false);
  return out;
}

void append_api_time(std::string& out, Timestamp t) { append_time(out, t, false); }

Result<Timestamp> parse_time(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || !valid_date(y, mo, d)) {
    return bad_time(s);
  }
  std::size_t p = 10;
  std::int64_t frac_us = 0;
  if (p < s.size() && (s[p] == 'T' || s[p] == 't' || s[p] == ' ')) {
    ++p;
    if (!digits(s, p, 2, h) || p + 2 >= s.size() || s[p + 2] != ':' || !digits(s, p + 3, 2, mi)) {
      return bad_time(s);
    }
    p += 5;
    if (p < s.size() && s[p] == ':') {
      if (!digits(s, p + 1, 2, sec)) {
        return bad_time(s);
      }
      p += 3;
      if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
        ++p;
        const std::size_t start = p;
        std::int64_t scale = 100000;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
          frac_us += (s[p] - '0') * scale;
          scale /= 10;
          ++p;
        }
        if (p == start) {
          return bad_time(s);
        }
      }
    }
    if (h > 23 || mi > 59 || sec > 59) {
      return bad_time(s);
    }
  }
  int offset = 0;
  if (!parse_offset(s, p, offset)) {
    return bad_time(s);
  }
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset;
  return Timestamp(Micros(secs * 1000000 + frac_us));
}

std::optional<Micros> from_seconds(double seconds) {
  if (!std::isfinite(seconds) || std::fabs(seconds) > 9.0e12) {
    return std::nullopt;
  }
  return Micros(static_cast<std::int64_t>(std::llround(seconds * 1e6)));
}

}  // namespace prefectcore::core
