#pragma once

// Five-field cron expressions as upstream's vendored croniter accepts them (minute hour
// day-of-month month day-of-week; lists, ranges, steps, month/day names, `L` for the last
// day of the month, `#n`/`Ln` nth weekdays, and the @yearly/@monthly/@weekly/@daily/
// @midnight/@hourly macros) and the next matching minute after a wall-clock time.

#include <bitset>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/core/internal.h"
#include "lib/schemas/timezone.h"

namespace prefectcore::schemas {

struct CronExpr {
  std::bitset<60> minute;
  std::bitset<24> hour;
  std::bitset<32> day;                           // 1..31
  std::bitset<13> month;                         // 1..12
  std::bitset<7> weekday;                        // 0 = Sunday
  bool last_day = false;                         // `L` in the day-of-month field
  std::vector<std::pair<int, int>> nth_weekday;  // (weekday, n); n = -1 for "last"
  bool day_star = false, weekday_star = false;   // field covers every value
};

// nullopt if croniter would reject the expression.
std::optional<CronExpr> parse_cron(std::string_view text);

// The first matching minute strictly after `after` (wall clock), or nullopt if none within
// about 50 years. `day_or` joins day-of-month and day-of-week with OR (cron) or AND (fcron).
std::optional<LocalMicros> cron_next(const CronExpr& cron, LocalMicros after, bool day_or);

}  // namespace prefectcore::schemas
