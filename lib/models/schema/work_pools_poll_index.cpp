#include "lib/models/schema/work_pools_poll_index.h"

namespace prefectcore::models::schema {

std::vector<std::string_view> work_queue_poll_index() {
  return {
      "CREATE INDEX ix_flow_run__work_queue_id_scheduled ON flow_run "
      "(work_queue_id, next_scheduled_start_time) WHERE state_type = 'SCHEDULED'"};
}

}  // namespace prefectcore::models::schema
