// Background-task rules of upstream core_policy.py (BackgroundTaskPolicy): deferred task
// runs, created by `task.delay()`, wait in the task-run queue for a task worker.

#include "lib/orchestration/task_rules_detail.h"

namespace prefectcore::orchestration {
namespace {

constexpr std::string_view kEnqueueKey = "EnqueueScheduledTasks";

// Mirrors CopyTaskParametersID: the parameters a task worker reads travel with the run from
// SCHEDULED through PENDING to RUNNING unless a state brings its own.
class CopyTaskParametersID final : public Rule {
 public:
  std::string_view name() const override { return "CopyTaskParametersID"; }
  StateSet from_states() const override {
    return StateSet::of({StateType::kScheduled, StateType::kPending});
  }
  StateSet to_states() const override {
    return StateSet::of({StateType::kPending, StateType::kRunning});
  }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (ctx.initial && ctx.proposed && !ctx.proposed->details.task_parameters_id) {
      ctx.proposed->details.task_parameters_id = ctx.initial->details.task_parameters_id;
    }
    return {};
  }
};

// Mirrors EnqueueScheduledTasks: a deferred run accepted into SCHEDULED is handed to the
// task-run queue (see enqueued_task_run()).
class EnqueueScheduledTasks final : public Rule {
 public:
  std::string_view name() const override { return kEnqueueKey; }
  StateSet from_states() const override { return StateSet::all(); }
  StateSet to_states() const override { return StateSet::of({StateType::kScheduled}); }
  Status after_transition(OrchestrationContext& ctx) const override {
    if (!ctx.validated || !ctx.validated->details.deferred.value_or(false)) {
      return {};
    }
    const bool retry = ctx.validated->name == "AwaitingRetry";
    ctx.rule_memory[std::string(kEnqueueKey)] = (retry ? "retry:" : "enqueue:") + ctx.run.id;
    return {};
  }
};

}  // namespace

std::optional<EnqueuedTaskRun> enqueued_task_run(const OrchestrationContext& ctx) {
  auto it = ctx.rule_memory.find(kEnqueueKey);
  if (it == ctx.rule_memory.end()) {
    return std::nullopt;
  }
  const std::string& value = it->second;
  const std::size_t colon = value.find(':');
  return EnqueuedTaskRun{value.substr(colon + 1), value.substr(0, colon) == "retry"};
}

const Rule& copy_task_parameters_id() {
  static const CopyTaskParametersID rule;
  return rule;
}
const Rule& enqueue_scheduled_tasks() {
  static const EnqueueScheduledTasks rule;
  return rule;
}

}  // namespace prefectcore::orchestration
