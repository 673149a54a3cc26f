// The block filters (upstream schemas/filters.py) as spec tables.

#include "lib/models/block_types.h"

namespace prefectcore::models {

const FilterSpec& block_type_filter_spec() {
  static const FilterSpec spec{"BlockTypeFilter",
                               {
                                   {"name", "block_type.name", ValueKind::kString, {{"like_"}}},
                                   {"slug", "block_type.slug", ValueKind::kString, {{"any_"}}},
                               }};
  return spec;
}

const FilterSpec& block_schema_filter_spec() {
  static const FilterSpec spec{
      "BlockSchemaFilter",
      {
          {"block_type_id", "block_schema.block_type_id", ValueKind::kUuid, {{"any_"}}},
          // upstream applies all_ only when the list is non-empty.
          {"block_capabilities",
           "block_schema.capabilities",
           ValueKind::kString,
           {{"all_"}},
           false,
           true},
          {"id", "block_schema.id", ValueKind::kUuid, {{"any_"}}},
          {"version", "block_schema.version", ValueKind::kString, {{"any_"}}},
      }};
  return spec;
}

const FilterSpec& block_document_filter_spec() {
  static const FilterSpec spec{
      "BlockDocumentFilter",
      {
          {"id", "block_document.id", ValueKind::kUuid, {{"any_"}}},
          {"is_anonymous", "block_document.is_anonymous", ValueKind::kBool, {{"eq_"}}},
          {"block_type_id", "block_document.block_type_id", ValueKind::kUuid, {{"any_"}}},
          {"name", "block_document.name", ValueKind::kString, {{"any_"}, {"like_"}}},
      }};
  return spec;
}

}  // namespace prefectcore::models
