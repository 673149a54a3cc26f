// Recurrence expansion following python-dateutil's rrule._iter: each period (year, month,
// week, day, hour, ...) yields a day set filtered by the BYxxx day rules, crossed with a
// time set, narrowed by BYSETPOS, then emitted in order from DTSTART until COUNT/UNTIL.

#include "lib/schemas/rrule.h"

#include <algorithm>
#include <queue>
#include <set>

#include "lib/core/time.h"

namespace prefectcore::schemas {

namespace {

constexpr long long kMaxYear = 9999;
// Periods examined without producing anything before the iterator gives up (dateutil would
// loop until year 9999 on rules that can never match, e.g. BYMONTHDAY=31;BYMONTH=2).
constexpr long long kMaxEmptyPeriods = 200000;

bool contains(const std::vector<int>& v, int x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

long long year_days(long long y) {
  return core::days_from_civil(y + 1, 1, 1) - core::days_from_civil(y, 1, 1);
}

long long month_days(long long y, unsigned m) {
  return (m == 12 ? core::days_from_civil(y + 1, 1, 1) : core::days_from_civil(y, m + 1, 1)) -
         core::days_from_civil(y, m, 1);
}

// Week number (dateutil/ISO style with `wkst`): week 1 is the first week with >= 4 days in
// the year. Returns (year the week belongs to, week number, weeks in that year).
void week_number(long long day, int wkst, long long& week, long long& weeks) {
  const long long week_start = day - ((weekday_of_days(day) - wkst + 7) % 7);
  long long y;
  unsigned m, d;
  core::civil_from_days(week_start + 3, y, m, d);
  auto first_week_start = [wkst](long long year) {
    const long long jan1 = core::days_from_civil(year, 1, 1);
    const long long ws = jan1 - ((weekday_of_days(jan1) - wkst + 7) % 7);
    return ws + 3 < jan1 ? ws + 7 : ws;
  };
  const long long first = first_week_start(y);
  week = (week_start - first) / 7 + 1;
  weeks = (first_week_start(y + 1) - first) / 7;
}

struct Period {
  long long first_day, last_day;  // the whole period (for nth-weekday ranges: month or year)
};

}  // namespace

// Expands one RRule.
class RRuleIterator {
 public:
  RRuleIterator(const RRule& rule, std::optional<LocalMicros> skip_before) : r_(rule) {
    normalize();
    const CivilTime s = to_civil(r_.dtstart);
    year_ = s.year;
    month_ = s.month;
    day_ = core::days_from_civil(s.year, s.month, s.day);
    hour_ = s.hour;
    minute_ = s.minute;
    second_ = s.second;
    if (skip_before && !r_.count && *skip_before > r_.dtstart) {
      fast_forward(*skip_before);
    }
  }

  std::optional<LocalMicros> next() {
    while (buffer_pos_ >= buffer_.size()) {
      if (done_ || empty_periods_ > kMaxEmptyPeriods || year_ > kMaxYear) {
        return std::nullopt;
      }
      fill_period();
      advance();
    }
    const LocalMicros t = buffer_[buffer_pos_++];
    if (r_.until && t > *r_.until) {
      done_ = true;
      buffer_.clear();
      return std::nullopt;
    }
    if (r_.count && ++emitted_ >= *r_.count) {
      done_ = true;
      buffer_.resize(buffer_pos_);
    }
    return t;
  }

 private:
  void normalize() {
    r_.dtstart -= ((r_.dtstart % kMicrosPerSecond) + kMicrosPerSecond) % kMicrosPerSecond;
    const CivilTime s = to_civil(r_.dtstart);
    const bool no_day_rules = r_.byweekno.empty() && r_.byyearday.empty() &&
                              r_.bymonthday.empty() && r_.byweekday.empty() &&
                              r_.bynweekday.empty();
    if (no_day_rules) {
      if (r_.freq == RRuleFreq::kYearly) {
        if (r_.bymonth.empty()) {
          r_.bymonth.push_back(static_cast<int>(s.month));
        }
        r_.bymonthday.push_back(static_cast<int>(s.day));
      } else if (r_.freq == RRuleFreq::kMonthly) {
        r_.bymonthday.push_back(static_cast<int>(s.day));
      } else if (r_.freq == RRuleFreq::kWeekly) {
        r_.byweekday.push_back(weekday_of_days(core::days_from_civil(s.year, s.month, s.day)));
      }
    }
    // Negative month days go to their own list; nth weekdays only count for MONTHLY/YEARLY.
    std::vector<int> positive;
    for (int d : r_.bymonthday) {
      (d > 0 ? positive : r_.bynmonthday).push_back(d);
    }
    r_.bymonthday = positive;
    if (r_.freq > RRuleFreq::kMonthly) {
      for (auto [wd, n] : r_.bynweekday) {
        r_.byweekday.push_back(wd);
      }
      r_.bynweekday.clear();
    }
    if (r_.byhour.empty() && r_.freq < RRuleFreq::kHourly) {
      r_.byhour.push_back(static_cast<int>(s.hour));
    }
    if (r_.byminute.empty() && r_.freq < RRuleFreq::kMinutely) {
      r_.byminute.push_back(static_cast<int>(s.minute));
    }
    if (r_.bysecond.empty() && r_.freq < RRuleFreq::kSecondly) {
      r_.bysecond.push_back(static_cast<int>(s.second));
    }
    // dateutil keeps the BYxxx values as sets.
    for (auto* v : {&r_.byhour, &r_.byminute, &r_.bysecond, &r_.bymonth, &r_.bymonthday,
                    &r_.bynmonthday, &r_.byyearday, &r_.byweekno, &r_.byweekday, &r_.bysetpos}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
  }

  // Jumps whole periods (on the INTERVAL lattice) to just before `target`; only without
  // COUNT, where skipped occurrences do not matter.
  void fast_forward(LocalMicros target) {
    const CivilTime t = to_civil(target);
    const long long target_day = core::days_from_civil(t.year, t.month, t.day);
    const long long iv = r_.interval;
    long long k = 0;
    switch (r_.freq) {
      case RRuleFreq::kYearly:
        k = (t.year - year_) / iv - 1;
        if (k > 0) {
          year_ += k * iv;
        }
        break;
      case RRuleFreq::kMonthly: {
        k = ((t.year - year_) * 12 + t.month - month_) / iv - 1;
        if (k > 0) {
          const long long months = static_cast<long long>(month_) - 1 + k * iv;
          year_ += months / 12;
          month_ = static_cast<unsigned>(months % 12 + 1);
        }
        break;
      }
      case RRuleFreq::kWeekly:
        k = (target_day - day_) / (7 * iv) - 1;
        if (k > 0) {
          advance();  // align to the week start first, as the second period does
          day_ += (k - 1) * 7 * iv;
        }
        k = 0;
        break;
      case RRuleFreq::kDaily:
        k = (target_day - day_) / iv - 1;
        day_ += std::max(0LL, k) * iv;
        break;
      default: {
        const long long unit = r_.freq == RRuleFreq::kHourly     ? 3600
                               : r_.freq == RRuleFreq::kMinutely ? 60
                                                                 : 1;
        const long long now_s = day_ * 86400 + hour_ * 3600 + minute_ * 60 + second_;
        const long long target_s = target / kMicrosPerSecond;
        k = (target_s - now_s) / (unit * iv) - 1;
        if (k > 0) {
          set_seconds(now_s + k * unit * iv);
        }
      }
    }
  }

  void set_seconds(long long s) {
    day_ = s / 86400 - (s % 86400 < 0 ? 1 : 0);
    const long long rem = s - day_ * 86400;
    hour_ = static_cast<unsigned>(rem / 3600);
    minute_ = static_cast<unsigned>(rem / 60 % 60);
    second_ = static_cast<unsigned>(rem % 60);
    long long y;
    unsigned m, d;
    core::civil_from_days(day_, y, m, d);
    year_ = y;
    month_ = m;
  }

  bool day_matches(long long day) const {
    long long y;
    unsigned m, d;
    core::civil_from_days(day, y, m, d);
    if (!r_.bymonth.empty() && !contains(r_.bymonth, static_cast<int>(m))) {
      return false;
    }
    if (!r_.byweekno.empty()) {
      long long week, weeks;
      week_number(day, r_.wkst, week, weeks);
      if (!contains(r_.byweekno, static_cast<int>(week)) &&
          !contains(r_.byweekno, static_cast<int>(week - weeks - 1))) {
        return false;
      }
    }
    const int wd = weekday_of_days(day);
    if (!r_.byweekday.empty() && !r_.bynweekday.empty()) {
      if (!contains(r_.byweekday, wd) && !nth_matches(day, y, m, wd)) {
        return false;
      }
    } else if (!r_.byweekday.empty() && !contains(r_.byweekday, wd)) {
      return false;
    } else if (!r_.bynweekday.empty() && !nth_matches(day, y, m, wd)) {
      return false;
    }
    if (!r_.bymonthday.empty() || !r_.bynmonthday.empty()) {
      const int neg = static_cast<int>(d) - static_cast<int>(month_days(y, m)) - 1;
      if (!contains(r_.bymonthday, static_cast<int>(d)) && !contains(r_.bynmonthday, neg)) {
        return false;
      }
    }
    if (!r_.byyearday.empty()) {
      const long long yd = day - core::days_from_civil(y, 1, 1) + 1;
      const long long nyd = yd - year_days(y) - 1;
      if (!contains(r_.byyearday, static_cast<int>(yd)) &&
          !contains(r_.byyearday, static_cast<int>(nyd))) {
        return false;
      }
    }
    return true;
  }

  // nth weekday of the month (MONTHLY, or YEARLY with BYMONTH) or of the year (YEARLY).
  bool nth_matches(long long day, long long y, unsigned m, int wd) const {
    const bool in_month = r_.freq == RRuleFreq::kMonthly || !r_.bymonth.empty();
    const long long first =
        in_month ? core::days_from_civil(y, m, 1) : core::days_from_civil(y, 1, 1);
    const long long last = in_month ? first + month_days(y, m) - 1 : first + year_days(y) - 1;
    for (auto [want, n] : r_.bynweekday) {
      if (want != wd) {
        continue;
      }
      const long long target =
          n > 0 ? first + ((want - weekday_of_days(first) + 7) % 7) + 7LL * (n - 1)
                : last - ((weekday_of_days(last) - want + 7) % 7) + 7LL * (n + 1);
      if (target == day && target >= first && target <= last) {
        return true;
      }
    }
    return false;
  }

  std::vector<long long> period_days() const {
    std::vector<long long> days;
    long long from = day_, to = day_;
    if (r_.freq == RRuleFreq::kYearly) {
      from = core::days_from_civil(year_, 1, 1);
      to = from + year_days(year_) - 1;
    } else if (r_.freq == RRuleFreq::kMonthly) {
      from = core::days_from_civil(year_, month_, 1);
      to = from + month_days(year_, month_) - 1;
    } else if (r_.freq == RRuleFreq::kWeekly) {
      while (to + 1 - from < 7 && weekday_of_days(to + 1) != r_.wkst) {
        ++to;
      }
    }
    for (long long d = from; d <= to; ++d) {
      if (day_matches(d)) {
        days.push_back(d);
      }
    }
    return days;
  }

  std::vector<long long> period_times() const {  // seconds of the day
    std::vector<long long> times;
    auto ok = [](const std::vector<int>& v, unsigned x) {
      return v.empty() || contains(v, static_cast<int>(x));
    };
    if (r_.freq >= RRuleFreq::kHourly && !ok(r_.byhour, hour_)) {
      return times;
    }
    if (r_.freq >= RRuleFreq::kMinutely && !ok(r_.byminute, minute_)) {
      return times;
    }
    if (r_.freq == RRuleFreq::kSecondly && !ok(r_.bysecond, second_)) {
      return times;
    }
    const std::vector<int> hours =
        r_.freq >= RRuleFreq::kHourly ? std::vector<int>{static_cast<int>(hour_)} : r_.byhour;
    const std::vector<int> minutes =
        r_.freq >= RRuleFreq::kMinutely ? std::vector<int>{static_cast<int>(minute_)} : r_.byminute;
    const std::vector<int> seconds =
        r_.freq == RRuleFreq::kSecondly ? std::vector<int>{static_cast<int>(second_)} : r_.bysecond;
    for (int h : hours) {
      for (int m : minutes) {
        for (int s : seconds) {
          if (h >= 0 && h < 24 && m >= 0 && m < 60 && s >= 0 && s < 60) {
            times.push_back(h * 3600LL + m * 60 + s);
          }
        }
      }
    }
    return times;
  }

  void fill_period() {
    buffer_.clear();
    buffer_pos_ = 0;
    const auto days = period_days();
    const auto times = days.empty() ? std::vector<long long>{} : period_times();
    std::vector<LocalMicros> all;
    for (long long d : days) {
      for (long long s : times) {
        all.push_back((d * 86400 + s) * kMicrosPerSecond);
      }
    }
    if (!r_.bysetpos.empty() && !all.empty()) {
      std::set<LocalMicros> picked;
      const long long n = static_cast<long long>(all.size());
      for (int pos : r_.bysetpos) {
        const long long idx = pos > 0 ? pos - 1 : n + pos;
        if (idx >= 0 && idx < n) {
          picked.insert(all[static_cast<std::size_t>(idx)]);
        }
      }
      all.clear();  // (not assign(): GCC 12 -O3 warns falsely on set-iterator distance)
      for (LocalMicros t : picked) {
        all.push_back(t);
      }
    }
    for (LocalMicros t : all) {
      if (t >= r_.dtstart) {
        buffer_.push_back(t);
      }
    }
    empty_periods_ = buffer_.empty() ? empty_periods_ + 1 : 0;
    // Sub-daily rules skip the rest of a day (or hour, minute) that cannot match, as
    // dateutil does; the skip stays on the INTERVAL lattice.
    skip_until_ = -1;
    if (r_.freq >= RRuleFreq::kHourly && buffer_.empty()) {
      auto ok = [](const std::vector<int>& v, unsigned x) {
        return v.empty() || contains(v, static_cast<int>(x));
      };
      if (days.empty()) {
        skip_until_ = day_ * 86400 + 86399;
      } else if (r_.freq >= RRuleFreq::kMinutely && !ok(r_.byhour, hour_)) {
        skip_until_ = day_ * 86400 + hour_ * 3600 + 3599;
      } else if (r_.freq == RRuleFreq::kSecondly && !ok(r_.byminute, minute_)) {
        skip_until_ = day_ * 86400 + hour_ * 3600 + minute_ * 60 + 59;
      }
    }
  }

  void advance() {
    const long long iv = r_.interval;
    switch (r_.freq) {
      case RRuleFreq::kYearly:
        year_ += iv;
        break;
      case RRuleFreq::kMonthly: {
        const long long months = static_cast<long long>(month_) - 1 + iv;
        year_ += months / 12;
        month_ = static_cast<unsigned>(months % 12 + 1);
        break;
      }
      case RRuleFreq::kWeekly:
        day_ += -((weekday_of_days(day_) - r_.wkst + 7) % 7) + 7 * iv;
        break;
      case RRuleFreq::kDaily:
        day_ += iv;
        break;
      default: {
        const long long unit = r_.freq == RRuleFreq::kHourly     ? 3600
                               : r_.freq == RRuleFreq::kMinutely ? 60
                                                                 : 1;
        long long now_s = day_ * 86400 + hour_ * 3600 + minute_ * 60 + second_;
        if (skip_until_ > now_s) {
          now_s += (skip_until_ - now_s) / (unit * iv) * unit * iv;
        }
        set_seconds(now_s + unit * iv);
        return;
      }
    }
    if (r_.freq >= RRuleFreq::kWeekly) {
      long long y;
      unsigned m, d;
      core::civil_from_days(day_, y, m, d);
      year_ = y;
      month_ = m;
    }
  }

  RRule r_;
  long long year_ = 0, day_ = 0;
  unsigned month_ = 1, hour_ = 0, minute_ = 0, second_ = 0;
  std::vector<LocalMicros> buffer_;
  std::size_t buffer_pos_ = 0;
  long long emitted_ = 0, empty_periods_ = 0, skip_until_ = -1;
  bool done_ = false;
};

struct RRuleSetIterator::Impl {
  std::vector<std::unique_ptr<RRuleIterator>> includes, excludes;
  std::vector<std::optional<LocalMicros>> include_heads, exclude_heads;
  std::vector<LocalMicros> rdates;
  std::set<LocalMicros> exdates;
  std::size_t rdate_pos = 0;
  std::optional<LocalMicros> last;
};

RRuleSetIterator::RRuleSetIterator(const RRuleSet& set, std::optional<LocalMicros> skip_before)
    : impl_(std::make_unique<Impl>()) {
  for (const auto& r : set.rrules) {
    impl_->includes.push_back(std::make_unique<RRuleIterator>(r, skip_before));
    impl_->include_heads.push_back(impl_->includes.back()->next());
  }
  for (const auto& r : set.exrules) {
    impl_->excludes.push_back(std::make_unique<RRuleIterator>(r, skip_before));
    impl_->exclude_heads.push_back(impl_->excludes.back()->next());
  }
  impl_->rdates = set.rdates;
  std::sort(impl_->rdates.begin(), impl_->rdates.end());
  impl_->exdates.insert(set.exdates.begin(), set.exdates.end());
}

RRuleSetIterator::~RRuleSetIterator() = default;

std::optional<LocalMicros> RRuleSetIterator::next() {
  auto& s = *impl_;
  while (true) {
    std::optional<LocalMicros> best;
    std::size_t best_index = 0;
    for (std::size_t k = 0; k < s.include_heads.size(); ++k) {
      if (s.include_heads[k] && (!best || *s.include_heads[k] < *best)) {
        best = s.include_heads[k];
        best_index = k;
      }
    }
    const bool from_rdate =
        s.rdate_pos < s.rdates.size() && (!best || s.rdates[s.rdate_pos] < *best);
    if (from_rdate) {
      best = s.rdates[s.rdate_pos++];
    } else if (best) {
      s.include_heads[best_index] = s.includes[best_index]->next();
    } else {
      return std::nullopt;
    }
    bool excluded = s.exdates.count(*best) > 0;
    for (std::size_t k = 0; k < s.exclude_heads.size(); ++k) {
      while (s.exclude_heads[k] && *s.exclude_heads[k] < *best) {
        s.exclude_heads[k] = s.excludes[k]->next();
      }
      excluded = excluded || (s.exclude_heads[k] && *s.exclude_heads[k] == *best);
    }
    if (excluded || (s.last && *s.last == *best)) {
      continue;
    }
    s.last = best;
    return best;
  }
}

}  // namespace prefectcore::schemas
