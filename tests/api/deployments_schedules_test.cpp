// Deployment schedules, and the worker trace's deployment exchanges replayed against ours.

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "tests/api/trace_replay.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

std::string create(ApiFixture& api, const std::string& flow_id, const std::string& name,
                   const std::string& extra = "") {
  auto r = api.post("/api/deployments/", R"({"name":")" + name + R"(","flow_id":")" + flow_id +
                                             "\"" + (extra.empty() ? "" : "," + extra) + "}");
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return json_string(r, "id");
}

constexpr std::string_view kHourly =
    R"({"schedule":{"interval":3600,"anchor_date":"2026-01-01T00:00:00Z","timezone":"UTC"})";

// An auto-scheduled SCHEDULED run of deployment `dep` at `when`.
std::string auto_run(ApiFixture& api, const std::string& flow, const std::string& dep,
                     const std::string& when) {
  const std::string id = make_run(api, flow,
                                  R"("deployment_id":")" + dep +
                                      R"(","state":{"type":"SCHEDULED","state_details":)"
                                      R"({"scheduled_time":")" +
                                      when + R"("}})");
  exec_sql(api, "UPDATE flow_run SET auto_scheduled = 1 WHERE id = ?", {id});
  return id;
}

}  // namespace

TEST_CASE("deployment schedules are created, listed, updated and deleted") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string dep = create(
      api, flow, "d", std::string(R"("schedules":[)") + std::string(kHourly) + R"(,"slug":"a"}])");
  auto listed = api.get("/api/deployments/" + dep + "/schedules");
  REQUIRE(listed.status == 200);
  REQUIRE(strings_of(listed, "slug") == std::vector<std::string>{"a"});
  auto doc = parse_json(listed);
  auto first = items(doc.root())[0];
  CHECK(member(first, "schedule")["interval"].get_double().value_unsafe() == 3600.0);
  CHECK(member(first, "active").get_bool().value_unsafe());
  CHECK(member(first, "max_scheduled_runs").is_null());
  const std::string schedule_id = str(first, "id");

  auto created = api.post("/api/deployments/" + dep + "/schedules",
                          "[" + std::string(kHourly) + R"(,"slug":"b","max_scheduled_runs":5}])");
  REQUIRE(created.status == 201);
  CHECK(strings_of(created, "slug") == std::vector<std::string>{"b"});
  auto duplicate = api.post("/api/deployments/" + dep + "/schedules",
                            "[" + std::string(kHourly) + R"(,"slug":"b"}])");
  CHECK(duplicate.status == 409);
  CHECK(duplicate.body == R"({"detail":"Schedule slugs must be unique within a deployment."})");
  auto too_many = api.post("/api/deployments/" + dep + "/schedules",
                           "[" + std::string(kHourly) + R"(,"max_scheduled_runs":51}])");
  CHECK(too_many.status == 422);
  CHECK(api.post("/api/deployments/" + dep + "/schedules", R"([{"active":true}])").status == 422);

  const std::string future = auto_run(api, flow, dep, "2026-01-02T00:00:00Z");
  auto patched = api.call("PATCH", "/api/deployments/" + dep + "/schedules/" + schedule_id,
                          R"({"active":false})");
  CHECK(patched.status == 204);
  CHECK(api.get("/api/flow_runs/" + future).status == 404);  // future auto-scheduled runs go
  auto after = parse_json(api.get("/api/deployments/" + dep));
  bool found_inactive = false;
  for (auto s : items(member(after.root(), "schedules"))) {
    if (str(s, "id") == schedule_id) {
      found_inactive = !member(s, "active").get_bool().value_unsafe();
    }
  }
  CHECK(found_inactive);
  CHECK(api.call("PATCH",
                 "/api/deployments/" + dep + "/schedules/00000000-0000-4000-8000-000000000009",
                 "{}")
            .body == R"({"detail":"Schedule not found."})");

  const std::string again = auto_run(api, flow, dep, "2026-01-02T00:00:00Z");
  CHECK(api.call("DELETE", "/api/deployments/" + dep + "/schedules/" + schedule_id).status == 204);
  CHECK(api.get("/api/flow_runs/" + again).status == 404);
  CHECK(api.call("DELETE", "/api/deployments/" + dep + "/schedules/" + schedule_id).status == 404);
  CHECK(api.get("/api/deployments/00000000-0000-4000-8000-000000000009/schedules").body ==
        R"({"detail":"Deployment not found."})");
}

TEST_CASE("updating a deployment's schedules replaces them, or patches them by slug") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string plain =
      create(api, flow, "plain", "\"schedules\":[" + std::string(kHourly) + "}]");
  REQUIRE(api.call("PATCH", "/api/deployments/" + plain,
                   "{\"schedules\":[" + std::string(kHourly) +
                       "},{\"schedule\":{\"cron\":\"0 0 * * *\"}}]}")
              .status == 204);
  CHECK(items(parse_json(api.get("/api/deployments/" + plain + "/schedules")).root()).size() == 2);

  const std::string slugged =
      create(api, flow, "slugged", "\"schedules\":[" + std::string(kHourly) + ",\"slug\":\"a\"}]");
  const std::string original =
      strings_of(api.get("/api/deployments/" + slugged + "/schedules"), "id").at(0);
  auto no_slug = api.call("PATCH", "/api/deployments/" + slugged,
                          "{\"schedules\":[" + std::string(kHourly) + "}]}");
  CHECK(no_slug.status == 422);
  CHECK(no_slug.body.find("Please provide a slug") != std::string::npos);
  REQUIRE(api.call("PATCH", "/api/deployments/" + slugged,
                   R"({"schedules":[{"slug":"renamed","replaces":"a","active":false},)" +
                       std::string(kHourly) + R"(,"slug":"new"}]})")
              .status == 204);
  auto schedules = api.get("/api/deployments/" + slugged + "/schedules");
  auto slugs = strings_of(schedules, "slug");
  std::sort(slugs.begin(), slugs.end());
  CHECK(slugs == std::vector<std::string>{"new", "renamed"});
  CHECK(strings_of(schedules, "id").size() == 2);
  bool kept = false;
  auto schedules_doc = parse_json(schedules);
  for (auto s : items(schedules_doc.root())) {
    kept = kept || (str(s, "id") == original && str(s, "slug") == "renamed");
  }
  CHECK(kept);
}

TEST_CASE("the worker trace's deployment exchanges get upstream-shaped answers") {
  ApiFixture api;
  auto trace = load_trace("worker.jsonl");
  REQUIRE(trace.count(14) == 1);
  api.clock.set(core::parse_time("2026-11-27T02:29:59.998378Z").value());
  std::map<std::string, std::string> ids;
  auto replay = [&](std::int64_t seq) {
    auto doc = core::JsonDocument::parse(trace[seq]);
    REQUIRE(doc.has_value());
    auto rec = doc->root();
    std::string body;
    if (!member(rec, "req_body").is_null()) {
      body = replace_all(core::to_json(member(rec, "req_body")), ids);
    }
    auto r = api.call(str(rec, "method"), replace_all(str(rec, "path"), ids), body);
    INFO("seq ", seq, ": ", r.body);
    CHECK(r.status == int64(rec, "status"));
    std::vector<std::string> diffs;
    auto ours = parse_json(r);
    compare_shape(member(rec, "resp_body"), ours.root(), "$", diffs);
    std::string all;
    for (const auto& d : diffs) {
      all += d + "\n";
    }
    CHECK_MESSAGE(diffs.empty(), all);
    return r;
  };
  auto [pool, queue] = make_work_pool(api, "anchor-pool", "default");
  replay(11);  // 404 before the deployment exists
  ids["f04dd209-c770-4987-828a-658d9f75e496"] = make_flow(api, "hello-flow");
  auto created = replay(14);
  CHECK(json_string(created, "work_queue_id") == queue);
  ids["aa56a770-6f08-4698-871b-d31967f779e6"] = json_string(created, "id");
  replay(16);
  api.clock.set(core::parse_time("2026-11-27T02:30:02.602813Z").value());
  auto run = replay(18);
  CHECK(json_string(run, "deployment_version") == "db84e0ed1c984322a197be9fd848fc5a");
  CHECK(json_string(run, "work_pool_name") == "anchor-pool");
}
