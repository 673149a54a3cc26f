// Row accessors, the Dialect and the schema DDL translation: pure code, no database.

#include <algorithm>

#include <doctest/doctest.h>

#include <prefectcore/database.h>

#include "lib/models/migrations.h"
#include "lib/models/schema/ddl.h"

using namespace prefectcore;

TEST_SUITE("pure") {
  TEST_CASE("Row converts between cell types") {
    Row row({SqlNull{}, std::int64_t{42}, 2.5, true, std::string("17"), JsonText{"[1]"},
             std::string("t"), std::string("1.9"), std::string("false")});
    CHECK(row.size() == 9);
    CHECK(row.is_null(0));
    CHECK(row.text(0).empty());
    CHECK_FALSE(row.opt_text(0).has_value());
    CHECK(row.int64(0) == 0);
    CHECK(row.text(1) == "42");
    CHECK(row.real(1) == 42.0);
    CHECK(row.boolean(1));
    CHECK(row.text(2) == "2.5");
    CHECK(row.int64(2) == 2);
    CHECK(row.boolean(3));
    CHECK(row.int64(3) == 1);
    CHECK(row.text(3) == "true");
    CHECK(row.int64(4) == 17);
    CHECK(row.real(4) == 17.0);
    CHECK(row.text(5) == "[1]");
    CHECK(row.boolean(6));
    CHECK(row.int64(7) == 1);
    CHECK(row.real(7) == 1.9);
    CHECK_FALSE(row.boolean(8));
    CHECK(row.opt_text(4).value() == "17");
  }

  TEST_CASE("Dialect spells the backend differences") {
    const Dialect sqlite{Backend::kSqlite};
    const Dialect pg{Backend::kPostgres};
    CHECK(sqlite.for_update().empty());
    CHECK(pg.for_update() == " FOR UPDATE");
    CHECK(sqlite.skip_locked().empty());
    CHECK(pg.skip_locked() == " FOR UPDATE SKIP LOCKED");
    CHECK(sqlite.ilike() == "LIKE");
    CHECK(pg.ilike() == "ILIKE");
    CHECK(sqlite.json_text("created_by", "id") == "json_extract(created_by, '$.id')");
    CHECK(pg.json_text("created_by", "id") == "(created_by::jsonb ->> 'id')");
    CHECK(sqlite.json_text("c", "odd key'") == R"(json_extract(c, '$."odd key''"'))");
    CHECK(Dialect::escape_like(R"(50%_off\now)") == R"(50\%\_off\\now)");
  }

  TEST_CASE("the schema DDL translates tokens per backend") {
    const std::string_view ddl[] = {
        "CREATE TABLE a (\n  {BASE},\n  b_id {UUID} {LATE_REF b(id) ON DELETE SET NULL},\n"
        "  at {TS} NOT NULL DEFAULT {NOW},\n  ok {BOOL} NOT NULL DEFAULT 0,\n"
        "  x {REAL},\n  doc {JSON} NOT NULL DEFAULT '{}'\n)",
        "CREATE TABLE b (\n  {BASE}\n)",
    };
    auto sqlite = models::schema::translate(ddl, Backend::kSqlite);
    auto pg = models::schema::translate(ddl, Backend::kPostgres);
    REQUIRE(sqlite.size() == 4);  // two tables, two updated indexes
    REQUIRE(pg.size() == 5);      // and the forward reference as ALTER TABLE
    CHECK(sqlite[0].find("b_id TEXT REFERENCES b(id) ON DELETE SET NULL,") != std::string::npos);
    CHECK(sqlite[0].find("strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z'") != std::string::npos);
    CHECK(sqlite[0].find("x REAL") != std::string::npos);
    CHECK(sqlite[0].find("ok INTEGER NOT NULL DEFAULT 0") != std::string::npos);
    CHECK(sqlite[0].find("doc TEXT NOT NULL DEFAULT '{}'") != std::string::npos);
    CHECK(sqlite[1] == "CREATE INDEX ix_a__updated ON a (updated)");
    CHECK(pg[0].find("b_id TEXT,") != std::string::npos);
    CHECK(pg[0].find("REFERENCES") == std::string::npos);
    CHECK(pg[0].find("x DOUBLE PRECISION") != std::string::npos);
    CHECK(pg[0].find("TO_CHAR(NOW() AT TIME ZONE 'UTC'") != std::string::npos);
    CHECK(pg[4] ==
          "ALTER TABLE a ADD CONSTRAINT fk_a__b_id__b FOREIGN KEY (b_id) REFERENCES b(id) ON "
          "DELETE SET NULL");
    auto refs = models::schema::late_refs(ddl);
    REQUIRE(refs.size() == 1);
    CHECK(refs[0].table == "a");
    CHECK(refs[0].column == "b_id");
  }

  TEST_CASE("migration 0001 creates every upstream table") {
    // concurrency_lease (0003) holds what upstream keeps in its lease storage.
    std::vector<std::string> expected = {"flow",
                                         "flow_run",
                                         "flow_run_state",
                                         "task_run",
                                         "task_run_state",
                                         "task_run_state_cache",
                                         "flow_run_input",
                                         "deployment",
                                         "deployment_schedule",
                                         "work_pool",
                                         "work_queue",
                                         "worker",
                                         "agent",
                                         "block_type",
                                         "block_schema",
                                         "block_schema_reference",
                                         "block_document",
                                         "block_document_reference",
                                         "configuration",
                                         "variable",
                                         "concurrency_limit",
                                         "concurrency_limit_v2",
                                         "log",
                                         "artifact",
                                         "artifact_collection",
                                         "saved_search",
                                         "csrf_token",
                                         "events",
                                         "event_resources",
                                         "automation",
                                         "automation_bucket",
                                         "automation_related_resource",
                                         "composite_trigger_child_firing",
                                         "automation_event_follower",
                                         "concurrency_lease"};
    auto tables = models::schema_tables();
    std::sort(expected.begin(), expected.end());
    std::sort(tables.begin(), tables.end());
    CHECK(tables == expected);
  }
}
