// POST /api/work_pools/{name}/get_scheduled_flow_runs and the legacy /api/work_queues/*
// (upstream get-runs-from-worker-queues.sql, api/work_queues.py).

#include <algorithm>

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "tests/api/work_pools_support.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

struct PollFixture {
  ApiFixture api;
  std::string flow;
  PollFixture() {
    api.clock.set(*core::parse_time("2030-01-01T00:00:00Z"));
    create_pool(api, "p");
    create_queue(api, "p", R"({"name":"low"})");  // priority 2
    flow = make_flow(api, "f");
  }
  std::string run(const std::string& queue, const std::string& when,
                  const std::string& extra = "") {
    return scheduled_run(api, flow, "p", queue, when, extra);
  }
  HttpResponse poll(const std::string& body = "{}") {
    return api.post("/api/work_pools/p/get_scheduled_flow_runs", body);
  }
};

}  // namespace

TEST_CASE("the worker poll returns higher-priority queues first, then by scheduled time") {
  PollFixture f;
  const auto low1 = f.run("low", "2030-01-01T00:00:01Z");
  const auto def2 = f.run("default", "2030-01-01T00:00:30Z");
  const auto def1 = f.run("default", "2030-01-01T00:00:20Z");
  auto r = f.poll();
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(polled_run_ids(r) == std::vector<std::string>{def1, def2, low1});
  auto doc = parse_json(r);
  auto first = items(doc.root()).at(0);
  CHECK(str(first, "work_queue_id") == str(member(first, "flow_run"), "work_queue_id"));
  CHECK(member(member(first, "flow_run"), "state").is_null());
  core::JsonElement pool_name;
  CHECK(member(first, "flow_run")["work_pool_name"].get(pool_name) == simdjson::NO_SUCH_FIELD);

  CHECK(polled_run_ids(f.poll(R"({"limit":1})")) == std::vector<std::string>{def1});
  CHECK(polled_run_ids(f.poll(R"({"work_queue_names":["low"]})")) ==
        std::vector<std::string>{low1});
  CHECK(polled_run_ids(f.poll(R"({"scheduled_before":"2030-01-01T00:00:25Z"})")) ==
        std::vector<std::string>{def1, low1});
  CHECK(polled_run_ids(f.poll(R"({"scheduled_after":"2030-01-01T00:00:25Z"})")) ==
        std::vector<std::string>{def2});
  CHECK(f.poll(R"({"work_queue_names":["nope"]})").status == 404);
  CHECK(f.api.post("/api/work_pools/zz/get_scheduled_flow_runs", "{}").status == 404);
  CHECK(f.poll(R"({"scheduled_before":"soon"})").status == 422);
}

TEST_CASE("paused pools and queues hand out nothing; in-process retries are skipped") {
  PollFixture f;
  const auto low1 = f.run("low", "2030-01-01T00:00:01Z");
  f.run("default", "2030-01-01T00:00:02Z",
        R"(,"empirical_policy":{"retries":1,"retry_type":"in_process"})");
  CHECK(polled_run_ids(f.poll()) == std::vector<std::string>{low1});
  REQUIRE(f.api.call("PATCH", "/api/work_pools/p/queues/low", R"({"is_paused":true})").status ==
          204);
  CHECK(polled_run_ids(f.poll()).empty());
  REQUIRE(f.api.call("PATCH", "/api/work_pools/p/queues/low", R"({"is_paused":false})").status ==
          204);
  REQUIRE(f.api.call("PATCH", "/api/work_pools/p", R"({"is_paused":true})").status == 204);
  CHECK(polled_run_ids(f.poll()).empty());
}

TEST_CASE("pool and queue concurrency limits count PENDING and RUNNING runs") {
  PollFixture f;
  const auto d1 = f.run("default", "2030-01-01T00:00:01Z");
  const auto d2 = f.run("default", "2030-01-01T00:00:02Z");
  const auto d3 = f.run("default", "2030-01-01T00:00:03Z");
  const auto l1 = f.run("low", "2030-01-01T00:00:04Z");
  REQUIRE(f.api.call("PATCH", "/api/work_pools/p/queues/default", R"({"concurrency_limit":2})")
              .status == 204);
  CHECK(polled_run_ids(f.poll()) == std::vector<std::string>{d1, d2, l1});
  set_state_type(f.api, d1, "RUNNING");
  CHECK(polled_run_ids(f.poll()) == std::vector<std::string>{d2, l1});
  set_state_type(f.api, d2, "COMPLETED");
  CHECK(polled_run_ids(f.poll()) == std::vector<std::string>{d3, l1});
  REQUIRE(f.api.call("PATCH", "/api/work_pools/p", R"({"concurrency_limit":2})").status == 204);
  CHECK(polled_run_ids(f.poll()) == std::vector<std::string>{d3});
  set_state_type(f.api, d3, "PENDING");
  CHECK(polled_run_ids(f.poll()).empty());
  auto pool = f.api.get("/api/work_pools/p");
  CHECK(int64(parse_json(pool).root(), "active_slots") == 2);
}

TEST_CASE("a poll marks the pool's queues READY with last_polled, once per debounce window") {
  PollFixture f;
  auto before = parse_json(f.api.get("/api/work_pools/p/queues/default"));
  CHECK(str(before.root(), "status") == "NOT_READY");
  REQUIRE(f.poll().status == 200);
  auto after = f.api.get("/api/work_pools/p/queues/default");
  CHECK(json_string(after, "status") == "READY");
  CHECK(json_string(after, "last_polled") == "2030-01-01T00:00:00Z");
  f.api.clock.advance(std::chrono::seconds(5));
  REQUIRE(f.poll(R"({"work_queue_names":["low"]})").status == 200);
  CHECK(json_string(f.api.get("/api/work_pools/p/queues/low"), "last_polled") ==
        "2030-01-01T00:00:05Z");
  CHECK(json_string(f.api.get("/api/work_pools/p/queues/default"), "last_polled") ==
        "2030-01-01T00:00:00Z");
  auto events = stored_events(f.api);
  CHECK(std::count(events.begin(), events.end(), "prefect.work-queue.ready") == 2);
}

TEST_CASE("legacy work queues live in the default-agent-pool and hand out runs by name") {
  ApiFixture api;
  auto created = api.post("/api/work_queues/", R"({"name":"legacy","concurrency_limit":1})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  CHECK(json_string(created, "work_pool_name") == "default-agent-pool");
  const std::string id = json_string(created, "id");
  CHECK(api.post("/api/work_queues/", R"({"name":"legacy"})").status == 409);
  auto pool = api.get("/api/work_pools/default-agent-pool");
  REQUIRE(pool.status == 200);
  CHECK(json_string(pool, "type") == "prefect-agent");
  CHECK(json_string(pool, "status") == "NOT_READY");
  // Once the pool exists, "default" is taken like any other name (upstream's IntegrityError).
  CHECK(api.post("/api/work_queues/", R"({"name":"default"})").status == 409);

  CHECK(json_string(api.get("/api/work_queues/name/legacy"), "id") == id);
  CHECK(api.get("/api/work_queues/name/none").status == 404);
  CHECK(api.get("/api/work_queues/" + id).status == 200);
  auto missing = api.get("/api/work_queues/00000000-0000-4000-8000-000000000000");
  CHECK(missing.status == 404);
  CHECK(json_string(missing, "detail") == "work queue not found");

  const auto flow = make_flow(api, "f");
  const auto r1 = make_run(api, flow, R"("work_queue_name":"legacy","state":{"type":"SCHEDULED"})");
  make_run(api, flow, R"("work_queue_name":"legacy","state":{"type":"SCHEDULED"})");
  auto runs = api.post("/api/work_queues/" + id + "/get_runs", R"({"agent_id":null})");
  REQUIRE_MESSAGE(runs.status == 200, runs.body);
  CHECK(strings_of(runs, "id").size() == 1);  // concurrency_limit 1
  auto status = api.get("/api/work_queues/" + id + "/status");
  REQUIRE(status.status == 200);
  auto s = parse_json(status);
  CHECK(s.root()["healthy"].get_bool().value_unsafe() == true);
  CHECK(str(s.root(), "last_polled") ==
        str(parse_json(api.get("/api/work_queues/" + id)).root(), "last_polled"));
  CHECK(api.call("PATCH", "/api/work_queues/" + id, R"({"description":"x"})").status == 204);
  auto filtered =
      api.post("/api/work_queues/filter", R"({"work_queues":{"name":{"startswith_":["leg"]}}})");
  CHECK(strings_of(filtered, "name") == std::vector<std::string>{"legacy"});
  CHECK(api.call("DELETE", "/api/work_queues/" + id).status == 204);
  CHECK(api.call("DELETE", "/api/work_queues/" + id).status == 404);
  auto unknown = api.post("/api/work_queues/00000000-0000-4000-8000-000000000000/get_runs", "{}");
  CHECK(unknown.status == 404);
  (void)r1;
}

TEST_CASE("concurrency status lists the runs holding a pool's and a queue's slots") {
  PollFixture f;
  const auto d1 = f.run("default", "2030-01-01T00:00:01Z");
  f.run("low", "2030-01-01T00:00:02Z");
  set_state_type(f.api, d1, "RUNNING");
  REQUIRE(f.api.call("PATCH", "/api/work_pools/p", R"({"concurrency_limit":3})").status == 204);
  auto r = f.api.post("/api/work_pools/p/concurrency_status", R"({"flow_run_limit":5})");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  CHECK(int64(doc.root(), "active_slots") == 1);
  CHECK(int64(doc.root(), "concurrency_limit") == 3);
  CHECK(int64(doc.root(), "count") == 2);
  auto queues = items(member(doc.root(), "queues"));
  REQUIRE(queues.size() == 2);
  CHECK(str(queues[0], "queue_name") == "default");
  CHECK(int64(queues[0], "active_slots") == 1);
  CHECK(str(items(member(queues[0], "flow_runs")).at(0), "id") == d1);
  CHECK(f.api.post("/api/work_pools/zz/concurrency_status", "{}").status == 404);

  const std::string queue_id = json_string(f.api.get("/api/work_pools/p/queues/default"), "id");
  auto q = f.api.post("/api/work_queues/" + queue_id + "/concurrency_status", "{}");
  REQUIRE_MESSAGE(q.status == 200, q.body);
  auto qdoc = parse_json(q);
  CHECK(int64(qdoc.root(), "active_slots") == 1);
  CHECK(items(member(qdoc.root(), "flow_runs")).size() == 1);
}
