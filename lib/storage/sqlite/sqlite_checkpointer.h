#pragma once

// Why a checkpoint thread: SQLite's automatic checkpoint runs in the commit that crosses
// 1000 WAL pages, i.e. inside the write lock, stalling every writer behind it. The writer
// connection's WAL hook instead wakes this thread, which runs a PASSIVE checkpoint on its
// own connection, concurrently with readers and the next writers.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/storage/stats.h"

namespace prefectcore::storage {

// Thread-safe. The thread starts with the first request and is joined by the destructor.
class SqliteCheckpointer {
 public:
  SqliteCheckpointer(std::string path, DatabaseSettings settings, StatsCounters& counters)
      : path_(std::move(path)), settings_(std::move(settings)), counters_(counters) {}
  ~SqliteCheckpointer();
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  // A SqliteConnection::replace_autocheckpoint hook (`self` is the checkpointer): asks for a
  // checkpoint once the WAL holds SQLite's usual threshold of pages.
  static void wal_committed(void* self, int wal_pages);

 private:
  static constexpr int kCheckpointPages = 1000;  // SQLite's default autocheckpoint
  void request();
  void loop();

  const std::string path_;
  const DatabaseSettings settings_;
  StatsCounters& counters_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace prefectcore::storage
