#pragma once

// Tag concurrency limits of the v1 API (upstream schemas/core.py ConcurrencyLimit,
// schemas/actions.py ConcurrencyLimitCreate) and their JSON codecs.

#include <cstdint>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"

namespace prefectcore::schemas {

// ConcurrencyLimit: a tag limit, whether stored as a v2 `tag:<tag>` limit or a legacy v1 row.
struct TagConcurrencyLimit {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::string tag;
  std::int64_t concurrency_limit = 0;
  std::vector<std::string> active_slots;  // task run ids holding a slot
};

// ConcurrencyLimitCreate (extra="forbid").
struct TagConcurrencyLimitCreate {
  std::string tag;
  std::int64_t concurrency_limit = 0;
};

// MinimalConcurrencyLimitResponse.
struct MinimalConcurrencyLimit {
  std::string id;
  std::string name;
  std::int64_t limit = 0;
};

void write_tag_concurrency_limit(core::JsonWriter& w, const TagConcurrencyLimit& limit);
std::string encode_tag_concurrency_limit(const TagConcurrencyLimit& limit);
void write_minimal_concurrency_limit(core::JsonWriter& w, const MinimalConcurrencyLimit& limit);

Result<TagConcurrencyLimitCreate> decode_tag_concurrency_limit_create(core::JsonElement value,
                                                                      const core::Loc& loc);

}  // namespace prefectcore::schemas
