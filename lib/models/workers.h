#pragma once

// Workers (upstream models/workers.py, the worker half): heartbeats, listing, deletion.
//
// Thread-bound: a repository borrows one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/models/filters.h"
#include "lib/models/work_pools.h"
#include "lib/schemas/work_pool.h"

namespace prefectcore::models {

class WorkerRepository {
 public:
  explicit WorkerRepository(Transaction& tx) : tx_(tx) {}

  // upstream record_worker_heartbeat: upserts (pool, name) with last_heartbeat_time = now,
  // status ONLINE and the interval when given; a NOT_READY pool becomes READY (with its
  // status event).
  Status heartbeat(const schemas::WorkPool& pool, const std::string& name,
                   std::optional<std::int64_t> heartbeat_interval_seconds, EventSink& sink);
  // Workers of a pool, most recent heartbeat first.
  Result<std::vector<schemas::Worker>> list(const std::string& pool_id, const SqlCondition& filter,
                                            std::int64_t limit, std::int64_t offset);
  Result<std::optional<schemas::Worker>> find(const std::string& pool_id, const std::string& name);
  // false when the pool has no worker `name`.
  Result<bool> remove(const std::string& pool_id, const std::string& name);
  // Sets the given workers OFFLINE (the foreman, for workers whose heartbeat is overdue).
  // upstream emits no event for this.
  Status mark_offline(const std::vector<std::string>& worker_ids);

 private:
  Transaction& tx_;
};

}  // namespace prefectcore::models
