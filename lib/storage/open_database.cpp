// open_database(): picks the backend from the URL scheme.

#include <string_view>

#include <fmt/format.h>

#include <prefectcore/database.h>

#ifdef PREFECTCORE_HAVE_SQLITE
#include "lib/storage/sqlite/sqlite_database.h"
#endif
#ifdef PREFECTCORE_HAVE_POSTGRES
#include "lib/storage/postgres/pg_database.h"
#endif

namespace prefectcore {

Result<std::unique_ptr<Database>> open_database(const std::string& url,
                                                const DatabaseSettings& settings) {
  const std::string_view scheme = std::string_view(url).substr(0, url.find("://"));
  if (scheme == "sqlite" || scheme.starts_with("sqlite+")) {
#ifdef PREFECTCORE_HAVE_SQLITE
    PC_ASSIGN_OR_RETURN(std::string path, storage::sqlite_path_from_url(url));
    return storage::open_sqlite(path, settings);
#else
    return Status::invalid_argument("this build has no SQLite backend");
#endif
  }
  if (scheme == "postgresql" || scheme == "postgres" || scheme.starts_with("postgresql+")) {
#ifdef PREFECTCORE_HAVE_POSTGRES
    return storage::open_postgres(url, settings);
#else
    return Status::invalid_argument("this build has no PostgreSQL backend");
#endif
  }
  return Status::invalid_argument(
      fmt::format("unsupported database URL scheme '{}' (expected sqlite or postgresql)",
                  scheme.size() == url.size() ? std::string_view("") : scheme));
}

}  // namespace prefectcore
