// FaultyDatabase injects failures in front of a real backend.

#include <doctest/doctest.h>

#include <prefectcore/database.h>

#include "lib/storage/faulty_database.h"
#include "tests/storage/backend.h"

using namespace prefectcore;
using namespace prefectcore::storage;

namespace {

std::unique_ptr<FaultyDatabase> faulty_memory_db() {
  auto inner = open_database("sqlite:///:memory:", {});
  REQUIRE(inner.has_value());
  REQUIRE(upgrade_schema(**inner).ok());
  return std::make_unique<FaultyDatabase>(std::move(inner).value());
}

std::int64_t flows(Database& db) {
  auto tx = db.begin(TxMode::kRead);
  REQUIRE(tx.has_value());
  return (*tx)->query("SELECT COUNT(*) FROM flow")->at(0).int64(0);
}

Result<std::int64_t> insert_flow(Transaction& tx, const std::string& name) {
  return tx.exec("INSERT INTO flow (id, name) VALUES (?, ?)",
                 {"00000000-0000-4000-8000-0000000000" + name, name});
}

}  // namespace

TEST_SUITE("pure") {
  TEST_CASE("fail_next(kBegin) surfaces the injected status once") {
    auto db = faulty_memory_db();
    db->fail_next(DbOp::kBegin, Status::unavailable("SQLITE_BUSY"));
    auto tx = db->begin(TxMode::kWrite);
    REQUIRE_FALSE(tx.has_value());
    CHECK(tx.error().code() == ErrorCode::kUnavailable);
    CHECK(tx.error().message() == "SQLITE_BUSY");
    CHECK(db->begin(TxMode::kWrite).has_value());
    CHECK(db->count(DbOp::kBegin) == 2);
  }

  TEST_CASE("fail_next(kCommit) returns the status and rolls the work back") {
    auto db = faulty_memory_db();
    db->fail_next(DbOp::kCommit, Status::unavailable("injected"));
    {
      auto tx = db->begin(TxMode::kWrite);
      REQUIRE(tx.has_value());
      REQUIRE(insert_flow(**tx, "01").has_value());
      const Status s = (*tx)->commit();
      CHECK(s.code() == ErrorCode::kUnavailable);
      CHECK(s.message() == "injected");
    }
    CHECK(flows(*db) == 0);
    auto tx = db->begin(TxMode::kWrite);
    REQUIRE(insert_flow(**tx, "02").has_value());
    CHECK((*tx)->commit().ok());
    tx->reset();
    CHECK(flows(*db) == 1);
  }

  TEST_CASE("fail_next(kExec) can target a statement by its SQL and aborts the transaction") {
    auto db = faulty_memory_db();
    db->fail_next(DbOp::kExec, Status::conflict("injected conflict"), "INSERT INTO flow_run");
    auto tx = db->begin(TxMode::kWrite);
    REQUIRE(tx.has_value());
    REQUIRE(insert_flow(**tx, "01").has_value());  // not the targeted statement
    auto r = (*tx)->exec(
        "INSERT INTO flow_run (id, name, flow_id) VALUES (?, ?, ?)",
        {std::string("r"), std::string("r"), std::string("00000000-0000-4000-8000-000000000001")});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ErrorCode::kConflict);
    CHECK((*tx)->commit().code() == ErrorCode::kConflict);
    tx->reset();
    CHECK(flows(*db) == 0);
  }

  TEST_CASE("fail_next(kQuery) fails the next query only") {
    auto db = faulty_memory_db();
    db->fail_next(DbOp::kQuery, Status::internal("disk on fire"));
    {
      auto tx = db->begin(TxMode::kRead);
      REQUIRE(tx.has_value());
      CHECK((*tx)->query("SELECT 1").error().message() == "disk on fire");
    }
    CHECK(flows(*db) == 0);
    CHECK(db->count(DbOp::kQuery) == 2);
  }
}
