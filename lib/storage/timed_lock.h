#pragma once

// A lock that may be released from any thread and is acquired with a deadline, for locks
// held by a Transaction object for its whole life (the SQLite writer lock).

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "lib/core/internal.h"

namespace prefectcore::storage {

// Thread-safe.
class TimedLock {
 public:
  enum class Outcome { kAcquired, kTimedOut, kHeldByThisThread };

  // Waits until the lock is free or `deadline` passes. A thread that already holds the lock
  // gets kHeldByThisThread at once instead of waiting for itself until the deadline.
  Outcome acquire(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    if (held_ && owner_ == std::this_thread::get_id()) {
      return Outcome::kHeldByThisThread;
    }
    ++waiting_;
    const bool acquired = cv_.wait_until(lock, deadline, [this] { return !held_; });
    --waiting_;
    if (!acquired) {
      return Outcome::kTimedOut;
    }
    held_ = true;
    owner_ = std::this_thread::get_id();
    return Outcome::kAcquired;
  }

  // How many threads are waiting in acquire() right now.
  int waiting() {
    std::lock_guard lock(mu_);
    return waiting_;
  }

  void release() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
      owner_ = {};
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false;
  int waiting_ = 0;
  std::thread::id owner_;
};

}  // namespace prefectcore::storage
