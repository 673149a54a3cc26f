#pragma once

// The flow-run rules (upstream core_policy.py and instrumentation_policies.py), one
// program-wide instance each, named after the upstream class. CopyScheduledTime,
// WaitForScheduledTime and PreventPendingTransitions are generic upstream: the task
// policies use the same instances.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/core/internal.h"
#include "lib/models/orchestration_concurrency.h"
#include "lib/orchestration/rule.h"

namespace prefectcore::orchestration {

// flow_rules_basic.cpp
const Rule& prevent_duplicate_transitions();
const Rule& handle_flow_terminal_state_transitions();
const Rule& enforce_cancelling_to_cancelled_transition();
const Rule& bypass_cancelling_flow_runs_with_no_infra();
const Rule& prevent_pending_transitions();
const Rule& prevent_result_data_loss();

// flow_rules_schedule.cpp
const Rule& ensure_only_scheduled_flows_marked_late();
const Rule& copy_scheduled_time();
const Rule& wait_for_scheduled_time();
const Rule& retry_failed_flows();

// flow_rules_pause.cpp
const Rule& handle_pausing_flows();
const Rule& handle_resuming_paused_flows();

// flow_rules_concurrency.cpp
const Rule& preserve_deployment_concurrency_lease_id();
const Rule& validate_deployment_concurrency_at_running();
const Rule& secure_flow_concurrency_slots();
const Rule& remove_deployment_concurrency_lease_for_old_client_versions();
const Rule& release_flow_concurrency_slots();
const Rule& enforce_deployment_concurrency_on_late();

// flow_instrumentation.cpp
const Rule& instrument_flow_run_state_transitions();
// The upstream `prefect.flow-run.<state name>` event (models/events.py
// flow_run_state_change_event) for a validated transition, as Event JSON.
std::string flow_run_state_change_event(const RunRecord& run, const std::optional<State>& initial,
                                        const State& validated,
                                        const std::vector<models::RelatedObject>& related);

// Upstream _release_concurrency_lease: gives back the lease's slots on its limits and
// revokes it; a lease that is gone releases one slot on `fallback_limit_ids` instead.
// kInternal when the slots could not be released.
Status release_concurrency_lease(OrchestrationContext& ctx, const std::string& lease_id,
                                 const std::vector<std::string>& fallback_limit_ids,
                                 std::int64_t fallback_slots = 1);
// The concurrency repository over ctx.tx with the server's slot-wait settings.
models::ConcurrencyStore concurrency_store(const OrchestrationContext& ctx);

// The leasing-capable client version (upstream MIN_CLIENT_VERSION_FOR_CONCURRENCY_LIMIT_LEASING).
inline constexpr Version kMinClientVersionForLeasing{3, 4, 11};

}  // namespace prefectcore::orchestration
