// Migration 0004: which server stored each event, so that replicas sharing one PostgreSQL
// database can poll for the events the others accepted (docs/events.md, "Scale-out"), and
// the index that poll uses.

#include "lib/models/schema/events_replication.h"

#include <string_view>
#include <vector>

#include "lib/models/schema/ddl.h"

namespace prefectcore::models::schema {

std::vector<std::string_view> events_replication() {
  return {"ALTER TABLE events ADD COLUMN replica TEXT",
          "CREATE INDEX ix_events__recorded ON events (recorded)"};
}

}  // namespace prefectcore::models::schema
