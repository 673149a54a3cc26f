#pragma once

// What the task-run rules read and write besides the run row (upstream core_policy.py's
// queries): the task_run_state_cache table, the v2 `tag:<tag>` concurrency limits by name
// and the legacy v1 concurrency_limit rows, whose active_slots hold task run ids.
//
// Thread-bound: a TaskOrchestrationStore borrows one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"

namespace prefectcore::models {

// A v1 concurrency_limit row.
struct TagLimit {
  std::string id;
  std::string tag;
  std::int64_t concurrency_limit = 0;
  std::vector<std::string> active_slots;  // task run ids
};

class TaskOrchestrationStore {
 public:
  explicit TaskOrchestrationStore(Transaction& tx) : tx_(tx) {}

  // The state id most recently cached under `cache_key` that has not expired at `now`.
  Result<std::optional<std::string>> cached_state_id(const std::string& cache_key, Timestamp now);
  Status insert_cache(const std::string& id, const std::string& cache_key,
                      const std::optional<Timestamp>& cache_expiration, const std::string& state_id,
                      Timestamp now);

  // Ids of the v2 limits named `tag:<tag>` for `tags`, ordered by name.
  Result<std::vector<std::string>> tag_limit_ids(const std::vector<std::string>& tags);

  // The v1 limits on `tags`, ordered by tag and locked until the transaction ends
  // (upstream filter_concurrency_limits_for_orchestration).
  Result<std::vector<TagLimit>> lock_tag_limits(const std::vector<std::string>& tags);
  Status set_active_slots(const TagLimit& limit, Timestamp now);

 private:
  Transaction& tx_;
};

}  // namespace prefectcore::models
