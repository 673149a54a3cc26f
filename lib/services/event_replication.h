#pragma once

// Scale-out (docs/events.md): replicas sharing one PostgreSQL database see each other's
// events by polling the `events` table for rows another replica stored, and publishing them
// on the local bus, so /events/out subscribers and event consumers on every replica get
// every event. Backend-neutral SQL; enabled on PostgreSQL.

#include <deque>
#include <string>
#include <unordered_set>
#include <utility>

#include "lib/core/internal.h"
#include "lib/services/service.h"

namespace prefectcore::services {

// Each pass reads rows recorded since (the newest recorded time seen - an overlap window)
// whose replica is not this server's, skips ids already published, and publishes the rest.
// The overlap absorbs transactions that commit after a later-recorded row was read and
// modest clock skew between replicas. Thread-bound (the runner's thread or a test).
class EventReplication final : public Service {
 public:
  EventReplication(ServiceContext& context, std::string replica_id);

  std::string_view name() const override { return "event_replication"; }
  double loop_seconds() const override { return 0.5; }
  Status run_once() override;

  static constexpr auto kOverlap = std::chrono::seconds(10);
  static constexpr std::int64_t kPageSize = 2000;

 private:
  void forget_older_than(Timestamp cutoff);

  ServiceContext& ctx_;
  std::string replica_id_;
  Timestamp high_water_{};
  std::unordered_set<std::string> published_;
  std::deque<std::pair<Timestamp, std::string>> published_order_;
};

}  // namespace prefectcore::services
