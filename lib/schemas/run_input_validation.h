#pragma once

// Checking a resumed run's input against the JSON schema its pause stored (upstream
// schema_tools.validate with raise_on_error). A small subset of JSON Schema: type, enum,
// anyOf/oneOf/allOf, required, properties, items and local $refs (#/definitions/…,
// #/$defs/…), which is what pydantic's RunInput schemas use.

#include <optional>
#include <string>

#include "lib/core/internal.h"
#include "lib/core/json.h"

namespace prefectcore::schemas {

// nullopt when `value` conforms to `schema`; else upstream's message, e.g.
// "Validation failed for field 'age'. Failure reason: 'x' is not of type 'integer'".
std::optional<std::string> validate_run_input(core::JsonElement value, core::JsonElement schema);

// Python's repr() of a JSON value ('text', 1, True, None, {'a': [1]}), for messages.
std::string python_repr(core::JsonElement value);

}  // namespace prefectcore::schemas
