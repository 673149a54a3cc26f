#include "lib/services/foreman.h"

#include <memory>

#include "lib/core/logging.h"
#include "lib/core/time.h"
#include "lib/models/deployments.h"
#include "lib/models/foreman_store.h"
#include "lib/models/work_pools.h"
#include "lib/models/work_queues.h"
#include "lib/models/workers.h"

namespace prefectcore::services {
namespace {

void publish(ServiceContext& context, std::vector<events::Event> emitted) {
  if (emitted.empty()) {
    return;
  }
  std::vector<events::EventPtr> items;
  items.reserve(emitted.size());
  for (auto& e : emitted) {
    e.received = context.clock.now();
    items.push_back(std::make_shared<const events::Event>(std::move(e)));
  }
  context.events.publish(items);
}

Timestamp threshold(const Clock& clock, double timeout_seconds) {
  return clock.now() - core::from_seconds(timeout_seconds).value_or(Micros(0));
}

}  // namespace

Status Foreman::run_once() {
  // Later steps still run when one fails: each is independent, as upstream's separate
  // sessions are.
  Status first;
  for (Status s : {mark_workers_offline(), mark_pools_not_ready(), mark_deployments_not_ready(),
                   mark_queues_not_ready()}) {
    if (!s.ok()) {
      PC_LOG_ERROR("Foreman: {}", s.message());
      if (first.ok()) {
        first = s;
      }
    }
  }
  return first;
}

Status Foreman::mark_workers_offline() {
  const ForemanSettings& s = context_.settings.services.foreman;
  PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(
      auto ids, models::overdue_workers(*tx, context_.clock.now(), s.inactivity_heartbeat_multiple,
                                        s.fallback_heartbeat_interval_seconds));
  if (ids.empty()) {
    return {};
  }
  PC_RETURN_IF_ERROR(models::WorkerRepository(*tx).mark_offline(ids));
  PC_RETURN_IF_ERROR(tx->commit());
  PC_LOG_INFO("Marked {} workers as offline.", ids.size());
  return {};
}

Status Foreman::mark_pools_not_ready() {
  PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto ids, models::unstaffed_ready_pools(*tx));
  if (ids.empty()) {
    return {};
  }
  models::WorkPoolRepository pools(*tx);
  models::EventSink sink{context_.ids, context_.clock.now(), {}};
  for (const std::string& id : ids) {
    PC_ASSIGN_OR_RETURN(auto pool, pools.find(id));
    if (pool) {
      PC_RETURN_IF_ERROR(pools.mark_not_ready(*pool, sink));
    }
  }
  PC_RETURN_IF_ERROR(tx->commit());
  publish(context_, std::move(sink.events));
  return {};
}

Status Foreman::mark_deployments_not_ready() {
  const double timeout = context_.settings.services.foreman.deployment_last_polled_timeout_seconds;
  PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto ids,
                      models::stale_ready_deployments(*tx, threshold(context_.clock, timeout)));
  if (ids.empty()) {
    return {};
  }
  PC_ASSIGN_OR_RETURN(
      auto emitted,
      models::DeploymentRepository(*tx, context_.ids).mark_not_ready(ids, context_.clock.now()));
  PC_RETURN_IF_ERROR(tx->commit());
  publish(context_, std::move(emitted));
  return {};
}

Status Foreman::mark_queues_not_ready() {
  const double timeout = context_.settings.services.foreman.work_queue_last_polled_timeout_seconds;
  PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto ids,
                      models::stale_ready_queues(*tx, threshold(context_.clock, timeout)));
  if (ids.empty()) {
    return {};
  }
  models::WorkQueueRepository queues(*tx);
  std::vector<schemas::WorkQueue> stale;
  for (const std::string& id : ids) {
    PC_ASSIGN_OR_RETURN(auto queue, queues.find(id));
    if (queue) {
      stale.push_back(std::move(*queue));
    }
  }
  models::EventSink sink{context_.ids, context_.clock.now(), {}};
  PC_RETURN_IF_ERROR(queues.mark_not_ready(stale, sink));
  PC_RETURN_IF_ERROR(tx->commit());
  publish(context_, std::move(sink.events));
  return {};
}

}  // namespace prefectcore::services
