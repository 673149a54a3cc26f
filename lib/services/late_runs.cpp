#include "lib/services/late_runs.h"

#include "lib/core/logging.h"
#include "lib/core/time.h"
#include "lib/models/run_store.h"
#include "lib/models/service_queries.h"
#include "lib/orchestration/engine.h"

namespace prefectcore::services {
namespace {

constexpr std::int64_t kBatchSize = 400;

}  // namespace

Status LateRuns::run_once() {
  const double after = context_.settings.services.late_runs.after_seconds;
  const Timestamp before = context_.clock.now() - core::from_seconds(after).value_or(Micros(0));
  std::vector<std::string> ids;
  {
    PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kRead));
    PC_ASSIGN_OR_RETURN(ids, models::late_run_ids(*tx, before, kBatchSize));
  }
  Status first_error;
  for (const std::string& id : ids) {
    if (Status s = mark_late(id); !s.ok()) {
      PC_LOG_ERROR("Error marking flow run {} late: {}", id, s.message());
      if (first_error.ok()) {
        first_error = s;
      }
    }
  }
  return first_error;
}

Status LateRuns::mark_late(const std::string& run_id) {
  const Timestamp now = context_.clock.now();
  PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kWrite));
  models::RunStore store(*tx);
  PC_ASSIGN_OR_RETURN(auto run, store.load(models::RunKind::kFlow, run_id, /*for_update=*/true));
  if (!run) {
    return {};  // deleted since the scan
  }
  schemas::StateCreate late;
  late.type = schemas::StateType::kScheduled;
  late.name = "Late";
  late.details.scheduled_time = run->next_scheduled_start_time;
  std::vector<std::string> emitted;
  orchestration::Environment env{*tx, context_.settings, context_.ids, now};
  env.events = &emitted;
  // The policy rejects the proposal when the run left Scheduled since the scan.
  PC_ASSIGN_OR_RETURN(auto result,
                      orchestration::set_flow_run_state(env, run_id, late, /*force=*/false,
                                                        orchestration::Policy::kMarkLateRuns));
  (void)result;
  PC_RETURN_IF_ERROR(tx->commit());
  models::publish_event_texts(context_.events, context_.settings.events, now, emitted);
  return {};
}

}  // namespace prefectcore::services
