// /api/task_runs/* and /api/task_run_states/* through Server::handle.

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "tests/storage/backend.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

double number(core::JsonElement e, std::string_view key) {
  double v = -1;
  REQUIRE_MESSAGE(!member(e, key).get_double().get(v), "'" << key << "' is not a number");
  return v;
}

std::string create(ApiFixture& api, const std::string& body, int expected = 201) {
  auto r = api.post("/api/task_runs/", body);
  REQUIRE_MESSAGE(r.status == expected, r.body);
  return json_string(r, "id");
}

std::string create_task(ApiFixture& api, const std::string& key, const std::string& extra = "") {
  return create(api, R"({"task_key":")" + key + R"(","dynamic_key":"0")" + extra + "}");
}

// A flow run row (the flow-run routes are not this suite's business).
std::string insert_flow_run(ApiFixture& api, const std::string& labels) {
  const std::string flow = json_string(api.post("/api/flows/", R"({"name":"f"})"), "id");
  const std::string id = "00000000-0000-4000-8000-0000000f0001";
  auto tx = api.database->db().begin(TxMode::kWrite);
  REQUIRE(tx.has_value());
  const std::string ts = core::format_storage_time(api.clock.now());
  auto r = (*tx)->exec(
      "INSERT INTO flow_run (id, created, updated, name, flow_id, labels) VALUES (?, ?, ?, ?, "
      "?, ?)",
      {id, ts, ts, std::string("parent-run"), flow, JsonText{labels}});
  REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
  REQUIRE((*tx)->commit().ok());
  return id;
}

std::string set_state(ApiFixture& api, const std::string& id, const std::string& state,
                      int expected) {
  auto r = api.post("/api/task_runs/" + id + "/set_state", R"({"state":)" + state + "}");
  REQUIRE_MESSAGE(r.status == expected, r.body);
  return r.body;
}

core::JsonDocument parse_json_body(const std::string& body) {
  auto doc = core::JsonDocument::parse(body);
  REQUIRE_MESSAGE(doc.has_value(), body);
  return std::move(doc).value();
}

std::vector<std::string> ids_of(const HttpResponse& r) {
  auto doc = parse_json(r);
  std::vector<std::string> out;
  for (auto item : items(doc.root())) {
    out.push_back(str(item, "id"));
  }
  return out;
}

}  // namespace

TEST_CASE("creating a task run answers 201 with the full TaskRun and a Pending state") {
  ApiFixture api;
  auto r = api.post("/api/task_runs/",
                    R"({"task_key":"say_hello-1a2b","dynamic_key":"0","name":"say_hello-0",)"
                    R"("tags":["a"],"task_inputs":{"x":[{"input_type":"parameter","name":"x",)"
                    R"("extra":1}]},"empirical_policy":{"retries":2,"retry_delay":[1,2.5]}})");
  REQUIRE_MESSAGE(r.status == 201, r.body);
  auto doc = parse_json(r);
  auto run = doc.root();
  CHECK(str(run, "name") == "say_hello-0");
  CHECK(str(run, "task_key") == "say_hello-1a2b");
  CHECK(member(run, "flow_run_id").is_null());
  CHECK(str(run, "created") == "2026-01-01T00:00:00Z");
  CHECK(core::to_json(member(run, "empirical_policy")) ==
        R"({"max_retries":0,"retry_delay_seconds":0.0,"retries":2,"retry_delay":[1.0,2.5],)"
        R"("retry_jitter_factor":null})");
  CHECK(core::to_json(member(run, "tags")) == R"(["a"])");
  CHECK(core::to_json(member(run, "labels")) == "{}");
  CHECK(core::to_json(member(run, "task_inputs")) ==
        R"({"x":[{"input_type":"parameter","name":"x"}]})");
  CHECK(str(run, "state_type") == "PENDING");
  CHECK(str(run, "state_name") == "Pending");
  CHECK(int64(run, "run_count") == 0);
  CHECK(str(run, "expected_start_time") == "2026-01-01T00:00:00Z");
  CHECK(number(run, "total_run_time") == 0.0);
  CHECK(number(run, "estimated_run_time") == 0.0);
  auto state = member(run, "state");
  CHECK(str(state, "type") == "PENDING");
  CHECK(str(state, "id") == str(run, "state_id"));
  CHECK(str(member(state, "state_details"), "task_run_id") == str(run, "id"));
}

TEST_CASE("task runs upsert on their natural key; the initial state applies only when new") {
  ApiFixture api;
  SUBCASE("without a flow run: task_key and dynamic_key") {
    const std::string id = create_task(api, "k");
    CHECK(create(api, R"({"task_key":"k","dynamic_key":"0","state":{"type":"RUNNING"}})", 200) ==
          id);
    CHECK(json_string(api.get("/api/task_runs/" + id), "state_type") == "PENDING");
    CHECK(create(api, R"({"task_key":"k","dynamic_key":"1"})") != id);
  }
  SUBCASE("inside a flow run, with the flow run's labels") {
    const std::string flow_run = insert_flow_run(api, R"({"team":"x","prefect.flow-run.id":"no"})");
    const std::string body = R"({"task_key":"k","dynamic_key":"0","flow_run_id":")" + flow_run +
                             R"(","labels":{"mine":1}})";
    auto first = api.post("/api/task_runs/", body);
    REQUIRE_MESSAGE(first.status == 201, first.body);
    auto doc = parse_json(first);
    CHECK(core::to_json(member(doc.root(), "labels")) ==
          R"({"team":"x","prefect.flow-run.id":")" + flow_run + R"(","mine":1})");
    CHECK(str(member(member(doc.root(), "state"), "state_details"), "flow_run_id") == flow_run);
    auto again = api.post("/api/task_runs/", body);
    CHECK(again.status == 200);
    CHECK(json_string(again, "id") == str(doc.root(), "id"));
  }
  SUBCASE("an unknown flow run is a conflict") {
    auto r =
        api.post("/api/task_runs/", R"({"task_key":"k","dynamic_key":"0",)"
                                    R"("flow_run_id":"00000000-0000-4000-8000-00000000dead"})");
    CHECK(r.status == 409);
  }
}

TEST_CASE("a client-supplied id is used and a missing name is generated") {
  ApiFixture api;
  const std::string id = "0192f0e0-0000-7000-8000-00000000abcd";
  CHECK(create(api, R"({"id":")" + id + R"(","task_key":"k","dynamic_key":"0","name":""})") == id);
  const std::string name = json_string(api.get("/api/task_runs/" + id), "name");
  CHECK(name.find('-') != std::string::npos);
}

TEST_CASE("a deferred Scheduled initial state goes through the background policy") {
  ApiFixture api;
  const std::string id =
      create_task(api, "bg",
                  R"(,"state":{"type":"SCHEDULED","state_details":{"deferred":true,)"
                  R"("task_parameters_id":"00000000-0000-4000-8000-0000000000aa"}})");
  auto doc = parse_json(api.get("/api/task_runs/" + id));
  CHECK(str(doc.root(), "state_type") == "SCHEDULED");
  CHECK(str(doc.root(), "next_scheduled_start_time") == "2026-01-01T00:00:00Z");
  CHECK(core::to_json(member(member(member(doc.root(), "state"), "state_details"), "deferred")) ==
        "true");
}

TEST_CASE("bad task run bodies are 422 with pydantic's error shapes") {
  ApiFixture api;
  const auto has = [](const HttpResponse& r, std::string_view needle) {
    return r.status == 422 && r.body.find(needle) != std::string::npos;
  };
  CHECK(has(api.post("/api/task_runs/", R"({"dynamic_key":"0"})"),
            R"("type":"missing","loc":["body","task_key"])"));
  CHECK(has(api.post("/api/task_runs/", R"({"task_key":"k","dynamic_key":"0","x":1})"),
            R"("type":"extra_forbidden","loc":["body","x"])"));
  CHECK(has(api.post("/api/task_runs/", R"({"task_key":"k","dynamic_key":"0","cache_key":")" +
                                            std::string(2001, 'c') + "\"}"),
            "Cache key exceeded maximum allowed length of 2000 characters."));
  std::string many = "[";
  for (int i = 0; i < 51; ++i) {
    many += (i ? ",1" : "1");
  }
  many += "]";
  CHECK(has(api.post("/api/task_runs/", R"({"task_key":"k","dynamic_key":"0",)"
                                        R"("empirical_policy":{"retry_delay":)" +
                                            many + "}}"),
            "Can not configure more than 50 retry delays per task."));
  CHECK(has(api.post("/api/task_runs/", R"({"task_key":"k","dynamic_key":"0",)"
                                        R"("empirical_policy":{"retry_jitter_factor":-1}})"),
            "`retry_jitter_factor` must be >= 0."));
  CHECK(has(api.post("/api/task_runs/", R"({"task_key":"k","dynamic_key":"0",)"
                                        R"("task_inputs":{"x":[{"input_type":"task_run"}]}})"),
            R"("loc":["body","task_inputs","x",0,"TaskRunResult","id"])"));
  CHECK(has(api.post("/api/task_runs/", R"({"task_key":"k","dynamic_key":"0",)"
                                        R"("state":{"type":"NOPE"}})"),
            R"("loc":["body","state","type"])"));
  CHECK(api.post("/api/task_runs/", "").status == 422);
}

TEST_CASE("a task run is read, renamed and deleted; unknown ones are 404 with upstream's words") {
  ApiFixture api;
  const std::string id = create_task(api, "k");
  CHECK(api.call("PATCH", "/api/task_runs/" + id, R"({"name":"renamed"})").status == 204);
  CHECK(json_string(api.get("/api/task_runs/" + id), "name") == "renamed");
  CHECK(api.call("PATCH", "/api/task_runs/" + id, R"({"bogus":1})").status == 422);
  const std::string unknown = "/api/task_runs/00000000-0000-4000-8000-000000000000";
  auto missing = api.get(unknown);
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"detail":"Task not found"})");
  CHECK(api.call("PATCH", unknown, R"({"name":"x"})").body == R"({"detail":"Task run not found"})");

  REQUIRE(api.post("/api/logs/", R"([{"name":"n","level":20,"message":"m",)"
                                 R"("timestamp":"2026-01-01T00:00:00Z","task_run_id":")" +
                                     id + "\"}]")
              .status == 201);
  CHECK(api.call("DELETE", "/api/task_runs/" + id).status == 204);
  auto gone = api.call("DELETE", "/api/task_runs/" + id);
  CHECK(gone.status == 404);
  CHECK(gone.body == R"({"detail":"Task not found"})");
  CHECK(api.get("/api/task_runs/" + id).status == 404);
  CHECK(api.post("/api/logs/filter").body == "[]");
}

TEST_CASE("task runs are filtered, sorted, counted and paginated") {
  ApiFixture api;
  const std::string flow_run = insert_flow_run(api, "{}");
  const std::string a = create_task(api, "alpha", R"(,"name":"alpha-run")");
  api.clock.advance(std::chrono::seconds(1));
  const std::string b = create_task(api, "beta", R"(,"name":"beta-run","tags":["t"])");
  api.clock.advance(std::chrono::seconds(1));
  const std::string c = create(api, R"({"task_key":"gamma","dynamic_key":"0","name":"gamma-run",)"
                                    R"("flow_run_id":")" +
                                        flow_run + "\"}");
  CHECK(ids_of(api.post("/api/task_runs/filter")) == std::vector<std::string>{c, b, a});
  CHECK(ids_of(api.post("/api/task_runs/filter", R"({"sort":"NAME_DESC","limit":1,"offset":1})")) ==
        std::vector<std::string>{b});
  CHECK(ids_of(api.post("/api/task_runs/filter", R"({"task_runs":{"tags":{"all_":["t"]}}})")) ==
        std::vector<std::string>{b});
  CHECK(ids_of(api.post("/api/task_runs/filter", R"({"flow_runs":{}})")) ==
        std::vector<std::string>{c});
  CHECK(ids_of(api.post("/api/task_runs/filter", R"({"flows":{"name":{"any_":["f"]}}})")) ==
        std::vector<std::string>{c});
  CHECK(api.post("/api/task_runs/count").body == "3");
  CHECK(api.post("/api/task_runs/count", R"({"task_runs":{"name":{"like_":"mma"}}})").body == "1");
  CHECK(api.post("/api/task_runs/filter", R"({"sort":"BOGUS"})").status == 422);
  CHECK(api.post("/api/task_runs/filter", R"({"limit":201})").status == 422);
  CHECK(api.post("/api/task_runs/filter", R"({"task_runs":{"nope":1}})").status == 422);

  auto page = api.post("/api/task_runs/paginate", R"({"limit":2,"page":2})");
  REQUIRE(page.status == 200);
  auto doc = parse_json(page);
  CHECK(int64(doc.root(), "count") == 3);
  CHECK(int64(doc.root(), "pages") == 2);
  CHECK(int64(doc.root(), "page") == 2);
  auto results = items(member(doc.root(), "results"));
  REQUIRE(results.size() == 1);
  CHECK(str(results[0], "id") == a);
  core::JsonElement ignored;
  CHECK(results[0].at_key("dynamic_key").get(ignored) != simdjson::SUCCESS);  // TaskRunResponse
}

TEST_CASE("task run history buckets runs by expected start time and state") {
  ApiFixture api;
  create_task(api, "a");
  create_task(api, "b");
  api.clock.advance(std::chrono::seconds(90));
  create_task(api, "c");
  auto r = api.post("/api/task_runs/history",
                    R"({"history_start":"2026-01-01T00:00:00Z","history_end":)"
                    R"("2026-01-01T00:03:00Z","history_interval_seconds":60})");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  auto buckets = items(doc.root());
  REQUIRE(buckets.size() == 3);
  CHECK(str(buckets[0], "interval_end") == "2026-01-01T00:01:00Z");
  auto first = items(member(buckets[0], "states"));
  REQUIRE(first.size() == 1);
  CHECK(str(first[0], "state_type") == "PENDING");
  CHECK(int64(first[0], "count_runs") == 2);
  CHECK(number(first[0], "sum_estimated_lateness") == 180.0);  // 2 runs, 90 s late each
  CHECK(items(member(buckets[1], "states")).size() == 1);
  CHECK(items(member(buckets[2], "states")).empty());
  auto small = api.post("/api/task_runs/history",
                        R"({"history_start":"2026-01-01T00:00:00Z","history_end":)"
                        R"("2026-01-01T00:03:00Z","history_interval_seconds":0.5})");
  CHECK(small.status == 422);
  CHECK(small.body == R"({"detail":"History interval must not be less than 1 second."})");
  CHECK(api.post("/api/task_runs/history", "{}").status == 422);
}

TEST_CASE("set_state orchestrates with the core task policy and answers 201 or 200") {
  ApiFixture api;
  const std::string id = create_task(api, "k");
  auto running = parse_json_body(set_state(api, id, R"({"type":"RUNNING"})", 201));
  CHECK(str(running.root(), "status") == "ACCEPT");
  CHECK(str(member(running.root(), "details"), "type") == "accept_details");
  api.clock.advance(std::chrono::seconds(30));
  auto run = parse_json(api.get("/api/task_runs/" + id));
  // Running began 1 µs after Pending (the unique state timestamp).
  CHECK(number(run.root(), "estimated_run_time") == doctest::Approx(30.0).epsilon(1e-6));
  CHECK(int64(run.root(), "run_count") == 1);

  // A terminal task refuses to crash: ABORT, nothing written, the current state returned.
  set_state(api, id, R"({"type":"COMPLETED"})", 201);
  auto abort = parse_json_body(set_state(api, id, R"({"type":"CRASHED"})", 200));
  CHECK(str(abort.root(), "status") == "ABORT");
  CHECK(str(member(abort.root(), "details"), "reason") == "Run is already COMPLETED.");
  CHECK(str(member(abort.root(), "state"), "type") == "COMPLETED");
  // force bypasses the core policy.
  set_state(api, id, R"({"type":"CRASHED"},"force":true)", 201);
  CHECK(json_string(api.get("/api/task_runs/" + id), "state_type") == "CRASHED");

  auto unknown = api.post("/api/task_runs/00000000-0000-4000-8000-000000000000/set_state",
                          R"({"state":{"type":"RUNNING"}})");
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("exception_message") != std::string::npos);
  auto no_state = api.post("/api/task_runs/" + id + "/set_state", R"({"force":true})");
  CHECK(no_state.status == 422);
  CHECK(no_state.body.find(R"("loc":["body","state"])") != std::string::npos);
}

TEST_CASE("task run states are read by id and listed by task run, oldest first") {
  ApiFixture api;
  const std::string id = create_task(api, "k");
  api.clock.advance(std::chrono::seconds(1));
  set_state(api, id, R"({"type":"RUNNING"})", 201);
  auto list = api.get("/api/task_run_states/?task_run_id=" + id);
  REQUIRE(list.status == 200);
  auto doc = parse_json(list);
  auto states = items(doc.root());
  REQUIRE(states.size() == 2);
  CHECK(str(states[0], "type") == "PENDING");
  CHECK(str(states[1], "type") == "RUNNING");
  auto one = api.get("/api/task_run_states/" + str(states[1], "id"));
  CHECK(one.status == 200);
  CHECK(json_string(one, "name") == "Running");
  auto missing = api.get("/api/task_run_states/00000000-0000-4000-8000-000000000000");
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"detail":"Flow run state not found"})");
  CHECK(api.get("/api/task_run_states/").status == 422);
  CHECK(api.get("/api/task_run_states/?task_run_id=nope").status == 422);
  CHECK(api.get("/api/task_run_states/?task_run_id=00000000-0000-4000-8000-000000000000").body ==
        "[]");
}
