#pragma once

// The in-process publish/subscribe bus. Publishers hand over immutable items; every current
// subscriber's callback runs synchronously on the publisher's thread, so a callback must only
// enqueue (never block, never call back into the bus). Items are shared, not copied, per
// subscriber. Thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "lib/core/internal.h"
#include "lib/events/event.h"

namespace prefectcore::events {

template <typename T>
class Broadcast {
 public:
  using Item = std::shared_ptr<const T>;
  using Subscriber = std::function<void(const std::vector<Item>&)>;

  Broadcast() = default;
  Broadcast(const Broadcast&) = delete;
  Broadcast& operator=(const Broadcast&) = delete;

  // Registers `callback`; the returned token unsubscribes it.
  std::uint64_t subscribe(Subscriber callback) {
    std::lock_guard lock(mutex_);
    auto next = std::make_shared<std::vector<Entry>>(*subscribers_);
    next->push_back({++last_token_, std::make_shared<Subscriber>(std::move(callback))});
    subscribers_ = std::move(next);
    return last_token_;
  }

  // After this returns, `token`'s callback is not started again (a call already running on
  // another thread may still finish).
  void unsubscribe(std::uint64_t token) {
    std::lock_guard lock(mutex_);
    auto next = std::make_shared<std::vector<Entry>>();
    for (const auto& entry : *subscribers_) {
      if (entry.token != token) {
        next->push_back(entry);
      }
    }
    subscribers_ = std::move(next);
  }

  void publish(const std::vector<Item>& items) {
    if (items.empty()) {
      return;
    }
    std::shared_ptr<const std::vector<Entry>> current;
    {
      std::lock_guard lock(mutex_);
      current = subscribers_;
    }
    for (const auto& entry : *current) {
      (*entry.callback)(items);
    }
  }

  void publish(T item) { publish({std::make_shared<const T>(std::move(item))}); }

  std::size_t subscriber_count() const {
    std::lock_guard lock(mutex_);
    return subscribers_->size();
  }

 private:
  struct Entry {
    std::uint64_t token;
    std::shared_ptr<Subscriber> callback;
  };
  mutable std::mutex mutex_;
  // Copy-on-write so publish never holds the lock while callbacks run.
  std::shared_ptr<const std::vector<Entry>> subscribers_ =
      std::make_shared<const std::vector<Entry>>();
  std::uint64_t last_token_ = 0;
};

using EventBus = Broadcast<Event>;
using EventPtr = EventBus::Item;

}  // namespace prefectcore::events
