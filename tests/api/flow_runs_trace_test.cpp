// Replays the real client's flow run requests from ../shared/reference/traces and compares
// our answers with the upstream server's: status codes, keys and value types.

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "tests/api/flow_runs_support.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

using simdjson::dom::element_type;

// The records of one trace file by sequence number, as compact JSON text.
std::map<std::int64_t, std::string> load_trace(const std::string& name) {
  std::map<std::int64_t, std::string> out;
  const char* root = std::getenv("PREFECTCORE_REFERENCE");
  std::ifstream in(std::string(root ? root : "../shared/reference") + "/traces/" + name);
  std::string line;
  while (std::getline(in, line)) {
    auto doc = core::JsonDocument::parse(line);
    std::int64_t seq = 0;
    if (doc && !doc->root()["seq"].get_int64().get(seq)) {
      out[seq] = line;
    }
  }
  return out;
}

std::string replace_all(std::string s, const std::map<std::string, std::string>& ids) {
  for (const auto& [from, to] : ids) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
      s.replace(at, from.size(), to);
    }
  }
  return s;
}

bool is_number(element_type t) {
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

// Records where `actual` differs from `expected` in keys or value types.
void compare_shape(core::JsonElement expected, core::JsonElement actual, const std::string& path,
                   std::vector<std::string>& diffs) {
  const auto et = expected.type();
  const auto at = actual.type();
  if (et != at && !(is_number(et) && is_number(at))) {
    diffs.push_back(path + ": expected " + core::to_json(expected) + ", got " +
                    core::to_json(actual));
    return;
  }
  if (et == element_type::OBJECT) {
    core::JsonObject e = expected.get_object().value_unsafe();
    core::JsonObject a = actual.get_object().value_unsafe();
    for (auto [key, value] : e) {
      core::JsonElement mine;
      if (a.at_key(key).get(mine)) {
        diffs.push_back(path + "." + std::string(key) + ": missing");
      } else {
        compare_shape(value, mine, path + "." + std::string(key), diffs);
      }
    }
    for (auto [key, value] : a) {
      core::JsonElement theirs;
      if (e.at_key(key).get(theirs)) {
        diffs.push_back(path + "." + std::string(key) + ": unexpected");
      }
    }
  } else if (et == element_type::ARRAY) {
    auto e = items(expected);
    auto a = items(actual);
    for (std::size_t i = 0; i < std::min(e.size(), a.size()); ++i) {
      compare_shape(e[i], a[i], path + "[" + std::to_string(i) + "]", diffs);
    }
  }
}

struct Replayer {
  ApiFixture& api;
  std::map<std::int64_t, std::string> trace;
  std::map<std::string, std::string> ids;  // recorded id -> ours

  // Sends record `seq` (ids mapped) and checks status and response shape.
  HttpResponse replay(std::int64_t seq, const std::string& extra_body_members = "") {
    REQUIRE(trace.count(seq) == 1);
    auto doc = core::JsonDocument::parse(trace[seq]);
    REQUIRE(doc.has_value());
    auto rec = doc->root();
    const std::string method = str(rec, "method");
    const std::string path = replace_all(str(rec, "path"), ids);
    std::string body;
    if (!member(rec, "req_body").is_null()) {
      body = replace_all(core::to_json(member(rec, "req_body")), ids);
      if (!extra_body_members.empty()) {
        body.insert(body.size() - 1, "," + extra_body_members);
      }
    }
    auto headers = member(rec, "req_headers");
    auto r = call_with_headers(api, method, path, body,
                               {{"User-Agent", str(headers, "user-agent")},
                                {"X-Prefect-API-Version", str(headers, "x-prefect-api-version")}});
    INFO("seq ", seq, ": ", method, " ", path, " -> ", r.body);
    CHECK(r.status == int64(rec, "status"));
    auto expected = member(rec, "resp_body");
    if (!expected.is_null()) {
      auto ours = parse_json(r);
      std::vector<std::string> diffs;
      compare_shape(expected, ours.root(), "$", diffs);
      std::string all;
      for (const auto& d : diffs) {
        all += d + "\n";
      }
      CHECK_MESSAGE(diffs.empty(), all);
    } else {
      CHECK(r.body.empty());
    }
    return r;
  }
};

}  // namespace

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
