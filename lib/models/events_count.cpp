// POST /events/count-by/{countable} (upstream events/counting.py and
// storage.process_time_based_counts). The matching rows are grouped here rather than in SQL:
// upstream's bucket expressions differ per backend (date_bin vs strftime), and one C++
// grouping keeps SQLite and PostgreSQL answers identical.

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "lib/core/json.h"
#include "lib/core/time.h"
#include "lib/models/events.h"

namespace prefectcore::models {
namespace {

using std::chrono::microseconds;

// Upstream's PIVOT_DATETIME: Monday 2024-04-01 UTC; all buckets count from it.
Timestamp pivot() { return Timestamp(std::chrono::sys_days(std::chrono::year(2024) / 4 / 1)); }

Micros unit_length(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kWeek:
      return std::chrono::days(7);
    case TimeUnit::kDay:
      return std::chrono::days(1);
    case TimeUnit::kHour:
      return std::chrono::hours(1);
    case TimeUnit::kMinute:
      return std::chrono::minutes(1);
    case TimeUnit::kSecond:
      return std::chrono::seconds(1);
  }
  return std::chrono::days(1);
}

// pendulum's now.end_of(unit): the last microsecond of the current unit (weeks start Monday).
Timestamp end_of(Timestamp now, TimeUnit unit) {
  const Micros len = unit_length(unit);
  const auto since_pivot = now - pivot();  // the pivot is a Monday midnight
  const auto start = pivot() + (since_pivot / len) * len;
  return start + len - microseconds(1);
}

std::int64_t floor_div(Micros a, Micros b) {
  auto q = a.count() / b.count();
  if ((a.count() % b.count() != 0) && ((a.count() < 0) != (b.count() < 0))) {
    --q;
  }
  return q;
}

std::string iso_label(Timestamp t) {
  // pendulum's isoformat(): "+00:00", fraction only when non-zero.
  std::string s = core::format_api_time(t);
  if (!s.empty() && s.back() == 'Z') {
    s.pop_back();
  }
  return s + "+00:00";
}

struct Group {
  std::string label;
  Timestamp latest{}, oldest{};
  std::int64_t count = 0;
};

std::string resource_label(const std::string& resource_json, const std::string& resource_id) {
  auto doc = core::JsonDocument::parse(resource_json);
  if (doc) {
    for (const char* key : {"prefect.resource.name", "prefect.name"}) {
      std::string_view v;
      if (!doc->root()[key].get_string().get(v)) {
        return std::string(v);
      }
    }
  }
  return resource_id;
}

}  // namespace

std::optional<Countable> parse_countable(std::string_view text) {
  if (text == "day") {
    return Countable::kDay;
  }
  if (text == "time") {
    return Countable::kTime;
  }
  if (text == "event") {
    return Countable::kEvent;
  }
  if (text == "resource") {
    return Countable::kResource;
  }
  return std::nullopt;
}

std::optional<TimeUnit> parse_time_unit(std::string_view text) {
  if (text == "week") {
    return TimeUnit::kWeek;
  }
  if (text == "day") {
    return TimeUnit::kDay;
  }
  if (text == "hour") {
    return TimeUnit::kHour;
  }
  if (text == "minute") {
    return TimeUnit::kMinute;
  }
  if (text == "second") {
    return TimeUnit::kSecond;
  }
  return std::nullopt;
}

Result<std::vector<EventCount>> EventRepository::count_by(const events::EventFilter& filter,
                                                          Countable countable, TimeUnit unit,
                                                          double interval, Timestamp now) {
  const bool by_time = countable == Countable::kDay || countable == Countable::kTime;
  if (countable == Countable::kDay) {
    unit = TimeUnit::kDay;
    interval = 1;
  }
  // Capped so that an absurd interval cannot overflow; one bucket then spans everything.
  const double span = std::min(static_cast<double>(unit_length(unit).count()) * interval, 1e17);
  const auto delta = Micros(static_cast<std::int64_t>(std::llround(span)));
  if (delta.count() <= 0) {
    return Status(ErrorCode::kUnprocessable, "The minimum interval is 0.01");
  }
  const std::int64_t buckets =
      (filter.until - filter.since).count() <= 0
          ? 0
          : ((filter.until - filter.since).count() + delta.count() - 1) / delta.count();
  if (buckets > 1000) {
    return Status(ErrorCode::kUnprocessable,
                  fmt::format("The given interval would create {} buckets, which is too many. "
                              "Please increase the interval or reduce the time range to produce "
                              "1000 buckets or fewer.",
                              buckets));
  }
  SqlWhere where = event_filter_where(filter, tx_.dialect());
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query("SELECT events.occurred, events.event, events.resource_id, events.resource "
                "FROM events WHERE " +
                    where.sql,
                where.params));
  std::map<std::string, Group> groups;
  std::map<std::int64_t, std::int64_t> bucket_counts;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(Timestamp occurred, core::parse_time(row.text(0)));
    if (by_time) {
      ++bucket_counts[floor_div(occurred - pivot(), delta)];
      continue;
    }
    const std::string value = countable == Countable::kEvent ? row.text(1) : row.text(2);
    Group& g = groups[value];
    if (g.count == 0 || occurred >= g.latest) {
      g.label =
          countable == Countable::kEvent ? row.text(1) : resource_label(row.text(3), row.text(2));
      g.latest = std::max(g.latest, occurred);
    }
    g.oldest = g.count == 0 ? occurred : std::min(g.oldest, occurred);
    ++g.count;
  }
  std::vector<EventCount> out;
  if (by_time) {
    Timestamp end = filter.until > now ? end_of(now, unit) : filter.until;
    const std::int64_t first = floor_div(filter.since - pivot(), delta);
    Timestamp start = pivot() + delta * first;
    for (std::int64_t i = 0; start < end; ++i, start += delta) {
      auto it = bucket_counts.find(first + i);
      out.push_back({std::to_string(i), iso_label(start),
                     it == bucket_counts.end() ? 0 : it->second, start,
                     start + delta - microseconds(1)});
    }
    return out;
  }
  for (auto& [value, g] : groups) {
    out.push_back({value, g.label, g.count, g.oldest, g.latest});
  }
  std::sort(out.begin(), out.end(), [](const EventCount& a, const EventCount& b) {
    return a.count != b.count ? a.count > b.count : a.label < b.label;
  });
  return out;
}

}  // namespace prefectcore::models
