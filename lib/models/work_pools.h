#pragma once

// Work pools (upstream models/workers.py, the pool half) over the Database interface, and
// the worker poll (get_scheduled_flow_runs). Status changes and CRUD append the events
// upstream emits (models/events.py) to an EventSink; the caller publishes them after commit.
//
// Thread-bound: a repository borrows one transaction.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"
#include "lib/events/event.h"
#include "lib/models/filters.h"
#include "lib/schemas/flow_run.h"
#include "lib/schemas/work_pool.h"

namespace prefectcore::models {

// Where repositories put the events of one unit of work, with what they need to mint them.
struct EventSink {
  core::IdGenerator& ids;
  Timestamp now{};
  std::vector<events::Event> events;
};

// The WorkerFilter grammar (last_heartbeat_time before_/after_, status any_/not_any_).
const FilterSpec& worker_filter_spec();

// upstream WORK_POOL_SLOT_OCCUPYING_STATES, as an SQL list.
inline constexpr std::string_view kPoolSlotStates = "('PENDING', 'RUNNING')";

class WorkPoolRepository {
 public:
  explicit WorkPoolRepository(Transaction& tx) : tx_(tx) {}

  // Inserts the pool and its "default" queue (priority 1) and points default_queue_id at it.
  // Status: NOT_READY, or PAUSED when created paused; none for prefect-agent pools.
  // kConflict "A work pool with this name already exists." Emits work-pool.created and the
  // initial status event (work-pool.not-ready / .paused), as the create route does upstream.
  Result<schemas::WorkPool> create(const schemas::WorkPoolCreate& create, EventSink& sink);
  Result<std::optional<schemas::WorkPool>> find(const std::string& id);
  Result<std::optional<schemas::WorkPool>> find_by_name(const std::string& name);
  // kNotFound `Work pool "<name>" not found.` (upstream WorkerLookups).
  Result<schemas::WorkPool> get_by_name(const std::string& name);
  Result<std::vector<schemas::WorkPool>> list(const SqlCondition& filter, std::int64_t limit,
                                              std::int64_t offset);
  Result<std::int64_t> count(const SqlCondition& filter);
  // Applies the sent members; pausing sets PAUSED, unpausing READY when an ONLINE worker
  // exists else NOT_READY (not for prefect-agent pools). Emits work-pool.updated for changed
  // fields and the status event when the status was written.
  Status update(const schemas::WorkPool& current, const schemas::WorkPoolUpdate& update,
                EventSink& sink);
  // Deletes the pool (queues and workers cascade) after emitting work-queue.deleted for each
  // queue and work-pool.deleted.
  Status remove(const schemas::WorkPool& pool, EventSink& sink);

  // Writes `status` (READY / NOT_READY / PAUSED) with a new status event id and transition
  // time, and emits prefect.work-pool.<status>. Does nothing when the status is unchanged.
  // The foreman calls mark_not_ready for READY pools without ONLINE workers; a heartbeat
  // marks a NOT_READY pool ready.
  Status set_status(const schemas::WorkPool& pool, std::string_view status, EventSink& sink);
  Status mark_ready(const schemas::WorkPool& pool, EventSink& sink) {
    return set_status(pool, "READY", sink);
  }
  Status mark_not_ready(const schemas::WorkPool& pool, EventSink& sink) {
    return set_status(pool, "NOT_READY", sink);
  }

  // PENDING + RUNNING runs in the pool's queues (upstream count_work_pool_active_slots).
  Result<std::int64_t> active_slots(const std::string& pool_id);
  // Fills active_slots of the pools that have a concurrency limit.
  Status fill_active_slots(std::vector<schemas::WorkPool>& pools);

 private:
  Result<std::vector<schemas::WorkPool>> select(std::string_view where,
                                                const std::vector<SqlValue>& params,
                                                std::string_view tail);
  Transaction& tx_;
};

// One run handed to a worker (WorkerFlowRunResponse).
struct WorkerFlowRun {
  std::string work_pool_id;
  std::string work_queue_id;
  schemas::FlowRun flow_run;
};

struct ScheduledRunsQuery {
  // Queues to draw from; nullopt: every queue of the pool.
  std::optional<std::vector<std::string>> work_queue_ids;
  std::optional<Timestamp> scheduled_before;
  std::optional<Timestamp> scheduled_after;
  std::int64_t limit = 200;
};

// upstream get_scheduled_flow_runs (get-runs-from-worker-queues.sql): SCHEDULED runs of the
// pool's unpaused queues (nothing when the pool is paused), skipping in-process retries,
// within the time window; each queue gives at most its free slots (concurrency_limit minus
// its PENDING + RUNNING runs), the pool at most its free slots; ordered by queue priority
// then next_scheduled_start_time. Reads only.
Result<std::vector<WorkerFlowRun>> get_scheduled_flow_runs(Transaction& tx,
                                                           const schemas::WorkPool& pool,
                                                           const ScheduledRunsQuery& query);
// Whether a poll of `queues` at `now` has anything to record: a queue not READY or not
// polled within `debounce`. upstream debounces these writes through a keyed docket task.
bool poll_needs_write(const std::vector<schemas::WorkQueue>& queues, Timestamp now,
                      std::chrono::microseconds debounce = std::chrono::seconds(1));
// upstream mark_deployments_ready(work_queue_ids): the queues' deployments get status READY
// and last_polled = now, keeping `updated` (the recent-deployments scheduler keys off it);
// prefect.deployment.ready for those that were NOT_READY.
Status mark_deployments_polled(Transaction& tx, const std::vector<schemas::WorkQueue>& queues,
                               EventSink& sink);
// Encodes a WorkerFlowRunResponse: flow_run is the core FlowRun (no work pool keys, no state).
void write_worker_flow_run(core::JsonWriter& w, const WorkerFlowRun& run, Timestamp now);

// Event constructors (upstream models/events.py).
events::Event work_pool_status_event(const schemas::WorkPool& pool, std::string event_id,
                                     Timestamp occurred,
                                     const std::optional<schemas::WorkPool>& before);
events::Labels work_pool_related(const schemas::WorkPool& pool);

}  // namespace prefectcore::models
