#pragma once

// Block types (upstream models/block_types.py) and the block filter specs
// (block_filter_spec.cpp: BlockTypeFilter, BlockSchemaFilter, BlockDocumentFilter).

#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/models/filters.h"
#include "lib/schemas/block_models.h"

namespace prefectcore::models {

// BlockTypeFilter {name{like_}, slug{any_}} over `block_type`.
const FilterSpec& block_type_filter_spec();
// BlockSchemaFilter {block_type_id{any_}, block_capabilities{all_}, id{any_}, version{any_}}.
const FilterSpec& block_schema_filter_spec();
// BlockDocumentFilter {id{any_}, is_anonymous{eq_}, block_type_id{any_}, name{any_,like_}}.
const FilterSpec& block_document_filter_spec();

// The SELECT list of a block type, for joins ("block_type." columns, 10 of them).
extern const char* const kBlockTypeColumns;
// Reads a block type from `row` starting at column `first`.
Result<schemas::BlockType> block_type_from_row(const Row& row, std::size_t first);

class BlockTypeRepository {
 public:
  explicit BlockTypeRepository(Transaction& tx) : tx_(tx) {}

  // kConflict when the slug is taken. Description and code example are HTML-escaped as
  // upstream stores them.
  Result<schemas::BlockType> create(const schemas::BlockTypeCreate& create,
                                    const std::string& new_id, Timestamp now,
                                    bool is_protected = false);
  // Inserts or overwrites (by slug) a protected system block type.
  Result<schemas::BlockType> upsert_protected(const schemas::BlockTypeCreate& create,
                                              const std::string& new_id, Timestamp now);
  // kNotFound "Block type not found".
  Result<schemas::BlockType> get(const std::string& id);
  Result<std::optional<schemas::BlockType>> find_by_slug(const std::string& slug);
  Result<std::vector<schemas::BlockType>> list(const SqlCondition& types,
                                               const SqlCondition& schemas, std::int64_t limit,
                                               std::int64_t offset);
  // Applies the keys that were sent; false when no block type has `id`.
  Result<bool> update(const std::string& id, const schemas::BlockTypeUpdate& update, Timestamp now);
  // Deletes the type (schemas and documents cascade) and clears the server default result
  // storage if it pointed at a document of this type. false when absent.
  Result<bool> remove(const std::string& id);

 private:
  Result<std::vector<schemas::BlockType>> select(const std::string& where,
                                                 const std::vector<SqlValue>& params);
  Transaction& tx_;
};

// Clears the server default result storage when `document_where` (a condition over
// `block_document`) matches the configured document (upstream storage_defaults.py).
Status clear_default_storage_if(Transaction& tx, const std::string& document_where,
                                const std::vector<SqlValue>& params);

}  // namespace prefectcore::models
