#include "lib/storage/sqlite/sqlite_checkpointer.h"

#include "lib/storage/sqlite/sqlite_connection.h"

namespace prefectcore::storage {

SqliteCheckpointer::~SqliteCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void SqliteCheckpointer::wal_committed(void* self, int wal_pages) {
  if (wal_pages >= kCheckpointPages) {
    static_cast<SqliteCheckpointer*>(self)->request();
  }
}

void SqliteCheckpointer::request() {
  {
    std::lock_guard lock(mu_);
    if (stop_) {
      return;
    }
    wanted_ = true;
    if (!thread_.joinable()) {
      thread_ = std::thread([this] { loop(); });
    }
  }
  cv_.notify_one();
}

void SqliteCheckpointer::loop() {
  std::unique_ptr<SqliteConnection> conn;
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return wanted_ || stop_; });
    if (stop_) {
      return;
    }
    wanted_ = false;
    lock.unlock();
    if (!conn) {
      auto opened = SqliteConnection::open(path_, settings_, counters_);
      if (opened) {
        conn = std::move(*opened);
      }
    }
    if (conn) {
      (void)conn->run("PRAGMA wal_checkpoint(PASSIVE)", {}, nullptr);
    }
    lock.lock();
  }
}

}  // namespace prefectcore::storage
