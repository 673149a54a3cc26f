// The run-monitoring services (late runs, pause expirations, cancellation cleanup) on a fresh
// database of the test backend, driven with a ManualClock (2026-01-01T00:00:00Z at start).

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "lib/core/uuid.h"
#include "lib/events/bus.h"
#include "lib/events/log_record.h"
#include "lib/services/late_runs.h"
#include "tests/api/flow_runs_support.h"
#include "tests/storage/backend.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

void run(ApiFixture& api, std::string_view service) {
  Status s = api.server->run_service_once(service);
  REQUIRE_MESSAGE(s.ok(), s.message());
}

void set_state(ApiFixture& api, const std::string& kind, const std::string& id,
               const std::string& state) {
  auto r =
      api.post("/api/" + kind + "/" + id + "/set_state", R"({"force":true,"state":)" + state + "}");
  REQUIRE_MESSAGE(r.status == 201, r.body);
  REQUIRE(str(parse_json(r).root(), "status") == "ACCEPT");
}

struct StateView {
  std::string type;
  std::string name;
  std::string message;
  std::string scheduled_time;
};

StateView state_of(ApiFixture& api, const std::string& kind, const std::string& id) {
  auto r = api.get("/api/" + kind + "/" + id);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  auto state = member(doc.root(), "state");
  StateView v{str(state, "type"), str(state, "name"), {}, {}};
  std::string_view s;
  if (!member(state, "message").get_string().get(s)) {
    v.message = std::string(s);
  }
  if (!member(member(state, "state_details"), "scheduled_time").get_string().get(s)) {
    v.scheduled_time = std::string(s);
  }
  return v;
}

std::string scheduled_run(ApiFixture& api, const std::string& flow, const std::string& when,
                          const std::string& name = "Scheduled") {
  return make_run(api, flow,
                  R"("state":{"type":"SCHEDULED","name":")" + name +
                      R"(","state_details":{"scheduled_time":")" + when + R"("}})");
}

std::string task_run(ApiFixture& api, const std::string& flow_run_id, const std::string& key,
                     const std::string& state_type) {
  auto r = api.post("/api/task_runs/", R"({"flow_run_id":")" + flow_run_id + R"(","task_key":")" +
                                           key + R"(","dynamic_key":"0","state":{"type":")" +
                                           state_type + R"("}})");
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return json_string(r, "id");
}

}  // namespace

TEST_CASE("late runs: Scheduled runs past after_seconds become Late through MarkLateRunsPolicy") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string due = scheduled_run(api, flow, "2026-01-01T00:00:00Z");
  const std::string future = scheduled_run(api, flow, "2026-01-01T01:00:00Z");
  const std::string retry = scheduled_run(api, flow, "2026-01-01T00:00:00Z", "AwaitingRetry");

  api.clock.advance(std::chrono::seconds(10));  // within after_seconds (15)
  run(api, "late_runs");
  CHECK(state_of(api, "flow_runs", due).name == "Scheduled");

  api.clock.advance(std::chrono::seconds(10));
  run(api, "late_runs");
  StateView late = state_of(api, "flow_runs", due);
  CHECK(late.type == "SCHEDULED");
  CHECK(late.name == "Late");
  CHECK(late.scheduled_time == "2026-01-01T00:00:00Z");
  CHECK(state_of(api, "flow_runs", future).name == "Scheduled");
  CHECK(state_of(api, "flow_runs", retry).name == "AwaitingRetry");

  // A Late run is not marked again (only plain "Scheduled" runs are picked).
  auto before = api.get("/api/flow_run_states/?flow_run_id=" + due);
  REQUIRE(before.status == 200);
  const auto states_before = items(parse_json(before).root()).size();
  run(api, "late_runs");
  auto after = api.get("/api/flow_run_states/?flow_run_id=" + due);
  CHECK(items(parse_json(after).root()).size() == states_before);
}

TEST_CASE("pause expirations: a PAUSED run whose pause_timeout passed is failed") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string paused = make_run(api, flow);
  set_state(api, "flow_runs", paused, R"({"type":"RUNNING"})");
  set_state(api, "flow_runs", paused,
            R"({"type":"PAUSED","state_details":{"pause_timeout":"2026-01-01T00:01:00Z"}})");
  const std::string open_ended = make_run(api, flow);
  set_state(api, "flow_runs", open_ended, R"({"type":"RUNNING"})");
  set_state(api, "flow_runs", open_ended, R"({"type":"PAUSED"})");

  run(api, "pause_expirations");
  CHECK(state_of(api, "flow_runs", paused).type == "PAUSED");

  api.clock.advance(std::chrono::minutes(2));
  run(api, "pause_expirations");
  StateView failed = state_of(api, "flow_runs", paused);
  CHECK(failed.type == "FAILED");
  CHECK(failed.message == "The flow was paused and never resumed.");
  CHECK(state_of(api, "flow_runs", open_ended).type == "PAUSED");
}

TEST_CASE("cancellation cleanup cancels the task runs and subflows of a cancelled flow run") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string parent = make_run(api, flow);
  set_state(api, "flow_runs", parent, R"({"type":"RUNNING"})");
  const std::string running_task = task_run(api, parent, "a", "RUNNING");
  const std::string done_task = task_run(api, parent, "b", "COMPLETED");
  const std::string sub_task = task_run(api, parent, "c", "RUNNING");
  const std::string subflow = make_run(
      api, flow, R"("parent_task_run_id":")" + sub_task + R"(","state":{"type":"RUNNING"})");
  // A deployment-backed subflow is asked to cancel (its worker tears it down).
  auto dep = api.post("/api/deployments/", R"({"name":"d","flow_id":")" + flow + R"("})");
  REQUIRE_MESSAGE(dep.status == 201, dep.body);
  const std::string sub_task2 = task_run(api, parent, "d", "RUNNING");
  const std::string dep_subflow =
      make_run(api, flow,
               R"("parent_task_run_id":")" + sub_task2 + R"(","deployment_id":")" +
                   json_string(dep, "id") + R"(","state":{"type":"RUNNING"})");

  // Nothing happens while the parent runs.
  run(api, "cancellation_cleanup");
  CHECK(state_of(api, "task_runs", running_task).type == "RUNNING");
  CHECK(state_of(api, "flow_runs", subflow).type == "RUNNING");

  set_state(api, "flow_runs", parent, R"({"type":"CANCELLED"})");
  run(api, "cancellation_cleanup");
  StateView task = state_of(api, "task_runs", running_task);
  CHECK(task.type == "CANCELLED");
  CHECK(task.message == "The parent flow run was cancelled.");
  CHECK(state_of(api, "task_runs", done_task).type == "COMPLETED");
  StateView sub = state_of(api, "flow_runs", subflow);
  CHECK(sub.type == "CANCELLED");
  CHECK(sub.message == "The parent flow run was cancelled.");
  StateView dep_sub = state_of(api, "flow_runs", dep_subflow);
  CHECK(dep_sub.type == "CANCELLING");
  CHECK(dep_sub.message == "The parent flow run was cancelled.");

  // Runs cancelled more than a day ago are left alone.
  const std::string late_task = task_run(api, parent, "e", "RUNNING");
  api.clock.advance(std::chrono::hours(25));
  run(api, "cancellation_cleanup");
  CHECK(state_of(api, "task_runs", late_task).type == "RUNNING");
}

TEST_CASE("cancellation cleanup times out runs stuck in CANCELLING") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string stuck = make_run(api, flow);
  set_state(api, "flow_runs", stuck, R"({"type":"RUNNING"})");
  set_state(api, "flow_runs", stuck, R"({"type":"CANCELLING"})");

  api.clock.advance(std::chrono::seconds(299));  // the timeout is 300 s
  run(api, "cancellation_cleanup");
  CHECK(state_of(api, "flow_runs", stuck).type == "CANCELLING");

  api.clock.advance(std::chrono::seconds(2));
  run(api, "cancellation_cleanup");
  StateView v = state_of(api, "flow_runs", stuck);
  CHECK(v.type == "CANCELLED");
  CHECK(v.message == "Flow run cancellation timed out; marked this flow run as Cancelled.");
}

TEST_CASE("late runs publish the flow run's state-change event after committing") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string due = scheduled_run(api, flow, "2026-01-01T00:00:00Z");
  core::RandomIds ids;
  events::EventBus bus;
  events::LogBus logs;
  services::ServiceContext context{
      api.server->settings(), api.clock, &api.database->db(), ids, bus, logs};
  std::vector<events::Event> published;
  bus.subscribe([&](const std::vector<events::EventPtr>& items) {
    for (const auto& e : items) {
      published.push_back(*e);
    }
  });
  services::LateRuns late_runs(context);
  api.clock.advance(std::chrono::seconds(16));
  REQUIRE(late_runs.run_once().ok());
  REQUIRE(published.size() == 1);
  CHECK(published.front().event == "prefect.flow-run.Late");
  CHECK(published.front().resource_id() == "prefect.flow-run." + due);
  CHECK(published.front().received == api.clock.now());
}
