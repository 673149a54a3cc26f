// The flow-run guards of upstream core_policy.py: duplicate transitions, terminal states,
// cancelling runs and duplicate submissions.

#include <fmt/format.h>

#include "lib/core/json.h"
#include "lib/orchestration/flow_rules.h"
#include "lib/orchestration/run_policy.h"

namespace prefectcore::orchestration {
namespace {

// Upstream _has_persisted_result: `data` is an object whose type is not "unpersisted".
// With `require_members`, the object must also be truthy (non-empty), as upstream checks
// `initial_state.data and ...` on the initial side.
bool has_persisted_result(const std::string& data, bool require_members = false) {
  auto doc = core::JsonDocument::parse(data);
  core::JsonObject obj;
  if (!doc || doc->root().get_object().get(obj) != simdjson::SUCCESS) {
    return false;
  }
  if (require_members && obj.size() == 0) {
    return false;
  }
  std::string_view type;
  return !(obj["type"].get_string().get(type) == simdjson::SUCCESS && type == "unpersisted");
}

bool is_completed(const std::optional<State>& s) { return s && s->type == StateType::kCompleted; }

// Mirrors PreventDuplicateTransitions: a client retrying a request it never saw the answer
// to gets the current state back instead of a second transition.
class PreventDuplicateTransitions final : public Rule {
 public:
  std::string_view name() const override { return "PreventDuplicateTransitions"; }
  StateSet from_states() const override { return StateSet::all(); }
  StateSet to_states() const override { return StateSet::all(); }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial || !ctx.proposed) {
      return {};
    }
    const auto& seen = ctx.initial->details.transition_id;
    if (seen && seen == ctx.proposed->details.transition_id) {
      reject_transition(ctx, std::nullopt, "This run has already made this state transition.");
    }
    return {};
  }
};

// Mirrors HandleFlowTerminalStateTransitions: finished runs stay finished unless a rerun
// is proposed, and a rerun starts with fresh pause and retry bookkeeping.
class HandleFlowTerminalStateTransitions final : public Rule {
 public:
  std::string_view name() const override { return "HandleFlowTerminalStateTransitions"; }
  StateSet from_states() const override { return StateSet::terminal(); }
  StateSet to_states() const override { return StateSet::all(); }

  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial || !ctx.proposed) {
      return {};
    }
    ctx.rule_memory[std::string(name())] = ctx.run.empirical_policy;
    const State& initial = *ctx.initial;
    const State& proposed = *ctx.proposed;
    if (proposed.type == StateType::kCancelling || proposed.type == StateType::kPaused ||
        proposed.type == StateType::kCrashed) {
      abort_transition(ctx, fmt::format("Run is already in terminal state {}.",
                                        schemas::to_string(initial.type)));
      return {};
    }
    const bool persisted = is_completed(ctx.initial) && has_persisted_result(initial.data, true);
    if (persisted && !schemas::is_terminal(proposed.type)) {
      reject_transition(ctx, std::nullopt, "Run is already COMPLETED.");
      return {};
    }
    if (persisted && proposed.type == StateType::kCompleted &&
        !has_persisted_result(proposed.data)) {
      reject_transition(ctx, std::nullopt,
                        "Cannot overwrite a COMPLETED state that carries persisted result data "
                        "with one that does not.");
      return {};
    }
    if (proposed.type == StateType::kScheduled && !ctx.run.deployment_id) {
      abort_transition(ctx, "Cannot reschedule a run without an associated deployment.");
      return {};
    }
    if (!schemas::is_terminal(proposed.type) && ctx.api_at_least({0, 8, 4})) {
      PC_RETURN_IF_ERROR(set_policy_flag(ctx.run, "resuming", false));
      PC_RETURN_IF_ERROR(set_policy_strings(ctx.run, "pause_keys", {}));
      PC_RETURN_IF_ERROR(set_retry_type(ctx.run, proposed.type == StateType::kScheduled
                                                     ? std::optional<std::string_view>("reschedule")
                                                     : std::nullopt));
    }
    return {};
  }

  Status cleanup(OrchestrationContext& ctx) const override {
    if (auto it = ctx.rule_memory.find(name()); it != ctx.rule_memory.end()) {
      ctx.run.empirical_policy = it->second;
    }
    return {};
  }
};

// Mirrors EnforceCancellingToCancelledTransition.
class EnforceCancellingToCancelledTransition final : public Rule {
 public:
  std::string_view name() const override { return "EnforceCancellingToCancelledTransition"; }
  StateSet from_states() const override { return StateSet::of({StateType::kCancelling}); }
  StateSet to_states() const override {
    return StateSet::all().minus(StateSet::of({StateType::kCancelled}));
  }
  Status before_transition(OrchestrationContext& ctx) const override {
    reject_transition(ctx, std::nullopt,
                      "Cannot transition flows that are cancelling to a state other than "
                      "Cancelled.");
    return {};
  }
};

// Mirrors BypassCancellingFlowRunsWithNoInfra: with no infrastructure to tear down there is
// nothing for a worker to do, so the run goes straight to Cancelled.
class BypassCancellingFlowRunsWithNoInfra final : public Rule {
 public:
  std::string_view name() const override { return "BypassCancellingFlowRunsWithNoInfra"; }
  StateSet from_states() const override {
    return StateSet::of({StateType::kScheduled, StateType::kPaused});
  }
  StateSet to_states() const override { return StateSet::of({StateType::kCancelling}); }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial || !ctx.proposed) {
      return {};
    }
    const State& initial = *ctx.initial;
    const bool no_infra = initial.type == StateType::kScheduled && !ctx.run.infrastructure_pid;
    if (no_infra || initial.name == "Resuming") {
      reject_transition(ctx, new_state(ctx, StateType::kCancelled),
                        "Scheduled flow run has no infrastructure to terminate.");
    } else if (initial.type == StateType::kPaused && initial.details.pause_reschedule) {
      reject_transition(ctx, new_state(ctx, StateType::kCancelled),
                        "Suspended flow run has no infrastructure to terminate.");
    }
    return {};
  }
};

// Mirrors PreventPendingTransitions: the guard against two workers submitting one run. A
// renamed PENDING sub-state (Submitting, InfrastructurePending) may follow PENDING.
class PreventPendingTransitions final : public Rule {
 public:
  std::string_view name() const override { return "PreventPendingTransitions"; }
  StateSet from_states() const override {
    return StateSet::of(
        {StateType::kPending, StateType::kCancelling, StateType::kRunning, StateType::kCancelled});
  }
  StateSet to_states() const override { return StateSet::of({StateType::kPending}); }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial || !ctx.proposed) {
      return {};
    }
    const State& initial = *ctx.initial;
    State& proposed = *ctx.proposed;
    if (initial.type == StateType::kPending && proposed.type == StateType::kPending &&
        initial.name != proposed.name && proposed.name != "Pending") {
      // Carry forward what earlier transitions put on the PENDING state.
      proposed.details.scheduled_time = initial.details.scheduled_time;
      proposed.details.deployment_concurrency_lease_id =
          initial.details.deployment_concurrency_lease_id;
      return {};
    }
    abort_transition(ctx, fmt::format("This run is in a {} state and cannot transition to a "
                                      "PENDING state.",
                                      schemas::to_string(initial.type)));
    return {};
  }
};

// Mirrors PreventResultDataLoss: the one terminal guard kept for forced transitions.
class PreventResultDataLoss final : public Rule {
 public:
  std::string_view name() const override { return "PreventResultDataLoss"; }
  StateSet from_states() const override { return StateSet::terminal(); }
  StateSet to_states() const override { return StateSet::terminal(); }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial || !ctx.proposed) {
      return {};
    }
    if (is_completed(ctx.initial) && is_completed(ctx.proposed) &&
        has_persisted_result(ctx.initial->data, true) &&
        !has_persisted_result(ctx.proposed->data)) {
      reject_transition(ctx, std::nullopt,
                        "Cannot overwrite a COMPLETED state that carries persisted result data "
                        "with one that does not.");
    }
    return {};
  }
};

}  // namespace

const Rule& prevent_duplicate_transitions() {
  static const PreventDuplicateTransitions rule;
  return rule;
}
const Rule& handle_flow_terminal_state_transitions() {
  static const HandleFlowTerminalStateTransitions rule;
  return rule;
}
const Rule& enforce_cancelling_to_cancelled_transition() {
  static const EnforceCancellingToCancelledTransition rule;
  return rule;
}
const Rule& bypass_cancelling_flow_runs_with_no_infra() {
  static const BypassCancellingFlowRunsWithNoInfra rule;
  return rule;
}
const Rule& prevent_pending_transitions() {
  static const PreventPendingTransitions rule;
  return rule;
}
const Rule& prevent_result_data_loss() {
  static const PreventResultDataLoss rule;
  return rule;
}

}  // namespace prefectcore::orchestration
