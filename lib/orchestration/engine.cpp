// The orchestration engine: upstream rules.py's context-manager mechanics as a loop over
// entries, and models/flow_runs.py / task_runs.py set_*_run_state around it.

#include "lib/orchestration/engine.h"

#include <utility>

#include <fmt/format.h>

#include "lib/core/logging.h"
#include "lib/models/run_store.h"

namespace prefectcore::orchestration {
namespace {

using schemas::SetStateStatus;

// One entered rule: the transition it was entered with (upstream from_state_type /
// to_state_type; `to` follows the rule's own decisions so it does not fizzle itself).
struct Entry {
  const Rule* rule;
  std::optional<StateType> from;
  std::optional<StateType> to;
  bool invalid_on_entry = false;
};

bool transition_changed(const Entry& e, const OrchestrationContext& ctx) {
  return e.from != ctx.initial_type() || e.to != ctx.proposed_type();
}

// Upstream aborts the transition when a before-hook raises and remembers the error.
void abort_for_error(OrchestrationContext& ctx, const Rule& rule, const Status& error) {
  ctx.proposed.reset();
  ctx.status = SetStateStatus::kAbort;
  ctx.reason =
      fmt::format("Aborting orchestration due to error in {}: {}", rule.name(), error.message());
}

Entry enter(OrchestrationContext& ctx, const Rule* rule, std::optional<StateType> from,
            std::optional<StateType> to, Status& error) {
  Entry e{rule, from, to};
  if (!rule->universal()) {
    e.invalid_on_entry = !rule->from_states().contains(from) || !rule->to_states().contains(to) ||
                         transition_changed(e, ctx);
    if (e.invalid_on_entry) {
      return e;
    }
  }
  const int decisions = ctx.decisions;
  Status s = rule->before_transition(ctx);
  if (!ctx.decision_error.ok()) {
    s = std::exchange(ctx.decision_error, Status());
  }
  if (ctx.decisions != decisions) {
    e.to = ctx.proposed_type();
  }
  if (!s.ok()) {
    abort_for_error(ctx, *rule, s);
    if (error.ok()) {
      error = s;
    }
  }
  return e;
}

// Universal transforms run their after-hook unless an error occurred; rules that were
// valid on entry run after_transition, or cleanup() when a later rule changed the transition.
Status leave(OrchestrationContext& ctx, const Entry& e, bool errored) {
  if (e.rule->universal()) {
    return errored ? Status() : e.rule->after_transition(ctx);
  }
  if (e.invalid_on_entry) {
    return {};
  }
  return transition_changed(e, ctx) ? e.rule->cleanup(ctx) : e.rule->after_transition(ctx);
}

State state_from_create(OrchestrationContext& ctx, const schemas::StateCreate& create) {
  State s;
  s.id = ctx.ids.ordered_id(ctx.now);
  s.type = create.type;
  s.name = create.name.value_or(schemas::default_state_name(create.type));
  s.timestamp = ctx.now;
  s.message = create.message;
  s.data = create.data;
  s.details = create.details;
  if (s.type == StateType::kScheduled && !s.details.scheduled_time) {
    s.details.scheduled_time = ctx.now;
  }
  return s;
}

// upstream validate_proposed_state: writes the proposed state, or takes the current one.
Status validate_with_store(OrchestrationContext& ctx, models::RunStore& store, bool& wrote) {
  if (!ctx.proposed) {
    ctx.validated = ctx.initial;
    return {};
  }
  PC_ASSIGN_OR_RETURN(State stored, store.insert_state(ctx.run, *ctx.proposed, ctx.ids, ctx.now));
  ctx.validated = std::move(stored);
  wrote = true;
  return {};
}

Result<schemas::OrchestrationResult> orchestrate(const Environment& env, RunKind kind,
                                                 const std::string& run_id,
                                                 const schemas::StateCreate& create,
                                                 Policy policy) {
  models::RunStore store(env.tx);
  PC_ASSIGN_OR_RETURN(auto loaded, store.load(kind, run_id, /*for_update=*/true));
  if (!loaded) {
    return Status::object_not_found(fmt::format("{} run with id {} not found",
                                                kind == RunKind::kFlow ? "Flow" : "Task", run_id));
  }
  OrchestrationContext ctx{env.tx, env.settings, env.ids, env.now, *loaded};
  ctx.api_version = env.api_version;
  ctx.client_version = env.client_version;
  if (ctx.run.state_id) {
    PC_ASSIGN_OR_RETURN(ctx.initial, store.read_state(kind, *ctx.run.state_id));
  }
  ctx.proposed = state_from_create(ctx, create);

  const auto from = ctx.initial_type();
  const auto to = ctx.proposed_type();
  bool wrote = false;
  PC_RETURN_IF_ERROR(
      run_rules(ctx, compile_transition_rules(policy_rules(policy), from, to),
                compile_transition_rules(global_rules(kind), from, to),
                [&](OrchestrationContext& c) { return validate_with_store(c, store, wrote); }));
  if (!(ctx.run == *loaded)) {
    PC_RETURN_IF_ERROR(store.save(ctx.run, env.now, &*loaded));
  }
  if (env.events != nullptr) {
    env.events->insert(env.events->end(), ctx.events.begin(), ctx.events.end());
  }
  schemas::OrchestrationResult result;
  result.state = std::move(ctx.validated);
  result.status = ctx.status;
  result.reason = std::move(ctx.reason);
  result.delay_seconds = ctx.delay_seconds;
  result.wrote_state = wrote;
  return result;
}

}  // namespace

Status run_rules(OrchestrationContext& ctx, const std::vector<const Rule*>& rules,
                 const std::vector<const Rule*>& globals,
                 const std::function<Status(OrchestrationContext&)>& validate) {
  const auto from = ctx.initial_type();
  const auto to = ctx.proposed_type();
  Status error;
  std::vector<Entry> entered;
  entered.reserve(rules.size() + globals.size());
  for (const auto* list : {&rules, &globals}) {
    for (const Rule* rule : *list) {
      entered.push_back(enter(ctx, rule, from, to, error));
    }
  }
  if (Status v = validate(ctx); !v.ok()) {
    if (v.code() == ErrorCode::kUnavailable) {
      return v;  // retryable: the caller answers 503 and the client tries again
    }
    PC_LOG_WARNING("Encountered error during state validation: {}", v.message());
    ctx.proposed.reset();
    ctx.validated.reset();
    ctx.status = SetStateStatus::kAbort;
    ctx.reason = fmt::format("Error validating state: {}", v.message());
  }
  for (auto it = entered.rbegin(); it != entered.rend(); ++it) {
    Status s = leave(ctx, *it, !error.ok());
    if (!s.ok() && error.ok()) {
      error = s;
    }
  }
  return error;
}

std::vector<const Rule*> compile_transition_rules(const std::vector<const Rule*>& rules,
                                                  std::optional<StateType> from,
                                                  std::optional<StateType> to) {
  std::vector<const Rule*> out;
  for (const Rule* rule : rules) {
    if (rule->from_states().contains(from) && rule->to_states().contains(to)) {
      out.push_back(rule);
    }
  }
  return out;
}

const Rule* find_rule(const std::vector<const Rule*>& rules, std::string_view name) {
  for (const Rule* rule : rules) {
    if (rule->name() == name) {
      return rule;
    }
  }
  return nullptr;
}

Result<schemas::OrchestrationResult> set_flow_run_state(const Environment& env,
                                                        const std::string& run_id,
                                                        const schemas::StateCreate& state,
                                                        bool force, Policy policy) {
  if (policy == Policy::kCoreTask || policy == Policy::kMinimalTask ||
      policy == Policy::kBackgroundTask) {
    return Status::internal("a task policy cannot orchestrate a flow run");
  }
  return orchestrate(env, RunKind::kFlow, run_id, state, force ? Policy::kMinimalFlow : policy);
}

Result<schemas::OrchestrationResult> set_task_run_state(const Environment& env,
                                                        const std::string& run_id,
                                                        const schemas::StateCreate& state,
                                                        bool force, Policy policy) {
  if (state.details.deferred.value_or(false)) {
    policy = Policy::kBackgroundTask;
  } else if (force) {
    policy = Policy::kMinimalTask;
  } else if (policy != Policy::kCoreTask && policy != Policy::kMinimalTask &&
             policy != Policy::kBackgroundTask) {
    return Status::internal("a flow policy cannot orchestrate a task run");
  }
  return orchestrate(env, RunKind::kTask, run_id, state, policy);
}

}  // namespace prefectcore::orchestration
