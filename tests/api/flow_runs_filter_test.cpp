// /api/flow_runs/filter, /count and /paginate: sorts, paging and the filter grammar.

#include <doctest/doctest.h>

#include "tests/api/flow_runs_support.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

using Names = std::vector<std::string>;

Names names(ApiFixture& api, const std::string& body) {
  auto r = api.post("/api/flow_runs/filter", body);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return strings_of(r, "name");
}

// Three runs of flow "etl": a Scheduled one expected at 02:00, a Pending one created at
// 00:00 and a Running one started at 00:10 (created at 00:05); ids ascend in that order.
struct Seeded {
  std::string flow;
  std::string scheduled;
  std::string pending;
  std::string running;
};

Seeded seed(ApiFixture& api) {
  Seeded s;
  s.flow = make_flow(api, "etl");
  s.scheduled = make_run(api, s.flow,
                         R"("name":"charlie","tags":["nightly"],"state":{"type":"SCHEDULED",)"
                         R"("state_details":{"scheduled_time":"2026-01-01T02:00:00Z"}})");
  s.pending = make_run(api, s.flow, R"("name":"alpha","tags":["adhoc","nightly"])");
  api.clock.advance(std::chrono::minutes(5));
  s.running = make_run(api, s.flow, R"("name":"bravo")");
  api.clock.advance(std::chrono::minutes(5));
  REQUIRE(api.post("/api/flow_runs/" + s.running + "/set_state", R"({"state":{"type":"RUNNING"}})")
              .status == 201);
  return s;
}

}  // namespace

TEST_CASE("filter sorts by id descending by default and honours every FlowRunSort") {
  ApiFixture api;
  seed(api);
  const Names by_id = names(api, "{}");
  REQUIRE(by_id.size() == 3);
  CHECK(names(api, R"({"sort":"NAME_ASC"})") == Names{"alpha", "bravo", "charlie"});
  CHECK(names(api, R"({"sort":"NAME_DESC"})") == Names{"charlie", "bravo", "alpha"});
  // START_TIME_* order on coalesce(start_time, expected_start_time): alpha 00:00,
  // bravo 00:10 (started), charlie 02:00 (expected).
  CHECK(names(api, R"({"sort":"START_TIME_ASC"})") == Names{"alpha", "bravo", "charlie"});
  CHECK(names(api, R"({"sort":"START_TIME_DESC"})") == Names{"charlie", "bravo", "alpha"});
  // expected_start_time: alpha 00:00, bravo 00:05, charlie 02:00.
  CHECK(names(api, R"({"sort":"EXPECTED_START_TIME_ASC"})") == Names{"alpha", "bravo", "charlie"});
  CHECK(names(api, R"({"sort":"EXPECTED_START_TIME_DESC"})") == Names{"charlie", "bravo", "alpha"});
  // Only charlie has a next scheduled start; NULLs sort first ascending, as on SQLite.
  CHECK(names(api, R"({"sort":"NEXT_SCHEDULED_START_TIME_ASC"})").back() == "charlie");
  CHECK(names(api, R"({"sort":"END_TIME_DESC"})").size() == 3);
  CHECK(names(api, R"({"limit":1,"offset":1})") == Names{by_id[1]});
  auto bad = api.post("/api/flow_runs/filter", R"({"sort":"SIDEWAYS"})");
  CHECK(bad.status == 422);
  auto big = api.post("/api/flow_runs/filter", R"({"limit":201})");
  CHECK(big.status == 422);
  CHECK(big.body == R"({"detail":"Invalid limit: must be less than or equal to 200."})");
}

TEST_CASE("FlowRunFilter fields select runs, with upstream's quirks") {
  ApiFixture api;
  Seeded s = seed(api);
  CHECK(names(api, R"({"flow_runs":{"name":{"like_":"RAV"}}})") == Names{"bravo"});
  CHECK(names(api, R"({"sort":"NAME_ASC","flow_runs":{"tags":{"all_":["nightly"]}}})") ==
        Names{"alpha", "charlie"});
  CHECK(names(api, R"({"flow_runs":{"tags":{"all_":["adhoc","nightly"]}}})") == Names{"alpha"});
  CHECK(names(api, R"({"flow_runs":{"tags":{"is_null_":true}}})") == Names{"bravo"});
  CHECK(names(api, R"({"flow_runs":{"state":{"type":{"any_":["RUNNING"]}}}})") == Names{"bravo"});
  CHECK(names(api,
              R"({"sort":"NAME_ASC","flow_runs":{"state":{"name":{"not_any_":["Running"]}}}})") ==
        Names{"alpha", "charlie"});
  CHECK(names(api, R"({"flow_runs":{"id":{"any_":[")" + s.pending + R"("]}}})") == Names{"alpha"});
  // An empty any_ matches nothing.
  CHECK(names(api, R"({"flow_runs":{"id":{"any_":[]}}})").empty());
  // start_time before_/after_ compare coalesce(start_time, expected_start_time).
  CHECK(names(api, R"({"flow_runs":{"start_time":{"after_":"2026-01-01T01:00:00Z"}}})") ==
        Names{"charlie"});
  CHECK(names(api, R"({"flow_runs":{"start_time":{"is_null_":false}}})") == Names{"bravo"});
  CHECK(names(api, R"({"flow_runs":{"expected_start_time":{"before_":"2026-01-01T00:01:00Z"}}})") ==
        Names{"alpha"});
  CHECK(names(api, R"({"flow_runs":{"operator":"or_","name":{"any_":["alpha"]},)"
                   R"("tags":{"is_null_":true}}})")
            .size() == 2);
  auto extra = api.post("/api/flow_runs/filter", R"({"flow_runs":{"nickname":{"any_":["x"]}}})");
  CHECK(extra.status == 422);
  CHECK(extra.body.find(R"("loc":["body","flow_runs","nickname"])") != std::string::npos);
}

TEST_CASE("related filters keep runs whose flow, deployment, pool, queue or task runs match") {
  ApiFixture api;
  Seeded s = seed(api);
  const std::string other_flow = make_flow(api, "reports");
  auto [pool_id, queue_id] = make_work_pool(api, "pool-a", "fast");
  const std::string dep = make_deployment(api, other_flow, "daily");
  const std::string pooled =
      make_run(api, other_flow,
               R"("name":"delta","work_pool_name":"pool-a","deployment_id":")" + dep + "\"");
  make_task_run(api, s.pending, "extract");
  CHECK(names(api, R"({"flows":{"name":{"any_":["reports"]}}})") == Names{"delta"});
  CHECK(names(api, R"({"deployments":{"name":{"any_":["daily"]}}})") == Names{"delta"});
  // Upstream applies a related filter whenever it is given: {} means "has a deployment".
  CHECK(names(api, R"({"deployments":{}})") == Names{"delta"});
  CHECK(names(api, R"({"deployments":null})").size() == 4);
  CHECK(names(api, R"({"work_pools":{"name":{"any_":["pool-a"]}}})") == Names{"delta"});
  CHECK(names(api, R"({"work_pool_queues":{"name":{"any_":["fast"]}}})") == Names{"delta"});
  CHECK(names(api, R"({"work_pool_queues":{"name":{"any_":["slow"]}}})").empty());
  CHECK(names(api, R"({"task_runs":{"name":{"any_":["extract"]}}})") == Names{"alpha"});
  CHECK(names(api, R"({"flows":{"name":{"any_":["etl"]}},"task_runs":{}})") == Names{"alpha"});
  CHECK(api.post("/api/flow_runs/count", R"({"flows":{"name":{"any_":["etl"]}}})").body == "3");
  CHECK(api.post("/api/flow_runs/count", R"({"work_pools":{"id":{"any_":[")" + pool_id + R"("]}}})")
            .body == "1");
  CHECK(pooled.size() == 36);
}

TEST_CASE("count and paginate use the same filters; paginate returns the envelope") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  for (int i = 0; i < 5; ++i) {
    make_run(api, flow, R"("name":"run-)" + std::to_string(i) + "\"");
  }
  CHECK(api.post("/api/flow_runs/count").body == "5");
  CHECK(api.post("/api/flow_runs/count", R"({"flow_runs":{"name":{"any_":["run-1","run-3"]}}})")
            .body == "2");
  auto page = api.post("/api/flow_runs/paginate", R"({"limit":2,"page":3,"sort":"NAME_ASC"})");
  REQUIRE(page.status == 200);
  auto doc = parse_json(page);
  CHECK(int64(doc.root(), "count") == 5);
  CHECK(int64(doc.root(), "pages") == 3);
  CHECK(int64(doc.root(), "page") == 3);
  CHECK(int64(doc.root(), "limit") == 2);
  auto results = items(member(doc.root(), "results"));
  REQUIRE(results.size() == 1);
  CHECK(str(results[0], "name") == "run-4");
  CHECK(api.post("/api/flow_runs/paginate", R"({"page":0})").status == 422);
  auto zero = parse_json(api.post("/api/flow_runs/paginate", R"({"limit":0})"));
  CHECK(int64(zero.root(), "pages") == 0);
}
