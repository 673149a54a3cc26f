#include "lib/services/scheduler.h"

#include <cmath>

#include "lib/core/logging.h"
#include "lib/core/time.h"
#include "lib/models/scheduled_runs.h"

namespace prefectcore::services {
namespace {

Micros seconds(double s) { return Micros(static_cast<std::int64_t>(std::llround(s * 1e6))); }

}  // namespace

Result<std::vector<std::string>> Scheduler::select_page(const std::optional<std::string>& after_id,
                                                        Timestamp now) {
  const SchedulerSettings& s = context_.settings.services.scheduler;
  PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kRead));
  return models::deployments_needing_runs(*tx, now, s.min_runs, seconds(s.min_scheduled_time),
                                          after_id, s.deployment_batch_size);
}

Result<std::vector<std::string>> RecentDeploymentsScheduler::select_page(
    const std::optional<std::string>& after_id, Timestamp now) {
  const SchedulerSettings& s = context_.settings.services.scheduler;
  // A window one second longer than the loop picks up deployments changed while the last
  // pass ran; scheduling twice is harmless.
  const Timestamp since = now - seconds(s.recent_deployments_loop_seconds + 1);
  PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kRead));
  return models::recently_updated_deployments(*tx, since, after_id, s.deployment_batch_size);
}

Status Scheduler::run_once() {
  const std::int64_t batch =
      std::max(1, context_.settings.services.scheduler.deployment_batch_size);
  std::optional<std::string> after;
  Status first_error;
  while (true) {
    PC_ASSIGN_OR_RETURN(std::vector<std::string> page, select_page(after, context_.clock.now()));
    for (const std::string& id : page) {
      if (Status s = schedule_deployment(id); !s.ok()) {
        PC_LOG_ERROR("Error scheduling deployment {}: {}", id, s.message());
        if (first_error.ok()) {
          first_error = s;
        }
      }
    }
    if (static_cast<std::int64_t>(page.size()) < batch) {
      break;
    }
    after = page.back();
  }
  return first_error;
}

Status Scheduler::schedule_deployment(const std::string& deployment_id) {
  const SchedulerSettings& s = context_.settings.services.scheduler;
  const Timestamp now = context_.clock.now();
  models::ScheduleWindow window;
  window.start = now;
  window.end = now + seconds(s.max_scheduled_time);
  window.min_time = seconds(s.min_scheduled_time);
  window.min_runs = s.min_runs;
  window.max_runs = s.max_runs;
  PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto inserted,
                      models::schedule_runs(*tx, context_.ids, deployment_id, window, now));
  PC_RETURN_IF_ERROR(tx->commit());
  if (!inserted.empty()) {
    PC_LOG_DEBUG("Scheduled {} runs for deployment {}.", inserted.size(), deployment_id);
  }
  return {};
}

}  // namespace prefectcore::services
