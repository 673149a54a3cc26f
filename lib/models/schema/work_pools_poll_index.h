#pragma once

// Migration 0005: the worker poll's index.

#include <string_view>
#include <vector>

#include "lib/core/internal.h"

namespace prefectcore::models::schema {

// ix_flow_run__work_queue_id_scheduled: a partial index on (work_queue_id,
// next_scheduled_start_time) over SCHEDULED runs, so each queue's next runs are one short
// range read (get_scheduled_flow_runs).
std::vector<std::string_view> work_queue_poll_index();

}  // namespace prefectcore::models::schema
