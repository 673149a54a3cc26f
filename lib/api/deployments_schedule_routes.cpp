// POST /deployments/{id}/schedule (upstream api/deployments.py schedule_deployment): schedules
// a deployment's runs now, for backfills or to fill the queue ahead of the scheduler. Every
// body member is optional and falls back to the scheduler settings; an unknown deployment
// schedules nothing (upstream answers 200 null either way).

#include <algorithm>

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/time.h"
#include "lib/models/scheduled_runs.h"
#include "lib/schemas/decoder.h"

namespace prefectcore::api {
namespace {

// Seconds as a duration, saturating instead of overflowing (pydantic takes any float).
Micros saturating_seconds(double s) {
  constexpr double kMax = 1e12;  // ~31,000 years: far past any schedule's horizon
  return core::from_seconds(std::clamp(s, -kMax, kMax)).value_or(Micros(0));
}

Result<HttpResponse> schedule_deployment(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  core::ValidationErrors errors;
  schemas::ObjectDecoder d(body.root(), {std::string("body")}, errors, "body");
  const auto start_time = d.time("start_time");
  const auto end_time = d.time("end_time");
  const auto min_time = d.number("min_time");
  const auto min_runs = d.integer("min_runs");
  const auto max_runs = d.integer("max_runs");
  if (!errors.empty()) {
    return errors.to_status();
  }
  const SchedulerSettings& s = rc.api.settings.services.scheduler;
  const Timestamp now = rc.api.clock.now();
  models::ScheduleWindow window;
  window.start = start_time.value_or(now);
  window.end = end_time.value_or(window.start + saturating_seconds(s.max_scheduled_time));
  window.min_time = saturating_seconds(min_time.value_or(s.min_scheduled_time));
  window.min_runs = min_runs.value_or(s.min_runs);
  window.max_runs = std::max<std::int64_t>(0, max_runs.value_or(s.max_runs));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto inserted,
                      models::schedule_runs(*tx, rc.api.ids, rc.param("id"), window, now));
  (void)inserted;
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(200, "null");
}

}  // namespace

void register_deployment_schedule_routes(Router& router) {
  router.add("POST", "/deployments/{id:uuid}/schedule", schedule_deployment);
}

}  // namespace prefectcore::api
