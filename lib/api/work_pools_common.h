#pragma once

// Helpers shared by the work pool, work queue and worker routers.

#include <cctype>
#include <memory>
#include <string>
#include <string_view>

#include "lib/api/context.h"
#include "lib/core/internal.h"
#include "lib/models/work_pools.h"

namespace prefectcore::api {

inline models::EventSink event_sink(RequestContext& rc) {
  return models::EventSink{rc.api.ids, rc.api.clock.now(), {}};
}

// Publishes the unit of work's events; call after the commit.
inline void publish_events(ApiContext& api, models::EventSink& sink) {
  std::vector<events::EventPtr> items;
  items.reserve(sink.events.size());
  for (auto& e : sink.events) {
    items.push_back(std::make_shared<const events::Event>(std::move(e)));
  }
  sink.events.clear();
  api.events.publish(items);
}

// upstream: pool names starting with "prefect" (any case) are reserved.
inline bool is_reserved_pool_name(std::string_view name) {
  constexpr std::string_view kPrefix = "prefect";
  if (name.size() < kPrefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(name[i])) != kPrefix[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace prefectcore::api
