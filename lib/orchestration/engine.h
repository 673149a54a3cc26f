#pragma once

// The orchestration engine: loads a run FOR UPDATE, runs the policy's rules and the global
// bookkeeping transforms with upstream's mechanics (inventory §2.1), writes the validated
// state and the run's bookkeeping columns, and returns upstream's OrchestrationResult.
// Everything happens inside the caller's write transaction; the caller commits.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>
#include <prefectcore/settings.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"
#include "lib/orchestration/context.h"
#include "lib/orchestration/rule.h"
#include "lib/schemas/state.h"

namespace prefectcore::orchestration {

enum class Policy {
  kCoreFlow,        // /flow_runs/{id}/set_state with force=false, /resume, bulk_set_state
  kMinimalFlow,     // force=true, the initial state on create, cancellation cleanup
  kMarkLateRuns,    // the late-runs service
  kCoreTask,        // /task_runs/{id}/set_state with force=false
  kMinimalTask,     // task force=true, the initial state on create
  kBackgroundTask,  // chosen automatically when the proposed state is deferred
};

// The ordered rules of a policy (global transforms not included).
const std::vector<const Rule*>& policy_rules(Policy policy);
// GlobalFlowPolicy / GlobalTaskPolicy transforms, in order.
const std::vector<const Rule*>& global_rules(RunKind kind);

struct Environment {
  Transaction& tx;
  const Settings& settings;
  core::IdGenerator& ids;
  Timestamp now;
  std::optional<Version> api_version{};
  std::optional<Version> client_version{};
  // Where the events a transition emits are appended (JSON texts), or nowhere. Publish them
  // only after the transaction committed.
  std::vector<std::string>* events = nullptr;
};

// Orchestrates a proposed state for flow run `run_id`. `force` selects MinimalFlowPolicy.
// kObjectNotFound "Flow run with id … not found" when there is no such run; an error inside
// a rule comes back as that rule's Status (the caller answers 500 and rolls back); storage
// errors as they come (kUnavailable is retryable: 503).
Result<schemas::OrchestrationResult> set_flow_run_state(const Environment& env,
                                                        const std::string& run_id,
                                                        const schemas::StateCreate& state,
                                                        bool force,
                                                        Policy policy = Policy::kCoreFlow);

// The same for task runs; a deferred proposed state selects BackgroundTaskPolicy even with
// `force`. kObjectNotFound "Task run with id … not found".
Result<schemas::OrchestrationResult> set_task_run_state(const Environment& env,
                                                        const std::string& run_id,
                                                        const schemas::StateCreate& state,
                                                        bool force,
                                                        Policy policy = Policy::kCoreTask);

// The mechanics alone: enters `rules` then `globals` in order (before-hooks), calls
// `validate` (which writes the proposed state, or takes the current one when the proposal
// was nullified, and sets ctx.validated), then unwinds in reverse running after-hooks or
// cleanups. Exposed so rule tests can drive rules with a validate that touches no storage.
// A validate that fails with kUnavailable ends the orchestration with that error; any other
// failure becomes ABORT "Error validating state: …" with no state (upstream).
Status run_rules(OrchestrationContext& ctx, const std::vector<const Rule*>& rules,
                 const std::vector<const Rule*>& globals,
                 const std::function<Status(OrchestrationContext&)>& validate);

// The rules of `rules` that apply to (from, to) (upstream compile_transition_rules).
std::vector<const Rule*> compile_transition_rules(const std::vector<const Rule*>& rules,
                                                  std::optional<StateType> from,
                                                  std::optional<StateType> to);
// The rule named `name` in `rules`, or null.
const Rule* find_rule(const std::vector<const Rule*>& rules, std::string_view name);

}  // namespace prefectcore::orchestration
