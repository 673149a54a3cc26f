#include <doctest/doctest.h>

#include "tests/api/flow_runs_support.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

std::string deployment_body(const std::string& flow_id, const std::string& name,
                            const std::string& extra = "") {
  return R"({"name":")" + name + R"(","flow_id":")" + flow_id + "\"" +
         (extra.empty() ? "" : "," + extra) + "}";
}

std::string create(ApiFixture& api, const std::string& flow_id, const std::string& name,
                   const std::string& extra = "") {
  auto r = api.post("/api/deployments/", deployment_body(flow_id, name, extra));
  REQUIRE(r.status == 201);
  return json_string(r, "id");
}

bool contains(const HttpResponse& r, std::string_view text) {
  return r.body.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("creating a deployment answers 201, the same (flow, name) again 200 with the same id") {
  ApiFixture api;
  const std::string flow = make_flow(api, "hello-flow");
  auto first = api.post("/api/deployments/",
                        deployment_body(flow, "d1", R"("tags":["a"],"parameters":{"x":1})"));
  REQUIRE(first.status == 201);
  auto doc = parse_json(first);
  auto root = doc.root();
  CHECK(str(root, "name") == "d1");
  CHECK(str(root, "status") == "NOT_READY");
  CHECK(member(root, "concurrency_limit").is_null());
  CHECK(member(root, "global_concurrency_limit").is_null());
  CHECK(member(root, "work_queue_name").is_null());
  CHECK(member(root, "schedules").is_array());
  CHECK(core::to_json(member(root, "labels")) == R"({"prefect.flow.id":")" + flow + "\"}");
  CHECK(core::to_json(member(root, "parameters")) == R"({"x":1})");
  const std::string id = str(root, "id");

  api.clock.advance(Micros(1000000));
  auto again = api.post("/api/deployments/", deployment_body(flow, "d1", R"("version":"2")"));
  CHECK(again.status == 200);
  auto doc2 = parse_json(again);
  CHECK(str(doc2.root(), "id") == id);
  CHECK(str(doc2.root(), "version") == "2");
  // Members the upsert did not set keep their values, as upstream's exclude_unset.
  CHECK(core::to_json(member(doc2.root(), "tags")) == R"(["a"])");
  CHECK(str(doc2.root(), "updated") == "2026-01-01T00:00:01Z");
}

TEST_CASE("deployments are read by id and by flow/deployment name; unknown ones are 404") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string id = create(api, flow, "dep");
  CHECK(json_string(api.get("/api/deployments/" + id), "name") == "dep");
  auto by_name = api.get("/api/deployments/name/f/dep");
  CHECK(by_name.status == 200);
  CHECK(json_string(by_name, "id") == id);
  auto missing = api.get("/api/deployments/name/f/nope");
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"detail":"Deployment not found"})");
  CHECK(api.get("/api/deployments/00000000-0000-4000-8000-000000000009").status == 404);
}

TEST_CASE("bad deployment bodies are 422 in upstream's validation shape") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  SUBCASE("missing flow_id and unknown member") {
    auto r = api.post("/api/deployments/", R"({"name":"x","bogus":1})");
    CHECK(r.status == 422);
    CHECK(contains(r, R"("type":"missing","loc":["body","flow_id"])"));
    CHECK(contains(r, R"("type":"extra_forbidden","loc":["body","bogus"])"));
  }
  SUBCASE("an update may not rename or move a deployment") {
    const std::string id = create(api, flow, "dep");
    auto r = api.call("PATCH", "/api/deployments/" + id, R"({"name":"y","flow_id":"x"})");
    CHECK(r.status == 422);
    CHECK(contains(r, R"("type":"extra_forbidden","loc":["body","name"])"));
    CHECK(contains(r, R"("type":"extra_forbidden","loc":["body","flow_id"])"));
    CHECK(api.call("PATCH", "/api/deployments/" + id, R"({"description":"d"})").status == 204);
  }
  SUBCASE("both concurrency limits") {
    auto r = api.post("/api/deployments/",
                      deployment_body(flow, "x",
                                      R"("concurrency_limit":2,"global_concurrency_limit_id":)"
                                      R"("00000000-0000-4000-8000-000000000001")"));
    CHECK(r.status == 422);
    CHECK(contains(r, "cannot have both a concurrency limit"));
  }
  SUBCASE("parameters that break the enforced schema") {
    auto r = api.post(
        "/api/deployments/",
        deployment_body(flow, "x",
                        R"("parameters":{"n":"nope"},"parameter_openapi_schema":{"type":"object",)"
                        R"("properties":{"n":{"type":"integer"}},"required":["n","m"]})"));
    CHECK(r.status == 422);
    CHECK(contains(r, "Validation failed for field 'n'"));
  }
  SUBCASE("a bad collision strategy and a zero concurrency limit") {
    auto r = api.post("/api/deployments/",
                      deployment_body(flow, "x",
                                      R"("concurrency_limit":0,"concurrency_options":)"
                                      R"({"collision_strategy":"NOPE"})"));
    CHECK(r.status == 422);
    CHECK(contains(r, R"("type":"greater_than","loc":["body","concurrency_limit"])"));
    CHECK(contains(r, R"("loc":["body","concurrency_options","collision_strategy"])"));
  }
}

TEST_CASE("a deployment naming a work pool gets the pool's default queue or a new queue") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  auto [pool_id, default_queue] = make_work_pool(api, "anchor-pool", "default");
  auto r = api.post("/api/deployments/",
                    deployment_body(flow, "d", R"("work_pool_name":"anchor-pool")"));
  REQUIRE(r.status == 201);
  auto doc = parse_json(r);
  CHECK(str(doc.root(), "work_queue_id") == default_queue);
  CHECK(str(doc.root(), "work_queue_name") == "default");
  CHECK(str(doc.root(), "work_pool_name") == "anchor-pool");

  auto with_queue = api.post(
      "/api/deployments/",
      deployment_body(flow, "d2", R"("work_pool_name":"anchor-pool","work_queue_name":"fast")"));
  REQUIRE(with_queue.status == 201);
  auto doc2 = parse_json(with_queue);
  CHECK(str(doc2.root(), "work_queue_name") == "fast");
  CHECK(str(doc2.root(), "work_queue_id") != default_queue);

  auto missing =
      api.post("/api/deployments/", deployment_body(flow, "d3", R"("work_pool_name":"nope")"));
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"detail":"Work pool \"nope\" not found."})");
}

TEST_CASE("a deployment concurrency limit becomes the v2 limit deployment:<id>") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  auto r = api.post("/api/deployments/",
                    deployment_body(flow, "d",
                                    R"("concurrency_limit":3,"concurrency_options":)"
                                    R"({"collision_strategy":"CANCEL_NEW"})"));
  REQUIRE(r.status == 201);
  auto doc = parse_json(r);
  const std::string id = str(doc.root(), "id");
  auto limit = member(doc.root(), "global_concurrency_limit");
  CHECK(str(limit, "name") == "deployment:" + id);
  CHECK(int64(limit, "limit") == 3);
  CHECK(str(member(doc.root(), "concurrency_options"), "collision_strategy") == "CANCEL_NEW");

  REQUIRE(api.call("PATCH", "/api/deployments/" + id, R"({"concurrency_limit":5})").status == 204);
  auto after = parse_json(api.get("/api/deployments/" + id));
  CHECK(int64(member(after.root(), "global_concurrency_limit"), "limit") == 5);

  REQUIRE(api.call("PATCH", "/api/deployments/" + id, R"({"concurrency_limit":null})").status ==
          204);
  auto cleared = parse_json(api.get("/api/deployments/" + id));
  CHECK(member(cleared.root(), "global_concurrency_limit").is_null());
  auto limits = api.post("/api/v2/concurrency_limits/filter", "{}");
  CHECK(limits.body == "[]");
}

TEST_CASE("updating a deployment is 204, unknown ids 404, bad parameters 409") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string id = create(
      api, flow, "d",
      R"("parameter_openapi_schema":{"type":"object","properties":{"n":{"type":"integer"}}})");
  CHECK(
      api.call("PATCH", "/api/deployments/" + id, R"({"description":"hi","paused":true})").status ==
      204);
  auto doc = parse_json(api.get("/api/deployments/" + id));
  CHECK(str(doc.root(), "description") == "hi");
  CHECK(member(doc.root(), "paused").get_bool().value_unsafe());
  auto missing = api.call("PATCH", "/api/deployments/00000000-0000-4000-8000-000000000009", "{}");
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"detail":"Deployment not found."})");
  auto bad = api.call("PATCH", "/api/deployments/" + id, R"({"parameters":{"n":"x"}})");
  CHECK(bad.status == 409);
  CHECK(contains(bad, "Error updating deployment: Validation failed for field 'n'"));
  CHECK(api.call("PATCH", "/api/deployments/" + id, R"({"name":"renamed"})").status == 422);
}

TEST_CASE("deployments filter, sort, count and paginate like upstream") {
  ApiFixture api;
  const std::string f1 = make_flow(api, "alpha");
  const std::string f2 = make_flow(api, "beta");
  create(api, f1, "b-dep", R"("tags":["x"])");
  api.clock.advance(Micros(1000));
  create(api, f1, "a-dep", R"("paused":true)");
  api.clock.advance(Micros(1000));
  create(api, f2, "c-dep", R"("tags":["x","y"])");
  CHECK(strings_of(api.post("/api/deployments/filter", "{}"), "name") ==
        std::vector<std::string>{"a-dep", "b-dep", "c-dep"});
  CHECK(strings_of(api.post("/api/deployments/filter", R"({"sort":"CREATED_DESC"})"), "name") ==
        std::vector<std::string>{"c-dep", "a-dep", "b-dep"});
  CHECK(strings_of(api.post("/api/deployments/filter",
                            R"({"deployments":{"tags":{"all_":["x"]}},"sort":"NAME_DESC"})"),
                   "name") == std::vector<std::string>{"c-dep", "b-dep"});
  CHECK(strings_of(api.post("/api/deployments/filter", R"({"flows":{"name":{"any_":["beta"]}}})"),
                   "name") == std::vector<std::string>{"c-dep"});
  CHECK(strings_of(api.post("/api/deployments/filter",
                            R"({"deployments":{"flow_or_deployment_name":{"like_":"alp"}}})"),
                   "name") == std::vector<std::string>{"a-dep", "b-dep"});
  CHECK(api.post("/api/deployments/count", R"({"deployments":{"paused":{"eq_":true}}})").body ==
        "1");
  auto page = parse_json(api.post("/api/deployments/paginate", R"({"limit":2,"page":2})"));
  CHECK(int64(page.root(), "count") == 3);
  CHECK(int64(page.root(), "pages") == 2);
  CHECK(items(member(page.root(), "results")).size() == 1);
  CHECK(api.post("/api/deployments/filter", R"({"sort":"BOGUS"})").status == 422);
}

TEST_CASE("deleting deployments removes them, their limit and their scheduled runs") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string id = create(api, flow, "d", R"("concurrency_limit":1)");
  auto run = api.post("/api/deployments/" + id + "/create_flow_run", "{}");
  REQUIRE(run.status == 201);
  CHECK(api.call("DELETE", "/api/deployments/" + id).status == 204);
  CHECK(api.call("DELETE", "/api/deployments/" + id).status == 404);
  CHECK(api.get("/api/flow_runs/" + json_string(run, "id")).status == 404);
  CHECK(api.post("/api/v2/concurrency_limits/filter", "{}").body == "[]");

  create(api, flow, "keep");
  create(api, flow, "drop-1");
  create(api, flow, "drop-2");
  auto bulk = api.post("/api/deployments/bulk_delete",
                       R"({"deployments":{"name":{"like_":"drop"}},"limit":1})");
  REQUIRE(bulk.status == 200);
  CHECK(items(member(parse_json(bulk).root(), "deleted")).size() == 1);
  CHECK(api.post("/api/deployments/count").body == "2");
  CHECK(api.post("/api/deployments/bulk_delete", R"({"limit":51})").status == 422);
}

TEST_CASE("pausing a deployment deletes its auto-scheduled runs; resuming clears the flag") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string id = create(api, flow, "d");
  const std::string manual =
      json_string(api.post("/api/deployments/" + id + "/create_flow_run", "{}"), "id");
  const std::string automatic =
      make_run(api, flow, R"("deployment_id":")" + id + R"(","state":{"type":"SCHEDULED"})");
  exec_sql(api, "UPDATE flow_run SET auto_scheduled = 1 WHERE id = ?", {automatic});
  auto paused = api.post("/api/deployments/" + id + "/pause_deployment");
  CHECK(paused.status == 200);
  CHECK(paused.body == "null");
  CHECK(api.get("/api/flow_runs/" + automatic).status == 404);
  CHECK(api.get("/api/flow_runs/" + manual).status == 200);
  CHECK(member(parse_json(api.get("/api/deployments/" + id)).root(), "paused")
            .get_bool()
            .value_unsafe());
  CHECK(api.post("/api/deployments/" + id + "/resume_deployment").status == 200);
  CHECK(!member(parse_json(api.get("/api/deployments/" + id)).root(), "paused")
             .get_bool()
             .value_unsafe());
  CHECK(api.post("/api/deployments/00000000-0000-4000-8000-000000000009/pause_deployment").status ==
        404);
}

TEST_CASE("work_queue_check lists legacy queues whose filter admits the deployment") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string id = create(api, flow, "d", R"("tags":["a","b"])");
  auto [pool, queue] = make_work_pool(api, "p", "q");
  exec_sql(api, "UPDATE work_queue SET filter = ? WHERE id = ?",
           {JsonText{R"({"tags":["a"],"deployment_ids":[]})"}, queue});
  auto r = api.get("/api/deployments/" + id + "/work_queue_check");
  REQUIRE(r.status == 200);
  CHECK(strings_of(r, "name") == std::vector<std::string>{"q"});
  exec_sql(api, "UPDATE work_queue SET filter = ? WHERE id = ?",
           {JsonText{R"({"tags":["z"],"deployment_ids":[]})"}, queue});
  CHECK(api.get("/api/deployments/" + id + "/work_queue_check").body == "[]");
}
