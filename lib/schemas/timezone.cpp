#include "lib/schemas/timezone.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>

#include "lib/core/time.h"

namespace prefectcore::schemas {

namespace {

constexpr const char* kZoneDir = "/usr/share/zoneinfo/";

std::int64_t read_be(const std::string& data, std::size_t pos, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v = (v << 8) | static_cast<unsigned char>(data[pos + static_cast<std::size_t>(i)]);
  }
  if (bytes == 4) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  }
  return static_cast<std::int64_t>(v);
}

// Zone names are looked up as files, so only plain relative names are allowed.
bool plausible_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.front() == '.') {
    return false;
  }
  if (name.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '-' || c == '+';
  });
}

// POSIX TZ string pieces.
struct PosixParser {
  std::string_view s;
  std::size_t i = 0;
  bool ok = true;

  void skip_name() {
    if (i < s.size() && s[i] == '<') {
      auto end = s.find('>', i);
      i = end == std::string_view::npos ? s.size() : end + 1;
      return;
    }
    while (i < s.size() && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))) {
      ++i;
    }
  }
  int number() {
    int v = 0;
    bool any = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + (s[i++] - '0');
      any = true;
    }
    ok = ok && any;
    return v;
  }
  // [+-]hh[:mm[:ss]] in seconds.
  int hms() {
    int sign = 1;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      sign = s[i++] == '-' ? -1 : 1;
    }
    int v = number() * 3600;
    if (i < s.size() && s[i] == ':') {
      ++i;
      v += number() * 60;
      if (i < s.size() && s[i] == ':') {
        ++i;
        v += number();
      }
    }
    return sign * v;
  }
  bool at_offset() const {
    return i < s.size() && (s[i] == '+' || s[i] == '-' || (s[i] >= '0' && s[i] <= '9'));
  }
  void date(int& month, int& week, int& wday, int& time) {
    if (i >= s.size() || s[i] != 'M') {
      ok = false;
      return;
    }
    ++i;
    month = number();
    ok = ok && i < s.size() && s[i++] == '.';
    week = number();
    ok = ok && i < s.size() && s[i++] == '.';
    wday = number();
    if (i < s.size() && s[i] == '/') {
      ++i;
      time = hms();
    }
  }
};

TimeZone::PosixRule parse_posix(std::string_view text) {
  TimeZone::PosixRule r;
  PosixParser p{text};
  p.skip_name();
  r.std_offset = -p.hms();
  if (!p.ok) {
    return {};
  }
  r.present = true;
  if (p.i >= text.size()) {
    return r;
  }
  p.skip_name();
  r.has_dst = true;
  r.dst_offset = p.at_offset() ? -p.hms() : r.std_offset + 3600;
  if (p.i < text.size() && text[p.i] == ',') {
    ++p.i;
    p.date(r.start_month, r.start_week, r.start_wday, r.start_time);
    p.ok = p.ok && p.i < text.size() && text[p.i++] == ',';
    p.date(r.end_month, r.end_week, r.end_wday, r.end_time);
  } else {
    p.ok = false;
  }
  if (!p.ok) {
    r.has_dst = false;  // unsupported rule form: keep standard time only
  }
  return r;
}

// Days since epoch of the `week`th (5 = last) `wday` (0 = Sunday) of month/year.
long long rule_day(long long year, int month, int week, int wday) {
  const long long first = core::days_from_civil(year, static_cast<unsigned>(month), 1);
  const int first_wday = static_cast<int>(((first % 7) + 11) % 7);  // 1970-01-01 was Thursday
  long long day = first + ((wday - first_wday + 7) % 7) + 7LL * (week - 1);
  const unsigned next_month = static_cast<unsigned>(month == 12 ? 1 : month + 1);
  const long long limit = core::days_from_civil(month == 12 ? year + 1 : year, next_month, 1);
  while (day >= limit) {
    day -= 7;
  }
  return day;
}

int posix_offset(const TimeZone::PosixRule& r, std::int64_t utc_seconds) {
  if (!r.has_dst) {
    return r.std_offset;
  }
  long long y;
  unsigned m, d;
  core::civil_from_days((utc_seconds + r.std_offset) / 86400 - ((utc_seconds + r.std_offset) < 0),
                        y, m, d);
  const std::int64_t start =
      rule_day(y, r.start_month, r.start_week, r.start_wday) * 86400 + r.start_time - r.std_offset;
  const std::int64_t end =
      rule_day(y, r.end_month, r.end_week, r.end_wday) * 86400 + r.end_time - r.dst_offset;
  const bool dst = start < end ? (utc_seconds >= start && utc_seconds < end)
                               : (utc_seconds < end || utc_seconds >= start);
  return dst ? r.dst_offset : r.std_offset;
}

}  // namespace

struct TimeZoneLoader {
  // Parses a TZif file (RFC 8536), preferring the 64-bit body of version 2+ files.
  static std::unique_ptr<TimeZone> load(std::string_view name, const std::string& data) {
    auto zone = std::make_unique<TimeZone>();
    zone->name_ = std::string(name);
    if (data.size() < 44 || data.compare(0, 4, "TZif") != 0) {
      return nullptr;
    }
    std::size_t pos = 0;
    const bool v2 = data[4] >= '2';
    for (int pass = 0; pass < (v2 ? 2 : 1); ++pass) {
      const int tsize = pass == 0 ? 4 : 8;
      if (pos + 44 > data.size()) {
        return nullptr;
      }
      const auto isutcnt = read_be(data, pos + 20, 4), isstdcnt = read_be(data, pos + 24, 4);
      const auto leapcnt = read_be(data, pos + 28, 4), timecnt = read_be(data, pos + 32, 4);
      const auto typecnt = read_be(data, pos + 36, 4), charcnt = read_be(data, pos + 40, 4);
      if (timecnt < 0 || typecnt <= 0 || charcnt < 0 || leapcnt < 0 || isutcnt < 0 ||
          isstdcnt < 0) {
        return nullptr;
      }
      std::size_t body = pos + 44;
      const std::size_t len =
          static_cast<std::size_t>(timecnt) * (tsize + 1) + static_cast<std::size_t>(typecnt) * 6 +
          static_cast<std::size_t>(charcnt) + static_cast<std::size_t>(leapcnt) * (tsize + 4) +
          static_cast<std::size_t>(isutcnt + isstdcnt);
      if (body + len > data.size()) {
        return nullptr;
      }
      if (pass == (v2 ? 1 : 0)) {
        fill(*zone, data, body, tsize, timecnt, typecnt);
      }
      pos = body + len;
    }
    if (v2 && pos < data.size() && data[pos] == '\n') {
      auto end = data.find('\n', pos + 1);
      if (end != std::string::npos) {
        zone->footer_ = parse_posix(std::string_view(data).substr(pos + 1, end - pos - 1));
      }
    }
    return zone;
  }

  static void fill(TimeZone& zone, const std::string& data, std::size_t body, int tsize,
                   std::int64_t timecnt, std::int64_t typecnt) {
    const std::size_t n = static_cast<std::size_t>(timecnt);
    const std::size_t types = body + n * static_cast<std::size_t>(tsize + 1);
    std::vector<int> offsets;
    std::vector<bool> is_dst;
    for (std::int64_t t = 0; t < typecnt; ++t) {
      const std::size_t at = types + static_cast<std::size_t>(t) * 6;
      offsets.push_back(static_cast<int>(read_be(data, at, 4)));
      is_dst.push_back(data[at + 4] != 0);
    }
    // Before the first transition the first standard-time type applies (RFC 8536 3.2).
    zone.initial_offset_ = offsets[0];
    for (std::size_t t = 0; t < offsets.size(); ++t) {
      if (!is_dst[t]) {
        zone.initial_offset_ = offsets[t];
        break;
      }
    }
    for (std::size_t k = 0; k < n; ++k) {
      zone.transitions_.push_back(read_be(data, body + k * static_cast<std::size_t>(tsize), tsize));
      auto idx = static_cast<unsigned char>(data[body + n * static_cast<std::size_t>(tsize) + k]);
      zone.transition_offsets_.push_back(idx < offsets.size() ? offsets[idx] : offsets[0]);
    }
  }
};

int TimeZone::offset_at(Timestamp t) const {
  const std::int64_t us = t.time_since_epoch().count();
  const std::int64_t secs = us / kMicrosPerSecond - (us % kMicrosPerSecond < 0 ? 1 : 0);
  if (transitions_.empty() || secs < transitions_.front()) {
    if (transitions_.empty() && footer_.present) {
      return posix_offset(footer_, secs);
    }
    return initial_offset_;
  }
  if (secs >= transitions_.back() && footer_.present) {
    return posix_offset(footer_, secs);
  }
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), secs);
  return transition_offsets_[static_cast<std::size_t>(it - transitions_.begin()) - 1];
}

LocalMicros TimeZone::to_local(Timestamp t) const {
  return t.time_since_epoch().count() + offset_at(t) * kMicrosPerSecond;
}

Timestamp TimeZone::from_local(LocalMicros local, Gap gap) const {
  const int before = offset_at(Timestamp(Micros(local - kMicrosPerDay)));
  const int after = offset_at(Timestamp(Micros(local + kMicrosPerDay)));
  auto valid = [&](int offset) {
    const Timestamp t(Micros(local - offset * kMicrosPerSecond));
    return offset_at(t) == offset;
  };
  const bool before_ok = valid(before), after_ok = valid(after);
  if (before_ok && after_ok) {
    // Ambiguous (or no transition at all): the earlier instant has the larger offset.
    return Timestamp(Micros(local - std::max(before, after) * kMicrosPerSecond));
  }
  if (before_ok || after_ok) {
    return Timestamp(Micros(local - (before_ok ? before : after) * kMicrosPerSecond));
  }
  // In a gap: read the wall time with the offset before the transition, which lands
  // after it (02:30 EST == 03:30 EDT).
  return Timestamp(Micros(local - (gap == Gap::kLater ? before : after) * kMicrosPerSecond));
}

const TimeZone& TimeZone::utc() {
  static const TimeZone zone = [] {
    TimeZone z;
    z.name_ = "UTC";
    return z;
  }();
  return zone;
}

const TimeZone* TimeZone::find(std::string_view name) {
  if (name == "UTC") {
    return &utc();
  }
  if (!plausible_zone_name(name)) {
    return nullptr;
  }
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<TimeZone>, std::less<>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = cache.find(name); it != cache.end()) {
    return it->second.get();
  }
  std::ifstream in(std::string(kZoneDir) + std::string(name), std::ios::binary);
  std::unique_ptr<TimeZone> zone;
  if (in) {
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    zone = TimeZoneLoader::load(name, data);
  }
  const TimeZone* result = zone.get();
  // Only real zones are cached: names come from request bodies, and caching every unknown
  // name would let a client grow this map without bound.
  if (zone) {
    cache.emplace(std::string(name), std::move(zone));
  }
  return result;
}

CivilTime to_civil(LocalMicros local) {
  std::int64_t days = local / kMicrosPerDay;
  std::int64_t rem = local % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  CivilTime c{};
  core::civil_from_days(days, c.year, c.month, c.day);
  const auto secs = rem / kMicrosPerSecond;
  c.hour = static_cast<unsigned>(secs / 3600);
  c.minute = static_cast<unsigned>((secs / 60) % 60);
  c.second = static_cast<unsigned>(secs % 60);
  c.micro = static_cast<unsigned>(rem % kMicrosPerSecond);
  return c;
}

LocalMicros from_civil(long long y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s,
                       unsigned us) {
  return core::days_from_civil(y, mo, d) * kMicrosPerDay +
         (static_cast<std::int64_t>(h) * 3600 + mi * 60 + s) * kMicrosPerSecond + us;
}

int weekday_of_days(long long days) { return static_cast<int>(((days % 7) + 10) % 7); }

}  // namespace prefectcore::schemas
