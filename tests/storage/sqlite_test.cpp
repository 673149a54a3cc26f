// SQLite specifics: URL paths and error codes (pure), pragmas, locking between handles,
// the in-memory mode, and durability across a SIGKILL (sqlite-only).

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <prefectcore/database.h>

#include "lib/storage/sqlite/sqlite_connection.h"
#include "lib/storage/sqlite/sqlite_database.h"
#include "tests/storage/backend.h"

using namespace prefectcore;
using namespace prefectcore::storage;
using prefectcore::testing::TestDatabase;

namespace {

std::int64_t pragma(Database& db, const std::string& name) {
  auto tx = db.begin(TxMode::kRead);
  REQUIRE(tx.has_value());
  auto rows = (*tx)->query("PRAGMA " + name);
  REQUIRE_MESSAGE(rows.has_value(), rows.error().to_string());
  return rows->at(0).int64(0);
}

std::string pragma_text(Database& db, const std::string& name) {
  auto tx = db.begin(TxMode::kRead);
  REQUIRE(tx.has_value());
  auto rows = (*tx)->query("PRAGMA " + name);
  REQUIRE(rows.has_value());
  return rows->at(0).text(0);
}

std::string fmt_id(int worker, int i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", worker * 1000 + i);
  return buf;
}

// The child of the crash test: commits rows 1, 2, ... and reports each acknowledged id on
// `fd`. Never returns.
[[noreturn]] void commit_forever(const std::string& url, int fd) {
  auto db = open_database(url, {});
  if (!db) {
    _exit(2);
  }
  const std::string payload(512, 'x');
  for (std::int64_t id = 1;; ++id) {
    auto tx = (*db)->begin(TxMode::kWrite);
    if (!tx || !(*tx)->exec("INSERT INTO acked (id, payload) VALUES (?, ?)", {id, payload}) ||
        !(*tx)->commit().ok()) {
      _exit(3);
    }
    if (write(fd, &id, sizeof id) != sizeof id) {
      _exit(4);
    }
  }
}

}  // namespace

TEST_SUITE("pure") {
  TEST_CASE("SQLite URLs map to paths the way SQLAlchemy reads them") {
    CHECK(sqlite_path_from_url("sqlite:///prefect.db").value() == "prefect.db");
    CHECK(sqlite_path_from_url("sqlite+aiosqlite:////root/.prefect/prefect.db").value() ==
          "/root/.prefect/prefect.db");
    CHECK(sqlite_path_from_url("sqlite:///:memory:").value() == ":memory:");
    CHECK(sqlite_path_from_url("sqlite://:memory:").value() == ":memory:");
    CHECK(sqlite_path_from_url("sqlite://").value() == ":memory:");
    CHECK(sqlite_path_from_url("sqlite:///data/x.db?timeout=5").value() == "data/x.db");
    CHECK(sqlite_path_from_url("sqlite://host/x.db").error().code() == ErrorCode::kInvalidArgument);
    CHECK(sqlite_path_from_url("postgresql://x/y").error().code() == ErrorCode::kInvalidArgument);
  }

  TEST_CASE("SQLite result codes map to kUnavailable, kConflict or kInternal") {
    CHECK(sqlite_status(SQLITE_BUSY, SQLITE_BUSY, "busy").code() == ErrorCode::kUnavailable);
    CHECK(sqlite_status(SQLITE_LOCKED, SQLITE_LOCKED_SHAREDCACHE, "locked").code() ==
          ErrorCode::kUnavailable);
    CHECK(sqlite_status(SQLITE_CONSTRAINT, SQLITE_CONSTRAINT_UNIQUE, "u").code() ==
          ErrorCode::kConflict);
    CHECK(sqlite_status(SQLITE_CONSTRAINT, SQLITE_CONSTRAINT_PRIMARYKEY, "pk").code() ==
          ErrorCode::kConflict);
    CHECK(sqlite_status(SQLITE_CONSTRAINT, SQLITE_CONSTRAINT_FOREIGNKEY, "fk").code() ==
          ErrorCode::kConflict);
    CHECK(sqlite_status(SQLITE_CONSTRAINT, SQLITE_CONSTRAINT_NOTNULL, "nn").code() ==
          ErrorCode::kInternal);
    CHECK(sqlite_status(SQLITE_IOERR, SQLITE_IOERR_WRITE, "io").code() == ErrorCode::kInternal);
  }

  TEST_CASE("open_database rejects unknown schemes") {
    auto db = open_database("mysql://root@localhost/prefect", {});
    REQUIRE_FALSE(db.has_value());
    CHECK(db.error().code() == ErrorCode::kInvalidArgument);
    CHECK(open_database("prefect.db", {}).error().code() == ErrorCode::kInvalidArgument);
  }

  TEST_CASE("each in-memory database is private to its Database object") {
    auto a = open_database("sqlite:///:memory:", {});
    auto b = open_database("sqlite:///:memory:", {});
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    REQUIRE(upgrade_schema(**a).ok());
    auto status = schema_status(**b);
    REQUIRE(status.has_value());
    CHECK(status->current_version == 0);
  }

  TEST_CASE("an in-memory database refuses a nested transaction at once instead of hanging") {
    auto db = open_database("sqlite:///:memory:", {});
    REQUIRE(db.has_value());
    auto outer = (*db)->begin(TxMode::kWrite);
    REQUIRE(outer.has_value());
    auto inner = (*db)->begin(TxMode::kRead);
    REQUIRE_FALSE(inner.has_value());
    CHECK(inner.error().code() == ErrorCode::kInternal);
    outer->reset();
    CHECK((*db)->begin(TxMode::kRead).has_value());
  }

  TEST_CASE("an in-memory database serves several threads") {
    auto db = open_database("sqlite:///:memory:", {});
    REQUIRE(db.has_value());
    REQUIRE(upgrade_schema(**db).ok());
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < 4; ++w) {
      threads.emplace_back([&, w] {
        for (int i = 0; i < 20; ++i) {
          auto tx = (*db)->begin(i % 2 ? TxMode::kRead : TxMode::kWrite);
          const std::string id = fmt_id(w, i);
          if (!tx ||
              !(i % 2 ? (*tx)->query("SELECT COUNT(*) FROM flow").status()
                      : (*tx)->exec("INSERT INTO flow (id, name) VALUES (?, ?)", {id, id}).status())
                   .ok() ||
              !(*tx)->commit().ok()) {
            failures++;
          }
        }
      });
    }
    for (auto& t : threads) {
      t.join();
    }
    CHECK(failures.load() == 0);
  }
}

TEST_SUITE("sqlite-only") {
  TEST_CASE("every connection gets the upstream pragmas") {
    DatabaseSettings s;
    s.timeout = 7;
    TestDatabase t(s, /*migrate=*/false);
    CHECK(pragma(t.db(), "foreign_keys") == 1);
    CHECK(pragma(t.db(), "busy_timeout") == 7000);
    CHECK(pragma(t.db(), "cache_size") == 20000);
    CHECK(pragma(t.db(), "legacy_alter_table") == 0);
    if (prefectcore::testing::current_backend() == prefectcore::testing::TestBackend::kSqliteFile) {
      CHECK(pragma_text(t.db(), "journal_mode") == "wal");
      CHECK(pragma(t.db(), "synchronous") == 1);  // NORMAL
    }
  }

  TEST_CASE("a writer in another process's pool makes BEGIN IMMEDIATE kUnavailable") {
    if (prefectcore::testing::current_backend() != prefectcore::testing::TestBackend::kSqliteFile) {
      return;
    }
    DatabaseSettings quick;
    quick.timeout = 0.2;
    TestDatabase t;
    auto other = t.open_another(quick);
    auto writer = t.db().begin(TxMode::kWrite);
    REQUIRE(writer.has_value());
    auto blocked = other->begin(TxMode::kWrite);
    REQUIRE_FALSE(blocked.has_value());
    CHECK(blocked.error().code() == ErrorCode::kUnavailable);
    auto reader = other->begin(TxMode::kRead);  // WAL: readers are not blocked
    CHECK(reader.has_value());
  }

  TEST_CASE("an exhausted SQLite read pool answers kUnavailable; writes use their own connection") {
    if (prefectcore::testing::current_backend() != prefectcore::testing::TestBackend::kSqliteFile) {
      return;
    }
    DatabaseSettings s;
    s.pool_size = 1;
    s.max_overflow = 1;
    s.pool_timeout = 0.1;
    TestDatabase t(s, /*migrate=*/false);
    auto a = t.db().begin(TxMode::kRead);
    auto b = t.db().begin(TxMode::kRead);
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    auto c = t.db().begin(TxMode::kRead);
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().code() == ErrorCode::kUnavailable);
    {
      auto w = t.db().begin(TxMode::kWrite);  // the dedicated writer connection
      REQUIRE(w.has_value());
      REQUIRE((*w)->exec("CREATE TABLE t (x INTEGER)").has_value());
      REQUIRE((*w)->commit().ok());
    }
    a->reset();
    auto d = t.db().begin(TxMode::kRead);
    REQUIRE(d.has_value());
    CHECK((*d)->query("SELECT COUNT(*) FROM t").has_value());
  }

  TEST_CASE("WAL pages past the checkpoint threshold reach the database file off the write path") {
    const std::string dir = prefectcore::testing::make_temp_dir();
    const std::string path = dir + "/ckpt.db";
    auto db = open_database("sqlite:///" + path, {});
    REQUIRE(db.has_value());
    const std::string blob(3000, 'x');
    for (int i = 0; i < 1500; ++i) {  // ~1 page per transaction: well past 1000 WAL pages
      auto tx = (*db)->begin(TxMode::kWrite);
      REQUIRE(tx.has_value());
      if (i == 0) {
        REQUIRE((*tx)->exec("CREATE TABLE t (x TEXT)").has_value());
      }
      SqlValue value{blob};
      REQUIRE((*tx)->exec("INSERT INTO t (x) VALUES (?)", std::span(&value, 1)).has_value());
      REQUIRE((*tx)->commit().ok());
    }
    // The checkpoint runs on its own thread; give it up to 10 s to copy the pages.
    std::uintmax_t size = 0;
    for (int i = 0; i < 1000 && size < 3'000'000; ++i) {
      size = std::filesystem::file_size(path);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(size >= 3'000'000);
    auto tx = (*db)->begin(TxMode::kRead);
    REQUIRE(tx.has_value());
    auto rows = (*tx)->query("SELECT COUNT(*) FROM t");
    REQUIRE(rows.has_value());
    CHECK(rows->at(0).int64(0) == 1500);
  }

  TEST_CASE("opening a file creates its parent directory; an unusable path is kUnavailable") {
    const std::string dir = prefectcore::testing::make_temp_dir();
    auto db = open_database("sqlite:///" + dir + "/a/b/prefect.db", {});
    REQUIRE_MESSAGE(db.has_value(), db.error().to_string());
    CHECK(std::filesystem::exists(dir + "/a/b/prefect.db"));
    db->reset();
    auto bad = open_database("sqlite:///" + dir + "/a", {});  // a directory, not a file
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code() == ErrorCode::kUnavailable);
    prefectcore::testing::remove_tree(dir);
  }

  TEST_CASE("every commit acknowledged before a SIGKILL is on disk after it") {
    const std::string dir = prefectcore::testing::make_temp_dir();
    const std::string url = "sqlite:///" + dir + "/crash.db";
    {
      auto db = open_database(url, {});
      REQUIRE(db.has_value());
      auto tx = (*db)->begin(TxMode::kWrite);
      REQUIRE(tx.has_value());
      REQUIRE((*tx)->exec("CREATE TABLE acked (id INTEGER PRIMARY KEY, payload TEXT)"));
      REQUIRE((*tx)->commit().ok());
    }
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      close(fds[0]);
      commit_forever(url, fds[1]);
    }
    close(fds[1]);
    std::int64_t last = 0;
    std::int64_t id = 0;
    while (last < 300 && read(fds[0], &id, sizeof id) == sizeof id) {
      last = id;
    }
    REQUIRE(kill(child, SIGKILL) == 0);
    while (read(fds[0], &id, sizeof id) == sizeof id) {  // acks written before the kill
      last = id;
    }
    close(fds[0]);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    REQUIRE(last >= 300);

    auto db = open_database(url, {});
    REQUIRE(db.has_value());
    auto tx = (*db)->begin(TxMode::kRead);
    REQUIRE(tx.has_value());
    auto rows = (*tx)->query("SELECT COUNT(*), MIN(id), MAX(id) FROM acked WHERE id <= ?", {last});
    REQUIRE(rows.has_value());
    CHECK(rows->at(0).int64(0) == last);  // ids are sequential: none is missing
    CHECK(rows->at(0).int64(1) == 1);
    auto check = (*tx)->query("PRAGMA integrity_check");
    REQUIRE(check.has_value());
    CHECK(check->at(0).text(0) == "ok");
    tx->reset();
    db->reset();
    prefectcore::testing::remove_tree(dir);
  }
}
