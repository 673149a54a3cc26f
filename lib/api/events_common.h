#pragma once

// Shared by the event routes (events_routes.cpp) and sockets (events_ws.cpp): the ingest
// step both WS /events/in and POST /events take (upstream api/events.py and
// events/messaging.py).

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "lib/api/context.h"
#include "lib/api/websockets.h"
#include "lib/core/internal.h"
#include "lib/events/event.h"

namespace prefectcore::api {

// Stamps `received`, drops ids seen recently (upstream's broker dedupes by id with a TTL
// cache; the persister and subscribers dedupe again), and publishes on the event bus.
// One per server. Thread-safe.
class EventIngest {
 public:
  static constexpr std::size_t kMaxIds = 10000;
  static constexpr auto kTtl = std::chrono::minutes(5);

  // Returns how many of `batch` were new and published.
  std::size_t accept(ApiContext& ctx, std::vector<events::Event> batch);

 private:
  std::mutex mutex_;
  std::unordered_set<std::string> ids_;
  std::deque<std::pair<Timestamp, std::string>> order_;
};

// Publishes events the server emitted itself (orchestration's Environment::events JSON
// texts), stamped received now. Call only after the transaction that produced them committed.
void publish_server_events(ApiContext& ctx, const std::vector<std::string>& texts);

// WS /events/in and WS /events/out (events_ws.cpp); /events/in feeds `ingest`.
void register_event_sockets(WebSocketRoutes& sockets, std::shared_ptr<EventIngest> ingest);

}  // namespace prefectcore::api
