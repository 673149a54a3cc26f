#include "lib/services/pause_expirations.h"

#include "lib/core/logging.h"
#include "lib/models/service_queries.h"
#include "lib/orchestration/engine.h"

namespace prefectcore::services {
namespace {

constexpr std::int64_t kBatchSize = 200;
constexpr std::string_view kMessage = "The flow was paused and never resumed.";

}  // namespace

Status PauseExpirations::run_once() {
  std::vector<std::string> expired;
  std::string after;
  while (true) {
    PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kRead));
    PC_ASSIGN_OR_RETURN(auto page, models::paused_runs(*tx, after, kBatchSize));
    const Timestamp now = context_.clock.now();
    for (const models::PausedRun& run : page) {
      if (run.pause_timeout && *run.pause_timeout < now) {
        expired.push_back(run.id);
      }
    }
    if (static_cast<std::int64_t>(page.size()) < kBatchSize) {
      break;
    }
    after = page.back().id;
  }
  Status first_error;
  for (const std::string& id : expired) {
    if (Status s = fail_expired(id); !s.ok()) {
      PC_LOG_ERROR("Error failing expired pause of flow run {}: {}", id, s.message());
      if (first_error.ok()) {
        first_error = s;
      }
    }
  }
  return first_error;
}

Status PauseExpirations::fail_expired(const std::string& run_id) {
  const Timestamp now = context_.clock.now();
  PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto run, models::paused_run(*tx, run_id));
  // Resumed (or given a new pause) since the scan: nothing to do.
  if (!run || !run->pause_timeout || *run->pause_timeout >= now) {
    return {};
  }
  schemas::StateCreate failed;
  failed.type = schemas::StateType::kFailed;
  failed.message = std::string(kMessage);
  std::vector<std::string> emitted;
  orchestration::Environment env{*tx, context_.settings, context_.ids, now};
  env.events = &emitted;
  PC_ASSIGN_OR_RETURN(auto result,
                      orchestration::set_flow_run_state(env, run_id, failed, /*force=*/true));
  (void)result;
  PC_RETURN_IF_ERROR(tx->commit());
  models::publish_event_texts(context_.events, context_.settings.events, now, emitted);
  return {};
}

}  // namespace prefectcore::services
