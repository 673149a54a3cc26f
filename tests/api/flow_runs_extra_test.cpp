// /api/flow_runs/*: history, lateness, graphs, resume, inputs, log download; and
// /api/flow_run_states/*.

#include <doctest/doctest.h>

#include "lib/schemas/run_input_validation.h"
#include "tests/api/flow_runs_support.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

constexpr std::string_view kUnknownId = "00000000-0000-4000-8000-00000000ffff";
const std::string unknown_id(kUnknownId);

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

double number(core::JsonElement e, std::string_view key) {
  double v = -1;
  REQUIRE(!member(e, key).get_double().get(v));
  return v;
}

std::string set_state(ApiFixture& api, const std::string& run, const std::string& state,
                      bool force = false) {
  auto r = api.post("/api/flow_runs/" + run + "/set_state",
                    R"({"state":)" + state + R"(,"force":)" + (force ? "true" : "false") + "}");
  REQUIRE_MESSAGE(r.status < 300, r.body);
  return json_string(r, "status");
}

}  // namespace

TEST_CASE("history buckets runs by expected start time and current state") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  make_run(api, flow);  // Pending, expected 00:00
  api.clock.advance(std::chrono::seconds(30));
  const std::string running = make_run(api, flow);  // expected 00:00:30
  set_state(api, running, R"({"type":"RUNNING"})");
  make_run(api, flow,
           R"("state":{"type":"SCHEDULED","state_details":)"
           R"({"scheduled_time":"2026-01-01T00:02:30Z"}})");
  api.clock.advance(std::chrono::seconds(30));  // now 00:01:00
  auto r =
      api.post("/api/flow_runs/history",
               R"({"history_start":"2026-01-01T00:00:00Z","history_end":"2026-01-01T00:03:00Z",)"
               R"("history_interval_seconds":60})");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  auto intervals = items(doc.root());
  REQUIRE(intervals.size() == 3);
  CHECK(str(intervals[0], "interval_start") == "2026-01-01T00:00:00Z");
  CHECK(str(intervals[0], "interval_end") == "2026-01-01T00:01:00Z");
  auto first = items(member(intervals[0], "states"));
  REQUIRE(first.size() == 2);
  CHECK(str(first[0], "state_type") == "PENDING");
  CHECK(int64(first[0], "count_runs") == 1);
  CHECK(number(first[0], "sum_estimated_lateness") == 60.0);
  CHECK(str(first[1], "state_type") == "RUNNING");
  // The Running state is stamped 1µs after the Pending one (upstream's unique timestamps).
  CHECK(number(first[1], "sum_estimated_run_time") == doctest::Approx(30.0).epsilon(1e-6));
  CHECK(items(member(intervals[1], "states")).empty());
  auto third = items(member(intervals[2], "states"));
  REQUIRE(third.size() == 1);
  CHECK(str(third[0], "state_name") == "Scheduled");
  auto filtered =
      api.post("/api/flow_runs/history", R"({"history_start":"2026-01-01T00:00:00Z","history_end":)"
                                         R"("2026-01-01T00:01:00Z","history_interval_seconds":60,)"
                                         R"("flow_runs":{"state":{"type":{"any_":["RUNNING"]}}}})");
  CHECK(items(member(items(parse_json(filtered).root())[0], "states")).size() == 1);
}

TEST_CASE("history validates its body: missing fields 422, an interval under 1s a detail 422") {
  ApiFixture api;
  auto missing = api.post("/api/flow_runs/history", R"({"history_start":"2026-01-01T00:00:00Z"})");
  CHECK(missing.status == 422);
  CHECK(contains(missing.body, R"("loc":["body","history_end"])"));
  CHECK(contains(missing.body, R"("loc":["body","history_interval_seconds"])"));
  auto small = api.post("/api/flow_runs/history",
                        R"({"history_start":"2026-01-01T00:00:00Z","history_end":)"
                        R"("2026-01-01T00:01:00Z","history_interval_seconds":0.5})");
  CHECK(small.status == 422);
  CHECK(small.body == R"({"detail":"History interval must not be less than 1 second."})");
}

TEST_CASE("lateness is null without runs and the mean lateness in seconds otherwise") {
  ApiFixture api;
  CHECK(api.post("/api/flow_runs/lateness").body == "null");
  const std::string flow = make_flow(api, "f");
  make_run(api, flow);  // Pending since 00:00, not started
  const std::string done = make_run(api, flow);
  set_state(api, done, R"({"type":"COMPLETED"})", true);  // final: not late
  api.clock.advance(std::chrono::seconds(10));
  auto r = api.post("/api/flow_runs/lateness");
  REQUIRE(r.status == 200);
  // The final state (1µs after Pending, as upstream keeps timestamps unique) sets the
  // start time, so the finished run is at most a microsecond late.
  CHECK(std::stod(r.body) == doctest::Approx(5.0).epsilon(1e-6));
  auto finished =
      api.post("/api/flow_runs/lateness", R"({"flow_runs":{"id":{"any_":[")" + done + R"("]}}})");
  CHECK(std::stod(finished.body) == doctest::Approx(0.0).epsilon(1e-5));
}

TEST_CASE("graph v1 lists task runs with their upstream task run dependencies") {
  ApiFixture api;
  const std::string run = make_run(api, make_flow(api, "f"));
  const std::string a = make_task_run(api, run, "a");
  const std::string b = make_task_run(api, run, "b",
                                      R"({"x":[{"input_type":"task_run","id":")" + a +
                                          R"("}],"y":[{"input_type":"task_run","id":")" + a +
                                          R"("},{"input_type":"parameter","name":"p"}]})");
  auto r = api.get("/api/flow_runs/" + run + "/graph");
  REQUIRE(r.status == 200);
  auto doc = parse_json(r);
  auto nodes = items(doc.root());
  REQUIRE(nodes.size() == 2);
  for (auto node : nodes) {
    auto deps = items(member(node, "upstream_dependencies"));
    if (str(node, "id") == b) {
      REQUIRE(deps.size() == 1);
      CHECK(str(deps[0], "id") == a);
      CHECK(str(deps[0], "input_type") == "task_run");
    } else {
      CHECK(deps.empty());
    }
    CHECK(member(node, "state").is_null());
    CHECK(!member(node, "untrackable_result").get_bool().value_unsafe());
  }
  auto missing = api.get("/api/flow_runs/" + unknown_id + "/graph");
  CHECK(missing.status == 404);
  CHECK(missing.body ==
        R"({"exception_message":"Flow run with id )" + unknown_id + R"( not found"})");
}

TEST_CASE("graph v2 returns nodes with edges, root ids, artifacts and the run's states") {
  ApiFixture api;
  const std::string flow = make_flow(api, "parent");
  const std::string run = make_run(api, flow);
  const std::string a = make_task_run(api, run, "a");
  const std::string b =
      make_task_run(api, run, "b", R"({"x":[{"input_type":"task_run","id":")" + a + R"("}]})");
  const std::string wrapper = make_task_run(api, run, "subflow-task", "{}", "RUNNING");
  const std::string child = make_run(api, make_flow(api, "child"),
                                     R"("name":"kid","parent_task_run_id":")" + wrapper + "\"");
  exec_sql(api,
           "INSERT INTO artifact (id, key, type, data, flow_run_id, task_run_id) VALUES "
           "(?, NULL, 'progress', '50', ?, ?)",
           {std::string("00000000-0000-4000-8000-0000000aaaaa"), run, a});
  exec_sql(api,
           "INSERT INTO artifact (id, key, type, data, flow_run_id) VALUES "
           "(?, 'report', 'markdown', '\"# hi\"', ?)",
           {std::string("00000000-0000-4000-8000-0000000bbbbb"), run});
  auto r = api.get("/api/flow_runs/" + run + "/graph-v2");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  auto root = doc.root();
  CHECK(str(root, "start_time") == "2026-01-01T00:00:00Z");
  auto nodes = items(member(root, "nodes"));
  REQUIRE(nodes.size() == 3);
  std::vector<std::string> roots;
  for (auto id : items(member(root, "root_node_ids"))) {
    roots.emplace_back(id.get_string().value_unsafe());
  }
  CHECK(roots.size() == 2);
  for (auto pair : nodes) {
    auto tuple = items(pair);
    REQUIRE(tuple.size() == 2);
    auto node = tuple[1];
    const std::string id = str(node, "id");
    CHECK(std::string(tuple[0].get_string().value_unsafe()) == id);
    if (id == a) {
      CHECK(str(items(member(node, "children"))[0], "id") == b);
      auto artifacts = items(member(node, "artifacts"));
      REQUIRE(artifacts.size() == 1);
      CHECK(core::to_json(member(artifacts[0], "data")) == "50");
      CHECK(member(artifacts[0], "is_latest").get_bool().value_unsafe());
    } else if (id == b) {
      CHECK(str(items(member(node, "parents"))[0], "id") == a);
    } else {
      CHECK(id == child);
      CHECK(str(node, "kind") == "flow-run");
      CHECK(str(node, "label") == "child / kid");
      CHECK(str(node, "state_type") == "PENDING");
    }
  }
  auto artifacts = items(member(root, "artifacts"));
  REQUIRE(artifacts.size() == 1);
  CHECK(str(artifacts[0], "key") == "report");
  CHECK(member(artifacts[0], "data").is_null());
  CHECK(!member(artifacts[0], "is_latest").get_bool().value_unsafe());
  CHECK(items(member(root, "states")).size() == 1);
  // Completed task runs end at their expected start; `since` after that drops them.
  auto since =
      parse_json(api.get("/api/flow_runs/" + run + "/graph-v2?since=2026-01-02T00:00:00Z"));
  CHECK(items(member(since.root(), "nodes")).size() == 1);
  CHECK(api.get("/api/flow_runs/" + run + "/graph-v2?since=nope").status == 422);
  auto missing = api.get("/api/flow_runs/" + unknown_id + "/graph-v2");
  CHECK(missing.status == 404);
  CHECK(contains(missing.body, "exception_message"));
}

TEST_CASE("graph v2 answers 400 when the graph has more nodes than allowed") {
  Settings settings = Settings::defaults();
  settings.flow_run_graph_max_nodes = 1;
  ApiFixture api(settings);
  const std::string run = make_run(api, make_flow(api, "f"));
  make_task_run(api, run, "a");
  CHECK(api.get("/api/flow_runs/" + run + "/graph-v2").status == 200);
  make_task_run(api, run, "b");
  auto r = api.get("/api/flow_runs/" + run + "/graph-v2");
  CHECK(r.status == 400);
  CHECK(r.body == R"({"detail":"The graph of flow run )" + run + R"( has more than 1 nodes."})");
}

TEST_CASE("flow run inputs: create, duplicate, filter by prefix, read as text, delete") {
  ApiFixture api;
  const std::string run = make_run(api, make_flow(api, "f"));
  const std::string base = "/api/flow_runs/" + run + "/input";
  auto created = api.post(base, R"({"key":"paused-1-schema","value":"{\"type\":\"object\"}"})");
  CHECK(created.status == 201);
  CHECK(created.body == "null");
  api.clock.advance(std::chrono::seconds(1));
  CHECK(api.post(base, R"({"key":"paused-1-response","value":"yes","sender":"me"})").status == 201);
  auto dup = api.post(base, R"({"key":"paused-1-response","value":"again"})");
  CHECK(dup.status == 409);
  CHECK(dup.body == R"({"detail":"A flow run input with this key already exists."})");
  auto unknown = api.post("/api/flow_runs/" + unknown_id + "/input", R"({"key":"k","value":"v"})");
  CHECK(unknown.status == 404);
  CHECK(unknown.body == R"({"detail":"Flow run not found"})");
  CHECK(api.post(base, R"({"key":"Bad Key","value":"v"})").status == 422);
  CHECK(api.post(base, R"({"key":"k"})").status == 422);

  auto first = api.post(base + "/filter", R"({"prefix":"paused-1"})");
  REQUIRE(first.status == 200);
  CHECK(strings_of(first, "key") == std::vector<std::string>{"paused-1-schema"});
  auto both = api.post(base + "/filter", R"({"prefix":"paused","limit":5})");
  CHECK(strings_of(both, "key") ==
        std::vector<std::string>{"paused-1-schema", "paused-1-response"});
  auto excluded = api.post(base + "/filter",
                           R"({"prefix":"paused","limit":5,"exclude_keys":["paused-1-schema"]})");
  auto excluded_doc = parse_json(excluded);
  auto rows = items(excluded_doc.root());
  REQUIRE(rows.size() == 1);
  CHECK(str(rows[0], "sender") == "me");
  CHECK(str(rows[0], "flow_run_id") == run);
  CHECK(api.post(base + "/filter", "{}").status == 422);

  auto text = api.get(base + "/paused-1-response");
  CHECK(text.status == 200);
  CHECK(text.body == "yes");
  CHECK(text.headers.get("Content-Type").value_or("") == "text/plain; charset=utf-8");
  CHECK(api.get(base + "/nope").status == 404);
  CHECK(api.call("DELETE", base + "/paused-1-response").status == 204);
  auto gone = api.call("DELETE", base + "/paused-1-response");
  CHECK(gone.status == 404);
  CHECK(gone.body == R"({"detail":"Flow run input not found"})");
}

TEST_CASE("resume: ABORT unless paused; a paused run runs again (201)") {
  ApiFixture api;
  const std::string run = make_run(api, make_flow(api, "f"));
  auto not_paused = api.post("/api/flow_runs/" + run + "/resume");
  CHECK(not_paused.status == 200);
  CHECK(not_paused.body ==
        R"({"state":null,"status":"ABORT","details":{"type":"abort_details","reason":)"
        R"("Cannot resume a flow run that is not paused."}})");
  set_state(api, run, R"({"type":"RUNNING"})");
  CHECK(set_state(api, run, R"({"type":"PAUSED","state_details":{"pause_key":"p1"}})") == "ACCEPT");
  api.clock.advance(std::chrono::seconds(1));
  auto resumed = api.post("/api/flow_runs/" + run + "/resume");
  REQUIRE(resumed.status == 201);
  CHECK(json_string(resumed, "status") == "ACCEPT");
  CHECK(str(member(parse_json(resumed).root(), "state"), "type") == "RUNNING");
  CHECK(api.post("/api/flow_runs/" + unknown_id + "/resume").status == 404);
}

TEST_CASE("resume with a pause_reschedule proposes Scheduled named Resuming") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  const std::string dep = make_deployment(api, flow, "d");
  const std::string run = make_run(api, flow, R"("deployment_id":")" + dep + "\"");
  set_state(api, run, R"({"type":"RUNNING"})");
  set_state(api, run, R"({"type":"PAUSED","state_details":{"pause_reschedule":true}})");
  auto resumed = api.post("/api/flow_runs/" + run + "/resume");
  REQUIRE(resumed.status == 201);
  auto doc = parse_json(resumed);
  auto state = member(doc.root(), "state");
  CHECK(str(state, "type") == "SCHEDULED");
  CHECK(str(state, "name") == "Resuming");
}

TEST_CASE("resume checks run_input against the keyset's schema and stores the response") {
  ApiFixture api;
  const std::string run = make_run(api, make_flow(api, "f"));
  set_state(api, run, R"({"type":"RUNNING"})");
  set_state(api, run,
            R"({"type":"PAUSED","state_details":{"pause_key":"p1","run_input_keyset":)"
            R"({"description":"d","response":"p1-response","schema":"p1-schema"}}})");
  const std::string resume = "/api/flow_runs/" + run + "/resume";
  auto no_schema = api.post(resume, R"({"run_input":{"age":3}})");
  CHECK(no_schema.status == 200);
  CHECK(json_string(no_schema, "status") == "REJECT");
  CHECK(contains(no_schema.body,
                 R"("details":{"type":"abort_details","reason":"Run input schema not found."})"));
  REQUIRE(api.post("/api/flow_runs/" + run + "/input",
                   R"({"key":"p1-schema","value":"{\"type\":\"object\",\"properties\":)"
                   R"({\"age\":{\"type\":\"integer\"}},\"required\":[\"age\"]}"})")
              .status == 201);
  auto wrong = api.post(resume, R"({"run_input":{"age":"old"}})");
  CHECK(json_string(wrong, "status") == "REJECT");
  CHECK(contains(wrong.body,
                 "Reason: Validation failed for field 'age'. Failure reason: 'old' "
                 "is not of type 'integer'"));
  auto missing = api.post(resume, "{}");
  CHECK(contains(missing.body, "'age' is a required property"));
  auto ok = api.post(resume, R"({"run_input":{"age":3}})");
  REQUIRE(ok.status == 201);
  CHECK(json_string(ok, "status") == "ACCEPT");
  auto stored = api.get("/api/flow_runs/" + run + "/input/p1-response");
  CHECK(stored.status == 200);
  CHECK(stored.body == R"({"age":3})");
}

TEST_CASE("the run input validator follows $refs and reports nested paths") {
  auto schema = core::JsonDocument::parse(
      R"({"$defs":{"Pet":{"type":"object","properties":{"name":{"type":"string"}}}},)"
      R"("type":"object","properties":{"pet":{"$ref":"#/$defs/Pet"},)"
      R"("size":{"enum":["S","M"]}}})");
  REQUIRE(schema.has_value());
  auto good = core::JsonDocument::parse(R"({"pet":{"name":"rex"},"size":"S"})");
  CHECK(!schemas::validate_run_input(good->root(), schema->root()));
  auto bad = core::JsonDocument::parse(R"({"pet":{"name":5}})");
  CHECK(schemas::validate_run_input(bad->root(), schema->root()) ==
        "Validation failed for field 'pet.name'. Failure reason: 5 is not of type 'string'");
  auto size = core::JsonDocument::parse(R"({"size":"XL"})");
  CHECK(schemas::validate_run_input(size->root(), schema->root()) ==
        "Validation failed for field 'size'. Failure reason: 'XL' is not one of ['S', 'M']");
}

TEST_CASE("logs/download streams the run's logs as CSV with upstream's headers") {
  ApiFixture api;
  const std::string run = make_run(api, make_flow(api, "f"), R"("name":"my run")");
  exec_sql(api,
           "INSERT INTO log (id, name, level, flow_run_id, message, timestamp) VALUES "
           "(?, 'l', 20, ?, 'hello', '2026-01-01T00:00:01.000000Z')",
           {std::string("00000000-0000-4000-8000-0000000c0001"), run});
  exec_sql(api,
           "INSERT INTO log (id, name, level, flow_run_id, task_run_id, message, timestamp) "
           "VALUES (?, 'l', 40, ?, ?, 'bad, \"worse\"', '2026-01-01T00:00:02.500000Z')",
           {std::string("00000000-0000-4000-8000-0000000c0002"), run,
            std::string("00000000-0000-4000-8000-0000000c0003")});
  auto r = api.get("/api/flow_runs/" + run + "/logs/download");
  REQUIRE(r.status == 200);
  CHECK(r.headers.get("Content-Type").value_or("") == "text/csv; charset=utf-8");
  CHECK(r.headers.get("Content-Disposition").value_or("") ==
        "attachment; filename=\"flow-run-logs.csv\"; filename*=UTF-8''my%20run-logs.csv");
  CHECK(r.body ==
        "timestamp,level,flow_run_id,task_run_id,message\r\n"
        "2026-01-01 00:00:01+00:00,20," +
            run +
            ",,hello\r\n"
            "2026-01-01 00:00:02.500000+00:00,40," +
            run + ",00000000-0000-4000-8000-0000000c0003,\"bad, \"\"worse\"\"\"\r\n");
  CHECK(api.get("/api/flow_runs/" + unknown_id + "/logs/download").status == 404);
}

TEST_CASE("flow_run_states: read one by id, list a run's states oldest first") {
  ApiFixture api;
  const std::string run = make_run(api, make_flow(api, "f"));
  api.clock.advance(std::chrono::seconds(1));
  set_state(api, run, R"({"type":"RUNNING"})");
  api.clock.advance(std::chrono::seconds(1));
  set_state(api, run, R"({"type":"COMPLETED","data":{"type":"unpersisted"}})");
  auto list = api.get("/api/flow_run_states/?flow_run_id=" + run);
  REQUIRE(list.status == 200);
  auto doc = parse_json(list);
  auto states = items(doc.root());
  REQUIRE(states.size() == 3);
  CHECK(str(states[0], "type") == "PENDING");
  CHECK(str(states[1], "type") == "RUNNING");
  CHECK(str(states[2], "type") == "COMPLETED");
  const std::string id = str(states[1], "id");
  auto one = api.get("/api/flow_run_states/" + id);
  CHECK(one.status == 200);
  CHECK(json_string(one, "name") == "Running");
  auto missing = api.get("/api/flow_run_states/" + unknown_id);
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"detail":"Flow run state not found"})");
  CHECK(api.get("/api/flow_run_states/").status == 422);
  CHECK(api.get("/api/flow_run_states/?flow_run_id=nope").status == 422);
  CHECK(
      items(parse_json(api.get("/api/flow_run_states/?flow_run_id=" + unknown_id)).root()).empty());
}
