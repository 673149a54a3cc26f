// The task-run policies of upstream core_policy.py, rules in priority order (the global
// bookkeeping transforms are added by the engine).

#include "lib/orchestration/flow_rules.h"
#include "lib/orchestration/task_rules.h"
#include "lib/orchestration/task_rules_detail.h"

namespace prefectcore::orchestration {

const std::vector<const Rule*>& core_task_rules() {
  static const std::vector<const Rule*> rules = {
      &cache_retrieval(),
      &handle_task_terminal_state_transitions(),
      &prevent_running_tasks_from_stopped_flows(),
      // After the cache lookup: a cached state is served even when the slots are full.
      &secure_task_concurrency_slots(),
      &copy_scheduled_time(),
      &wait_for_scheduled_time(),
      &retry_failed_tasks(),
      &rename_reruns(),
      &update_flow_run_tracker_on_tasks(),
      &cache_insertion(),
      &release_task_concurrency_slots(),
  };
  return rules;
}

const std::vector<const Rule*>& client_side_task_rules() {
  static const std::vector<const Rule*> rules = {
      &cache_retrieval(),
      &handle_task_terminal_state_transitions(),
      &prevent_running_tasks_from_stopped_flows(),
      &copy_scheduled_time(),
      &wait_for_scheduled_time(),
      &retry_failed_tasks(),
      &rename_reruns(),
      &update_flow_run_tracker_on_tasks(),
      &cache_insertion(),
      &release_task_concurrency_slots(),
  };
  return rules;
}

const std::vector<const Rule*>& background_task_rules() {
  static const std::vector<const Rule*> rules = {
      // A task worker re-proposing PENDING for a run another worker took is aborted.
      &prevent_pending_transitions(),
      &cache_retrieval(),
      &handle_task_terminal_state_transitions(),
      &copy_scheduled_time(),
      &copy_task_parameters_id(),
      &wait_for_scheduled_time(),
      &retry_failed_tasks(),
      &rename_reruns(),
      &update_flow_run_tracker_on_tasks(),
      &cache_insertion(),
      &release_task_concurrency_slots(),
      &enqueue_scheduled_tasks(),
  };
  return rules;
}

const std::vector<const Rule*>& minimal_task_rules() {
  static const std::vector<const Rule*> rules = {
      &release_task_concurrency_slots(),  // slots are given back even on forced transitions
  };
  return rules;
}

}  // namespace prefectcore::orchestration
