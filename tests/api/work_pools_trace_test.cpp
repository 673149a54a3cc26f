// Replays the real worker's /api/work_pools and /api/work_queues exchanges from
// ../shared/reference/traces/worker.jsonl: status codes, keys and value types must match.

#include <cstdlib>
#include <fstream>
#include <map>

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "tests/api/trace_replay.h"
#include "tests/api/work_pools_support.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

std::map<std::int64_t, std::string> load_worker_trace() {
  std::map<std::int64_t, std::string> out;
  const char* root = std::getenv("PREFECTCORE_REFERENCE");
  std::ifstream in(std::string(root ? root : "../shared/reference") + "/traces/worker.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    auto doc = core::JsonDocument::parse(line);
    std::int64_t seq = 0;
    std::string_view path;
    if (doc && !doc->root()["seq"].get_int64().get(seq) &&
        !doc->root()["path"].get_string().get(path) &&
        (path.find("/api/work_pools") == 0 || path.find("/api/work_queues") == 0)) {
      out[seq] = line;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("the worker trace's work pool and work queue exchanges replay with the same shapes") {
  ApiFixture api;
  api.clock.set(*core::parse_time("2026-11-27T02:29:57.646520Z"));
  auto trace = load_worker_trace();
  REQUIRE(trace.size() >= 10);
  std::map<std::string, std::string> ids;  // recorded id -> ours
  std::string run_id;
  for (const auto& [seq, line] : trace) {
    auto doc = core::JsonDocument::parse(line);
    REQUIRE(doc.has_value());
    auto rec = doc->root();
    const std::string method = str(rec, "method");
    if (int64(rec, "status") == 101) {
      continue;  // the worker channel: work_pools_ws_test
    }
    const std::string path = replace_all(str(rec, "path"), ids);
    if (path.find("get_scheduled_flow_runs") != std::string::npos) {
      const bool expect_run = !items(member(rec, "resp_body")).empty();
      if (expect_run && run_id.empty()) {
        // The recorded run came from run_deployment; make one with the same shape.
        const auto flow = make_flow(api, "f");
        const auto deployment = make_deployment(api, flow, "d");
        run_id = make_run(api, flow,
                          R"("work_pool_name":"anchor-pool","deployment_id":")" + deployment +
                              R"(","parameters":{"name":"worker"},)"
                              R"("state":{"type":"SCHEDULED","state_details":)"
                              R"({"scheduled_time":"2026-11-27T02:30:02.472191Z"}})");
        exec_sql(api,
                 "UPDATE flow_run SET work_queue_name = NULL, deployment_version = 'v1' "
                 "WHERE id = ?",
                 {run_id});
        api.clock.set(*core::parse_time("2026-11-27T02:30:05.555887Z"));
      } else if (!expect_run && !run_id.empty()) {
        set_state_type(api, run_id, "RUNNING");  // the worker picked it up
      }
    }
    std::string body;
    if (!member(rec, "req_body").is_null()) {
      body = replace_all(core::to_json(member(rec, "req_body")), ids);
    }
    auto r = api.call(method, path, body);
    INFO("seq ", seq, ": ", method, " ", path, " -> ", r.body);
    CHECK(r.status == int64(rec, "status"));
    auto expected = member(rec, "resp_body");
    if (expected.is_null()) {
      CHECK(r.body.empty());
      continue;
    }
    auto ours = parse_json(r);
    std::vector<std::string> diffs;
    compare_shape(expected, ours.root(), "$", diffs);
    std::string all;
    for (const auto& d : diffs) {
      all += d + "\n";
    }
    CHECK_MESSAGE(diffs.empty(), all);
    std::string_view recorded_queue;
    if (expected.is_object() && !expected["default_queue_id"].get_string().get(recorded_queue)) {
      ids[std::string(recorded_queue)] = str(ours.root(), "default_queue_id");
    }
  }
}
