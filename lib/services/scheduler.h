#pragma once

// The schedulers (upstream services/scheduler.py). The main Scheduler pages through the
// deployments that need runs (not paused, an active schedule, fewer than min_runs future
// auto-scheduled runs or none min_scheduled_time out) and inserts their scheduled runs; the
// RecentDeploymentsScheduler does the same, on a tight loop, for deployments updated within
// its last loop, so that new schedules get runs quickly. Inserts are idempotent, so both may
// schedule the same deployment, and several replicas may run them at once.

#include "lib/core/internal.h"
#include "lib/services/service.h"

namespace prefectcore::services {

class Scheduler : public Service {
 public:
  explicit Scheduler(ServiceContext& context) : context_(context) {}

  std::string_view name() const override { return "scheduler"; }
  double loop_seconds() const override { return context_.settings.services.scheduler.loop_seconds; }
  // Schedules every page of deployments. A deployment that fails (an unreadable schedule, a
  // storage error) is logged and skipped; the first error is returned after the pass.
  Status run_once() override;

 protected:
  // The page of deployment ids after `after_id` (ordered by id).
  virtual Result<std::vector<std::string>> select_page(const std::optional<std::string>& after_id,
                                                       Timestamp now);
  ServiceContext& context_;

 private:
  Status schedule_deployment(const std::string& deployment_id);
};

class RecentDeploymentsScheduler final : public Scheduler {
 public:
  using Scheduler::Scheduler;

  std::string_view name() const override { return "recent_deployments_scheduler"; }
  double loop_seconds() const override {
    return context_.settings.services.scheduler.recent_deployments_loop_seconds;
  }

 protected:
  Result<std::vector<std::string>> select_page(const std::optional<std::string>& after_id,
                                               Timestamp now) override;
};

}  // namespace prefectcore::services
