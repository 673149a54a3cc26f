#pragma once

// Late runs (upstream services/late_runs.py): each pass finds runs still in the plain
// Scheduled state more than after_seconds past their scheduled start and proposes
// Late(scheduled_time=next_scheduled_start_time) through MarkLateRunsPolicy, which only
// accepts it while the run is still Scheduled.

#include "lib/core/internal.h"
#include "lib/services/service.h"

namespace prefectcore::services {

class LateRuns final : public Service {
 public:
  explicit LateRuns(ServiceContext& context) : context_(context) {}

  std::string_view name() const override { return "late_runs"; }
  double loop_seconds() const override { return context_.settings.services.late_runs.loop_seconds; }
  // Marks up to 400 runs (upstream's batch), each in its own transaction.
  Status run_once() override;

 private:
  Status mark_late(const std::string& run_id);

  ServiceContext& context_;
};

}  // namespace prefectcore::services
