#pragma once

// Helpers shared by the work pool, work queue and worker routers.

#include <cctype>
#include <memory>
#include <string>
#include <string_view>

#include "lib/api/context.h"
#include "lib/core/internal.h"
#include "lib/models/work_pools.h"
#include "lib/models/work_queues.h"

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

// Commits the unit of work, then publishes its events with no transaction open
// (subscribers may read).
inline Status commit_and_publish(ApiContext& api, std::unique_ptr<Transaction> tx,
                                 models::EventSink& sink) {
  PC_RETURN_IF_ERROR(tx->commit());
  tx.reset();
  publish_events(api, sink);
  return {};
}

// PATCH of a work queue, by id or by pool and name: 409 when another queue of its pool
// already has the new name, else the update, committed, with its events.
inline Status update_work_queue(ApiContext& api, std::unique_ptr<Transaction> tx,
                                const schemas::WorkQueue& queue,
                                const schemas::WorkQueueUpdate& update, models::EventSink& sink) {
  models::WorkQueueRepository repo(*tx);
  if (update.name && *update.name != queue.name && queue.work_pool_name) {
    PC_ASSIGN_OR_RETURN(auto clash, repo.find_in_pool(*queue.work_pool_name, *update.name));
    if (clash) {
      return Status::conflict("");
    }
  }
  PC_RETURN_IF_ERROR(repo.update(queue, update, sink));
  return commit_and_publish(api, std::move(tx), sink);
}

// DELETE of a work queue by either router.
inline Status delete_work_queue(ApiContext& api, std::unique_ptr<Transaction> tx,
                                const schemas::WorkQueue& queue, models::EventSink& sink) {
  PC_RETURN_IF_ERROR(models::WorkQueueRepository(*tx).remove(queue, sink));
  return commit_and_publish(api, std::move(tx), sink);
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
