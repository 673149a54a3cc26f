// A SQLite connection: pragmas, the statement cache, binding and typed rows. Every
// SQLite::Exception is caught here and becomes a Status.

#include "lib/storage/sqlite/sqlite_connection.h"

#include <cmath>
#include <exception>

#include <fmt/format.h>
#include <sqlite3.h>

#include "lib/core/logging.h"

namespace prefectcore::storage {
namespace {

// Dynamic SQL (filters) could grow the cache without bound; past this size it starts over.
constexpr std::size_t kMaxCachedStatements = 512;

void bind_all(SQLite::Statement& st, std::span<const SqlValue> params) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    const SqlValue& v = params[i];
    if (std::holds_alternative<SqlNull>(v)) {
      st.bind(index);
    } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
      st.bind(index, static_cast<int64_t>(*n));
    } else if (const auto* d = std::get_if<double>(&v)) {
      st.bind(index, *d);
    } else if (const auto* b = std::get_if<bool>(&v)) {
      // Booleans are INTEGER 0/1 on both backends (docs/storage.md).
      st.bind(index, static_cast<int64_t>(*b ? 1 : 0));
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      // The caller's values outlive the statement's execution; bindings are cleared after.
      st.bindNoCopy(index, *s);
    } else {
      st.bindNoCopy(index, std::get<JsonText>(v).text);
    }
  }
}

Row read_row(const SQLite::Statement& st) {
  const int n = st.getColumnCount();
  std::vector<SqlValue> cells;
  cells.reserve(static_cast<std::size_t>(n));
  for (int c = 0; c < n; ++c) {
    SQLite::Column col = st.getColumn(c);
    switch (col.getType()) {
      case SQLITE_INTEGER:
        cells.emplace_back(std::int64_t{col.getInt64()});
        break;
      case SQLITE_FLOAT:
        cells.emplace_back(col.getDouble());
        break;
      case SQLITE_NULL:
        cells.emplace_back(SqlNull{});
        break;
      default:  // TEXT, and BLOB (never written by prefectcore) as bytes
        cells.emplace_back(std::string(static_cast<const char*>(col.getBlob()),
                                       static_cast<std::size_t>(col.getBytes())));
        break;
    }
  }
  return Row(std::move(cells));
}

// Leaves a cached statement ready for its next use, whatever happened.
void finish(SQLite::Statement& st) noexcept {
  st.tryReset();
  try {
    st.clearBindings();
  } catch (...) {  // sqlite3_clear_bindings cannot fail on a compiled statement
  }
}

}  // namespace

Status sqlite_status(int code, int extended_code, std::string_view message) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::unavailable(fmt::format("database is locked: {}", message));
    case SQLITE_CONSTRAINT:
      if (extended_code == SQLITE_CONSTRAINT_UNIQUE ||
          extended_code == SQLITE_CONSTRAINT_PRIMARYKEY ||
          extended_code == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return Status::conflict(std::string(message));
      }
      return Status::internal(std::string(message));
    default:
      return Status::internal(fmt::format("sqlite error {}: {}", extended_code, message));
  }
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(const std::string& path,
                                                                 const DatabaseSettings& settings,
                                                                 StatsCounters& stats) {
  const bool memory = path == ":memory:";
  const int busy_ms = static_cast<int>(std::lround(std::max(0.0, settings.timeout) * 1000));
  try {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                 busy_ms);
    if (!memory) {
      std::string mode = db->execAndGet("PRAGMA journal_mode=WAL").getString();
      if (mode != "wal") {
        PC_LOG_WARNING("sqlite: {} runs in journal mode {}, not WAL", path, mode);
      }
    }
    db->exec(
        "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=20000; "
        "PRAGMA legacy_alter_table=OFF; PRAGMA temp_store=MEMORY;");
    stats.connections_opened++;
    return std::unique_ptr<SqliteConnection>(new SqliteConnection(std::move(db), stats));
  } catch (const SQLite::Exception& e) {
    if ((e.getErrorCode() & 0xff) == SQLITE_CANTOPEN) {
      return Status::unavailable(fmt::format("cannot open SQLite database {}: {}", path, e.what()));
    }
    return sqlite_status(e.getErrorCode(), e.getExtendedErrorCode(),
                         fmt::format("opening {}: {}", path, e.what()));
  } catch (const std::exception& e) {
    return Status::internal(fmt::format("opening {}: {}", path, e.what()));
  }
}

SQLite::Statement& SqliteConnection::statement(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) {
    stats_.statement_cache_hits++;
    return *it->second;
  }
  if (cache_.size() >= kMaxCachedStatements) {
    cache_.clear();
  }
  auto st = std::make_unique<SQLite::Statement>(*db_, std::string(sql));  // may throw
  stats_.statements_prepared++;
  return *cache_.emplace(std::string(sql), std::move(st)).first->second;
}

Result<std::int64_t> SqliteConnection::run(std::string_view sql, std::span<const SqlValue> params,
                                           Rows* rows) {
  SQLite::Statement* st = nullptr;
  try {
    st = &statement(sql);
    bind_all(*st, params);
    const int total_before = db_->getTotalChanges();
    while (st->executeStep()) {
      if (rows) {
        rows->push_back(read_row(*st));
      }
    }
    // sqlite3_changes() keeps the count of the last DML statement, so a query or DDL would
    // report a stale number; the total only moves when this statement changed rows.
    const std::int64_t changed = db_->getTotalChanges() == total_before ? 0 : db_->getChanges();
    finish(*st);
    return changed;
  } catch (const SQLite::Exception& e) {
    if (st) {
      finish(*st);
    }
    return sqlite_status(e.getErrorCode(), e.getExtendedErrorCode(), e.what());
  } catch (const std::exception& e) {
    if (st) {
      finish(*st);
    }
    return Status::internal(e.what());
  }
}

void SqliteConnection::replace_autocheckpoint(void (*on_commit)(void*, int), void* arg) {
  on_commit_ = on_commit;
  on_commit_arg_ = arg;
  sqlite3_wal_hook(
      db_->getHandle(),
      [](void* self, sqlite3*, const char*, int pages) {
        auto* conn = static_cast<SqliteConnection*>(self);
        conn->on_commit_(conn->on_commit_arg_, pages);
        return SQLITE_OK;
      },
      this);
}

bool SqliteConnection::in_transaction() const {
  return sqlite3_get_autocommit(db_->getHandle()) == 0;
}

}  // namespace prefectcore::storage
