#include "lib/services/cancellation_cleanup.h"

#include <functional>

#include "lib/core/logging.h"
#include "lib/core/time.h"
#include "lib/models/service_queries.h"
#include "lib/orchestration/engine.h"

namespace prefectcore::services {
namespace {

constexpr std::int64_t kBatchSize = 200;           // upstream's scan batches
constexpr std::int64_t kTaskRunsPerFlowRun = 100;  // upstream cancel_child_task_runs' limit
constexpr std::string_view kParentCancelled = "The parent flow run was cancelled.";
constexpr std::string_view kTimedOut =
    "Flow run cancellation timed out; marked this flow run as Cancelled.";

void keep_first(Status& first, const Status& s, std::string_view what, const std::string& id) {
  if (s.ok()) {
    return;
  }
  PC_LOG_ERROR("Cancellation cleanup: error {} {}: {}", what, id, s.message());
  if (first.ok()) {
    first = s;
  }
}

schemas::StateCreate state_with(schemas::StateType type, std::string_view message) {
  schemas::StateCreate s;
  s.type = type;
  s.message = std::string(message);
  return s;
}

// Runs `change` in its own write transaction and publishes what it emitted after commit.
Status in_transaction(ServiceContext& context,
                      const std::function<Status(orchestration::Environment&)>& change) {
  const Timestamp now = context.clock.now();
  PC_ASSIGN_OR_RETURN(auto tx, context.db->begin(TxMode::kWrite));
  std::vector<std::string> emitted;
  orchestration::Environment env{*tx, context.settings, context.ids, now};
  env.events = &emitted;
  PC_RETURN_IF_ERROR(change(env));
  PC_RETURN_IF_ERROR(tx->commit());
  models::publish_event_texts(context.events, context.settings.events, now, emitted);
  return {};
}

// A run deleted between the scan and the change is not an error.
Status ignore_missing(Status s) { return s.code() == ErrorCode::kObjectNotFound ? Status() : s; }

}  // namespace

Status CancellationCleanup::run_once() {
  Status first;
  for (Status s :
       {cancel_child_task_runs(), cancel_orphaned_subflows(), time_out_cancelling_runs()}) {
    if (!s.ok() && first.ok()) {
      first = s;
    }
  }
  return first;
}

Status CancellationCleanup::cancel_child_task_runs() {
  const Timestamp since = context_.clock.now() - std::chrono::hours(24);
  std::vector<std::string> runs;
  {
    PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kRead));
    PC_ASSIGN_OR_RETURN(runs, models::recently_cancelled_runs(*tx, since, kBatchSize));
  }
  Status first;
  for (const std::string& run_id : runs) {
    std::vector<std::string> tasks;
    {
      PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kRead));
      PC_ASSIGN_OR_RETURN(tasks, models::unfinished_task_runs(*tx, run_id, kTaskRunsPerFlowRun));
    }
    for (const std::string& task_id : tasks) {
      Status s = in_transaction(context_, [&](orchestration::Environment& env) {
        return ignore_missing(orchestration::set_task_run_state(
                                  env, task_id,
                                  state_with(schemas::StateType::kCancelled, kParentCancelled),
                                  /*force=*/true)
                                  .status());
      });
      keep_first(first, s, "cancelling task run", task_id);
    }
  }
  return first;
}

Status CancellationCleanup::cancel_orphaned_subflows() {
  Status first;
  std::string after;
  while (true) {
    std::vector<models::OrphanedSubflow> page;
    {
      PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kRead));
      PC_ASSIGN_OR_RETURN(page, models::orphaned_subflows(*tx, after, kBatchSize));
    }
    for (const models::OrphanedSubflow& sub : page) {
      const auto state = sub.has_deployment
                             ? state_with(schemas::StateType::kCancelling, kParentCancelled)
                             : state_with(schemas::StateType::kCancelled, kParentCancelled);
      Status s = in_transaction(context_, [&](orchestration::Environment& env) {
        return ignore_missing(
            orchestration::set_flow_run_state(env, sub.id, state, /*force=*/true).status());
      });
      keep_first(first, s, "cancelling subflow run", sub.id);
    }
    if (static_cast<std::int64_t>(page.size()) < kBatchSize) {
      break;
    }
    after = page.back().id;
  }
  return first;
}

Status CancellationCleanup::time_out_cancelling_runs() {
  const double timeout = context_.settings.services.cancellation_cleanup.cancelling_timeout_seconds;
  const Timestamp before = context_.clock.now() - core::from_seconds(timeout).value_or(Micros(0));
  std::vector<models::CancellingRun> runs;
  {
    PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kRead));
    PC_ASSIGN_OR_RETURN(runs, models::stale_cancelling_runs(*tx, before, kBatchSize));
  }
  Status first;
  for (const models::CancellingRun& run : runs) {
    Status s = in_transaction(context_, [&](orchestration::Environment& env) -> Status {
      // Only the CANCELLING state that timed out: a newer state restarts the clock.
      PC_ASSIGN_OR_RETURN(bool same, models::still_cancelling(env.tx, run.id, run.state_id));
      if (!same) {
        return {};
      }
      return ignore_missing(orchestration::set_flow_run_state(
                                env, run.id, state_with(schemas::StateType::kCancelled, kTimedOut),
                                /*force=*/false, orchestration::Policy::kCoreFlow)
                                .status());
    });
    keep_first(first, s, "timing out cancelling flow run", run.id);
  }
  return first;
}

}  // namespace prefectcore::services
