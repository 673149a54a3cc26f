#pragma once

// Block documents and their references (upstream models/block_documents.py). Reads hydrate
// referenced documents into the parent's data and block_document_references, and
// obfuscate secrets per each document's own schema unless include_secrets is set.
// Data is stored as plain JSON text (see docs/blocks.md).

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

enum class BlockDocumentSort { kNameAsc, kNameDesc, kBlockTypeAndNameAsc };

struct BlockDocumentFilters {
  SqlCondition documents;  // already includes the is_anonymous default
  SqlCondition types;
  SqlCondition schemas;
};

class BlockDocumentRepository {
 public:
  BlockDocumentRepository(Transaction& tx, core::IdGenerator& ids) : tx_(tx), ids_(ids) {}

  // kConflict "Block already exists" for a taken (type, name); kBadRequest for a malformed
  // or cyclic reference; kConflict (integrity) for a missing type, schema or referenced
  // document. Anonymous documents without a name are named "anonymous-<uuid4>".
  Result<schemas::BlockDocument> create(const schemas::BlockDocumentCreate& create, Timestamp now);
  // nullopt when absent.
  Result<std::optional<schemas::BlockDocument>> get(const std::string& id, bool include_secrets);
  Result<std::optional<schemas::BlockDocument>> get_by_name(const std::string& type_slug,
                                                            const std::string& name,
                                                            bool include_secrets);
  // limit < 0: no limit.
  Result<std::vector<schemas::BlockDocument>> list(const BlockDocumentFilters& filters,
                                                   bool include_secrets, BlockDocumentSort sort,
                                                   std::int64_t limit, std::int64_t offset);
  Result<std::int64_t> count(const BlockDocumentFilters& filters);
  // false when absent; kBadRequest for a schema of another type or a bad reference.
  Result<bool> update(const std::string& id, const schemas::BlockDocumentUpdate& update,
                      Timestamp now);
  // false when absent; clears the default result storage when it was this document.
  Result<bool> remove(const std::string& id);

 private:
  Result<schemas::BlockDocument> hydrate(const Row& row, bool include_secrets, int depth);
  Status add_references(const std::string& parent_id,
                        const std::vector<std::pair<std::string, std::string>>& refs,
                        Timestamp now);
  Transaction& tx_;
  core::IdGenerator& ids_;
};

}  // namespace prefectcore::models
