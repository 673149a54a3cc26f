#pragma once

// The task-run policies' rules (upstream core_policy.py: CoreTaskPolicy,
// ClientSideTaskOrchestrationPolicy, BackgroundTaskPolicy, MinimalTaskPolicy), each list in
// upstream priority order, global transforms not included. Defined by the task rules
// (lib/orchestration/task_rules_policies.cpp); engine.cpp's policy_rules() hands them out.
//
// The returned lists and rules live for the whole program (function-local statics).

#include <vector>

#include "lib/core/internal.h"
#include "lib/orchestration/rule.h"

namespace prefectcore::orchestration {

const std::vector<const Rule*>& core_task_rules();
const std::vector<const Rule*>& client_side_task_rules();
const std::vector<const Rule*>& background_task_rules();
const std::vector<const Rule*>& minimal_task_rules();

}  // namespace prefectcore::orchestration
