// Task-run guards of upstream core_policy.py: finished tasks, tasks of stopped flows, and
// the bookkeeping that ties a task run to its flow run's attempts.

#include <charconv>

#include <fmt/format.h>

#include "lib/core/json.h"
#include "lib/models/run_store.h"
#include "lib/orchestration/task_rules_detail.h"

namespace prefectcore::orchestration {
namespace {

// The task's flow run, if it has one and it exists (upstream context.flow_run()).
Result<std::optional<RunRecord>> parent_flow_run(OrchestrationContext& ctx) {
  if (!ctx.run.flow_run_id) {
    return std::optional<RunRecord>();
  }
  return models::RunStore(ctx.tx).load(RunKind::kFlow, *ctx.run.flow_run_id, false);
}

// `data` is a non-empty object whose type is not "unpersisted" (upstream tests
// `data and data.get("type") != "unpersisted"`).
bool has_persisted_result(const std::string& data) {
  auto doc = core::JsonDocument::parse(data);
  core::JsonObject obj;
  if (!doc || doc->root().get_object().get(obj) != simdjson::SUCCESS || obj.size() == 0) {
    return false;
  }
  std::string_view type;
  return !(obj["type"].get_string().get(type) == simdjson::SUCCESS && type == "unpersisted");
}

// Mirrors HandleTaskTerminalStateTransitions: finished tasks stay finished unless rerun;
// a rerun starts its retries afresh, and a rerun because the flow retried is "Retrying".
class HandleTaskTerminalStateTransitions final : public Rule {
 public:
  std::string_view name() const override { return "HandleTaskTerminalStateTransitions"; }
  StateSet from_states() const override { return StateSet::terminal(); }
  StateSet to_states() const override { return StateSet::all(); }

  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial || !ctx.proposed) {
      return {};
    }
    ctx.rule_memory[std::string(name())] = std::to_string(ctx.run.run_count);
    const StateType to = ctx.proposed->type;
    if (to == StateType::kCancelling || to == StateType::kPaused || to == StateType::kCrashed) {
      abort_transition(ctx,
                       fmt::format("Run is already {}.", schemas::to_string(ctx.initial->type)));
      return {};
    }
    if (ctx.initial->type == StateType::kCompleted && has_persisted_result(ctx.initial->data)) {
      reject_transition(ctx, std::nullopt, "This run is already completed.");
      return {};
    }
    if (!schemas::is_terminal(to)) {
      ctx.run.run_count = 0;  // retries count from zero again
    }
    if (to == StateType::kRunning) {
      PC_ASSIGN_OR_RETURN(auto flow_run, parent_flow_run(ctx));
      if (flow_run && ctx.run.flow_run_run_count < flow_run->run_count) {
        rename_state(ctx, "Retrying");
      }
    }
    return {};
  }

  Status cleanup(OrchestrationContext& ctx) const override {
    if (auto it = ctx.rule_memory.find(name()); it != ctx.rule_memory.end()) {
      const std::string& saved = it->second;
      std::from_chars(saved.data(), saved.data() + saved.size(), ctx.run.run_count);
    }
    return {};
  }
};

// Mirrors PreventRunningTasksFromStoppedFlows: a task runs only inside a running flow; in a
// paused flow it waits as Paused("NotReady") with the flow's pause settings.
class PreventRunningTasksFromStoppedFlows final : public Rule {
 public:
  std::string_view name() const override { return "PreventRunningTasksFromStoppedFlows"; }
  StateSet from_states() const override { return StateSet::all(); }
  StateSet to_states() const override { return StateSet::of({StateType::kRunning}); }

  Status before_transition(OrchestrationContext& ctx) const override {
    PC_ASSIGN_OR_RETURN(auto flow_run, parent_flow_run(ctx));
    if (!flow_run) {
      return {};
    }
    std::optional<State> flow_state;
    if (flow_run->state_id) {
      PC_ASSIGN_OR_RETURN(flow_state,
                          models::RunStore(ctx.tx).read_state(RunKind::kFlow, *flow_run->state_id));
    }
    constexpr std::string_view kMustRun =
        "The enclosing flow must be running to begin task execution.";
    if (!flow_state) {
      abort_transition(ctx, std::string(kMustRun));
    } else if (flow_state->type == StateType::kPaused) {
      State paused = new_state(ctx, StateType::kPaused, "NotReady");
      paused.details.pause_timeout = flow_state->details.pause_timeout;
      paused.details.pause_reschedule = flow_state->details.pause_reschedule;
      reject_transition(ctx, std::move(paused),
                        fmt::format("The flow is paused, new tasks can execute after resuming "
                                    "flow run: {}.",
                                    flow_run->id));
    } else if (flow_state->type != StateType::kRunning) {
      abort_transition(ctx, std::string(kMustRun));
    }
    return {};
  }
};

// Mirrors RenameReruns: a run that already ran is "Retrying" after AwaitingRetry, else
// "Rerunning".
class RenameReruns final : public Rule {
 public:
  std::string_view name() const override { return "RenameReruns"; }
  StateSet from_states() const override { return StateSet::all(); }
  StateSet to_states() const override { return StateSet::of({StateType::kRunning}); }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (ctx.initial && ctx.proposed && ctx.run.run_count > 0) {
      rename_state(ctx, ctx.initial->name == "AwaitingRetry" ? "Retrying" : "Rerunning");
    }
    return {};
  }
};

// Mirrors UpdateFlowRunTrackerOnTasks: remembers which flow-run attempt the task ran in, so
// a flow retry can tell its task reruns apart.
class UpdateFlowRunTrackerOnTasks final : public Rule {
 public:
  std::string_view name() const override { return "UpdateFlowRunTrackerOnTasks"; }
  StateSet from_states() const override { return StateSet::all(); }
  StateSet to_states() const override { return StateSet::of({StateType::kRunning}); }
  Status after_transition(OrchestrationContext& ctx) const override {
    if (!ctx.run.flow_run_id) {
      return {};
    }
    PC_ASSIGN_OR_RETURN(auto flow_run, parent_flow_run(ctx));
    if (!flow_run) {
      return Status::object_not_found(
          fmt::format("Unable to read flow run associated with task run: {}, this flow run "
                      "might have been deleted",
                      ctx.run.id));
    }
    ctx.run.flow_run_run_count = flow_run->run_count;
    return {};
  }
};

}  // namespace

const Rule& handle_task_terminal_state_transitions() {
  static const HandleTaskTerminalStateTransitions rule;
  return rule;
}
const Rule& prevent_running_tasks_from_stopped_flows() {
  static const PreventRunningTasksFromStoppedFlows rule;
  return rule;
}
const Rule& rename_reruns() {
  static const RenameReruns rule;
  return rule;
}
const Rule& update_flow_run_tracker_on_tasks() {
  static const UpdateFlowRunTrackerOnTasks rule;
  return rule;
}

}  // namespace prefectcore::orchestration
