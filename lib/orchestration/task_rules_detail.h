#pragma once

// The task-run rules one by one (upstream core_policy.py), for the policy lists
// (task_rules_policies.cpp) and their tests, with the helpers they share. One program-wide
// instance each, named after the upstream class. CopyScheduledTime, WaitForScheduledTime and
// PreventPendingTransitions are the generic instances of flow_rules.h.

#include <optional>
#include <string>
#include <string_view>

#include "lib/core/internal.h"
#include "lib/orchestration/rule.h"

namespace prefectcore::orchestration {

// task_rules_cache.cpp
const Rule& cache_retrieval();
const Rule& cache_insertion();

// task_rules_guards.cpp
const Rule& handle_task_terminal_state_transitions();
const Rule& prevent_running_tasks_from_stopped_flows();
const Rule& rename_reruns();
const Rule& update_flow_run_tracker_on_tasks();

// task_rules_retry.cpp
const Rule& retry_failed_tasks();

// task_rules_concurrency.cpp
const Rule& secure_task_concurrency_slots();
const Rule& release_task_concurrency_slots();

// task_rules_background.cpp
const Rule& copy_task_parameters_id();
const Rule& enqueue_scheduled_tasks();

// A deferred task run that EnqueueScheduledTasks accepted into SCHEDULED: the task-run queue
// (upstream server/task_queue.py, not built yet) takes it from here, onto its retry queue
// when `retry` (an AwaitingRetry state). The rule records it in ctx.rule_memory because the
// context has no dedicated list yet.
struct EnqueuedTaskRun {
  std::string task_run_id;
  bool retry = false;
};
std::optional<EnqueuedTaskRun> enqueued_task_run(const OrchestrationContext& ctx);

// Upstream utilities/math.py clamped_poisson_interval with its random draw made explicit:
// `uniform` in [0, 1) picks the point between the clamped bounds. 0 when `average` <= 0.
double clamped_poisson_interval(double average, double clamping_factor, double uniform);
// A uniform draw in [0, 1) from the random bits of a uuid4 (its last 48 bits). Rules draw
// from ctx.ids.random_id(), so the injected IdGenerator is the randomness source and tests
// with SequentialIds are deterministic.
double uniform_from_id(std::string_view uuid);

}  // namespace prefectcore::orchestration
