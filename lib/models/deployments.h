#pragma once

// Deployments and their schedules (upstream models/deployments.py) over the Database
// interface. Reads return the DeploymentResponse view: the row, its queue's and pool's names,
// its schedules and its v2 concurrency limit. Work pools and queues are looked up (and a
// missing queue created) with this file's own small SQL, as upstream's WorkerLookups does.
//
// Thread-bound: a DeploymentRepository borrows one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"
#include "lib/events/event.h"
#include "lib/models/filters.h"
#include "lib/schemas/deployment.h"

namespace prefectcore::models {

// The filters a deployments list/count request may combine; related filters apply only
// when their object is in the body (nullopt: not given).
struct DeploymentFilters {
  SqlCondition deployments;
  std::optional<SqlCondition> flows;
  std::optional<SqlCondition> flow_runs;
  std::optional<SqlCondition> task_runs;
  std::optional<SqlCondition> work_pools;
  std::optional<SqlCondition> work_queues;
};

enum class DeploymentSort { kCreatedDesc, kUpdatedDesc, kNameAsc, kNameDesc };

// The WHERE clause (over `deployment`) for `filters`, as upstream _apply_deployment_filters.
SqlCondition deployment_where(const DeploymentFilters& filters);

class DeploymentRepository {
 public:
  DeploymentRepository(Transaction& tx, core::IdGenerator& ids) : tx_(tx), ids_(ids) {}

  Result<std::optional<schemas::Deployment>> find(const std::string& id);
  // kNotFound "Deployment not found".
  Result<schemas::Deployment> get(const std::string& id);
  Result<std::optional<schemas::Deployment>> find_by_name(const std::string& flow_name,
                                                          const std::string& name);
  Result<std::vector<schemas::Deployment>> list(const DeploymentFilters& filters,
                                                DeploymentSort sort, std::int64_t limit,
                                                std::int64_t offset);
  Result<std::int64_t> count(const DeploymentFilters& filters);

  // upstream create_deployment: inserts, or on (flow_id, name) updates the members the
  // request set; deletes future auto-scheduled runs, replaces the schedules and applies the
  // concurrency limit. `work_queue_id` is the resolved queue (nullopt: leave as is / none).
  // Returns the stored deployment and whether it was inserted.
  Result<std::pair<schemas::Deployment, bool>> upsert(
      const schemas::DeploymentInput& in, const std::optional<std::string>& work_queue_id,
      Timestamp now);
  // upstream update_deployment for the members present in `in` (schedules are handled by
  // the caller). `work_queue_id` set: the new queue (its inner nullopt clears it). false when
  // no deployment has `id`.
  Result<bool> update(const std::string& id, const schemas::DeploymentInput& in,
                      const std::optional<std::optional<std::string>>& work_queue_id,
                      Timestamp now);
  // Deletes the deployment, its SCHEDULED runs and its v2 limit. false when absent.
  Result<bool> remove(const std::string& id);
  Result<bool> set_paused(const std::string& id, bool paused, Timestamp now);

  // upstream _delete_scheduled_runs: SCHEDULED runs (not AwaitingConcurrencySlot) that never
  // ran; only auto-scheduled ones and/or only those after `now` when asked.
  Status delete_scheduled_runs(const std::string& id, bool auto_scheduled_only,
                               std::optional<Timestamp> after);
  // upstream _create_or_update_deployment_concurrency_limit: null removes the limit.
  Status set_concurrency_limit(const std::string& id, std::optional<std::int64_t> limit,
                               Timestamp now);
  // kNotFound "Concurrency limit not found" unless a v2 limit has `id`.
  Status check_limit_exists(const std::string& id);
  // kConflict with upstream's message when a referenced block document does not exist.
  Status check_block_documents(const schemas::DeploymentInput& in);

  // Schedules (deployment_schedules.cpp). Newest `updated` first.
  Result<std::vector<schemas::DeploymentSchedule>> schedules(const std::string& deployment_id);
  // kConflict "Schedule slugs must be unique within a deployment." on a taken slug.
  Result<std::vector<schemas::DeploymentSchedule>> create_schedules(
      const std::string& deployment_id, const std::vector<schemas::DeploymentScheduleInput>& in,
      Timestamp now);
  // Applies the non-null members of `in` to the schedule with `schedule_id` (or, when
  // empty, the one with slug `slug`); false when none matched.
  Result<bool> update_schedule(const std::string& deployment_id, const std::string& schedule_id,
                               const std::optional<std::string>& slug,
                               const schemas::DeploymentScheduleInput& in, Timestamp now);
  Result<bool> delete_schedule(const std::string& deployment_id, const std::string& schedule_id);
  Status delete_schedules(const std::string& deployment_id);
  // Clears `slug` on the schedule with that slug (before a rename); returns its id.
  Result<std::optional<std::string>> release_slug(const std::string& deployment_id,
                                                  const std::string& slug);

  // upstream WorkerLookups: the queue `queue_name` of pool `pool_name`, created when missing
  // (create_queue_if_not_found), or the pool's default queue. kNotFound 'Work pool "x" not
  // found.'.
  Result<std::optional<std::string>> pool_queue(const std::string& pool_name,
                                                const std::optional<std::string>& queue_name,
                                                Timestamp now);
  // upstream ensure_work_queue_exists: a queue named `name` in the default agent pool.
  Result<std::string> legacy_queue(const std::string& name, Timestamp now);

  // upstream check_work_queues_for_deployment: each queue (WorkQueue JSON) whose legacy
  // filter has tags within the deployment's and deployment_ids empty or naming it.
  Result<std::vector<std::string>> matching_legacy_queues(const schemas::Deployment& d);

  // upstream mark_deployments_ready / mark_deployments_not_ready: sets status (and
  // last_polled when ready) without touching `updated`; returns the status events of the
  // deployments whose status changed.
  Result<std::vector<events::Event>> mark_ready(const std::vector<std::string>& ids, Timestamp now);
  Result<std::vector<events::Event>> mark_not_ready(const std::vector<std::string>& ids,
                                                    Timestamp now);

 private:
  Result<std::vector<schemas::Deployment>> select(std::string_view where_sql,
                                                  const std::vector<SqlValue>& params,
                                                  std::string_view tail);
  Result<std::vector<events::Event>> set_status(const std::vector<std::string>& ids, bool ready,
                                                Timestamp now);
  Result<std::string> create_queue(const std::string& pool_id, const std::string& name,
                                   Timestamp now);
  Transaction& tx_;
  core::IdGenerator& ids_;
};

// The order each DeploymentSort names.
std::string_view deployment_order_by(DeploymentSort sort);

}  // namespace prefectcore::models
