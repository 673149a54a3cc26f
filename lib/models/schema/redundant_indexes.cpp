#include "lib/models/schema/redundant_indexes.h"

namespace prefectcore::models::schema {

std::vector<std::string_view> drop_redundant_indexes() {
  return {"DROP INDEX IF EXISTS ix_events__occurred",
          "DROP INDEX IF EXISTS ix_events__event_occurred",
          "DROP INDEX IF EXISTS ix_flow_run__coalesce_start_time_expected_start_time_desc"};
}

}  // namespace prefectcore::models::schema
