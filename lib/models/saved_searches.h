#pragma once

// Saved searches (upstream models/saved_searches.py) over the Database interface.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/schemas/saved_search.h"

namespace prefectcore::models {

class SavedSearchRepository {
 public:
  explicit SavedSearchRepository(Transaction& tx) : tx_(tx) {}

  // Upserts on name: a new name inserts, a taken one has its filters replaced (upstream
  // leaves `updated` alone there, as its ON CONFLICT update sets filters only). Returns
  // the stored row and whether it was inserted.
  Result<std::pair<schemas::SavedSearch, bool>> upsert(const schemas::SavedSearchCreate& search,
                                                       const std::string& new_id, Timestamp now);
  // kNotFound "Saved search not found".
  Result<schemas::SavedSearch> get(const std::string& id);
  // Ordered by name, as upstream.
  Result<std::vector<schemas::SavedSearch>> list(std::int64_t limit, std::int64_t offset);
  // false when no saved search has `id`.
  Result<bool> remove(const std::string& id);

 private:
  Result<std::vector<schemas::SavedSearch>> select(std::string_view where_sql,
                                                   std::vector<SqlValue> params,
                                                   std::string_view tail);
  Transaction& tx_;
};

}  // namespace prefectcore::models
