// Schema migrations on every backend: fresh install, idempotence, upgrade in place, reset,
// status, and two upgraders racing.

#include "lib/models/migrations.h"

#include <thread>

#include <doctest/doctest.h>

#include <prefectcore/database.h>

#include "tests/storage/backend.h"

using namespace prefectcore;
using prefectcore::testing::TestDatabase;

namespace {

Rows query_all(Database& db, const std::string& sql, std::initializer_list<SqlValue> params = {}) {
  auto tx = db.begin(TxMode::kRead);
  REQUIRE_MESSAGE(tx.has_value(), tx.error().to_string());
  auto rows = (*tx)->query(sql, params);
  REQUIRE_MESSAGE(rows.has_value(), rows.error().to_string());
  return std::move(rows).value();
}

bool index_exists(Database& db, const std::string& name) {
  const bool pg = db.dialect().backend == Backend::kPostgres;
  return !query_all(db,
                    pg ? "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND "
                         "indexname = ?"
                       : "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?",
                    {name})
              .empty();
}

void must_exec(Database& db, const std::string& sql, std::initializer_list<SqlValue> params) {
  auto tx = db.begin(TxMode::kWrite);
  REQUIRE(tx.has_value());
  auto r = (*tx)->exec(sql, params);
  REQUIRE_MESSAGE(r.has_value(), r.error().to_string());
  REQUIRE((*tx)->commit().ok());
}

}  // namespace

TEST_CASE("upgrade_schema creates every table, records versions and is idempotent") {
  TestDatabase t({}, /*migrate=*/false);
  auto before = schema_status(t.db());
  REQUIRE(before.has_value());
  CHECK(before->current_version == 0);
  CHECK(before->latest_version == models::latest_schema_version());
  CHECK(before->applied.empty());
  CHECK(before->pending.size() == static_cast<std::size_t>(models::latest_schema_version()));

  REQUIRE(upgrade_schema(t.db()).ok());
  REQUIRE(upgrade_schema(t.db()).ok());  // nothing left to do

  auto after = schema_status(t.db());
  REQUIRE(after.has_value());
  CHECK(after->current_version == models::latest_schema_version());
  CHECK(after->pending.empty());
  REQUIRE(after->applied.size() == static_cast<std::size_t>(models::latest_schema_version()));
  CHECK(after->applied[0] == "0001 initial schema");
  CHECK(query_all(t.db(), "SELECT COUNT(*) FROM prefectcore_migrations").at(0).int64(0) ==
        models::latest_schema_version());
  const auto tables = models::schema_tables();
  CHECK(tables.size() == 35);
  for (const std::string& table : tables) {
    CAPTURE(table);
    CHECK(query_all(t.db(), "SELECT COUNT(*) FROM " + table).at(0).int64(0) == 0);
  }
}

TEST_CASE("upgrading a version-1 database in place keeps its rows and adds 0002") {
  TestDatabase t({}, /*migrate=*/false);
  REQUIRE(models::upgrade_schema_to(t.db(), 1).ok());
  must_exec(t.db(), "INSERT INTO flow (id, name) VALUES (?, ?)",
            {std::string("00000000-0000-4000-8000-000000000001"), std::string("survivor")});
  auto old = schema_status(t.db());
  REQUIRE(old.has_value());
  CHECK(old->current_version == 1);
  REQUIRE(old->pending.size() == static_cast<std::size_t>(models::latest_schema_version() - 1));
  CHECK(old->pending[0] == "0002 scheduler schedule-id index");
  CHECK_FALSE(index_exists(t.db(), "ix_flow_run__schedule_id_scheduler"));

  REQUIRE(upgrade_schema(t.db()).ok());

  auto now = schema_status(t.db());
  REQUIRE(now.has_value());
  CHECK(now->current_version == models::latest_schema_version());
  CHECK(now->pending.empty());
  CHECK(index_exists(t.db(), "ix_flow_run__schedule_id_scheduler"));
  Rows rows = query_all(t.db(), "SELECT name FROM flow");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].text(0) == "survivor");
}

TEST_CASE("reset_schema drops the data, including rows in reference cycles, and re-applies") {
  TestDatabase t;
  const std::string pool = "00000000-0000-4000-8000-000000000001";
  const std::string queue = "00000000-0000-4000-8000-000000000002";
  must_exec(t.db(), "INSERT INTO work_pool (id, name, type) VALUES (?, ?, ?)",
            {pool, std::string("pool"), std::string("process")});
  must_exec(t.db(), "INSERT INTO work_queue (id, name, priority, work_pool_id) VALUES (?, ?, 1, ?)",
            {queue, std::string("default"), pool});
  must_exec(t.db(), "UPDATE work_pool SET default_queue_id = ? WHERE id = ?", {queue, pool});
  must_exec(t.db(), "INSERT INTO flow (id, name) VALUES (?, ?)",
            {std::string("00000000-0000-4000-8000-000000000003"), std::string("f")});

  REQUIRE(reset_schema(t.db()).ok());

  CHECK(query_all(t.db(), "SELECT COUNT(*) FROM work_pool").at(0).int64(0) == 0);
  CHECK(query_all(t.db(), "SELECT COUNT(*) FROM flow").at(0).int64(0) == 0);
  auto status = schema_status(t.db());
  REQUIRE(status.has_value());
  CHECK(status->current_version == models::latest_schema_version());
}

TEST_CASE("statements prepared before reset_schema still work after it") {
  TestDatabase t;
  const std::string sql = "SELECT COUNT(*) FROM flow WHERE name = ?";
  CHECK(query_all(t.db(), sql, {std::string("x")}).at(0).int64(0) == 0);
  REQUIRE(reset_schema(t.db()).ok());
  must_exec(t.db(), "INSERT INTO flow (id, name) VALUES (?, ?)",
            {std::string("00000000-0000-4000-8000-000000000001"), std::string("x")});
  CHECK(query_all(t.db(), sql, {std::string("x")}).at(0).int64(0) == 1);
}

TEST_CASE("two upgraders starting at once apply each migration exactly once") {
  TestDatabase t({}, /*migrate=*/false);
  auto other = t.open_another();  // another process's pool; null for :memory:
  Database& second = other ? *other : t.db();
  Status a, b;
  std::thread ta([&] { a = upgrade_schema(t.db()); });
  std::thread tb([&] { b = upgrade_schema(second); });
  ta.join();
  tb.join();
  CHECK_MESSAGE(a.ok(), a.to_string());
  CHECK_MESSAGE(b.ok(), b.to_string());
  CHECK(query_all(t.db(), "SELECT COUNT(*) FROM prefectcore_migrations").at(0).int64(0) ==
        models::latest_schema_version());
}

TEST_CASE("a database newer than this build is refused; unknown targets are invalid") {
  TestDatabase t;
  CHECK(models::upgrade_schema_to(t.db(), 99).code() == ErrorCode::kInvalidArgument);
  must_exec(t.db(), "INSERT INTO prefectcore_migrations (version, name, applied) VALUES (?, ?, ?)",
            {std::int64_t{99}, std::string("from the future"), std::string("2099-01-01")});
  const Status s = upgrade_schema(t.db());
  CHECK(s.code() == ErrorCode::kInternal);
  CHECK(s.message().find("newer") != std::string::npos);
}

TEST_CASE("the migration DDL is the same schema on both backends") {
  // Every statement of every migration must translate for both dialects; PostgreSQL gets
  // the same statements plus one ALTER TABLE per forward reference.
  for (const models::Migration& m : models::migrations()) {
    auto sqlite = models::migration_statements(m, Dialect{Backend::kSqlite});
    auto pg = models::migration_statements(m, Dialect{Backend::kPostgres});
    CHECK(pg.size() >= sqlite.size());
    for (const auto& s : pg) {
      const bool tokens_left = s.find("{B") != std::string::npos ||
                               s.find("{J") != std::string::npos ||
                               s.find("{L") != std::string::npos;
      CHECK_FALSE(tokens_left);
    }
  }
}
