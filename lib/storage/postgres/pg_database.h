#pragma once

// The PostgreSQL backend (libpq). See docs/storage.md: a pool of pool_size + max_overflow
// connections, READ COMMITTED write transactions (models take row locks with
// Dialect::for_update), READ ONLY read transactions, prepared statements per connection,
// broken and old connections replaced transparently.

#include <memory>
#include <string>

#include <prefectcore/database.h>

#include "lib/core/internal.h"

namespace prefectcore::storage {

// Opens a pool for `url` (see parse_postgres_url) and checks it with one connection.
// kInvalidArgument for a malformed URL; kUnavailable when the server cannot be reached.
Result<std::unique_ptr<Database>> open_postgres(const std::string& url,
                                                const DatabaseSettings& settings);

}  // namespace prefectcore::storage
