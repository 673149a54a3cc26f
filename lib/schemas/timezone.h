#pragma once

// IANA time zones read from the system's TZif files (/usr/share/zoneinfo, installed by the
// tzdata package): libstdc++ 12 has no std::chrono::tzdb, and the library must not grow a
// dependency for it. Schedules need two things: an instant's local wall-clock time, and a
// wall-clock time's instant with the "compatible" rule that zoneinfo/whenever/dateutil use
// (an ambiguous time takes the earlier instant; a time in a gap moves forward by the gap).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/clock.h>

#include "lib/core/internal.h"

namespace prefectcore::schemas {

// Wall-clock microseconds since 1970-01-01T00:00 in some zone (a naive datetime).
using LocalMicros = std::int64_t;

// One zone's rules. Immutable once loaded; thread-safe.
class TimeZone {
 public:
  // UTC offset in seconds in effect at `t`.
  int offset_at(Timestamp t) const;
  LocalMicros to_local(Timestamp t) const;
  // How a wall-clock time inside a gap (spring forward) is read. kLater (zoneinfo,
  // whenever: 02:30 -> 03:30 EDT) or kEarlier (dateutil's tzfile: 02:30 -> 01:30 EST).
  enum class Gap { kLater, kEarlier };
  // The instant of a wall-clock time (an ambiguous time takes the earlier instant).
  Timestamp from_local(LocalMicros local, Gap gap = Gap::kLater) const;
  const std::string& name() const { return name_; }

  // Loads the zone; nullptr when `name` is not an IANA zone name with a readable TZif file.
  // Zones are cached for the life of the process.
  static const TimeZone* find(std::string_view name);
  static const TimeZone& utc();

  // The TZif footer (a POSIX TZ string such as "EST5EDT,M3.2.0,M11.1.0") that governs
  // instants after the last listed transition. Only the Mm.w.d form is used by tzdata.
  struct PosixRule {
    bool present = false;
    bool has_dst = false;
    int std_offset = 0, dst_offset = 0;  // seconds east of UTC
    int start_month = 0, start_week = 0, start_wday = 0, start_time = 7200;
    int end_month = 0, end_week = 0, end_wday = 0, end_time = 7200;
  };

 private:
  std::string name_;
  std::vector<std::int64_t> transitions_;  // UTC seconds, ascending
  std::vector<int> transition_offsets_;    // offset in force from each transition on
  int initial_offset_ = 0;                 // before the first transition
  PosixRule footer_;
  friend struct TimeZoneLoader;
};

// True if `name` names a zone TimeZone::find can load.
inline bool is_valid_timezone(std::string_view name) { return TimeZone::find(name) != nullptr; }

// Calendar helpers on LocalMicros.
struct CivilTime {
  long long year;
  unsigned month, day, hour, minute, second, micro;
};
CivilTime to_civil(LocalMicros local);
LocalMicros from_civil(long long y, unsigned mo, unsigned d, unsigned h = 0, unsigned mi = 0,
                       unsigned s = 0, unsigned us = 0);
// 0 = Monday ... 6 = Sunday (Python's weekday()).
int weekday_of_days(long long days);

constexpr std::int64_t kMicrosPerSecond = 1000000;
constexpr std::int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

}  // namespace prefectcore::schemas
