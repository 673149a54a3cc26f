// Replays the real client's flow run requests from ../shared/reference/traces and compares
// our answers with the upstream server's: status codes, keys and value types.

#include <chrono>

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "tests/api/trace_replay.h"

using namespace prefectcore;
using namespace prefectcore::testing;

TEST_CASE("the hello trace's flow run exchanges get upstream-shaped answers") {
  ApiFixture api;
  Replayer replay{api, load_trace("hello.jsonl"), {}};
  REQUIRE(replay.trace.count(4) == 1);
  const std::string flow = make_flow(api, "hello-flow");
  replay.ids["761b2fd3-c93b-4995-9676-1b21de565fbe"] = flow;
  auto created = replay.replay(4);
  replay.ids["c41b5c7e-976b-45d8-a9d2-eed2653b6b03"] = json_string(created, "id");
  api.clock.advance(std::chrono::milliseconds(30));
  replay.replay(5);
  replay.replay(6);
  api.clock.advance(std::chrono::milliseconds(130));
  replay.replay(9);
  CHECK(json_string(api.get("/api/flow_runs/" + json_string(created, "id")), "state_type") ==
        "COMPLETED");
}

TEST_CASE("the worker trace's flow run exchanges get upstream-shaped answers") {
  ApiFixture api;
  Replayer replay{api, load_trace("worker.jsonl"), {}};
  REQUIRE(replay.trace.count(18) == 1);
  api.clock.set(core::parse_time("2026-11-27T02:30:02.602813Z").value());
  const std::string flow = make_flow(api, "hello-flow");
  auto [pool_id, queue_id] = make_work_pool(api, "anchor-pool", "default");
  const std::string dep = make_deployment(api, flow, "anchor");
  exec_sql(api, "UPDATE deployment SET version = ?, work_queue_id = ? WHERE id = ?",
           {std::string("db84e0ed1c984322a197be9fd848fc5a"), queue_id, dep});
  replay.ids["f04dd209-c770-4987-828a-658d9f75e496"] = flow;
  replay.ids["aa56a770-6f08-4698-871b-d31967f779e6"] = dep;
  replay.ids["381e413d-af99-4537-987b-afa3581b9c96"] = pool_id;
  replay.ids["bc49e58f-d57a-447a-8f76-de894fa69fa4"] = queue_id;
  // The run was made by POST /deployments/{id}/create_flow_run; the same body plus the
  // members FlowRunCreate needs creates it here, with the same response shape.
  auto doc = core::JsonDocument::parse(replay.trace[18]);
  std::string body = core::to_json(member(doc->root(), "req_body"));
  body.insert(body.size() - 1, R"(,"flow_id":")" + flow + R"(","deployment_id":")" + dep +
                                   R"(","work_pool_name":"anchor-pool")");
  auto created = api.post("/api/flow_runs/", body);
  REQUIRE_MESSAGE(created.status == 201, created.body);
  std::vector<std::string> diffs;
  auto ours = parse_json(created);
  compare_shape(member(doc->root(), "resp_body"), ours.root(), "$", diffs);
  // Only the deployment route copies the deployment's version onto the run.
  CHECK(diffs ==
        std::vector<std::string>{
            R"($.deployment_version: expected "db84e0ed1c984322a197be9fd848fc5a", got null)"});
  exec_sql(api, "UPDATE flow_run SET deployment_version = ? WHERE id = ?",
           {std::string("db84e0ed1c984322a197be9fd848fc5a"), json_string(created, "id")});
  CHECK(str(ours.root(), "work_pool_name") == "anchor-pool");
  CHECK(str(member(ours.root(), "labels"), "prefect.deployment.id") == dep);
  replay.ids["21b39fc8-26bc-47ef-a765-cc7595a9bf48"] = json_string(created, "id");
  api.clock.set(core::parse_time("2026-11-27T02:30:05.759374Z").value());
  replay.replay(30);
  replay.replay(33);
  api.clock.advance(std::chrono::milliseconds(100));
  replay.replay(34);
  replay.replay(37);
  replay.replay(40);
  replay.replay(46);
  replay.replay(48);
  api.clock.advance(std::chrono::seconds(3));
  replay.replay(49);
  replay.replay(50);
  api.clock.advance(std::chrono::milliseconds(200));
  replay.replay(58);
  auto final_run = parse_json(api.get("/api/flow_runs/" + json_string(created, "id")));
  CHECK(str(final_run.root(), "state_type") == "COMPLETED");
  CHECK(str(member(final_run.root(), "labels"), "prefect.worker.name") == "anchor-worker");
  CHECK(str(final_run.root(), "infrastructure_pid") == "1615");
  CHECK(str(final_run.root(), "flow_version") == "db84e0ed1c984322a197be9fd848fc5a");
}
