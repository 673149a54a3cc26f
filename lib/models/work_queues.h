#pragma once

// Work queues (upstream models/workers.py, the queue half, and models/work_queues.py: the
// legacy queues living in the default-agent-pool, polls, status). Events go to an EventSink.
//
// Thread-bound: a repository borrows one transaction.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/models/filters.h"
#include "lib/models/work_pools.h"
#include "lib/schemas/work_pool.h"

namespace prefectcore::models {

// upstream WORK_QUEUE_LAST_POLLED_TIMEOUT.
inline constexpr auto kWorkQueueLastPolledTimeout = std::chrono::seconds(60);

class WorkQueueRepository {
 public:
  explicit WorkQueueRepository(Transaction& tx) : tx_(tx) {}

  // Inserts a queue into `pool`. Without a priority it takes the first free rank; with one,
  // the others shift down to make room (bulk_update_priorities). kConflict (empty message:
  // the route words it) when the name is taken in the pool. Emits work-queue.created.
  Result<schemas::WorkQueue> create(const schemas::WorkPool& pool,
                                    const schemas::WorkQueueCreate& create, EventSink& sink);
  Result<std::optional<schemas::WorkQueue>> find(const std::string& id);
  Result<std::optional<schemas::WorkQueue>> find_in_pool(const std::string& pool_name,
                                                         const std::string& queue_name);
  // kNotFound "Work pool queue '<pool>/<queue>' not found." (upstream WorkerLookups).
  Result<schemas::WorkQueue> get_in_pool(const std::string& pool_name,
                                         const std::string& queue_name);
  // Queues of a pool by ascending priority.
  Result<std::vector<schemas::WorkQueue>> list_in_pool(const std::string& pool_id,
                                                       const SqlCondition& filter,
                                                       std::int64_t limit, std::int64_t offset);
  // Every queue by name (legacy /work_queues/filter).
  Result<std::vector<schemas::WorkQueue>> list(const SqlCondition& filter, std::int64_t limit,
                                               std::int64_t offset);
  // Applies the sent members. Pausing sets PAUSED; unpausing a PAUSED queue sets READY when
  // last_polled is under 60 s old, else NOT_READY; a status change emits its event; a new
  // priority shifts the others. Emits work-queue.updated for changed fields.
  Status update(const schemas::WorkQueue& current, const schemas::WorkQueueUpdate& update,
                EventSink& sink);
  // kConflict (integrity) for a pool's default queue, as the RESTRICT foreign key upstream.
  // Emits work-queue.deleted.
  Status remove(const schemas::WorkQueue& queue, EventSink& sink);
  // upstream bulk_update_work_queue_priorities: gives each queue in `new_priorities` its
  // priority and renumbers the others with the fewest changes so that priorities stay unique.
  Status bulk_update_priorities(const std::string& pool_id,
                                const std::map<std::string, std::int64_t>& new_priorities);

  // upstream mark_work_queues_ready (one poll): last_polled = now for every queue in
  // `queues`, status READY (and a work-queue.ready event) for those that were NOT_READY.
  // Skips the write when every queue is READY with a last_polled under `debounce` old, as
  // upstream debounces this docket task per pool.
  Status record_polls(const std::vector<schemas::WorkQueue>& queues, EventSink& sink,
                      std::chrono::microseconds debounce = std::chrono::seconds(1));
  // upstream mark_work_queues_not_ready (the foreman): NOT_READY plus an event for each.
  Status mark_not_ready(const std::vector<schemas::WorkQueue>& queues, EventSink& sink);

  // PENDING + RUNNING runs of the queue (models/workers.py count_work_queue_active_slots);
  // `legacy` adds CANCELLING as models/work_queues.py does for the /work_queues router.
  Result<std::int64_t> active_slots(const std::string& queue_id, bool legacy = false);
  Status fill_active_slots(std::vector<schemas::WorkQueue>& queues, bool legacy = false);
  // Late runs of the queue (the status endpoint).
  Result<std::int64_t> late_runs(const std::string& queue_id);

 private:
  Result<std::vector<schemas::WorkQueue>> select(std::string_view where,
                                                 const std::vector<SqlValue>& params,
                                                 std::string_view tail);
  Status emit_status(const std::string& queue_id, EventSink& sink);
  Transaction& tx_;
};

// A work-queue.* event (created / deleted / ready / not-ready / paused) with the pool related.
events::Event work_queue_event(const schemas::WorkQueue& queue,
                               const std::optional<schemas::WorkPool>& pool, std::string event_name,
                               EventSink& sink);

}  // namespace prefectcore::models
