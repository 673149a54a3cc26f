#pragma once

// Checking a resumed run's input against the JSON schema its pause stored (upstream
// schema_tools.validate with raise_on_error). A small subset of JSON Schema: type, enum,
// anyOf/oneOf/allOf, required, properties, items and local $refs (#/definitions/…,
// #/$defs/…), which is what pydantic's RunInput schemas use.

#include <optional>
#include <string>
#include <string_view>

#include "lib/core/internal.h"
#include "lib/core/json.h"

namespace prefectcore::schemas {

// nullopt when `value` conforms to `schema`; else upstream's message, e.g.
// "Validation failed for field 'age'. Failure reason: 'x' is not of type 'integer'".
std::optional<std::string> validate_run_input(core::JsonElement value, core::JsonElement schema);

// Whether `value` has JSON Schema type `type` ("object", "integer", ...); an integral double
// is an "integer", as jsonschema counts it.
bool matches_json_type(core::JsonElement value, std::string_view type);

// Python's repr() of a JSON value ('text', 1, True, None, {'a': [1]}), for messages.
std::string python_repr(core::JsonElement value);

}  // namespace prefectcore::schemas
