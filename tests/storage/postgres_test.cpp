// PostgreSQL specifics: URL parsing and placeholder rewriting (pure), then timeouts, killed
// connections and pool exhaustion against a real server (postgres-only).

#include <chrono>
#include <thread>

#include <doctest/doctest.h>

#include <prefectcore/database.h>

#include "lib/storage/postgres/pg_connection.h"
#include "lib/storage/postgres/pg_url.h"
#include "lib/storage/stats.h"
#include "tests/storage/backend.h"

using namespace prefectcore;
using namespace prefectcore::storage;
using prefectcore::testing::TestDatabase;

namespace {

std::string keyword(const PgTarget& t, std::string_view key) {
  for (const auto& [k, v] : t.keywords) {
    if (k == key) {
      return v;
    }
  }
  return "<unset>";
}

std::string rewrite(std::string_view sql) {
  int n = 0;
  return rewrite_placeholders(sql, n);
}

DatabaseStats stats_of(Database& db) {
  auto* p = dynamic_cast<StatsProvider*>(&db);
  REQUIRE(p != nullptr);
  return p->stats();
}

std::int64_t backend_pid(Database& db) {
  auto tx = db.begin(TxMode::kRead);
  REQUIRE_MESSAGE(tx.has_value(), tx.error().to_string());
  auto rows = (*tx)->query("SELECT pg_backend_pid()");
  REQUIRE(rows.has_value());
  REQUIRE((*tx)->commit().ok());
  return rows->at(0).int64(0);
}

// Terminates backend `pid` from another connection and waits until it is gone.
void terminate_backend(const TestDatabase& t, std::int64_t pid) {
  auto admin = t.open_another();
  {
    auto tx = admin->begin(TxMode::kWrite);
    REQUIRE(tx.has_value());
    auto r = (*tx)->query("SELECT pg_terminate_backend(CAST(? AS INTEGER))", {pid});
    REQUIRE_MESSAGE(r.has_value(), r.error().to_string());
    CHECK(r->at(0).boolean(0));
    REQUIRE((*tx)->commit().ok());
  }
  // The server ends the backend asynchronously: poll pg_stat_activity (bounded).
  for (int i = 0; i < 500; ++i) {
    auto tx = admin->begin(TxMode::kRead);
    REQUIRE(tx.has_value());
    auto r =
        (*tx)->query("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = CAST(? AS INTEGER)", {pid});
    REQUIRE(r.has_value());
    if (r->at(0).int64(0) == 0) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("backend " << pid << " did not exit");
}

}  // namespace

TEST_SUITE("pure") {
  TEST_CASE("postgres URLs become libpq keywords; the description hides the password") {
    DatabaseSettings s;
    s.timeout = 2.5;
    s.connection_timeout = 5;
    auto t =
        parse_postgres_url("postgresql+asyncpg://pre%40fect:s%3Acret@db.local:6543/prefect", s);
    REQUIRE(t.has_value());
    CHECK(keyword(*t, "user") == "pre@fect");
    CHECK(keyword(*t, "password") == "s:cret");
    CHECK(keyword(*t, "host") == "db.local");
    CHECK(keyword(*t, "port") == "6543");
    CHECK(keyword(*t, "dbname") == "prefect");
    CHECK(keyword(*t, "options") == "-c statement_timeout=2500");
    CHECK(keyword(*t, "connect_timeout") == "5");
    CHECK(keyword(*t, "application_name") == "prefectcore");
    CHECK(t->description == "postgresql://pre@fect@db.local:6543/prefect");
    CHECK(t->description.find("s:cret") == std::string::npos);

    auto q = parse_postgres_url(
        "postgresql://u@[::1]/db?ssl=require&options=-csearch_path%3Dx&bogus=1", s);
    REQUIRE(q.has_value());
    CHECK(keyword(*q, "host") == "::1");
    CHECK(keyword(*q, "port") == "<unset>");
    CHECK(keyword(*q, "sslmode") == "require");
    CHECK(keyword(*q, "options") == "-c statement_timeout=2500 -csearch_path=x");
    CHECK(keyword(*q, "bogus") == "<unset>");

    auto socket = parse_postgres_url("postgres:///prefect?host=/var/run/postgresql", s);
    REQUIRE(socket.has_value());
    CHECK(keyword(*socket, "host") == "/var/run/postgresql");

    CHECK(parse_postgres_url("mysql://x/y", s).error().code() == ErrorCode::kInvalidArgument);
    CHECK(parse_postgres_url("postgresql://h:port/db", s).error().code() ==
          ErrorCode::kInvalidArgument);
    CHECK(parse_postgres_url("postgresql://u:%zz@h/db", s).error().code() ==
          ErrorCode::kInvalidArgument);
  }

  TEST_CASE("? placeholders become $n outside literals, identifiers and comments") {
    int n = 0;
    CHECK(rewrite_placeholders("SELECT ? , ?", n) == "SELECT $1 , $2");
    CHECK(n == 2);
    CHECK(rewrite("SELECT '?', 'it''s ?', ?") == "SELECT '?', 'it''s ?', $1");
    CHECK(rewrite(R"(SELECT "we?rd" FROM t WHERE a = ?)") ==
          R"(SELECT "we?rd" FROM t WHERE a = $1)");
    CHECK(rewrite("SELECT ? -- why?\n, ?") == "SELECT $1 -- why?\n, $2");
    CHECK(rewrite("SELECT /* ? */ ?") == "SELECT /* ? */ $1");
    CHECK(rewrite("SELECT $$a?b$$, $tag$?$tag$, ?") == "SELECT $$a?b$$, $tag$?$tag$, $1");
    CHECK(rewrite(R"(SELECT E'\'?', ?)") == R"(SELECT E'\'?', $1)");
    CHECK(rewrite("SELECT 'unterminated ?") == "SELECT 'unterminated ?");
  }

  TEST_CASE("SQLSTATEs map to the retryable, conflict and internal codes") {
    CHECK(postgres_status("23505", "dup").code() == ErrorCode::kConflict);
    CHECK(postgres_status("23503", "fk").code() == ErrorCode::kConflict);
    for (const char* s : {"40001", "40P01", "57014", "08006", "08003", "57P01", "55P03"}) {
      CAPTURE(s);
      CHECK(postgres_status(s, "retry").code() == ErrorCode::kUnavailable);
    }
    CHECK(postgres_status("42P01", "no table").code() == ErrorCode::kInternal);
    CHECK(postgres_status("23502", "not null").code() == ErrorCode::kInternal);
  }
}

TEST_SUITE("postgres-only") {
  TEST_CASE("a statement over the timeout is kUnavailable and the pool stays healthy") {
    DatabaseSettings s;
    s.timeout = 0.3;
    TestDatabase t(s, /*migrate=*/false);
    const auto before = stats_of(t.db());
    {
      auto tx = t.db().begin(TxMode::kRead);
      REQUIRE(tx.has_value());
      auto slow = (*tx)->query("SELECT pg_sleep(5)");
      REQUIRE_FALSE(slow.has_value());
      CHECK(slow.error().code() == ErrorCode::kUnavailable);
    }
    for (int i = 0; i < 3; ++i) {
      CHECK(t.db().ping().ok());
    }
    const auto after = stats_of(t.db());
    CHECK(after.connections_opened == before.connections_opened);  // no reconnect needed
    CHECK(after.connections_discarded == before.connections_discarded);
  }

  TEST_CASE("a pooled connection killed by the server is replaced on next use") {
    DatabaseSettings s;
    s.pool_size = 1;
    s.max_overflow = 0;
    TestDatabase t(s, /*migrate=*/false);
    const std::int64_t first = backend_pid(t.db());
    terminate_backend(t, first);
    const std::int64_t second = backend_pid(t.db());  // no error reaches the caller
    CHECK(second != first);
    CHECK(stats_of(t.db()).connections_discarded >= 1);
    CHECK(t.db().ping().ok());
  }

  TEST_CASE("a connection older than pool_recycle is replaced when next handed out") {
    DatabaseSettings s;
    s.pool_size = 1;
    s.max_overflow = 0;
    s.pool_recycle = 0.05;
    TestDatabase t(s, /*migrate=*/false);
    const std::int64_t first = backend_pid(t.db());
    // The pool reads its own steady clock: let the connection age past pool_recycle.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::int64_t second = backend_pid(t.db());
    CHECK(second != first);
    CHECK(stats_of(t.db()).connections_discarded >= 1);
  }

  TEST_CASE("a connection killed inside a transaction fails it as kUnavailable, not the pool") {
    DatabaseSettings s;
    s.pool_size = 1;
    s.max_overflow = 0;
    TestDatabase t(s, /*migrate=*/false);
    {
      auto tx = t.db().begin(TxMode::kWrite);
      REQUIRE(tx.has_value());
      auto pid = (*tx)->query("SELECT pg_backend_pid()");
      REQUIRE(pid.has_value());
      terminate_backend(t, pid->at(0).int64(0));
      auto r = (*tx)->query("SELECT 1");
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code() == ErrorCode::kUnavailable);
      CHECK((*tx)->commit().code() == ErrorCode::kUnavailable);
    }
    CHECK(t.db().ping().ok());
  }

  TEST_CASE("an exhausted pool answers kUnavailable after pool_timeout") {
    DatabaseSettings s;
    s.pool_size = 1;
    s.max_overflow = 1;
    s.pool_timeout = 0.2;
    TestDatabase t(s, /*migrate=*/false);
    auto a = t.db().begin(TxMode::kRead);
    auto b = t.db().begin(TxMode::kRead);
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    auto c = t.db().begin(TxMode::kRead);
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().code() == ErrorCode::kUnavailable);
    b->reset();  // the overflow connection is closed, freeing a slot
    CHECK(t.db().begin(TxMode::kRead).has_value());
  }

  TEST_CASE("an unreachable server is kUnavailable at open") {
    DatabaseSettings s;
    s.connection_timeout = 2;
    // Port 1 on localhost: nothing listens there, the connection is refused at once.
    auto db = open_database("postgresql://postgres@127.0.0.1:1/none", s);
    REQUIRE_FALSE(db.has_value());
    CHECK(db.error().code() == ErrorCode::kUnavailable);
  }
}
