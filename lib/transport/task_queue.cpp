#include "lib/transport/task_queue.h"

namespace prefectcore::transport {
namespace {
thread_local bool tl_rejected = false;
}  // namespace

bool GrowingTaskQueue::task_rejected() { return tl_rejected; }

GrowingTaskQueue::~GrowingTaskQueue() { shutdown(); }

void GrowingTaskQueue::reap_locked(std::list<Worker>& out) {
  for (auto it = workers_.begin(); it != workers_.end();) {
    auto next = std::next(it);
    if (it->done) {
      out.splice(out.end(), workers_, it);
    }
    it = next;
  }
}

void GrowingTaskQueue::enqueue(std::function<void()> fn) {
  std::list<Worker> finished;
  {
    std::unique_lock lock(mu_);
    reap_locked(finished);
    if (!shutdown_ && jobs_.size() < idle_) {
      jobs_.push_back(std::move(fn));
      cv_.notify_one();
    } else if (!shutdown_ && live_ < max_threads_) {
      jobs_.push_back(std::move(fn));
      ++live_;
      auto it = workers_.emplace(workers_.end());
      it->thread = std::thread([this, it] { run(it); });
    } else {
      lock.unlock();
      tl_rejected = true;
      fn();
      tl_rejected = false;
    }
  }
  // Retired threads have finished their work; joining them here is immediate.
  for (auto& w : finished) {
    w.thread.join();
  }
}

void GrowingTaskQueue::run(std::list<Worker>::iterator self) {
  std::unique_lock lock(mu_);
  for (;;) {
    ++idle_;
    bool got = cv_.wait_for(lock, idle_retire_, [&] { return !jobs_.empty() || shutdown_; });
    --idle_;
    if (jobs_.empty()) {
      // Retire when idle for too long, or at shutdown with no work left. Stay if a job was
      // handed to us and then taken by another worker: only retire on a real timeout.
      if (shutdown_ || !got) {
        break;
      }
      continue;
    }
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    job = nullptr;
    lock.lock();
  }
  --live_;
  self->done = true;
  cv_.notify_all();
}

void GrowingTaskQueue::shutdown() {
  std::list<Worker> all;
  {
    std::unique_lock lock(mu_);
    shutdown_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return live_ == 0; });
    all.splice(all.end(), workers_);
  }
  for (auto& w : all) {
    w.thread.join();
  }
}

std::size_t GrowingTaskQueue::thread_count() const {
  std::lock_guard lock(mu_);
  return live_;
}

}  // namespace prefectcore::transport
