#pragma once

// Stored events: the `events` and `event_resources` tables (upstream
// events/storage/database.py and counting.py), written once for both backends.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/events/bus.h"
#include "lib/events/event.h"
#include "lib/events/event_filter.h"

namespace prefectcore::models {

// Upstream's EventCount.
struct EventCount {
  std::string value;
  std::string label;
  std::int64_t count = 0;
  Timestamp start_time{};
  Timestamp end_time{};
};

enum class Countable { kDay, kTime, kEvent, kResource };
enum class TimeUnit { kWeek, kDay, kHour, kMinute, kSecond };

std::optional<Countable> parse_countable(std::string_view text);
std::optional<TimeUnit> parse_time_unit(std::string_view text);

// A WHERE clause and its parameters.
struct SqlWhere {
  std::string sql;
  std::vector<SqlValue> params;
};

// The SQL form of upstream's EventFilter.build_where_clauses over `events` (no leading WHERE).
SqlWhere event_filter_where(const events::EventFilter& filter, const Dialect& dialect);

class EventRepository {
 public:
  explicit EventRepository(Transaction& tx) : tx_(tx) {}

  // Inserts the events whose id is not stored yet, each with its event_resources rows, and
  // stamps created/updated/recorded with `recorded` and the writing server's `replica` id.
  // Returns the events actually inserted (duplicates by id are skipped, as upstream's
  // write_events does).
  Result<std::vector<events::EventPtr>> write(const std::vector<events::EventPtr>& batch,
                                              Timestamp recorded, const std::string& replica);

  // Matching events in the filter's order (occurred), `limit` from `offset`. With
  // resource.distinct only the first event per resource (upstream's row_number window).
  Result<std::vector<events::Event>> read(const events::EventFilter& filter, std::int64_t limit,
                                          std::int64_t offset);
  // How many events match (distinct resources with resource.distinct).
  Result<std::int64_t> count(const events::EventFilter& filter);

  // Upstream's count-by: counts grouped by day/time bucket, event name or resource.
  // kUnprocessable (422 {"detail"}) when the time range would make over 1000 buckets.
  Result<std::vector<EventCount>> count_by(const events::EventFilter& filter, Countable countable,
                                           TimeUnit unit, double interval, Timestamp now);

  // Events recorded at or after `since` by a replica other than `replica`, oldest recorded
  // first, at most `limit`, each with its recorded time (replication).
  Result<std::vector<std::pair<events::Event, Timestamp>>> recorded_since(
      Timestamp since, const std::string& replica, std::int64_t limit);

  // Upstream's persister trim: deletes event_resources updated before `older_than` and
  // events that occurred before it, `batch_size` rows per statement. Returns rows deleted.
  Result<std::int64_t> trim(Timestamp older_than, std::int64_t batch_size);

 private:
  Transaction& tx_;
};

// Decodes a stored `events` row selected with kEventColumns.
Result<events::Event> event_from_row(const Row& row, std::size_t first_column = 0);
extern const char kEventColumns[];

}  // namespace prefectcore::models
