#pragma once

// Saved searches (upstream schemas/core.py SavedSearch and SavedSearchFilter,
// schemas/actions.py SavedSearchCreate) and their JSON codecs.

#include <string>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"

namespace prefectcore::schemas {

// A stored saved search. filters is a compact JSON list of SavedSearchFilter objects.
struct SavedSearch {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::string name;
  std::string filters = "[]";
};

// SavedSearchCreate (extra="forbid"): name required; filters default []. Each filter keeps
// only upstream's five fields (SavedSearchFilter ignores extra keys).
struct SavedSearchCreate {
  std::string name;
  std::string filters = "[]";
};

void write_saved_search(core::JsonWriter& w, const SavedSearch& search);
std::string encode_saved_search(const SavedSearch& search);

Result<SavedSearchCreate> decode_saved_search_create(core::JsonElement value, const core::Loc& loc);

}  // namespace prefectcore::schemas
