// The schedulers and POST /deployments/{id}/schedule: auto-scheduled runs generated from a
// deployment's schedules, idempotently, on a fresh database of the test backend with a
// ManualClock (2026-01-01T00:00:00Z at the start).

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "lib/models/scheduled_runs.h"
#include "tests/api/flow_runs_support.h"
#include "tests/storage/backend.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

std::string create_deployment(ApiFixture& api, const std::string& flow_id, const std::string& name,
                              const std::string& extra) {
  auto r = api.post("/api/deployments/",
                    R"({"name":")" + name + R"(","flow_id":")" + flow_id + "\"," + extra + "}");
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return json_string(r, "id");
}

constexpr std::string_view kHourly =
    R"("schedules":[{"schedule":{"interval":3600,"anchor_date":"2026-01-01T00:00:00Z",)"
    R"("timezone":"UTC"},"parameters":{"b":2},"slug":"hourly"}])";

// The deployment's runs by expected start time.
HttpResponse runs_of(ApiFixture& api, const std::string& deployment_id) {
  auto r = api.post("/api/flow_runs/filter",
                    R"({"sort":"EXPECTED_START_TIME_ASC","deployments":{"id":{"any_":[")" +
                        deployment_id + R"("]}}})");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return r;
}

std::size_t run_count(ApiFixture& api, const std::string& deployment_id) {
  auto r = runs_of(api, deployment_id);
  return items(parse_json(r).root()).size();
}

void run(ApiFixture& api, std::string_view service) {
  Status s = api.server->run_service_once(service);
  REQUIRE_MESSAGE(s.ok(), s.message());
}

std::string schedule_id(ApiFixture& api, const std::string& deployment_id) {
  auto r = api.get("/api/deployments/" + deployment_id);
  REQUIRE(r.status == 200);
  auto doc = parse_json(r);
  auto schedules = items(member(doc.root(), "schedules"));
  REQUIRE(schedules.size() >= 1);
  return str(schedules.front(), "id");
}

}  // namespace

TEST_CASE("the scheduler inserts Scheduled auto-scheduled runs for a deployment's schedule") {
  ApiFixture api;
  const std::string flow = make_flow(api, "etl");
  const std::string dep = create_deployment(
      api, flow, "hourly",
      std::string(kHourly) + R"(,"parameters":{"a":1,"b":1},"tags":["t1"],"paused":false)");
  const std::string sched = schedule_id(api, dep);

  run(api, "scheduler");
  auto r = runs_of(api, dep);
  auto doc = parse_json(r);
  auto runs = items(doc.root());
  // min_runs 3 and min_scheduled_time 1 h: 00:00, 01:00, 02:00.
  REQUIRE(runs.size() == 3);
  const char* times[] = {"2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"};
  const char* keys[] = {"2026-01-01 00:00:00+00:00", "2026-01-01 01:00:00+00:00",
                        "2026-01-01 02:00:00+00:00"};
  for (std::size_t i = 0; i < 3; ++i) {
    auto run = runs[i];
    CHECK(str(run, "expected_start_time") == times[i]);
    CHECK(str(run, "next_scheduled_start_time") == times[i]);
    CHECK(str(run, "idempotency_key") == "scheduled " + dep + " " + sched + " " + keys[i]);
    CHECK(str(run, "state_type") == "SCHEDULED");
    CHECK(str(run, "state_name") == "Scheduled");
    CHECK(member(run, "auto_scheduled").get_bool().value_unsafe() == true);
    CHECK(core::to_json(member(run, "tags")) == R"(["auto-scheduled","t1"])");
    CHECK(core::to_json(member(run, "parameters")) == R"({"a":1,"b":2})");
    CHECK(str(run, "deployment_id") == dep);
    CHECK(!str(run, "name").empty());
    auto created_by = member(run, "created_by");
    CHECK(str(created_by, "id") == sched);
    CHECK(str(created_by, "type") == "SCHEDULE");
    CHECK(str(created_by, "display_value") == "hourly");
    auto state = member(run, "state");
    CHECK(str(state, "message") == "Flow run scheduled");
    CHECK(str(member(state, "state_details"), "scheduled_time") == times[i]);
    CHECK(str(member(run, "labels"), "prefect.deployment.id") == dep);
  }

  // A second pass finds enough future runs: nothing new.
  run(api, "scheduler");
  CHECK(run_count(api, dep) == 3);

  // Two hours later only one run is still in the future: topped up to three, without
  // duplicating the 02:00 run.
  api.clock.advance(std::chrono::hours(2));
  run(api, "scheduler");
  CHECK(run_count(api, dep) == 5);
}

TEST_CASE("the scheduler skips paused deployments and inactive schedules") {
  ApiFixture api;
  const std::string flow = make_flow(api, "etl");
  const std::string paused =
      create_deployment(api, flow, "paused", std::string(kHourly) + R"(,"paused":true)");
  const std::string inactive = create_deployment(
      api, flow, "inactive",
      R"("schedules":[{"schedule":{"interval":60,"anchor_date":"2026-01-01T00:00:00Z"},)"
      R"("active":false}])");
  const std::string none = create_deployment(api, flow, "none", R"("tags":[])");
  run(api, "scheduler");
  CHECK(run_count(api, paused) == 0);
  CHECK(run_count(api, inactive) == 0);
  CHECK(run_count(api, none) == 0);
}

TEST_CASE("the recent-deployments scheduler only schedules recently updated deployments") {
  ApiFixture api;
  const std::string flow = make_flow(api, "etl");
  const std::string old_dep = create_deployment(api, flow, "old", std::string(kHourly));
  // Outside the recent window (loop 5 s + 1 s).
  api.clock.advance(std::chrono::seconds(10));
  const std::string new_dep = create_deployment(api, flow, "new", std::string(kHourly));
  run(api, "recent_deployments_scheduler");
  CHECK(run_count(api, old_dep) == 0);
  CHECK(run_count(api, new_dep) == 3);
}

TEST_CASE("POST /deployments/{id}/schedule backfills a window idempotently") {
  ApiFixture api;
  const std::string flow = make_flow(api, "etl");
  const std::string dep = create_deployment(api, flow, "backfill", std::string(kHourly));

  auto r = api.post("/api/deployments/" + dep + "/schedule",
                    R"({"start_time":"2025-12-31T00:00:00Z","end_time":"2025-12-31T05:00:00Z",)"
                    R"("min_runs":10,"min_time":18000,"max_runs":50})");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(r.body == "null");
  auto runs = runs_of(api, dep);
  auto doc = parse_json(runs);
  auto list = items(doc.root());
  REQUIRE(list.size() == 6);  // 00:00 through 05:00, the end is inclusive
  CHECK(str(list.front(), "expected_start_time") == "2025-12-31T00:00:00Z");
  CHECK(str(list.back(), "expected_start_time") == "2025-12-31T05:00:00Z");

  // The same window again inserts nothing new.
  r = api.post("/api/deployments/" + dep + "/schedule",
               R"({"start_time":"2025-12-31T00:00:00Z","end_time":"2025-12-31T05:00:00Z",)"
               R"("min_runs":10,"min_time":18000})");
  REQUIRE(r.status == 200);
  CHECK(run_count(api, dep) == 6);

  // max_runs caps the count; defaults fill in the rest.
  r = api.post("/api/deployments/" + dep + "/schedule",
               R"({"start_time":"2025-06-01T00:00:00Z","max_runs":2,"min_runs":5})");
  REQUIRE(r.status == 200);
  CHECK(run_count(api, dep) == 8);

  // An empty body schedules from now with the scheduler's defaults.
  r = api.post("/api/deployments/" + dep + "/schedule");
  REQUIRE(r.status == 200);
  CHECK(run_count(api, dep) == 11);
}

TEST_CASE("POST /deployments/{id}/schedule validates its body like upstream") {
  ApiFixture api;
  const std::string flow = make_flow(api, "etl");
  const std::string dep = create_deployment(api, flow, "d", std::string(kHourly));
  auto r = api.post("/api/deployments/" + dep + "/schedule",
                    R"({"min_runs":"many","start_time":"yesterday"})");
  CHECK(r.status == 422);
  auto doc = parse_json(r);
  CHECK(items(member(doc.root(), "exception_detail")).size() == 2);
  // An unknown deployment schedules nothing (upstream answers 200 null).
  r = api.post("/api/deployments/00000000-0000-4000-8000-00000000abcd/schedule", "{}");
  CHECK(r.status == 200);
  CHECK(r.body == "null");
  r = api.post("/api/deployments/not-a-uuid/schedule", "{}");
  CHECK(r.status == 404);
}

TEST_CASE("delete_future_auto_scheduled_runs removes only future auto-scheduled runs") {
  ApiFixture api;
  const std::string flow = make_flow(api, "etl");
  const std::string dep = create_deployment(
      api, flow, "two",
      R"("schedules":[{"schedule":{"interval":3600,"anchor_date":"2026-01-01T00:00:00Z"},)"
      R"("slug":"a"},{"schedule":{"interval":3600,"anchor_date":"2026-01-01T00:30:00Z"},)"
      R"("slug":"b"}])");
  run(api, "scheduler");
  REQUIRE(run_count(api, dep) == 6);
  // A manual run of the deployment in the future is not auto-scheduled: kept.
  auto manual = api.post("/api/deployments/" + dep + "/create_flow_run",
                         R"({"state":{"type":"SCHEDULED","state_details":)"
                         R"({"scheduled_time":"2026-01-01T05:00:00Z"}}})");
  REQUIRE_MESSAGE(manual.status == 201, manual.body);

  auto r = api.get("/api/deployments/" + dep);
  auto doc = parse_json(r);
  std::string schedule_a;
  for (auto s : items(member(doc.root(), "schedules"))) {
    if (str(s, "slug") == "a") {
      schedule_a = str(s, "id");
    }
  }
  REQUIRE(!schedule_a.empty());
  Database& db = api.database->db();
  {
    auto tx = db.begin(TxMode::kWrite).value();
    auto deleted = models::delete_future_auto_scheduled_runs(*tx, dep, schedule_a, api.clock.now());
    REQUIRE(deleted.has_value());
    CHECK(deleted.value() == 2);  // 01:00 and 02:00; the 00:00 run is not in the future
    REQUIRE(tx->commit().ok());
  }
  CHECK(run_count(api, dep) == 5);
  {
    auto tx = db.begin(TxMode::kWrite).value();
    auto deleted = models::delete_future_auto_scheduled_runs(*tx, dep, api.clock.now());
    REQUIRE(deleted.has_value());
    CHECK(deleted.value() == 3);  // schedule b's 00:30, 01:30, 02:30
    REQUIRE(tx->commit().ok());
  }
  CHECK(run_count(api, dep) == 2);  // a's 00:00 run and the manual run
}

TEST_CASE("idempotency keys print dates in the schedule's time zone as Python does") {
  const Timestamp t = core::parse_time("2026-07-01T12:00:00Z").value();
  CHECK(models::python_datetime_str(t, std::string("UTC")) == "2026-07-01 12:00:00+00:00");
  CHECK(models::python_datetime_str(t, std::string("America/New_York")) ==
        "2026-07-01 08:00:00-04:00");
  CHECK(models::python_datetime_str(t + std::chrono::microseconds(5), std::nullopt) ==
        "2026-07-01 12:00:00.000005+00:00");
}
