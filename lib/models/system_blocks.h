#pragma once

// The block types the server registers by itself (upstream models/block_registration.py).
// The data lives in lib/models/data/; docs/blocks.md lists what is registered.

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"

namespace prefectcore::models {

// upstream _install_protected_system_blocks (POST /block_types/install_system_block_types):
// upserts Webhook, Secret and LocalFileSystem as protected types and rewrites their schemas,
// one transaction per block. Idempotent. Stops at the first failure and returns it.
Status install_system_block_types(Database& db, core::IdGenerator& ids, Timestamp now);

// upstream run_block_auto_registration (start-up): the protected blocks as above, then the
// client-registry blocks (prefect.filesystems, prefect.blocks.notifications) and the
// collection blocks (collection_blocks_data.json). A type that exists is updated to the
// shipped values (it keeps its id and is_protected); a schema is created only when no
// schema with its checksum and version exists. A registry block or collection schema that
// fails is logged and skipped, as upstream does; the protected blocks and the collection
// types must succeed, else their error is returned.
Status run_block_auto_registration(Database& db, core::IdGenerator& ids, Timestamp now);

}  // namespace prefectcore::models
