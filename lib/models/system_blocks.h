#pragma once

// The protected system block types upstream installs at start-up and on
// POST /block_types/install_system_block_types (models/block_registration.py
// _install_protected_system_blocks): Webhook, Secret and Local File System.

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"

namespace prefectcore::models {

// Upserts each system block type (protected) and its schema; idempotent.
Status install_system_block_types(Transaction& tx, core::IdGenerator& ids, Timestamp now);

}  // namespace prefectcore::models
