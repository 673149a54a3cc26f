#pragma once

// Deployment schedules (upstream schemas/schedules.py): IntervalSchedule, CronSchedule and
// RRuleSchedule, their JSON codecs with upstream's validation, and the occurrences each one
// produces. Shared by the deployments router (schedule CRUD) and the scheduler service.

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"

namespace prefectcore::schemas {

struct IntervalSchedule {
  double interval_seconds = 0;           // > 0
  std::optional<Timestamp> anchor_date;  // upstream defaults it to "now" when decoding
  std::optional<std::string> timezone;   // IANA name; decoding fills in "UTC" as upstream
};

struct CronSchedule {
  std::string cron;  // 5 fields or a @macro, validated on decode
  std::optional<std::string> timezone;
  bool day_or = true;
};

struct RRuleSchedule {
  std::string rrule;                            // RFC 5545, optionally with DTSTART/EXDATE lines
  std::optional<std::string> timezone = "UTC";  // upstream's default; explicit null stays null
};

using Schedule = std::variant<IntervalSchedule, CronSchedule, RRuleSchedule>;

// Decodes upstream's schedule union from `value` (an object with `interval`, `cron` or
// `rrule`). Every problem is recorded in `errors` at `loc` in pydantic's shapes; returns
// nullopt when anything was recorded. Union errors are reported per member as pydantic does
// (loc + "IntervalSchedule"/"CronSchedule"/"RRuleSchedule" + field). Pass `now` so an
// IntervalSchedule without anchor_date gets upstream's default (the current time); without
// it the anchor stays unset and schedule_dates() anchors at its `start`.
std::optional<Schedule> decode_schedule(core::JsonElement value, const core::Loc& loc,
                                        core::ValidationErrors& errors,
                                        std::optional<Timestamp> now = std::nullopt);

// Upstream's bounds (schemas/schedules.py, _internal/schemas/validators.py).
inline constexpr std::size_t kScheduleMaxIterations = 1000;
inline constexpr std::size_t kMaxRRuleLength = 6500;

// Writes the schedule object exactly as upstream serialises it (e.g. interval as float
// seconds, anchor_date, timezone, cron, day_or, rrule).
void write_schedule(core::JsonWriter& w, const Schedule& schedule);

// Up to `n` occurrences at or after `start` and not after `end` (when set; upstream's end is
// inclusive), in order, as upstream's Schedule.get_dates produces them (timezone- and
// DST-correct; at most ~1000 candidates are examined, as upstream).
std::vector<Timestamp> schedule_dates(const Schedule& schedule, std::size_t n, Timestamp start,
                                      std::optional<Timestamp> end = std::nullopt);

}  // namespace prefectcore::schemas
