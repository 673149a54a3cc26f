// /api/ui/* through Server::handle: the UI's aggregate reads.

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "tests/storage/backend.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

std::string post_id(ApiFixture& api, const std::string& path, const std::string& body) {
  auto r = api.post(path, body);
  REQUIRE_MESSAGE((r.status == 201 || r.status == 200), r.body);
  return json_string(r, "id");
}

std::string make_flow(ApiFixture& api, const std::string& name) {
  return post_id(api, "/api/flows/", R"({"name":")" + name + R"("})");
}

std::string make_run(ApiFixture& api, const std::string& flow, const std::string& extra) {
  return post_id(api, "/api/flow_runs/", R"({"flow_id":")" + flow + "\"" + extra + "}");
}

std::string make_task(ApiFixture& api, const std::string& flow_run, const std::string& key) {
  return post_id(
      api, "/api/task_runs/",
      R"({"task_key":")" + key + R"(","dynamic_key":"0","flow_run_id":")" + flow_run + "\"}");
}

std::string at(ApiFixture& api, Micros offset) {
  return core::format_api_time(api.clock.now() + offset);
}

// Puts a task run in a final state that started at `start` (the orchestration path is the
// task-run suite's business).
void finish_task(ApiFixture& api, const std::string& id, const std::string& type, Timestamp start) {
  auto tx = api.database->db().begin(TxMode::kWrite);
  REQUIRE(tx.has_value());
  auto r = (*tx)->exec(
      "UPDATE task_run SET state_type = ?, state_name = ?, start_time = ? "
      "WHERE id = ?",
      {type, type, core::format_storage_time(start), id});
  REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
  REQUIRE((*tx)->commit().ok());
}

}  // namespace

TEST_CASE("ui count-deployments counts each requested flow's deployments, zero if none") {
  ApiFixture api;
  const std::string a = make_flow(api, "a");
  const std::string b = make_flow(api, "b");
  for (const char* name : {"d1", "d2"}) {
    post_id(api, "/api/deployments/",
            R"({"name":")" + std::string(name) + R"(","flow_id":")" + a + "\"}");
  }
  auto r = api.post("/api/ui/flows/count-deployments",
                    R"({"flow_ids":[")" + a + R"(",")" + b + R"("]})");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  CHECK(int64(doc.root(), a) == 2);
  CHECK(int64(doc.root(), b) == 0);

  CHECK(api.post("/api/ui/flows/count-deployments", "{}").status == 422);
  CHECK(api.post("/api/ui/flows/count-deployments", R"({"flow_ids":["nope"]})").status == 422);
}

TEST_CASE("ui next-runs gives each flow's earliest scheduled run or null") {
  ApiFixture api;
  const std::string a = make_flow(api, "a");
  const std::string b = make_flow(api, "b");
  const std::string later =
      make_run(api, a,
               R"(,"state":{"type":"SCHEDULED","state_details":{"scheduled_time":")" +
                   at(api, std::chrono::hours(2)) + R"("}})");
  const std::string sooner =
      make_run(api, a,
               R"(,"state":{"type":"SCHEDULED","state_details":{"scheduled_time":")" +
                   at(api, std::chrono::hours(1)) + R"("}})");
  make_run(api, b, R"(,"state":{"type":"RUNNING"})");
  auto r = api.post("/api/ui/flows/next-runs", R"({"flow_ids":[")" + a + R"(",")" + b + R"("]})");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  auto next = member(doc.root(), a);
  CHECK(str(next, "id") == sooner);
  CHECK(str(next, "flow_id") == a);
  CHECK(str(next, "state_type") == "SCHEDULED");
  CHECK(str(next, "next_scheduled_start_time") == at(api, std::chrono::hours(1)));
  CHECK(member(doc.root(), b).is_null());
  CHECK(later != sooner);
}

TEST_CASE("ui flow run history lists runs with timestamp, duration and lateness") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string run = make_run(api, flow, "");
  api.clock.advance(std::chrono::seconds(30));
  auto r = api.post("/api/ui/flow_runs/history",
                    R"({"flow_runs":{"id":{"any_":[")" + run + R"("]}},"limit":10})");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  auto rows = items(doc.root());
  REQUIRE(rows.size() == 1);
  CHECK(str(rows[0], "id") == run);
  CHECK(str(rows[0], "state_type") == "PENDING");
  double duration = -1;
  CHECK(!member(rows[0], "duration").get_double().get(duration));
  CHECK(duration == 0.0);
  CHECK(api.post("/api/ui/flow_runs/history", R"({"limit":1001})").status == 422);
  CHECK(api.post("/api/ui/flow_runs/history", R"({"sort":"SIDEWAYS"})").status == 422);
}

TEST_CASE("ui count-task-runs counts task runs per flow run, skipping subflow placeholders") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string parent = make_run(api, flow, "");
  const std::string empty = make_run(api, flow, "");
  make_task(api, parent, "t1");
  const std::string placeholder = make_task(api, parent, "sub");
  make_run(api, flow, R"(,"parent_task_run_id":")" + placeholder + "\"");
  auto r = api.post("/api/ui/flow_runs/count-task-runs",
                    R"({"flow_run_ids":[")" + parent + R"(",")" + empty + R"("]})");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  CHECK(int64(doc.root(), parent) == 1);
  CHECK(int64(doc.root(), empty) == 0);
  CHECK(api.post("/api/ui/flow_runs/count-task-runs", R"({"flow_run_ids":3})").status == 422);
}

TEST_CASE("ui task run counts by state fill every state type") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string run = make_run(api, flow, "");
  finish_task(api, make_task(api, run, "a"), "COMPLETED", api.clock.now());
  finish_task(api, make_task(api, run, "b"), "COMPLETED", api.clock.now());
  finish_task(api, make_task(api, run, "c"), "FAILED", api.clock.now());
  auto r = api.post("/api/ui/task_runs/count", "");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  CHECK(int64(doc.root(), "COMPLETED") == 2);
  CHECK(int64(doc.root(), "FAILED") == 1);
  CHECK(int64(doc.root(), "SCHEDULED") == 0);
  r = api.post("/api/ui/task_runs/count", R"({"task_runs":{"name":{"any_":["none"]}}})");
  REQUIRE(r.status == 200);
  CHECK(int64(parse_json(r).root(), "COMPLETED") == 0);
}

TEST_CASE("ui dashboard counts bucket terminal task runs over twenty slices") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string run = make_run(api, flow, "");
  const Timestamp start = std::chrono::floor<std::chrono::minutes>(api.clock.now());
  // A 20-minute window (the before_ minute counts whole): one bucket per minute, roughly.
  finish_task(api, make_task(api, run, "a"), "COMPLETED", start + std::chrono::seconds(5));
  finish_task(api, make_task(api, run, "b"), "CRASHED", start + std::chrono::seconds(10));
  finish_task(api, make_task(api, run, "c"), "RUNNING", start + std::chrono::seconds(10));
  finish_task(api, make_task(api, run, "d"), "COMPLETED", start + std::chrono::minutes(19));
  const std::string body = R"({"task_runs":{"start_time":{"after_":")" +
                           core::format_api_time(start) + R"(","before_":")" +
                           core::format_api_time(start + std::chrono::minutes(19)) + R"("}}})";
  auto r = api.post("/api/ui/task_runs/dashboard/counts", body);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  auto buckets = items(doc.root());
  REQUIRE(buckets.size() == 20);
  CHECK(int64(buckets[0], "completed") == 1);
  CHECK(int64(buckets[0], "failed") == 1);
  CHECK(int64(buckets[19], "completed") == 1);
  CHECK(int64(buckets[10], "completed") == 0);

  r = api.post("/api/ui/task_runs/dashboard/counts", R"({"task_runs":{}})");
  CHECK(r.status == 422);
  CHECK(json_string(r, "detail") == "task_runs.start_time.after_ is required");
  CHECK(api.post("/api/ui/task_runs/dashboard/counts", "{}").status == 422);
}

TEST_CASE("ui task run read adds the flow run name, 404 when unknown") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string run = make_run(api, flow, R"(,"name":"my-run")");
  const std::string task = make_task(api, run, "t");
  auto r = api.get("/api/ui/task_runs/" + task);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  CHECK(str(doc.root(), "id") == task);
  CHECK(str(doc.root(), "task_key") == "t");
  CHECK(str(doc.root(), "flow_run_name") == "my-run");
  CHECK(api.get("/api/ui/task_runs/00000000-0000-4000-8000-000000000009").status == 404);
}

TEST_CASE("ui schema validation nests every failure under its property or index") {
  ApiFixture api;
  const std::string schema =
      R"({"type":"object","properties":{"n":{"type":"integer"},"opt":{"type":"string"},)"
      R"("tags":{"type":"array","items":{"type":"string"}}},"required":["n","m"]})";
  auto r = api.post("/api/ui/schemas/validate",
                    R"({"schema":)" + schema + R"(,"values":{"n":1,"m":2,"opt":null}})");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(r.body == R"({"errors":[],"valid":true})");

  r = api.post("/api/ui/schemas/validate",
               R"({"schema":)" + schema + R"(,"values":{"n":"x","tags":["a",1]}})");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(r.body == R"({"errors":[{"property":"n","errors":["'x' is not of type 'integer'"]},)"
                  R"({"property":"tags","errors":[{"index":1,"errors":["1 is not of type )"
                  R"('string'"]}]},{"property":"m","errors":["'m' is a required property"]}],)"
                  R"("valid":false})");

  r = api.post("/api/ui/schemas/validate",
               R"({"schema":{"$ref":"#/definitions/A","definitions":{"A":{"$ref":)"
               R"("#/definitions/A"}}},"values":{}})");
  CHECK(r.status == 422);
  CHECK(api.post("/api/ui/schemas/validate", R"({"schema":[]})").status == 422);
}
