#pragma once

// Parsing of upstream-style PostgreSQL URLs into libpq connection keywords.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prefectcore/database.h>

#include "lib/core/internal.h"

namespace prefectcore::storage {

// libpq keyword/value pairs for PQconnectdbParams, plus a description without secrets.
struct PgTarget {
  std::vector<std::pair<std::string, std::string>> keywords;
  std::string description;  // "postgresql://user@host:port/db"
};

// Accepts postgresql://, postgres:// and postgresql+<driver>:// (asyncpg's URLs):
// [user[:password]@][host][:port][/dbname][?key=value&...], percent-decoded. Query keys that
// libpq knows pass through (sslmode, options, application_name, host for a socket
// directory, ...); asyncpg's `ssl` becomes sslmode; others are ignored with a warning.
// The statement and connect timeouts come from `settings`; application_name defaults to
// "prefectcore". kInvalidArgument for anything that is not such a URL.
Result<PgTarget> parse_postgres_url(std::string_view url, const DatabaseSettings& settings);

}  // namespace prefectcore::storage
