#pragma once

// RFC 5545 recurrence rules with python-dateutil's semantics (rrulestr + rrule/rruleset), as
// upstream's RRuleSchedule uses them. All values are wall-clock times in the schedule's
// timezone: upstream re-labels DTSTART/UNTIL/RDATE/EXDATE with that zone, keeping the wall
// time, so TZID and `Z` suffixes only matter for validation.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/core/internal.h"
#include "lib/schemas/timezone.h"

namespace prefectcore::schemas {

enum class RRuleFreq { kYearly = 0, kMonthly, kWeekly, kDaily, kHourly, kMinutely, kSecondly };

struct RRule {
  RRuleFreq freq = RRuleFreq::kYearly;
  int interval = 1;
  std::optional<long long> count;
  std::optional<LocalMicros> until;
  int wkst = 0;  // 0 = Monday
  std::vector<int> bysetpos, bymonth, bymonthday, bynmonthday, byyearday, byweekno, byweekday;
  std::vector<std::pair<int, int>> bynweekday;  // (weekday, nth), nth != 0
  std::vector<int> byhour, byminute, bysecond;
  LocalMicros dtstart = 0;
};

struct RRuleSet {
  std::vector<RRule> rrules, exrules;
  std::vector<LocalMicros> rdates, exdates;
};

// Parses like dateutil.rrule.rrulestr(text, dtstart=default_dtstart). On failure returns the
// message dateutil's ValueError would carry ("unknown parameter name", ...).
struct RRuleParse {
  std::optional<RRuleSet> set;
  std::string error;
};
RRuleParse parse_rrule_text(std::string_view text, LocalMicros default_dtstart);

// Occurrences of a set in ascending wall-clock order, lazily. Thread-bound.
class RRuleSetIterator {
 public:
  explicit RRuleSetIterator(const RRuleSet& set, std::optional<LocalMicros> skip_before = {});
  ~RRuleSetIterator();
  std::optional<LocalMicros> next();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace prefectcore::schemas
