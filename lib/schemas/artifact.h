#pragma once

// Artifacts (upstream schemas/core.py Artifact and ArtifactCollection, schemas/actions.py
// ArtifactCreate and ArtifactUpdate) and their JSON codecs.

#include <optional>
#include <string>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"

namespace prefectcore::schemas {

// The fields an artifact and its collection row share. `data` and `metadata_` are compact
// JSON ("null" when unset).
struct ArtifactFields {
  std::optional<std::string> key;
  std::optional<std::string> type;
  std::optional<std::string> description;
  std::string data = "null";
  std::string metadata_ = "null";
  std::optional<std::string> flow_run_id;
  std::optional<std::string> task_run_id;
};

struct Artifact : ArtifactFields {
  std::string id;
  Timestamp created;
  Timestamp updated;
};

// The latest artifact of a key (artifact_collection row).
struct ArtifactCollection : ArtifactFields {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::string latest_id;
};

// ArtifactCreate (extra="forbid").
using ArtifactCreate = ArtifactFields;

// ArtifactUpdate (extra="forbid"): only the keys that were sent are applied (upstream
// exclude_unset); an explicit null is applied as null.
struct ArtifactUpdate {
  std::optional<std::string> data;         // compact JSON, "null" included
  std::optional<std::string> description;  // set when description_sent
  bool description_sent = false;
  std::optional<std::string> metadata_;  // compact JSON, "null" included
  bool empty() const { return !data && !description_sent && !metadata_; }
};

void write_artifact(core::JsonWriter& w, const Artifact& artifact);
std::string encode_artifact(const Artifact& artifact);
void write_artifact_collection(core::JsonWriter& w, const ArtifactCollection& collection);

// `loc` is where the object sits in the request (["body"] for a whole-body model).
Result<ArtifactCreate> decode_artifact_create(core::JsonElement value, const core::Loc& loc);
Result<ArtifactUpdate> decode_artifact_update(core::JsonElement value, const core::Loc& loc);

}  // namespace prefectcore::schemas
