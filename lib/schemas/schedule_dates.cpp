// Schedule.get_dates for the three schedule kinds, following upstream's generators in
// schemas/schedules.py: same start/end handling, the same 1000-candidate bound, duplicate
// suppression, and the same local-time arithmetic around DST transitions.

#include <algorithm>
#include <cmath>
#include <set>

#include "lib/core/time.h"
#include "lib/schemas/cron.h"
#include "lib/schemas/rrule.h"
#include "lib/schemas/schedule.h"
#include "lib/schemas/timezone.h"

namespace prefectcore::schemas {

namespace {

const TimeZone& zone_or_utc(const std::optional<std::string>& name) {
  if (name && !name->empty()) {
    if (const TimeZone* z = TimeZone::find(*name)) {
      return *z;
    }
  }
  return TimeZone::utc();
}

// Collects dates as upstream's loops do: stop past `end`, skip duplicates, stop after `n`
// distinct dates or once the candidate counter passes the iteration bound.
class Collector {
 public:
  Collector(std::size_t n, std::optional<Timestamp> end) : n_(n), end_(end) {}
  // Returns false when generation should stop.
  bool offer(Timestamp t) {
    if (end_ && t > *end_) {
      return false;
    }
    if (seen_.insert(t).second) {
      dates_.push_back(t);
    }
    if (seen_.size() >= n_ || counter_ > kScheduleMaxIterations) {
      return false;
    }
    ++counter_;
    return true;
  }
  std::vector<Timestamp> take() {
    std::sort(dates_.begin(), dates_.end());
    return std::move(dates_);
  }

 private:
  std::size_t n_;
  std::optional<Timestamp> end_;
  std::set<Timestamp> seen_;
  std::vector<Timestamp> dates_;
  std::size_t counter_ = 0;
};

std::vector<Timestamp> interval_dates(const IntervalSchedule& s, Collector& out, Timestamp start) {
  const TimeZone& tz = zone_or_utc(s.timezone);
  const Timestamp anchor = s.anchor_date.value_or(start);
  const double interval = s.interval_seconds;
  const auto interval_us = static_cast<std::int64_t>(std::llround(interval * 1e6));
  if (interval_us <= 0) {
    return {};
  }
  const double offset = core::to_seconds(start - anchor) / interval;
  Timestamp next = anchor + Micros(std::llround(interval * std::trunc(offset) * 1e6));
  // Whole days are added on the local calendar (so a daily schedule keeps its wall-clock
  // time across DST), the remainder as elapsed time, as upstream splits timedelta.days.
  const std::int64_t days = interval_us / kMicrosPerDay;
  const std::int64_t rest = interval_us - days * kMicrosPerDay;
  auto add = [&](Timestamp t) {
    if (days > 0) {
      t = tz.from_local(tz.to_local(t) + days * kMicrosPerDay);
    }
    return t + Micros(rest);
  };
  for (int guard = 0; next < start && guard < 1000000; ++guard) {
    next = add(next);
  }
  while (out.offer(next)) {
    next = add(next);
  }
  return out.take();
}

std::vector<Timestamp> cron_dates(const CronSchedule& s, Collector& out, Timestamp start) {
  auto cron = parse_cron(s.cron);
  if (!cron) {
    return {};
  }
  const TimeZone& tz = zone_or_utc(s.timezone);
  // Upstream steps back one second so that `start` itself can match, then rounds a
  // fractional second up; croniter then returns the first minute strictly after that.
  LocalMicros cursor = tz.to_local(start) - kMicrosPerSecond;
  if (((cursor % kMicrosPerSecond) + kMicrosPerSecond) % kMicrosPerSecond != 0) {
    cursor += kMicrosPerSecond;
  }
  while (true) {
    auto next = cron_next(*cron, cursor, s.day_or);
    if (!next) {
      break;
    }
    cursor = *next;
    if (!out.offer(tz.from_local(*next))) {
      break;
    }
  }
  return out.take();
}

std::vector<Timestamp> rrule_dates(const RRuleSchedule& s, Collector& out, Timestamp start) {
  auto parsed = parse_rrule_text(s.rrule, from_civil(2020, 1, 1));
  if (!parsed.set) {
    return {};
  }
  const TimeZone& tz = zone_or_utc(s.timezone);
  RRuleSetIterator it(*parsed.set, tz.to_local(start) - 2 * kMicrosPerDay);
  // Occurrences before `start` are skipped (xafter with inc=True); the skip is bounded so a
  // rule whose occurrences all precede `start` cannot spin.
  for (long long skipped = 0; skipped < 10000000;) {
    auto local = it.next();
    if (!local) {
      break;
    }
    // dateutil's tz reads a wall time in a DST gap with the later offset.
    const Timestamp t = tz.from_local(*local, TimeZone::Gap::kEarlier);
    if (t < start) {
      ++skipped;
      continue;
    }
    if (!out.offer(t)) {
      break;
    }
  }
  return out.take();
}

}  // namespace

std::vector<Timestamp> schedule_dates(const Schedule& schedule, std::size_t n, Timestamp start,
                                      std::optional<Timestamp> end) {
  if (n == 0) {
    return {};
  }
  Collector out(n, end);
  if (const auto* i = std::get_if<IntervalSchedule>(&schedule)) {
    return interval_dates(*i, out, start);
  }
  if (const auto* c = std::get_if<CronSchedule>(&schedule)) {
    return cron_dates(*c, out, start);
  }
  return rrule_dates(std::get<RRuleSchedule>(schedule), out, start);
}

}  // namespace prefectcore::schemas
