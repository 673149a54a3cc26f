// /api/flow_runs/*: create, read, update, delete, labels and set_state.

#include <doctest/doctest.h>

#include "tests/api/flow_runs_support.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {
constexpr std::string_view kUnknownId = "00000000-0000-4000-8000-00000000ffff";
const std::string unknown_id(kUnknownId);

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}
}  // namespace

TEST_CASE("creating a flow run answers 201 with FlowRunResponse in a Pending state") {
  ApiFixture api;
  const std::string flow = make_flow(api, "hello-flow");
  auto r = api.post("/api/flow_runs/", R"({"flow_id":")" + flow +
                                           R"(","parameters":{"name":"anchor"},"name":null,)"
                                           R"("empirical_policy":{"retries":0,"retry_delay":0}})");
  REQUIRE(r.status == 201);
  auto doc = parse_json(r);
  auto root = doc.root();
  CHECK(str(root, "flow_id") == flow);
  CHECK(!str(root, "name").empty());
  CHECK(contains(str(root, "name"), "-"));
  CHECK(str(root, "state_type") == "PENDING");
  CHECK(str(root, "state_name") == "Pending");
  CHECK(str(root, "expected_start_time") == "2026-01-01T00:00:00Z");
  CHECK(int64(root, "run_count") == 0);
  CHECK(str(member(root, "labels"), "prefect.flow.id") == flow);
  CHECK(member(root, "job_variables").is_object());
  CHECK(member(root, "work_pool_name").is_null());
  auto policy = member(root, "empirical_policy");
  CHECK(int64(policy, "retries") == 0);
  CHECK(member(policy, "retry_delay_seconds").is_double());
  CHECK(member(policy, "pause_keys").is_array());
  auto state = member(root, "state");
  CHECK(str(state, "type") == "PENDING");
  CHECK(str(state, "id") == str(root, "state_id"));
  CHECK(str(member(state, "state_details"), "flow_run_id") == str(root, "id"));
  CHECK(member(root, "estimated_start_time_delta").is_double());
}

TEST_CASE("a flow run with an idempotency key is created once: 201, then 200 with the same id") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string body = R"({"flow_id":")" + flow + R"(","idempotency_key":"k1"})";
  auto first = api.post("/api/flow_runs/", body);
  REQUIRE(first.status == 201);
  api.clock.advance(std::chrono::seconds(3));
  auto again = api.post("/api/flow_runs/", body);
  CHECK(again.status == 200);
  CHECK(json_string(again, "id") == json_string(first, "id"));
  CHECK(json_string(again, "created") == "2026-01-01T00:00:00Z");
  // The initial state is applied only when the row is new.
  auto states = api.get("/api/flow_run_states/?flow_run_id=" + json_string(first, "id"));
  CHECK(items(parse_json(states).root()).size() == 1);
  const std::string other = make_flow(api, "g");
  auto elsewhere =
      api.post("/api/flow_runs/", R"({"flow_id":")" + other + R"(","idempotency_key":"k1"})");
  CHECK(elsewhere.status == 201);
  CHECK(api.post("/api/flow_runs/count").body == "2");
}

TEST_CASE("an initial Scheduled state sets the scheduled start times") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  auto r =
      api.post("/api/flow_runs/",
               R"({"flow_id":")" + flow +
                   R"(","state":{"type":"SCHEDULED","name":"Scheduled","message":null,)"
                   R"("state_details":{"scheduled_time":"2026-01-01T01:00:00Z"},"data":null}})");
  REQUIRE(r.status == 201);
  auto doc = parse_json(r);
  CHECK(str(doc.root(), "state_type") == "SCHEDULED");
  CHECK(str(doc.root(), "expected_start_time") == "2026-01-01T01:00:00Z");
  CHECK(str(doc.root(), "next_scheduled_start_time") == "2026-01-01T01:00:00Z");
  CHECK(member(doc.root(), "estimated_start_time_delta").get_double().value_unsafe() == 0.0);
  api.clock.advance(std::chrono::hours(2));
  auto late = parse_json(api.get("/api/flow_runs/" + str(doc.root(), "id")));
  CHECK(member(late.root(), "estimated_start_time_delta").get_double().value_unsafe() == 3600.0);
}

TEST_CASE("bad flow run bodies are 422; an unknown flow is upstream's 409 integrity conflict") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  SUBCASE("missing flow_id") {
    auto r = api.post("/api/flow_runs/", R"({"name":"x"})");
    CHECK(r.status == 422);
    CHECK(contains(r.body, R"("type":"missing","loc":["body","flow_id"])"));
  }
  SUBCASE("unknown field") {
    auto r = api.post("/api/flow_runs/", R"({"flow_id":")" + flow + R"(","bogus":1})");
    CHECK(r.status == 422);
    CHECK(contains(r.body, R"("loc":["body","bogus"])"));
  }
  SUBCASE("null parameters and a bad state") {
    auto r = api.post("/api/flow_runs/", R"({"flow_id":")" + flow + R"(","parameters":null})");
    CHECK(r.status == 422);
    CHECK(contains(r.body, R"("loc":["body","parameters"])"));
    auto s =
        api.post("/api/flow_runs/", R"({"flow_id":")" + flow + R"(","state":{"type":"NOPE"}})");
    CHECK(s.status == 422);
    CHECK(contains(s.body, R"("loc":["body","state","type"])"));
  }
  SUBCASE("unknown flow") {
    auto r = api.post("/api/flow_runs/", R"({"flow_id":")" + unknown_id + R"("})");
    CHECK(r.status == 409);
    CHECK(contains(r.body, "Data integrity conflict"));
  }
  SUBCASE("a bad retry_type") {
    auto r = api.post("/api/flow_runs/",
                      R"({"flow_id":")" + flow + R"(","empirical_policy":{"retry_type":"often"}})");
    CHECK(r.status == 422);
    CHECK(contains(r.body, R"("loc":["body","empirical_policy","retry_type"])"));
  }
}

TEST_CASE("parameters above Settings.api.max_parameter_size are a 422 value_error") {
  Settings settings = Settings::defaults();
  settings.api.max_parameter_size = 20;
  ApiFixture api(settings);
  const std::string flow = make_flow(api, "f");
  auto ok = api.post("/api/flow_runs/", R"({"flow_id":")" + flow + R"(","parameters":{"a":1}})");
  CHECK(ok.status == 201);
  auto big = api.post("/api/flow_runs/",
                      R"({"flow_id":")" + flow + R"(","parameters":{"a":"0123456789abcdef"}})");
  CHECK(big.status == 422);
  CHECK(contains(big.body,
                 "Flow run parameters must be less than 20 bytes when serialized "
                 "(got 24 bytes)."));
}

TEST_CASE("the legacy policy fields fill retries and retry_delay when those are unset") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  auto r = api.post("/api/flow_runs/", R"({"flow_id":")" + flow +
                                           R"(","empirical_policy":{"max_retries":3,)"
                                           R"("retry_delay_seconds":5}})");
  REQUIRE(r.status == 201);
  auto doc = parse_json(r);
  auto policy = member(doc.root(), "empirical_policy");
  CHECK(int64(policy, "retries") == 3);
  CHECK(int64(policy, "retry_delay") == 5);
  CHECK(int64(policy, "max_retries") == 3);
  CHECK(core::to_json(member(policy, "retry_delay_seconds")) == "5.0");
}

TEST_CASE("work_pool_name resolves to the pool's default or named queue; unknown ones are 404") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  auto [pool_id, queue_id] = make_work_pool(api, "pool-a", "default");
  auto r =
      api.post("/api/flow_runs/", R"({"flow_id":")" + flow + R"(","work_pool_name":"pool-a"})");
  REQUIRE(r.status == 201);
  auto doc = parse_json(r);
  CHECK(str(doc.root(), "work_queue_id") == queue_id);
  CHECK(str(doc.root(), "work_queue_name") == "default");
  CHECK(str(doc.root(), "work_pool_id") == pool_id);
  CHECK(str(doc.root(), "work_pool_name") == "pool-a");
  auto named = api.post(
      "/api/flow_runs/",
      R"({"flow_id":")" + flow + R"(","work_pool_name":"pool-a","work_queue_name":"default"})");
  CHECK(named.status == 201);
  auto no_pool =
      api.post("/api/flow_runs/", R"({"flow_id":")" + flow + R"(","work_pool_name":"nope"})");
  CHECK(no_pool.status == 404);
  CHECK(no_pool.body == R"({"detail":"Work pool \"nope\" not found."})");
  auto no_queue =
      api.post("/api/flow_runs/",
               R"({"flow_id":")" + flow + R"(","work_pool_name":"pool-a","work_queue_name":"q"})");
  CHECK(no_queue.status == 404);
  CHECK(no_queue.body == R"({"detail":"Work pool queue 'pool-a/q' not found."})");
}

TEST_CASE("a deployment-backed run gets the deployment's labels and ids as system labels") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string dep = make_deployment(api, flow, "d", R"({"team":"data"})");
  auto r = api.post("/api/flow_runs/", R"({"flow_id":")" + flow + R"(","deployment_id":")" + dep +
                                           R"(","labels":{"mine":"x"}})");
  REQUIRE(r.status == 201);
  auto doc = parse_json(r);
  auto labels = member(doc.root(), "labels");
  CHECK(str(labels, "team") == "data");
  CHECK(str(labels, "prefect.flow.id") == flow);
  CHECK(str(labels, "prefect.deployment.id") == dep);
  CHECK(str(labels, "mine") == "x");
  CHECK(str(doc.root(), "deployment_id") == dep);
}

TEST_CASE("automation headers set created_by on the new run") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  auto r = call_with_headers(api, "POST", "/api/flow_runs/", R"({"flow_id":")" + flow + "\"}",
                             {{"Prefect-Automation-ID", "11111111-2222-4333-8444-555555555555"},
                              {"Prefect-Automation-Name", "bXktYXV0b21hdGlvbg=="}});
  REQUIRE(r.status == 201);
  auto doc = parse_json(r);
  auto by = member(doc.root(), "created_by");
  CHECK(str(by, "type") == "AUTOMATION");
  CHECK(str(by, "display_value") == "my-automation");
  CHECK(str(by, "id") == "11111111-2222-4333-8444-555555555555");
}

TEST_CASE("reading a flow run: 200 by id, 404 with a detail when unknown") {
  ApiFixture api;
  const std::string run = make_run(api, make_flow(api, "f"), R"("name":"my-run")");
  auto r = api.get("/api/flow_runs/" + run);
  CHECK(r.status == 200);
  CHECK(json_string(r, "name") == "my-run");
  auto missing = api.get("/api/flow_runs/" + unknown_id);
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"detail":"Flow run not found"})");
  CHECK(api.get("/api/flow_runs/not-a-uuid").status == 404);
}

TEST_CASE("PATCH updates only the members given, answers 204, and 404 for unknown runs") {
  ApiFixture api;
  const std::string run = make_run(api, make_flow(api, "f"), R"("name":"before","tags":["a"])");
  api.clock.advance(std::chrono::seconds(2));
  auto patched = api.call("PATCH", "/api/flow_runs/" + run,
                          R"({"infrastructure_pid":"1615","flow_version":"v2",)"
                          R"("empirical_policy":{"retries":2,"retry_delay":1}})");
  CHECK(patched.status == 204);
  CHECK(patched.body.empty());
  auto doc = parse_json(api.get("/api/flow_runs/" + run));
  CHECK(str(doc.root(), "infrastructure_pid") == "1615");
  CHECK(str(doc.root(), "flow_version") == "v2");
  CHECK(str(doc.root(), "name") == "before");
  CHECK(items(member(doc.root(), "tags")).size() == 1);
  CHECK(int64(member(doc.root(), "empirical_policy"), "retries") == 2);
  CHECK(str(doc.root(), "updated") == "2026-01-01T00:00:02Z");
  SUBCASE("a null name gets a generated one") {
    REQUIRE(api.call("PATCH", "/api/flow_runs/" + run, R"({"name":null})").status == 204);
    CHECK(json_string(api.get("/api/flow_runs/" + run), "name") != "before");
  }
  SUBCASE("errors") {
    CHECK(api.call("PATCH", "/api/flow_runs/" + unknown_id, R"({"tags":[]})").status == 404);
    CHECK(api.call("PATCH", "/api/flow_runs/" + run, R"({"state_type":"RUNNING"})").status == 422);
    CHECK(api.call("PATCH", "/api/flow_runs/" + run, "").status == 422);
  }
}

TEST_CASE("PATCH job_variables needs a Scheduled, deployment-backed run, else 400") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string pending = make_run(api, flow);
  auto r = api.call("PATCH", "/api/flow_runs/" + pending, R"({"job_variables":{"a":1}})");
  CHECK(r.status == 400);
  CHECK(r.body ==
        R"({"detail":"Job variables for a flow run in state PENDING cannot be updated"})");
  const std::string scheduled = make_run(api, flow, R"("state":{"type":"SCHEDULED"})");
  auto no_dep = api.call("PATCH", "/api/flow_runs/" + scheduled, R"({"job_variables":{"a":1}})");
  CHECK(no_dep.status == 400);
  CHECK(no_dep.body == R"({"detail":"A deployment for the flow run could not be found"})");
  const std::string dep = make_deployment(api, flow, "d");
  const std::string backed =
      make_run(api, flow, R"("state":{"type":"SCHEDULED"},"deployment_id":")" + dep + "\"");
  CHECK(api.call("PATCH", "/api/flow_runs/" + backed, R"({"job_variables":{"a":1}})").status ==
        204);
  CHECK(core::to_json(member(parse_json(api.get("/api/flow_runs/" + backed)).root(),
                             "job_variables")) == R"({"a":1})");
  CHECK(api.call("PATCH", "/api/flow_runs/" + unknown_id, R"({"job_variables":{}})").status == 404);
}

TEST_CASE("PATCH labels merges the bare dict into the run's labels") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string run = make_run(api, flow, R"("labels":{"a":"1","b":"2"})");
  auto r = api.call("PATCH", "/api/flow_runs/" + run + "/labels", R"({"b":"3","c":true})");
  CHECK(r.status == 204);
  auto doc = parse_json(api.get("/api/flow_runs/" + run));
  CHECK(core::to_json(member(doc.root(), "labels")) ==
        R"({"prefect.flow.id":")" + flow + R"(","a":"1","b":"3","c":true})");
  auto missing = api.call("PATCH", "/api/flow_runs/" + unknown_id + "/labels", R"({"x":"y"})");
  CHECK(missing.status == 404);
  CHECK(missing.body ==
        R"({"exception_message":"Flow run with id )" + unknown_id + R"( not found"})");
  CHECK(api.call("PATCH", "/api/flow_runs/" + run + "/labels", "[1]").status == 422);
}

TEST_CASE("DELETE removes the run with its states; 404 afterwards") {
  ApiFixture api;
  const std::string run = make_run(api, make_flow(api, "f"));
  const std::string state_id = json_string(api.get("/api/flow_runs/" + run), "state_id");
  CHECK(api.call("DELETE", "/api/flow_runs/" + run).status == 204);
  CHECK(api.get("/api/flow_runs/" + run).status == 404);
  CHECK(api.get("/api/flow_run_states/" + state_id).status == 404);
  auto again = api.call("DELETE", "/api/flow_runs/" + run);
  CHECK(again.status == 404);
  CHECK(again.body == R"({"detail":"Flow run not found"})");
}

TEST_CASE("set_state orchestrates: a new state is 201 ACCEPT and updates the run") {
  ApiFixture api;
  const std::string run = make_run(api, make_flow(api, "f"));
  api.clock.advance(std::chrono::seconds(1));
  auto r = call_with_headers(
      api, "POST", "/api/flow_runs/" + run + "/set_state",
      R"({"state":{"type":"RUNNING","name":"Running","state_details":{"transition_id":)"
      R"("63bd4921-f7ac-47c1-8c8e-ad8fe676c71f"}},"force":false})",
      {{"User-Agent", "prefect/3.8.4 (API 0.8.4)"}, {"X-Prefect-API-Version", "0.8.4"}});
  REQUIRE(r.status == 201);
  auto doc = parse_json(r);
  CHECK(str(doc.root(), "status") == "ACCEPT");
  CHECK(str(member(doc.root(), "details"), "type") == "accept_details");
  CHECK(str(member(doc.root(), "state"), "type") == "RUNNING");
  auto read = parse_json(api.get("/api/flow_runs/" + run));
  CHECK(str(read.root(), "state_type") == "RUNNING");
  CHECK(int64(read.root(), "run_count") == 1);
  CHECK(str(read.root(), "start_time") == "2026-01-01T00:00:01Z");
  api.clock.advance(std::chrono::seconds(4));
  auto later = parse_json(api.get("/api/flow_runs/" + run));
  CHECK(member(later.root(), "estimated_run_time").get_double().value_unsafe() == 4.0);
  CHECK(member(later.root(), "estimated_start_time_delta").get_double().value_unsafe() == 1.0);
}

TEST_CASE("set_state: a refused transition answers 200; unknown runs 404; bad bodies 422") {
  ApiFixture api;
  const std::string run = make_run(api, make_flow(api, "f"));
  // HandlePausingFlows: only a running flow may pause.
  auto refused = api.post("/api/flow_runs/" + run + "/set_state", R"({"state":{"type":"PAUSED"}})");
  CHECK(refused.status == 200);
  CHECK(json_string(refused, "status") == "REJECT");
  CHECK(str(member(parse_json(refused).root(), "state"), "type") == "PENDING");
  auto missing =
      api.post("/api/flow_runs/" + unknown_id + "/set_state", R"({"state":{"type":"RUNNING"}})");
  CHECK(missing.status == 404);
  CHECK(contains(missing.body, R"("exception_message":"Flow run with id )"));
  auto no_state = api.post("/api/flow_runs/" + run + "/set_state", R"({"force":true})");
  CHECK(no_state.status == 422);
  CHECK(contains(no_state.body, R"("loc":["body","state"])"));
  CHECK(
      api.post("/api/flow_runs/" + run + "/set_state", R"({"state":{"type":"RUNNING"},"force":3})")
          .status == 422);
}

TEST_CASE("bulk_set_state orchestrates each matching run and lists the results") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string a = make_run(api, flow, R"("tags":["bulk"])");
  const std::string b = make_run(api, flow, R"("tags":["bulk"])");
  make_run(api, flow);
  auto r = api.post("/api/flow_runs/bulk_set_state",
                    R"({"flow_runs":{"tags":{"all_":["bulk"]}},"state":{"type":"CANCELLED"},)"
                    R"("force":true})");
  REQUIRE(r.status == 200);
  auto doc = parse_json(r);
  auto results = items(member(doc.root(), "results"));
  REQUIRE(results.size() == 2);
  std::vector<std::string> ids;
  for (auto result : results) {
    ids.push_back(str(result, "flow_run_id"));
    CHECK(str(result, "status") == "ACCEPT");
    CHECK(str(member(result, "state"), "type") == "CANCELLED");
  }
  CHECK(((ids[0] == a && ids[1] == b) || (ids[0] == b && ids[1] == a)));
  CHECK(
      api.post("/api/flow_runs/count", R"({"flow_runs":{"state":{"type":{"any_":["CANCELLED"]}}}})")
          .body == "2");
  CHECK(api.post("/api/flow_runs/bulk_set_state", R"({"state":{"type":"RUNNING"},"limit":51})")
            .status == 422);
  CHECK(api.post("/api/flow_runs/bulk_set_state", R"({"limit":5})").status == 422);
}

TEST_CASE("bulk_delete deletes at most limit matching runs and lists their ids") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  for (int i = 0; i < 3; ++i) {
    make_run(api, flow, R"("tags":["gone"])");
  }
  const std::string kept = make_run(api, flow);
  auto r = api.post("/api/flow_runs/bulk_delete",
                    R"({"flow_runs":{"tags":{"all_":["gone"]}},"limit":2})");
  REQUIRE(r.status == 200);
  CHECK(items(member(parse_json(r).root(), "deleted")).size() == 2);
  CHECK(api.post("/api/flow_runs/count").body == "2");
  CHECK(api.get("/api/flow_runs/" + kept).status == 200);
  CHECK(api.post("/api/flow_runs/bulk_delete", R"({"limit":0})").status == 422);
}
