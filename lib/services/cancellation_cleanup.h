#pragma once

// Cancellation cleanup (upstream services/cancellation_cleanup.py), as one loop:
//  1. runs CANCELLED within the last day: their unfinished task runs are forced to
//     Cancelled("The parent flow run was cancelled."), up to 100 per run;
//  2. unfinished subflow runs whose containing flow run is CANCELLED become Cancelling
//     (deployment-backed: its worker tears down the infrastructure) or Cancelled, through
//     MinimalFlowPolicy as upstream (no policy given);
//  3. runs CANCELLING for longer than cancelling_timeout_seconds become Cancelled("Flow run
//     cancellation timed out; …") through CoreFlowPolicy. Upstream schedules this check per
//     run with docket; a periodic scan reaches the same state. Upstream's worker-channel
//     cleanup message is not sent: this server has no worker cleanup queue.

#include "lib/core/internal.h"
#include "lib/services/service.h"

namespace prefectcore::services {

class CancellationCleanup final : public Service {
 public:
  explicit CancellationCleanup(ServiceContext& context) : context_(context) {}

  std::string_view name() const override { return "cancellation_cleanup"; }
  double loop_seconds() const override {
    return context_.settings.services.cancellation_cleanup.loop_seconds;
  }
  Status run_once() override;

 private:
  Status cancel_child_task_runs();
  Status cancel_orphaned_subflows();
  Status time_out_cancelling_runs();

  ServiceContext& context_;
};

}  // namespace prefectcore::services
