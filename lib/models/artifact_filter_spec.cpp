// ArtifactFilter and ArtifactCollectionFilter (upstream schemas/filters.py) as spec tables.

#include "lib/models/artifacts.h"

namespace prefectcore::models {

const FilterSpec& artifact_filter_spec() {
  static const FilterSpec spec{
      "ArtifactFilter",
      {
          {"id", "artifact.id", ValueKind::kUuid, {{"any_"}}},
          {"key",
           "artifact.key",
           ValueKind::kString,
           {{"any_"}, {"like_"}, {"exists_", "{col} IS NOT NULL", "{col} IS NULL"}}},
          {"flow_run_id", "artifact.flow_run_id", ValueKind::kUuid, {{"any_"}}},
          {"task_run_id", "artifact.task_run_id", ValueKind::kUuid, {{"any_"}}},
          {"type", "artifact.type", ValueKind::kString, {{"any_"}, {"not_any_"}}},
      }};
  return spec;
}

const FilterSpec& artifact_collection_filter_spec() {
  static const FilterSpec spec{
      "ArtifactCollectionFilter",
      {
          {"latest_id", "artifact_collection.latest_id", ValueKind::kUuid, {{"any_"}}},
          {"key",
           "artifact_collection.key",
           ValueKind::kString,
           {{"any_"}, {"like_"}, {"exists_", "{col} IS NOT NULL", "{col} IS NULL"}}},
          {"flow_run_id", "artifact_collection.flow_run_id", ValueKind::kUuid, {{"any_"}}},
          {"task_run_id", "artifact_collection.task_run_id", ValueKind::kUuid, {{"any_"}}},
          {"type", "artifact_collection.type", ValueKind::kString, {{"any_"}, {"not_any_"}}},
      }};
  return spec;
}

}  // namespace prefectcore::models
