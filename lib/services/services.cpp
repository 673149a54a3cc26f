#include "lib/services/cancellation_cleanup.h"
#include "lib/services/event_persister.h"
#include "lib/services/foreman.h"
#include "lib/services/late_runs.h"
#include "lib/services/pause_expirations.h"
#include "lib/services/repossessor.h"
#include "lib/services/scheduler.h"
#include "lib/services/service.h"
#include "lib/services/task_run_recorder.h"

namespace prefectcore::services {

void add_enabled_services(ServiceRunner& runner, ServiceContext& context) {
  add_event_services(runner, context);
  if (context.settings.services.scheduler.enabled) {
    runner.add(std::make_unique<Scheduler>(context));
    runner.add(std::make_unique<RecentDeploymentsScheduler>(context));
  }
  if (context.settings.services.late_runs.enabled) {
    runner.add(std::make_unique<LateRuns>(context));
  }
  if (context.settings.services.pause_expirations.enabled) {
    runner.add(std::make_unique<PauseExpirations>(context));
  }
  if (context.settings.services.cancellation_cleanup.enabled) {
    runner.add(std::make_unique<CancellationCleanup>(context));
  }
  if (context.settings.services.foreman.enabled) {
    runner.add(std::make_unique<Foreman>(context));
  }
  if (context.settings.services.repossessor.enabled) {
    runner.add(std::make_unique<Repossessor>(context));
  }
  if (context.settings.services.task_run_recorder.enabled) {
    runner.add(std::make_unique<TaskRunRecorder>(context));
  }
}

}  // namespace prefectcore::services
