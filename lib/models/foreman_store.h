#pragma once

// What the foreman (upstream services/foreman.py) looks for: workers whose heartbeat is
// overdue, READY pools without an ONLINE worker, and READY deployments and work queues that
// have not been polled lately. The status changes themselves go through the work pool, work
// queue, worker and deployment repositories, which emit the status events.
//
// Each function runs in the caller's (write) transaction.

#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"

namespace prefectcore::models {

// ONLINE workers whose last heartbeat is more than `multiple` heartbeat intervals old (their
// own heartbeat_interval_seconds, or `fallback_interval_seconds` when unset).
Result<std::vector<std::string>> overdue_workers(Transaction& tx, Timestamp now, int multiple,
                                                 double fallback_interval_seconds);
// READY work pools with no ONLINE worker.
Result<std::vector<std::string>> unstaffed_ready_pools(Transaction& tx);
// READY deployments polled before `threshold`, whose queue (when it was ever polled) was too.
Result<std::vector<std::string>> stale_ready_deployments(Transaction& tx, Timestamp threshold);
// READY work queues polled before `threshold`, least recently polled first.
Result<std::vector<std::string>> stale_ready_queues(Transaction& tx, Timestamp threshold);

}  // namespace prefectcore::models
