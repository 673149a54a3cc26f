#pragma once

// Block schemas and the references between them (upstream models/block_schemas.py).
// Stored fields keep only non-block definitions and no block_schema_references; reads
// rebuild both from block_schema_reference rows, recursively.

#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"
#include "lib/models/filters.h"
#include "lib/schemas/block_models.h"

namespace prefectcore::models {

class BlockSchemaRepository {
 public:
  BlockSchemaRepository(Transaction& tx, core::IdGenerator& ids) : tx_(tx), ids_(ids) {}

  // Creates the schema (and the nested schemas its block_schema_references name, when not
  // registered yet), or returns the one with the same checksum and version. `override`
  // rewrites an existing schema in place (system block registration).
  // kConflict when a referenced block type is missing; kUnprocessable when a nested schema
  // cannot be built from the definitions.
  Result<schemas::BlockSchema> create(const schemas::BlockSchemaCreate& create, Timestamp now,
                                      bool override = false,
                                      const schemas::JsonValue* definitions = nullptr);
  // kNotFound "Block schema not found".
  Result<schemas::BlockSchema> get(const std::string& id);
  // The newest schema with `checksum` (and `version`, when given).
  Result<std::optional<schemas::BlockSchema>> find_by_checksum(
      const std::string& checksum, const std::optional<std::string>& version);
  // Newest first.
  Result<std::vector<schemas::BlockSchema>> list(const SqlCondition& filter, std::int64_t limit,
                                                 std::int64_t offset);
  // false when absent; clears the default result storage when it used this schema.
  Result<bool> remove(const std::string& id);
  // Every capability of every schema, each once.
  Result<std::vector<std::string>> capabilities();
  // The stored (not rebuilt) fields of schema `id`, for secret handling.
  Result<schemas::JsonValue> stored_fields(const std::string& id);

 private:
  Result<std::vector<schemas::BlockSchema>> select(const std::string& where_and_tail,
                                                   const std::vector<SqlValue>& params);
  Result<schemas::BlockSchema> rebuild(schemas::BlockSchema schema, int depth);
  Status register_nested(const std::string& parent_id, const schemas::JsonValue& references,
                         const schemas::JsonValue& base_fields,
                         const schemas::JsonValue* definitions, Timestamp now, bool override);
  Transaction& tx_;
  core::IdGenerator& ids_;
};

}  // namespace prefectcore::models
