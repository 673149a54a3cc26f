#pragma once

// Reading a flow_run_state / task_run_state row, shared by every repository that returns
// states.

#include <cstddef>
#include <string_view>

#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/schemas/state.h"

namespace prefectcore::models {

// Python truthiness of a JSON value: null, false, 0, "", [] and {} are falsy.
bool json_truthy(std::string_view json);

// A state from nine columns starting at `at`: id, type, name, timestamp, message,
// state_details, data (legacy inline), result_artifact_id, and the result artifact's data.
// The inline data wins when it is truthy, as upstream's State.data loading does.
Result<schemas::State> state_from_row(const Row& row, std::size_t at);

}  // namespace prefectcore::models
