// The Database contract, run unchanged on every backend (see storage_main.cpp).

#include <atomic>
#include <cctype>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include <prefectcore/database.h>

#include "lib/storage/stats.h"
#include "tests/storage/backend.h"

using namespace prefectcore;
using prefectcore::testing::TestDatabase;

namespace {

std::unique_ptr<Transaction> must_begin(Database& db, TxMode mode) {
  auto tx = db.begin(mode);
  REQUIRE_MESSAGE(tx.has_value(), tx.error().to_string());
  return std::move(tx).value();
}

void must_exec(Transaction& tx, std::string_view sql, std::initializer_list<SqlValue> params = {}) {
  auto r = tx.exec(sql, params);
  REQUIRE_MESSAGE(r.has_value(), r.error().to_string());
}

Rows must_query(Transaction& tx, std::string_view sql,
                std::initializer_list<SqlValue> params = {}) {
  auto r = tx.query(sql, params);
  REQUIRE_MESSAGE(r.has_value(), r.error().to_string());
  return std::move(r).value();
}

std::int64_t count_rows(Database& db, std::string_view table) {
  auto tx = must_begin(db, TxMode::kRead);
  return must_query(*tx, "SELECT COUNT(*) FROM " + std::string(table)).at(0).int64(0);
}

void create_kinds_table(Database& db) {
  auto tx = must_begin(db, TxMode::kWrite);
  const bool pg = db.dialect().backend == Backend::kPostgres;
  must_exec(*tx, std::string("CREATE TABLE kinds (id TEXT PRIMARY KEY, i BIGINT, r ") +
                     (pg ? "DOUBLE PRECISION" : "REAL") + ", b INTEGER, t TEXT, j TEXT)");
  REQUIRE(tx->commit().ok());
}

// YYYY-MM-DDTHH:MM:SS.ffffffZ (std::regex trips GCC 12's -Wmaybe-uninitialized at -O2).
bool is_storage_timestamp(const std::string& s) {
  const std::string shape = "dddd-dd-ddTdd:dd:dd.ddddddZ";
  if (s.size() != shape.size()) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool ok =
        shape[i] == 'd' ? std::isdigit(static_cast<unsigned char>(s[i])) != 0 : s[i] == shape[i];
    if (!ok) {
      return false;
    }
  }
  return true;
}

void insert_flow(Transaction& tx, const std::string& id, const std::string& name) {
  must_exec(tx, "INSERT INTO flow (id, name) VALUES (?, ?)", {id, name});
}

}  // namespace

TEST_CASE("every SqlValue type and NULL round-trips through exec and query") {
  TestDatabase t({}, /*migrate=*/false);
  create_kinds_table(t.db());
  const std::string text = "it's \"quoted\", has ? marks, ünïcode and a\nnewline";
  {
    auto tx = must_begin(t.db(), TxMode::kWrite);
    auto n = tx->exec("INSERT INTO kinds (id, i, r, b, t, j) VALUES (?, ?, ?, ?, ?, ?)",
                      {std::string("a"), std::int64_t{9007199254740993}, 0.1, true, text,
                       JsonText{R"({"k": [1, 2.5, null]})"}});
    REQUIRE(n.has_value());
    CHECK(*n == 1);
    must_exec(*tx, "INSERT INTO kinds (id, i, r, b, t, j) VALUES (?, ?, ?, ?, ?, ?)",
              {std::string("b"), SqlNull{}, SqlNull{}, false, SqlNull{}, SqlNull{}});
    REQUIRE(tx->commit().ok());
  }
  auto tx = must_begin(t.db(), TxMode::kRead);
  Rows rows = must_query(*tx, "SELECT id, i, r, b, t, j FROM kinds ORDER BY id");
  REQUIRE(rows.size() == 2);
  const Row& a = rows[0];
  REQUIRE(a.size() == 6);
  CHECK(std::get<std::int64_t>(a.cell(1)) == 9007199254740993);
  CHECK(a.int64(1) == 9007199254740993);
  CHECK(std::get<double>(a.cell(2)) == 0.1);
  CHECK(a.boolean(3));
  CHECK(a.int64(3) == 1);
  CHECK(a.text(4) == text);
  CHECK(a.text(5) == R"({"k": [1, 2.5, null]})");
  const Row& b = rows[1];
  for (std::size_t i : {1, 2, 4, 5}) {
    CHECK(b.is_null(i));
  }
  CHECK_FALSE(b.opt_text(4).has_value());
  CHECK_FALSE(b.boolean(3));
  CHECK(b.int64(3) == 0);
  // Placeholders inside a string literal are text, not parameters.
  Rows echo = must_query(*tx, "SELECT 'a?b', COUNT(*) FROM kinds WHERE i = ?",
                         {std::int64_t{9007199254740993}});
  CHECK(echo.at(0).text(0) == "a?b");
  CHECK(echo.at(0).int64(1) == 1);
  CHECK(tx->commit().ok());
}

TEST_CASE("a transaction rolls back on destruction unless committed") {
  TestDatabase t;
  {
    auto tx = must_begin(t.db(), TxMode::kWrite);
    insert_flow(*tx, "00000000-0000-4000-8000-000000000001", "rolled-back");
  }
  CHECK(count_rows(t.db(), "flow") == 0);
  {
    auto tx = must_begin(t.db(), TxMode::kWrite);
    insert_flow(*tx, "00000000-0000-4000-8000-000000000002", "kept");
    REQUIRE(tx->commit().ok());
    CHECK_FALSE(tx->commit().ok());  // a transaction ends once
  }
  CHECK(count_rows(t.db(), "flow") == 1);
}

TEST_CASE("exec reports the number of rows changed, and zero for queries and DDL") {
  TestDatabase t;
  auto tx = must_begin(t.db(), TxMode::kWrite);
  insert_flow(*tx, "00000000-0000-4000-8000-000000000001", "a");
  insert_flow(*tx, "00000000-0000-4000-8000-000000000002", "b");
  CHECK(tx->exec("UPDATE flow SET tags = ?", {std::string("[\"x\"]")}).value() == 2);
  CHECK(tx->exec("SELECT id FROM flow").value() == 0);
  CHECK(tx->exec("CREATE TABLE scratch (id TEXT)").value() == 0);
  CHECK(tx->exec("DELETE FROM flow WHERE name = ?", {std::string("zzz")}).value() == 0);
  CHECK(tx->commit().ok());
}

TEST_CASE("a unique violation is kConflict and aborts the transaction") {
  TestDatabase t;
  auto tx = must_begin(t.db(), TxMode::kWrite);
  insert_flow(*tx, "00000000-0000-4000-8000-000000000001", "same-name");
  auto dup =
      tx->exec("INSERT INTO flow (id, name) VALUES (?, ?)",
               {std::string("00000000-0000-4000-8000-000000000002"), std::string("same-name")});
  REQUIRE_FALSE(dup.has_value());
  CHECK(dup.error().code() == ErrorCode::kConflict);
  // PostgreSQL aborts the transaction on an error; both backends behave that way.
  auto after = tx->query("SELECT COUNT(*) FROM flow");
  REQUIRE_FALSE(after.has_value());
  CHECK(after.error().code() == ErrorCode::kConflict);
  CHECK(tx->commit().code() == ErrorCode::kConflict);
  tx.reset();
  CHECK(count_rows(t.db(), "flow") == 0);
}

TEST_CASE("a foreign-key violation is kConflict; deleting a flow cascades to its runs") {
  TestDatabase t;
  const std::string flow = "00000000-0000-4000-8000-000000000001";
  {
    auto tx = must_begin(t.db(), TxMode::kWrite);
    auto orphan =
        tx->exec("INSERT INTO flow_run (id, name, flow_id) VALUES (?, ?, ?)",
                 {std::string("00000000-0000-4000-8000-0000000000ff"), std::string("orphan"),
                  std::string("00000000-0000-4000-8000-00000000dead")});
    REQUIRE_FALSE(orphan.has_value());
    CHECK(orphan.error().code() == ErrorCode::kConflict);
  }
  {
    auto tx = must_begin(t.db(), TxMode::kWrite);
    insert_flow(*tx, flow, "parent");
    for (int i = 0; i < 3; ++i) {
      const std::string run = "00000000-0000-4000-8000-00000000010" + std::to_string(i);
      must_exec(*tx, "INSERT INTO flow_run (id, name, flow_id) VALUES (?, ?, ?)",
                {run, "run-" + std::to_string(i), flow});
      must_exec(*tx, "INSERT INTO flow_run_state (id, flow_run_id, type, name) VALUES (?, ?, ?, ?)",
                {run + "s", run, std::string("PENDING"), std::string("Pending")});
      must_exec(*tx, "UPDATE flow_run SET state_id = ? WHERE id = ?", {run + "s", run});
    }
    REQUIRE(tx->commit().ok());
  }
  CHECK(count_rows(t.db(), "flow_run") == 3);
  {
    auto tx = must_begin(t.db(), TxMode::kWrite);
    CHECK(tx->exec("DELETE FROM flow WHERE id = ?", {flow}).value() == 1);
    REQUIRE(tx->commit().ok());
  }
  CHECK(count_rows(t.db(), "flow_run") == 0);
  CHECK(count_rows(t.db(), "flow_run_state") == 0);
}

TEST_CASE("a read transaction sees committed data and refuses writes") {
  TestDatabase t;
  {
    auto tx = must_begin(t.db(), TxMode::kWrite);
    insert_flow(*tx, "00000000-0000-4000-8000-000000000001", "visible");
    REQUIRE(tx->commit().ok());
  }
  auto tx = must_begin(t.db(), TxMode::kRead);
  Rows rows = must_query(*tx, "SELECT name FROM flow");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].text(0) == "visible");
  CHECK_FALSE(tx->exec("INSERT INTO flow (id, name) VALUES (?, ?)",
                       {std::string("00000000-0000-4000-8000-000000000002"), std::string("sneaky")})
                  .has_value());
  tx.reset();
  CHECK(count_rows(t.db(), "flow") == 1);
}

TEST_CASE("created and updated default to ISO 8601 UTC with six fraction digits") {
  TestDatabase t;
  auto tx = must_begin(t.db(), TxMode::kWrite);
  insert_flow(*tx, "00000000-0000-4000-8000-000000000001", "stamped");
  Rows rows = must_query(*tx, "SELECT created, updated, tags FROM flow");
  REQUIRE(rows.size() == 1);
  CHECK(is_storage_timestamp(rows[0].text(0)));
  CHECK(is_storage_timestamp(rows[0].text(1)));
  CHECK_FALSE(is_storage_timestamp("2025-01-21T12:34:56.123Z"));
  CHECK(rows[0].text(2) == "[]");
  CHECK(tx->commit().ok());
}

TEST_CASE("prepared statements are reused across transactions") {
  TestDatabase t;
  auto* stats = dynamic_cast<storage::StatsProvider*>(&t.db());
  REQUIRE(stats != nullptr);
  const std::string sql = "SELECT COUNT(*) FROM flow WHERE name = ?";
  auto run = [&] {
    auto tx = must_begin(t.db(), TxMode::kRead);
    CHECK(must_query(*tx, sql, {std::string("x")}).at(0).int64(0) == 0);
    REQUIRE(tx->commit().ok());
  };
  run();  // prepares the query and the read transaction's own statements
  const auto before = stats->stats();
  for (int i = 0; i < 10; ++i) {
    run();
  }
  const auto after = stats->stats();
  // Sequential transactions reuse the most recently returned connection, whose cache
  // already holds every statement.
  CHECK(after.statements_prepared == before.statements_prepared);
  CHECK(after.statement_cache_hits - before.statement_cache_hits >= 10);
}

TEST_CASE("concurrent writers from 8 threads lose no increment") {
  TestDatabase t;
  {
    auto tx = must_begin(t.db(), TxMode::kWrite);
    must_exec(*tx, "INSERT INTO configuration (id, key, value) VALUES (?, ?, ?)",
              {std::string("00000000-0000-4000-8000-000000000001"), std::string("counter"),
               JsonText{"0"}});
    REQUIRE(tx->commit().ok());
  }
  constexpr int kThreads = 8;
  constexpr int kIncrements = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        auto tx = t.db().begin(TxMode::kWrite);
        if (!tx) {
          failures++;
          continue;
        }
        // Read-modify-write in the application, the pattern that loses updates without a
        // write lock (SQLite) or a row lock (FOR UPDATE on PostgreSQL).
        auto rows = (*tx)->query(std::string("SELECT value FROM configuration WHERE key = ?") +
                                     std::string((*tx)->dialect().for_update()),
                                 {std::string("counter")});
        if (!rows || rows->size() != 1) {
          failures++;
          continue;
        }
        const std::int64_t next = rows->at(0).int64(0) + 1;
        if (!(*tx)->exec("UPDATE configuration SET value = ? WHERE key = ?",
                         {JsonText{std::to_string(next)}, std::string("counter")}) ||
            !(*tx)->commit().ok()) {
          failures++;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  CHECK(failures.load() == 0);
  auto tx = must_begin(t.db(), TxMode::kRead);
  CHECK(must_query(*tx, "SELECT value FROM configuration WHERE key = 'counter'").at(0).int64(0) ==
        kThreads * kIncrements);
}

TEST_CASE("readers run while a write transaction is open") {
  TestDatabase t;
  if (prefectcore::testing::current_backend() == prefectcore::testing::TestBackend::kSqliteMemory) {
    return;  // one connection: transactions take turns (docs/storage.md)
  }
  auto writer = must_begin(t.db(), TxMode::kWrite);
  insert_flow(*writer, "00000000-0000-4000-8000-000000000001", "uncommitted");
  std::int64_t seen = -1;
  std::thread reader([&] { seen = count_rows(t.db(), "flow"); });
  reader.join();
  CHECK(seen == 0);  // no dirty read, and no waiting for the writer
  REQUIRE(writer->commit().ok());
  CHECK(count_rows(t.db(), "flow") == 1);
}

TEST_CASE("ping succeeds and describe names the backend without secrets") {
  TestDatabase t({}, /*migrate=*/false);
  CHECK(t.db().ping().ok());
  const std::string d = t.db().describe();
  if (t.db().dialect().backend == Backend::kPostgres) {
    CHECK(d.rfind("postgresql://", 0) == 0);
  } else {
    CHECK(d.rfind("sqlite:///", 0) == 0);
  }
}
