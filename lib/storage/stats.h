#pragma once

// Counters both backends keep, for tests and diagnostics (not part of the public API).

#include <atomic>
#include <cstdint>

#include "lib/core/internal.h"

namespace prefectcore::storage {

struct DatabaseStats {
  std::int64_t statements_prepared = 0;   // prepared-statement cache misses
  std::int64_t statement_cache_hits = 0;  // executions that reused a prepared statement
  std::int64_t connections_opened = 0;
  std::int64_t connections_discarded = 0;  // broken, recycled or overflow connections closed
  std::int64_t group_commits = 0;          // SQLite files: COMMITs of the writer connection
  std::int64_t wal_truncations = 0;        // SQLite files: TRUNCATE checkpoints of a large WAL
};

// Implemented by the backends next to Database; reach it with dynamic_cast.
// Thread-safe.
class StatsProvider {
 public:
  StatsProvider() = default;
  StatsProvider(const StatsProvider&) = delete;
  StatsProvider& operator=(const StatsProvider&) = delete;
  virtual ~StatsProvider() = default;
  virtual DatabaseStats stats() const = 0;
};

// The atomic counters behind a StatsProvider.
struct StatsCounters {
  std::atomic<std::int64_t> statements_prepared{0};
  std::atomic<std::int64_t> statement_cache_hits{0};
  std::atomic<std::int64_t> connections_opened{0};
  std::atomic<std::int64_t> connections_discarded{0};
  std::atomic<std::int64_t> group_commits{0};
  std::atomic<std::int64_t> wal_truncations{0};

  DatabaseStats snapshot() const {
    return {statements_prepared.load(),   statement_cache_hits.load(), connections_opened.load(),
            connections_discarded.load(), group_commits.load(),        wal_truncations.load()};
  }
};

}  // namespace prefectcore::storage
