#pragma once

// Variables (upstream schemas/core.py Variable, schemas/actions.py VariableCreate and
// VariableUpdate) and their JSON codecs.

#include <optional>
#include <string>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"

namespace prefectcore::schemas {

// A stored variable. value and tags are compact JSON.
struct Variable {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::string name;
  std::string value = "null";
  std::string tags = "[]";
};

// VariableCreate (extra="forbid"): name and value required, tags optional.
struct VariableCreate {
  std::string name;
  std::string value = "null";
  std::string tags = "[]";
};

// VariableUpdate (extra="forbid"): only the keys that were sent are applied (upstream
// exclude_unset). An explicit null value is a value; an explicit null name or tags is
// accepted by the model and then refused by the NOT NULL columns (the *_is_null flags).
struct VariableUpdate {
  std::optional<std::string> name;
  bool name_is_null = false;
  std::optional<std::string> value;  // compact JSON, "null" included
  std::optional<std::string> tags;   // compact JSON list
  bool tags_is_null = false;
};

void write_variable(core::JsonWriter& w, const Variable& variable);
std::string encode_variable(const Variable& variable);

// `loc` is where the object sits in the request (["body"] for a whole-body model).
Result<VariableCreate> decode_variable_create(core::JsonElement value, const core::Loc& loc);
Result<VariableUpdate> decode_variable_update(core::JsonElement value, const core::Loc& loc);

}  // namespace prefectcore::schemas
