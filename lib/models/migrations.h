#pragma once

// Schema migrations: versioned, forward-only, each applied in its own write transaction and
// recorded in `prefectcore_migrations(version, name, applied)`. The public entry points
// (upgrade_schema, reset_schema, schema_status) are declared in <prefectcore/database.h>.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/database.h>

#include "lib/core/internal.h"

namespace prefectcore::models {

struct Migration {
  int version;
  std::string_view name;
  // Dialect-neutral DDL (lib/models/schema/ddl.h); may be empty.
  std::vector<std::string_view> (*neutral_ddl)();
  // Statements that need the dialect (expression indexes over JSON); may be null.
  std::vector<std::string> (*dialect_ddl)(const Dialect& dialect);
};

// Every migration this build knows, oldest first; versions are 1, 2, ...
std::span<const Migration> migrations();
int latest_schema_version();

// The SQL statements of `migration` for `dialect`, in order.
std::vector<std::string> migration_statements(const Migration& migration, const Dialect& dialect);

// Applies pending migrations up to and including `target_version` (tests use it to build
// old-schema fixtures). kInvalidArgument for a target outside 0..latest; kInternal if the
// database is newer than this build; backend errors as they come.
Status upgrade_schema_to(Database& db, int target_version);

// Tables created by the migrations, in creation order.
std::vector<std::string> schema_tables();

}  // namespace prefectcore::models
