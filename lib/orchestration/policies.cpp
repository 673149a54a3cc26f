// The policies (upstream core_policy.py): ordered rule lists, global transforms excluded.

#include "lib/orchestration/engine.h"
#include "lib/orchestration/flow_rules.h"
#include "lib/orchestration/task_rules.h"

namespace prefectcore::orchestration {
namespace {

const std::vector<const Rule*>& core_flow_rules() {
  static const std::vector<const Rule*> rules = {
      &preserve_deployment_concurrency_lease_id(),
      &prevent_duplicate_transitions(),
      &handle_flow_terminal_state_transitions(),
      &enforce_cancelling_to_cancelled_transition(),
      &bypass_cancelling_flow_runs_with_no_infra(),
      &prevent_pending_transitions(),
      &validate_deployment_concurrency_at_running(),
      &secure_flow_concurrency_slots(),
      &remove_deployment_concurrency_lease_for_old_client_versions(),
      &ensure_only_scheduled_flows_marked_late(),
      &handle_pausing_flows(),
      &handle_resuming_paused_flows(),
      &copy_scheduled_time(),
      &wait_for_scheduled_time(),
      &retry_failed_flows(),
      &instrument_flow_run_state_transitions(),
      &release_flow_concurrency_slots(),
  };
  return rules;
}

const std::vector<const Rule*>& minimal_flow_rules() {
  static const std::vector<const Rule*> rules = {
      &prevent_result_data_loss(),
      // Cancels scheduled or suspended runs from the UI without a worker round trip.
      &bypass_cancelling_flow_runs_with_no_infra(),
      &instrument_flow_run_state_transitions(),
      &release_flow_concurrency_slots(),
  };
  return rules;
}

const std::vector<const Rule*>& mark_late_runs_rules() {
  static const std::vector<const Rule*> rules = {
      &ensure_only_scheduled_flows_marked_late(),
      &enforce_deployment_concurrency_on_late(),
      &instrument_flow_run_state_transitions(),
  };
  return rules;
}

}  // namespace

const std::vector<const Rule*>& policy_rules(Policy policy) {
  switch (policy) {
    case Policy::kCoreFlow:
      return core_flow_rules();
    case Policy::kMinimalFlow:
      return minimal_flow_rules();
    case Policy::kMarkLateRuns:
      return mark_late_runs_rules();
    case Policy::kCoreTask:
      return core_task_rules();
    case Policy::kMinimalTask:
      return minimal_task_rules();
    case Policy::kBackgroundTask:
      return background_task_rules();
  }
  return minimal_flow_rules();
}

}  // namespace prefectcore::orchestration
