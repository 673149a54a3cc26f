#pragma once

// Reading and editing a run's empirical policy (upstream FlowRunPolicy / TaskRunPolicy),
// which the run row keeps as JSON text. Edits change one member and keep the others as
// they are, as upstream's model_dump / re-validate round trip does.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/core/internal.h"
#include "lib/orchestration/context.h"

namespace prefectcore::orchestration {

// A number member (`retries`, `retry_delay`); nullopt when missing, null or not a number.
std::optional<double> policy_number(const RunRecord& run, std::string_view key);
// A boolean member (`resuming`); false when missing or null.
bool policy_flag(const RunRecord& run, std::string_view key);
// The string members of an array member (`pause_keys`).
std::vector<std::string> policy_strings(const RunRecord& run, std::string_view key);

// Sets member `key` to the JSON text `value` ("true", "null", "[\"a\"]", ...).
Status set_policy_member(RunRecord& run, std::string_view key, const std::string& value);
Status set_policy_flag(RunRecord& run, std::string_view key, bool value);
Status set_policy_strings(RunRecord& run, std::string_view key,
                          const std::vector<std::string>& values);
// `retry_type`: "in_process", "reschedule" or null.
Status set_retry_type(RunRecord& run, std::optional<std::string_view> retry_type);

}  // namespace prefectcore::orchestration
