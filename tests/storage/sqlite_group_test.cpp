// Group commit on a SQLite file (lib/storage/sqlite/sqlite_database.cpp): write transactions
// queued behind each other share one COMMIT, each keeps its own rollback, and nobody's
// commit() returns before the shared COMMIT. Only the sqlite-file backend groups; the other
// backends return at once from these cases.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include <prefectcore/database.h>

#include "lib/storage/stats.h"
#include "tests/storage/backend.h"

using namespace prefectcore;
using namespace prefectcore::storage;
using prefectcore::testing::TestDatabase;

namespace {

bool on_sqlite_file() {
  return prefectcore::testing::current_backend() == prefectcore::testing::TestBackend::kSqliteFile;
}

std::string flow_id(int worker, int i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", worker * 1000 + i);
  return buf;
}

Status insert_flow(Transaction& tx, const std::string& id) {
  return tx.exec("INSERT INTO flow (id, name) VALUES (?, ?)", {id, id}).status();
}

std::int64_t flows_with_id(Database& db, const std::string& id) {
  auto tx = db.begin(TxMode::kRead);
  REQUIRE(tx.has_value());
  auto rows = (*tx)->query("SELECT COUNT(*) FROM flow WHERE id = ?", {id});
  REQUIRE(rows.has_value());
  return rows->at(0).int64(0);
}

DatabaseStats stats_of(Database& db) {
  auto* stats = dynamic_cast<StatsProvider*>(&db);
  REQUIRE(stats != nullptr);
  return stats->stats();
}

std::int64_t group_commits(Database& db) { return stats_of(db).group_commits; }

}  // namespace

TEST_SUITE("sqlite-only") {
  TEST_CASE("a writer that finds another queued waits for it; the last one commits for both") {
    if (!on_sqlite_file()) {
      return;
    }
    TestDatabase t;
    const std::int64_t commits_before = group_commits(t.db());
    auto a = t.db().begin(TxMode::kWrite);
    REQUIRE(a.has_value());
    REQUIRE(insert_flow(**a, flow_id(1, 1)).ok());

    std::atomic<bool> b_done{false};
    std::thread b([&] {
      auto tx = t.db().begin(TxMode::kWrite);  // queues behind a
      REQUIRE(tx.has_value());
      REQUIRE(insert_flow(**tx, flow_id(2, 1)).ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      b_done = true;
      // Destroyed without commit: its own work is rolled back, a's is committed.
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // b is queued by now
    const Status committed = (*a)->commit();
    const bool b_finished_first = b_done.load();
    b.join();

    CHECK(committed.ok());
    CHECK(b_finished_first);  // a's commit() waited for the group's COMMIT, made by b
    CHECK(flows_with_id(t.db(), flow_id(1, 1)) == 1);
    CHECK(flows_with_id(t.db(), flow_id(2, 1)) == 0);
    CHECK(group_commits(t.db()) - commits_before == 1);
  }

  TEST_CASE("concurrent writers keep exactly the work of those that committed, visible at once") {
    if (!on_sqlite_file()) {
      return;
    }
    TestDatabase t;
    const std::int64_t commits_before = group_commits(t.db());
    constexpr int kThreads = 8;
    constexpr int kWrites = 30;
    std::atomic<int> committed{0};
    std::atomic<int> unexpected{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < kThreads; ++w) {
      threads.emplace_back([&, w] {
        for (int i = 0; i < kWrites; ++i) {
          auto tx = t.db().begin(TxMode::kWrite);
          if (!tx || !insert_flow(**tx, flow_id(w, i)).ok()) {
            unexpected++;
            continue;
          }
          const bool doomed = i % 5 == 0;  // a duplicate id: the statement fails
          if (doomed && insert_flow(**tx, flow_id(w, i)).code() != ErrorCode::kConflict) {
            unexpected++;
          }
          const Status s = (*tx)->commit();
          if (doomed != !s.ok()) {
            unexpected++;
            continue;
          }
          if (!doomed) {
            committed++;
            // The caller was told "committed": a reader on another connection sees it.
            if (flows_with_id(t.db(), flow_id(w, i)) != 1) {
              unexpected++;
            }
          }
        }
      });
    }
    for (auto& th : threads) {
      th.join();
    }
    CHECK(unexpected.load() == 0);
    CHECK(committed.load() == kThreads * (kWrites - kWrites / 5));
    auto tx = t.db().begin(TxMode::kRead);
    REQUIRE(tx.has_value());
    auto rows = (*tx)->query("SELECT COUNT(*) FROM flow");
    REQUIRE(rows.has_value());
    CHECK(rows->at(0).int64(0) == committed.load());
    const std::int64_t commits = group_commits(t.db()) - commits_before;
    CHECK(commits >= 1);
    CHECK(commits <= committed.load());
    MESSAGE(committed.load() << " committed writes in " << commits << " COMMITs");
  }

  TEST_CASE("a failed write transaction before any other leaves the next one a clean slate") {
    if (!on_sqlite_file()) {
      return;
    }
    TestDatabase t;
    {
      auto tx = t.db().begin(TxMode::kWrite);
      REQUIRE(tx.has_value());
      REQUIRE(insert_flow(**tx, flow_id(3, 1)).ok());
      CHECK((*tx)->exec("INSERT INTO no_such_table VALUES (1)").status().code() != ErrorCode::kOk);
      CHECK_FALSE((*tx)->commit().ok());
    }
    auto tx = t.db().begin(TxMode::kWrite);
    REQUIRE(tx.has_value());
    REQUIRE(insert_flow(**tx, flow_id(3, 2)).ok());
    REQUIRE((*tx)->commit().ok());
    CHECK(flows_with_id(t.db(), flow_id(3, 1)) == 0);
    CHECK(flows_with_id(t.db(), flow_id(3, 2)) == 1);
  }

  TEST_CASE("a WAL past 32 MiB is checkpointed and truncated while a reader comes and goes") {
    if (!on_sqlite_file()) {
      return;
    }
    TestDatabase t;
    const std::string path = t.url().substr(std::string("sqlite:///").size());
    const std::string big(3000, 'x');
    int next = 0;
    std::int64_t largest_wal = 0;
    // ~12,000 pages of rows and index entries: past the threshold once, not twice.
    for (int batch = 0; batch < 60 && stats_of(t.db()).wal_truncations == 0; ++batch) {
      auto reader = t.db().begin(TxMode::kRead);  // an overlapping reader, as under load
      REQUIRE(reader.has_value());
      REQUIRE((*reader)->query("SELECT COUNT(*) FROM flow").has_value());
      auto tx = t.db().begin(TxMode::kWrite);
      REQUIRE(tx.has_value());
      for (int i = 0; i < 100; ++i, ++next) {
        REQUIRE((*tx)
                    ->exec("INSERT INTO flow (id, name) VALUES (?, ?)",
                           {flow_id(7, next), big + std::to_string(next)})
                    .has_value());
      }
      reader->reset();
      REQUIRE((*tx)->commit().ok());
      std::error_code ec;
      largest_wal = std::max<std::int64_t>(
          largest_wal, static_cast<std::int64_t>(std::filesystem::file_size(path + "-wal", ec)));
    }
    CHECK(stats_of(t.db()).wal_truncations == 1);
    std::error_code ec;
    CHECK(std::filesystem::file_size(path + "-wal", ec) < 1024 * 1024);
    CHECK(largest_wal < 96 * 1024 * 1024);  // a PASSIVE checkpoint may delay it a little
    auto tx = t.db().begin(TxMode::kRead);
    REQUIRE(tx.has_value());
    auto rows = (*tx)->query("SELECT COUNT(*) FROM flow");
    REQUIRE(rows.has_value());
    CHECK(rows->at(0).int64(0) == next);  // nothing lost to the truncation
  }
}
