#pragma once

// The SQLite backend (SQLiteCpp). See docs/storage.md for the design: WAL, one writer at a
// time (a process-local writer lock, then BEGIN IMMEDIATE), readers in parallel on pooled
// connections, prepared statements cached per connection; `:memory:` is one connection that
// every transaction takes in turn.

#include <memory>
#include <string>
#include <string_view>

#include <prefectcore/database.h>

#include "lib/core/internal.h"

namespace prefectcore::storage {

// The file path of a SQLite URL, SQLAlchemy style: "sqlite:///rel.db" -> "rel.db",
// "sqlite:////abs/x.db" -> "/abs/x.db", "sqlite:///:memory:" (or "sqlite://") -> ":memory:";
// "sqlite+aiosqlite://" is the same. kInvalidArgument for anything else.
Result<std::string> sqlite_path_from_url(std::string_view url);

// Opens `path` (":memory:" for a private in-memory database), creating the file and its
// parent directory if missing. kUnavailable if the file cannot be opened.
Result<std::unique_ptr<Database>> open_sqlite(const std::string& path,
                                              const DatabaseSettings& settings);

}  // namespace prefectcore::storage
