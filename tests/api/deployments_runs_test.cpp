#include <doctest/doctest.h>

#include "lib/core/uuid.h"
#include "lib/models/deployments.h"
#include "tests/api/flow_runs_support.h"
#include "tests/storage/backend.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

std::string create(ApiFixture& api, const std::string& flow_id, const std::string& name,
                   const std::string& extra = "") {
  auto r = api.post("/api/deployments/", R"({"name":")" + name + R"(","flow_id":")" + flow_id +
                                             "\"" + (extra.empty() ? "" : "," + extra) + "}");
  REQUIRE(r.status == 201);
  return json_string(r, "id");
}

bool contains(const HttpResponse& r, std::string_view text) {
  return r.body.find(text) != std::string::npos;
}

constexpr std::string_view kSchema =
    R"("parameter_openapi_schema":{"type":"object","properties":{"n":{"type":"integer"},)"
    R"("who":{"type":"string"}},"required":["who"]})";

}  // namespace

TEST_CASE("create_flow_run merges parameters and tags and starts SCHEDULED at now") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  auto [pool, queue] = make_work_pool(api, "pool", "default");
  const std::string id = create(
      api, flow, "d",
      std::string(kSchema) + R"(,"parameters":{"who":"world","n":1},"tags":["dep"],"version":"v1",)"
                             R"("work_pool_name":"pool")");
  auto r = api.post("/api/deployments/" + id + "/create_flow_run",
                    R"({"parameters":{"n":2},"tags":["run","dep"]})");
  REQUIRE(r.status == 201);
  auto doc = parse_json(r);
  auto root = doc.root();
  CHECK(core::to_json(member(root, "parameters")) == R"({"who":"world","n":2})");
  CHECK(core::to_json(member(root, "tags")) == R"(["dep","run"])");
  CHECK(str(root, "deployment_id") == id);
  CHECK(str(root, "deployment_version") == "v1");
  CHECK(str(root, "state_type") == "SCHEDULED");
  CHECK(str(root, "expected_start_time") == "2026-01-01T00:00:00Z");
  CHECK(str(root, "work_queue_id") == queue);
  CHECK(str(root, "work_pool_name") == "pool");
  CHECK(str(member(root, "labels"), "prefect.deployment.id") == id);

  SUBCASE("a queue override creates the queue in the deployment's pool") {
    auto other =
        api.post("/api/deployments/" + id + "/create_flow_run", R"({"work_queue_name":"other"})");
    REQUIRE(other.status == 201);
    CHECK(json_string(other, "work_queue_name") == "other");
    CHECK(json_string(other, "work_queue_id") != queue);
  }
  SUBCASE("an idempotency key returns the same run with 200") {
    auto a = api.post("/api/deployments/" + id + "/create_flow_run", R"({"idempotency_key":"k"})");
    auto b = api.post("/api/deployments/" + id + "/create_flow_run", R"({"idempotency_key":"k"})");
    CHECK(a.status == 201);
    CHECK(b.status == 200);
    CHECK(json_string(a, "id") == json_string(b, "id"));
  }
  SUBCASE("an explicit state is kept") {
    auto pending =
        api.post("/api/deployments/" + id + "/create_flow_run", R"({"state":{"type":"PENDING"}})");
    CHECK(json_string(pending, "state_type") == "PENDING");
  }
}

TEST_CASE("create_flow_run enforces the parameter schema with upstream's 409") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string id = create(api, flow, "d", std::string(kSchema));
  auto missing = api.post("/api/deployments/" + id + "/create_flow_run", R"({"parameters":{}})");
  CHECK(missing.status == 409);
  CHECK(contains(missing, R"({"detail":"Error creating flow run: Validation failed.)"));
  auto wrong = api.post("/api/deployments/" + id + "/create_flow_run",
                        R"({"parameters":{"who":"x","n":"two"}})");
  CHECK(wrong.status == 409);
  CHECK(contains(wrong, "Validation failed for field 'n'"));
  auto off = api.post("/api/deployments/" + id + "/create_flow_run",
                      R"({"parameters":{"n":"two"},"enforce_parameter_schema":false})");
  CHECK(off.status == 201);
  const std::string bare = create(api, flow, "bare", R"("parameter_openapi_schema":null)");
  auto no_schema = api.post("/api/deployments/" + bare + "/create_flow_run", "{}");
  CHECK(no_schema.status == 409);
  CHECK(contains(no_schema, "does not have a valid parameter schema"));
  CHECK(api.post("/api/deployments/" + id + "/create_flow_run", R"({"bogus":1})").status == 422);
  CHECK(api.post("/api/deployments/00000000-0000-4000-8000-000000000009/create_flow_run", "{}")
            .status == 404);
  auto no_pool = api.post("/api/deployments/" + id + "/create_flow_run",
                          R"({"parameters":{"who":"x"},"work_queue_name":"q"})");
  CHECK(no_pool.status == 400);
}

TEST_CASE("create_flow_run/bulk creates each run or reports why it failed") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string id = create(api, flow, "d", std::string(kSchema));
  auto r = api.post("/api/deployments/" + id + "/create_flow_run/bulk",
                    R"([{"parameters":{"who":"a"}},{"parameters":{"n":1}}])");
  REQUIRE(r.status == 200);
  auto doc = parse_json(r);
  auto results = items(member(doc.root(), "results"));
  REQUIRE(results.size() == 2);
  CHECK(str(results[0], "status") == "CREATED");
  CHECK(str(results[1], "status") == "FAILED");
  CHECK(api.post("/api/deployments/" + id + "/create_flow_run/bulk", "{}").status == 422);
}

TEST_CASE("get_scheduled_flow_runs returns due runs in order and marks deployments READY") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string id = create(api, flow, "d");
  const std::string other = create(api, flow, "other");
  auto later = api.post("/api/deployments/" + id + "/create_flow_run",
                        R"({"state":{"type":"SCHEDULED","state_details":)"
                        R"({"scheduled_time":"2026-01-01T01:00:00Z"}}})");
  auto sooner = api.post("/api/deployments/" + id + "/create_flow_run", "{}");
  api.post("/api/deployments/" + other + "/create_flow_run", "{}");
  api.clock.advance(Micros(5000000));
  auto r =
      api.post("/api/deployments/get_scheduled_flow_runs",
               R"({"deployment_ids":[")" + id + R"("],"scheduled_before":"2026-01-01T02:00:00Z"})");
  REQUIRE(r.status == 200);
  CHECK(strings_of(r, "id") ==
        std::vector<std::string>{json_string(sooner, "id"), json_string(later, "id")});
  auto due =
      api.post("/api/deployments/get_scheduled_flow_runs",
               R"({"deployment_ids":[")" + id + R"("],"scheduled_before":"2026-01-01T00:10:00Z"})");
  CHECK(strings_of(due, "id") == std::vector<std::string>{json_string(sooner, "id")});
  auto doc = parse_json(api.get("/api/deployments/" + id));
  CHECK(str(doc.root(), "status") == "READY");
  CHECK(str(doc.root(), "last_polled") == "2026-01-01T00:00:05Z");
  CHECK(str(doc.root(), "updated") == "2026-01-01T00:00:00Z");  // polling keeps `updated`
  CHECK(json_string(api.get("/api/deployments/" + other), "status") == "NOT_READY");
  CHECK(api.post("/api/deployments/get_scheduled_flow_runs", "{}").status == 422);
  CHECK(
      api.post("/api/deployments/get_scheduled_flow_runs", R"({"deployment_ids":["x"]})").status ==
      422);
}

TEST_CASE("deployment status changes produce prefect.deployment.ready / not-ready events") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  auto [pool, queue] = make_work_pool(api, "pool", "q");
  const std::string id = create(api, flow, "d", R"("work_pool_name":"pool")");
  core::RandomIds ids;
  auto mark = [&](bool ready) {
    auto tx = api.database->db().begin(TxMode::kWrite);
    REQUIRE(tx);
    models::DeploymentRepository repo(**tx, ids);
    auto events =
        ready ? repo.mark_ready({id}, api.clock.now()) : repo.mark_not_ready({id}, api.clock.now());
    REQUIRE(events);
    REQUIRE((*tx)->commit().ok());
    return std::move(*events);
  };
  auto ready = mark(true);
  REQUIRE(ready.size() == 1);
  CHECK(ready[0].event == "prefect.deployment.ready");
  CHECK(ready[0].resource_id() == "prefect.deployment." + id);
  REQUIRE(ready[0].related.size() == 3);
  CHECK(*events::find_label(ready[0].related[0], "prefect.resource.role") == "flow");
  CHECK(*events::find_label(ready[0].related[2], "prefect.work-pool.type") == "process");
  CHECK(mark(true).empty());  // no change, no event
  auto not_ready = mark(false);
  REQUIRE(not_ready.size() == 1);
  CHECK(not_ready[0].event == "prefect.deployment.not-ready");
}
