// InstrumentFlowRunStateTransitions: the `prefect.flow-run.<state>` event's shape.

#include <doctest/doctest.h>

#include "lib/core/json.h"
#include "lib/orchestration/flow_rules.h"
#include "tests/orchestration/orchestration_fixture.h"

namespace prefectcore::testing {
namespace {

namespace orch = prefectcore::orchestration;
using std::chrono::minutes;
using std::chrono::seconds;

core::JsonElement child(core::JsonElement e, std::string_view key) {
  core::JsonElement out;
  REQUIRE_MESSAGE(e[key].get(out) == simdjson::SUCCESS, "no member " << key);
  return out;
}

std::string text(core::JsonElement e, std::string_view key) {
  std::string_view out;
  REQUIRE_MESSAGE(e[key].get_string().get(out) == simdjson::SUCCESS, "no string " << key);
  return std::string(out);
}

bool is_null(core::JsonElement e, std::string_view key) {
  core::JsonElement v;
  REQUIRE(e[key].get(v) == simdjson::SUCCESS);
  return v.is_null();
}

std::vector<core::JsonElement> items(core::JsonElement e, std::string_view key) {
  core::JsonArray arr;
  REQUIRE(e[key].get_array().get(arr) == simdjson::SUCCESS);
  return {arr.begin(), arr.end()};
}

TEST_CASE("a flow-run state change emits an event with its related resources") {
  EngineHarness h;
  const std::string deployment = h.create_deployment(std::nullopt);
  const std::string queue = h.create_work_queue("pool-a", "process");
  const std::string parent = h.create_flow_run();
  const std::string task = h.create_task_run(parent, "subflow");
  const std::string run = h.create_flow_run(
      {.deployment_id = deployment,
       .parent_task_run_id = task,
       .work_queue_id = queue,
       .tags = R"(["z-tag","a-tag"])",
       .created_by = R"({"id":")" + deployment + R"(","type":"DEPLOYMENT","display_value":"d"})"});
  REQUIRE(h.set_flow_state(run, proposal(StateType::kPending), true).has_value());
  h.clock.advance(seconds(2));
  auto running = proposal(StateType::kRunning);
  running.message = "go";
  auto r = h.set_flow_state(run, running);
  REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
  REQUIRE(h.events.size() == 2);

  auto doc = core::JsonDocument::parse(h.events[1]);
  REQUIRE(doc.has_value());
  const auto e = doc->root();
  CHECK(text(e, "event") == "prefect.flow-run.Running");
  CHECK(text(e, "id") == r->state->id);
  CHECK(text(e, "occurred") == "2026-01-01T00:00:02Z");

  const auto resource = child(e, "resource");
  CHECK(text(resource, "prefect.resource.id") == "prefect.flow-run." + run);
  CHECK(text(resource, "prefect.resource.name") == h.run(models::RunKind::kFlow, run).name);
  CHECK(text(resource, "prefect.run-count") == "1");
  CHECK(text(resource, "prefect.state-message") == "go");
  CHECK(text(resource, "prefect.state-name") == "Running");
  CHECK(text(resource, "prefect.state-timestamp") == "2026-01-01T00:00:02+00:00");
  CHECK(text(resource, "prefect.state-type") == "RUNNING");

  std::vector<std::string> related;
  for (auto rel : items(e, "related")) {
    std::string line = text(rel, "prefect.resource.id") + " " + text(rel, "prefect.resource.role");
    std::string_view name;
    if (rel["prefect.resource.name"].get_string().get(name) == simdjson::SUCCESS) {
      line += " " + std::string(name);
    }
    std::string_view pool_type;
    if (rel["prefect.work-pool.type"].get_string().get(pool_type) == simdjson::SUCCESS) {
      line += " " + std::string(pool_type);
    }
    related.push_back(line);
  }
  const auto pool_id =
      h.query("SELECT work_pool_id FROM work_queue WHERE id = ?", {queue}).at(0).text(0);
  const auto deployment_name =
      h.query("SELECT name FROM deployment WHERE id = ?", {deployment}).at(0).text(0);
  const auto task_name = h.query("SELECT name FROM task_run WHERE id = ?", {task}).at(0).text(0);
  CHECK(related == std::vector<std::string>{
                       "prefect.flow." + h.flow_id() + " flow orchestrated-flow",
                       "prefect.deployment." + deployment + " deployment " + deployment_name,
                       "prefect.work-queue." + queue + " work-queue default",
                       "prefect.work-pool." + pool_id + " work-pool pool-a process",
                       "prefect.task-run." + task + " task-run " + task_name,
                       "prefect.tag.a-tag tag",
                       "prefect.tag.deployment-tag tag",
                       "prefect.tag.task-tag tag",
                       "prefect.tag.z-tag tag",
                       "prefect.deployment." + deployment + " creator d",
                   });

  const auto payload = child(e, "payload");
  CHECK(text(child(payload, "intended"), "from") == "PENDING");
  CHECK(text(child(payload, "intended"), "to") == "RUNNING");
  CHECK(core::to_json(child(payload, "initial_state")) == R"({"type":"PENDING","name":"Pending"})");
  CHECK(core::to_json(child(payload, "validated_state")) ==
        R"({"type":"RUNNING","name":"Running","message":"go"})");

  auto first = core::JsonDocument::parse(h.events[0]);
  REQUIRE(first.has_value());
  CHECK(text(e, "follows") == text(first->root(), "id"));
  CHECK(is_null(first->root(), "follows"));
  CHECK(is_null(child(child(first->root(), "payload"), "intended"), "from"));
  CHECK(is_null(child(first->root(), "payload"), "initial_state"));
}

TEST_CASE("rejected-without-state and waiting transitions emit no event") {
  EngineHarness h;
  const std::string run = h.create_flow_run();
  REQUIRE(h.set_flow_state(run, proposal(StateType::kRunning), true).has_value());
  REQUIRE(h.set_flow_state(run, proposal(StateType::kPending)).has_value());  // ABORT
  CHECK(h.events.size() == 1);
}

TEST_CASE("event payloads truncate huge messages, mark pauses and link only close states") {
  models::RunRecord run;
  run.id = "00000000-0000-4000-8000-000000000001";
  run.name = "r";
  run.run_count = 1;
  State initial = make_state(StateType::kRunning, at("2026-01-01T00:00:00Z"));
  State paused = make_state(StateType::kPaused, at("2026-01-01T00:06:00.5Z"));
  paused.details.pause_reschedule = true;
  paused.message = std::string(150000, 'x') + std::string(50000, 'y');
  const std::string json = orch::flow_run_state_change_event(run, initial, paused, {});
  auto doc = core::JsonDocument::parse(json);
  REQUIRE(doc.has_value());
  const auto e = doc->root();
  CHECK(is_null(e, "follows"));  // six minutes apart
  CHECK(text(e, "occurred") == "2026-01-01T00:06:00.500000Z");
  CHECK(text(child(e, "resource"), "prefect.state-timestamp") ==
        "2026-01-01T00:06:00.500000+00:00");
  const std::string message = text(child(e, "resource"), "prefect.state-message");
  CHECK(message ==
        std::string(50000, 'x') + "...100000 additional characters..." + std::string(50000, 'y'));
  const auto validated = child(child(e, "payload"), "validated_state");
  CHECK(text(validated, "pause_reschedule") == "true");
  CHECK(text(validated, "message") == message);
  CHECK(items(e, "related").empty());
}

}  // namespace
}  // namespace prefectcore::testing
