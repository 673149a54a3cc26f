#pragma once

// The foreman (upstream services/foreman.py monitor_worker_health), in upstream's order, one
// transaction per step:
//  1. ONLINE workers silent for more than inactivity_heartbeat_multiple x their heartbeat
//     interval (fallback_heartbeat_interval_seconds when unset) become OFFLINE (no event);
//  2. READY work pools with no ONLINE worker become NOT_READY (prefect.work-pool.not-ready);
//  3. READY deployments not polled within deployment_last_polled_timeout_seconds (nor their
//     queue, when it was ever polled) become NOT_READY (prefect.deployment.not-ready);
//  4. READY work queues not polled within work_queue_last_polled_timeout_seconds become
//     NOT_READY (prefect.work-queue.not-ready).
// Events are published on ServiceContext::events after each step commits.

#include "lib/core/internal.h"
#include "lib/services/service.h"

namespace prefectcore::services {

class Foreman final : public Service {
 public:
  explicit Foreman(ServiceContext& context) : context_(context) {}

  std::string_view name() const override { return "foreman"; }
  double loop_seconds() const override { return context_.settings.services.foreman.loop_seconds; }
  Status run_once() override;

 private:
  Status mark_workers_offline();
  Status mark_pools_not_ready();
  Status mark_deployments_not_ready();
  Status mark_queues_not_ready();

  ServiceContext& context_;
};

}  // namespace prefectcore::services
