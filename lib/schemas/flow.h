#pragma once

#include <optional>
#include <string>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"

namespace prefectcore::schemas {

// A flow (upstream schemas.core.Flow). tags and labels are compact JSON.
struct Flow {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::string name;
  std::string tags = "[]";
  std::string labels = "{}";  // may be "null"
};

// FlowCreate (extra="forbid"): name required; tags and labels optional.
struct FlowCreate {
  std::string name;
  std::string tags = "[]";
  std::string labels = "{}";
};

// FlowUpdate (extra="forbid"): tags only.
struct FlowUpdate {
  std::optional<std::string> tags;
};

void write_flow(core::JsonWriter& w, const Flow& flow);
std::string encode_flow(const Flow& flow);

// `loc` is where the object sits in the request (["body"] for a whole-body model).
Result<FlowCreate> decode_flow_create(core::JsonElement value, const core::Loc& loc);
Result<FlowUpdate> decode_flow_update(core::JsonElement value, const core::Loc& loc);

}  // namespace prefectcore::schemas
