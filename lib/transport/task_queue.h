#pragma once

// The connection thread pool handed to cpp-httplib (Server::new_task_queue). Each
// connection holds a thread for its whole keep-alive life, so a fixed pool sized by cores
// would be starved by idle keep-alive clients (DESIGN.md: size it by max clients). This
// pool grows on demand up to `max_threads`, reuses idle threads, lets threads that stay
// idle retire, and refuses work beyond the bound instead of queueing it forever.
//
// Thread-safety: enqueue() is called by cpp-httplib's accept thread; shutdown() once.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

#include <httplib.h>

#include "lib/core/internal.h"

namespace prefectcore::transport {

class GrowingTaskQueue final : public httplib::TaskQueue {
 public:
  explicit GrowingTaskQueue(std::size_t max_threads,
                            std::chrono::milliseconds idle_retire = std::chrono::seconds(30))
      : max_threads_(max_threads), idle_retire_(idle_retire) {}
  ~GrowingTaskQueue() override;

  // Runs `fn` on an idle or new thread. At the bound, runs it inline on the caller with
  // task_rejected() true, so the connection handler can answer 503 and close at once.
  void enqueue(std::function<void()> fn) override;
  // Finishes every queued and running task, then joins all threads.
  void shutdown() override;

  std::size_t thread_count() const;

  // True while a task runs inline because the pool was full.
  static bool task_rejected();

 private:
  struct Worker {
    std::thread thread;
    bool done = false;
  };
  void run(std::list<Worker>::iterator self);
  void reap_locked(std::list<Worker>& out);

  const std::size_t max_threads_;
  const std::chrono::milliseconds idle_retire_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::list<Worker> workers_;  // a live thread per element until reaped
  std::size_t live_ = 0;       // workers not yet done
  std::size_t idle_ = 0;       // workers waiting for a job
  bool shutdown_ = false;
};

}  // namespace prefectcore::transport
