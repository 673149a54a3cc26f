#pragma once

// The event persister (upstream events/services/event_persister.py) and, with PostgreSQL,
// the replication poller that carries events between replicas (docs/events.md).

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "lib/core/internal.h"
#include "lib/services/service.h"

namespace prefectcore::services {

// Subscribes to the event bus and writes events to `events` + `event_resources`, skipping
// ids already stored. Each pass writes everything queued (at most queue_max_size events are
// held; more are dropped with a warning), so events are stored within one loop interval,
// which is never longer than settings flush_interval. A failed write keeps the events queued;
// after max_flush_retries consecutive failures they are dropped. Every 15 minutes a pass
// also trims events older than settings.events.retention_period, as upstream's persister
// does. Thread-safe: the bus callback and run_once may run on different threads.
class EventPersister final : public Service {
 public:
  EventPersister(ServiceContext& context, std::string replica_id);
  ~EventPersister() override;

  std::string_view name() const override { return "event_persister"; }
  double loop_seconds() const override;
  Status run_once() override;
  void stop() override;

  // Writes everything queued now. Errors: the database's.
  Status flush();
  std::size_t pending() const;

 private:
  Status trim_if_due();

  ServiceContext& ctx_;
  std::string replica_id_;
  std::uint64_t token_ = 0;
  mutable std::mutex mutex_;
  std::deque<events::EventPtr> queue_;
  std::size_t dropped_ = 0;
  int failures_ = 0;
  Timestamp last_trim_{};
};

// Adds the event persister and, on PostgreSQL, the replication poller, which share one
// replica id.
void add_event_services(ServiceRunner& runner, ServiceContext& context);

}  // namespace prefectcore::services
