#pragma once

#include "lib/core/internal.h"

// Deployment parameter hydration (upstream utilities/schema_tools/hydration.py, as the
// deployment routes call it: raise_on_error, render_jinja and render_workspace_variables all
// on). Values shaped {"__prefect_kind": ..., ...} are replaced: "none" by its hydrated
// "value", "json" by its "value" string parsed, "jinja" by its "template" rendered with an
// empty context, "workspace_variable" by the named variable's value. Pure: variables come
// from a caller-supplied lookup.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <prefectcore/status.h>

namespace prefectcore::schemas {

// A workspace variable's value as JSON text, or nullopt when no variable has `name`. Any
// error Status is passed through unchanged (storage failures).
using VariableLookup = std::function<Result<std::optional<std::string>>(const std::string& name)>;

// The hydrated form of the parameters object `parameters_json`. On the first hydration
// error: kBadRequest `error_prefix` + upstream's HydrationError message, e.g.
// "Error hydrating flow run parameters: Invalid JSON: Expecting value: line 1 column 1 (char 0)".
Result<std::string> hydrate_parameters(std::string_view parameters_json,
                                       const VariableLookup& lookup, std::string_view error_prefix);

// Python's json.loads error for `text` ("Expecting value: line 1 column 1 (char 0)"), or
// nullopt when Python would accept it (NaN and Infinity included).
std::optional<std::string> python_json_error(std::string_view text);

// Renders a user template that check_user_template accepted, with upstream's empty context:
// text, comments, raw blocks and {{ }} expressions that are a single literal or an
// (undefined, so empty) name. Anything else is kBadRequest with the InvalidJinja detail.
Result<std::string> render_user_template(std::string_view source);

}  // namespace prefectcore::schemas
