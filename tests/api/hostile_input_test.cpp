// A hostile-input sweep over every HTTP route the server registers: hostile path
// parameters, malformed and wrongly typed bodies, hostile query strings. Whatever the
// input, the answer must be a 4xx in one of upstream's error shapes (inventory §7.1) or a
// success, never a 5xx, a crash or a hang. Every offending exchange is collected, so one
// run lists them all.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "tests/support/api_fixture.h"

namespace prefectcore::testing {
namespace {

struct Variant {
  std::string label;
  std::string value;
};

// Path parameter values. The transport percent-decodes paths before Server::handle sees
// them, so the decoded forms are what a hostile client really delivers; the raw "%00" is
// kept too, as a literal.
std::vector<Variant> hostile_params() {
  return {
      {"unknown-uuid", "7d3b0a3e-1c2f-4b5a-9e8d-0f1e2d3c4b5a"},
      {"not-a-uuid", "not-a-uuid"},
      {"nul", std::string(1, '\0')},
      {"raw-%00", "%00"},
      {"300-chars", std::string(300, 'a')},
      {"dot-dot", "../../etc"},
      {"unicode", "\xc3\xbcn\xc3\xaf\xe2\x82\xac-\xe5\x90\x8d-\xf0\x9f\x98\x80"},
      {"raw-unicode", "%C3%BC%E2%82%AC"},
      {"bad-utf8", "\xff\xfe"},
  };
}

// A body where every commonly used field has the wrong type.
std::string wrong_types_object() {
  return R"({"name": 5, "tags": "x", "state": [], "parameters": "x", "id": 7, "flow_id": "x",)"
         R"( "deployment_id": {}, "schedule": 1, "schedules": "x", "limit": "x", "offset": {},)"
         R"( "sort": 5, "flows": 1, "flow_runs": "x", "task_runs": [], "deployments": 3,)"
         R"( "work_pools": "x", "work_queues": 2, "value": {"a": []}, "type": 5, "slug": [],)"
         R"( "data": 5, "block_type_id": 3, "block_schema_id": [], "block_document_id": 1,)"
         R"( "work_queue_id": 1, "work_pool_name": 3, "work_queue_name": [], "concurrency_limit": "x",)"
         R"( "active": "x", "slots": "x", "names": "x", "mode": 1, "lease_id": 5,)"
         R"( "lease_duration": "x", "force": "x", "labels": "x", "key": 5, "description": 7,)"
         R"( "is_paused": "x", "priority": "x", "filter": 3, "occurred": 5, "event": 1,)"
         R"( "resource": "x", "related": 4, "payload": 1, "history_start": 5, "history_end": [],)"
         R"( "history_interval_seconds": "x", "job_variables": 5, "tag": 1, "run_input": 3,)"
         R"( "cron": 5, "interval": "x", "timezone": 3, "actions": "x", "trigger": 5,)"
         R"( "enabled": "x", "state_type": 5, "message": [], "level": "x", "timestamp": 5,)"
         R"( "flow_run_id": {}, "task_run_id": 1, "dynamic_key": 4, "task_key": 3,)"
         R"( "cache_key": [], "empirical_policy": 5, "task_inputs": "x", "idempotency_key": 5,)"
         R"( "parent_task_run_id": 1, "pull_steps": "x", "path": 5, "entrypoint": 1,)"
         R"( "version": 3, "parameter_openapi_schema": "x", "concurrency_options": 5,)"
         R"( "base_job_template": "x", "heartbeat_interval_seconds": "x", "worker_name": 3,)"
         R"( "block_document_references": "x", "is_anonymous": "x", "capabilities": "x",)"
         R"( "fields": "x", "checksum": 5, "variables": "x", "any_": "x", "ids": 3,)"
         R"( "task_worker_filter": 1, "slot_decay_per_second": "x", "denied_slots": "x",)"
         R"( "active_slots": {}, "occupy_seconds": "x", "create_if_missing": 4, "holder": 3,)"
         R"( "lease_ids": 1, "resource_ids": "x", "ttl_seconds": "x", "metadata": 5,)"
         R"( "start_time": 5, "end_time": [], "expected_start_time": {}, "next_page": 4,)"
         R"( "page": "x", "page_token": 5, "artifact_type": 1, "days_back": "x"})";
}

std::vector<Variant> hostile_bodies() {
  return {
      {"none", ""},
      {"null", "null"},
      {"[]", "[]"},
      {"{}", "{}"},
      {"string", "\"x\""},
      {"1e999", "1e999"},
      {"limit -1", R"({"limit": -1})"},
      {"limit huge", R"({"limit": 99999999999999999999})"},
      {"offset x", R"({"offset": "x"})"},
      {"nested-100000", std::string(100000, '[')},
      {"nested-closed-2000", std::string(2000, '[') + std::string(2000, ']')},
      {"invalid-utf8", "{\"name\": \"\xff\xfe\xfd\", \"\xc3\x28\": 1}"},
      {"wrong-types", wrong_types_object()},
      {"array-of-junk", "[1, \"x\", null, {}, []]"},
      {"array-of-wrong-types", "[" + wrong_types_object() + "]"},
      {"truncated", R"({"name":)"},
      {"offset int64-max", R"({"offset": 9223372036854775807, "limit": 200})"},
      {"offset -1", R"({"offset": -1, "limit": 1.5})"},
      {"huge numbers",
       R"({"limit": 0, "concurrency_limit": 99999999999999999999, "priority": -9223372036854775808,)"
       R"( "slots": 1e308, "lease_duration": 1e308, "history_interval_seconds": 1e-308,)"
       R"( "slot_decay_per_second": -1e308, "occupy_seconds": 9223372036854775807})"},
      {"bad filters",
       R"({"sort": "NOPE", "flows": {"id": {"any_": "x"}, "name": {"like_": 5}},)"
       R"( "flow_runs": {"state": {"type": {"any_": [5, "NOPE"]}}, "start_time":)"
       R"( {"before_": "not-a-date", "after_": "9999-99-99T99:99:99Z"}, "tags": {"all_": [[]]}},)"
       R"( "deployments": {"id": {"any_": ["not-a-uuid"]}}, "task_runs": {"nope": 1},)"
       R"( "work_pools": {"name": {"any_": [null]}}, "filter": {"occurred": {"since": "x"}}})"},
      {"bad datetimes",
       R"({"state": {"type": "SCHEDULED", "timestamp": "0000-00-00T00:00:00Z", "state_details":)"
       R"( {"scheduled_time": "+999999-01-01T00:00:00Z"}}, "start_time": "-1",)"
       R"( "history_start": "2026-13-45T25:61:61Z", "history_end": "2026-01-01T00:00:00+99:99",)"
       R"( "history_interval_seconds": 0.0001, "occurred": "1970-01-01"})"},
  };
}

std::vector<Variant> hostile_queries() {
  return {
      {"?limit=-5", "?limit=-5"},
      {"?offset=x", "?offset=x"},
      {"?limit=huge", "?limit=99999999999999999999"},
      {"?unknown", "?surely_unknown=1&%00=%ff"},
      {"?offset=int64-max", "?offset=9223372036854775807&limit=200"},
  };
}

// Replaces every `{param}` / `{param:type}` in `pattern` with `value`.
std::string fill(std::string_view pattern, std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern[i] == '{') {
      const auto close = pattern.find('}', i);
      out.append(value);
      i = close + 1;
    } else {
      out.push_back(pattern[i++]);
    }
  }
  return out;
}

// Existing objects: hostile bodies sent to routes that find their target get past the
// lookup and reach the decoders.
struct Seed {
  std::string label;
  std::string id;    // for `{x:uuid}` parameters
  std::string name;  // for other parameters, unless a parameter name says better
};

// Fills `pattern` from `seed`; names of the seeded work pool, flow and deployment go where
// the parameter asks for them, so nested routes find their parent.
std::string fill_seeded(std::string_view pattern, const Seed& seed) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern[i] != '{') {
      out.push_back(pattern[i++]);
      continue;
    }
    const auto close = pattern.find('}', i);
    const std::string_view inner = pattern.substr(i + 1, close - i - 1);
    const std::string_view param = inner.substr(0, inner.find(':'));
    if (inner.ends_with(":uuid")) {
      out.append(seed.id);
    } else if (param == "work_pool_name") {
      out.append("hostile-pool");
    } else if (param == "flow_name") {
      out.append("hostile-flow");
    } else if (param == "deployment_name") {
      out.append("hostile-dep");
    } else {
      out.append(seed.name);
    }
    i = close + 1;
  }
  return out;
}

// Printable form of a byte string for failure reports.
std::string printable(std::string_view s, std::size_t max = 80) {
  std::string out;
  for (unsigned char c : s.substr(0, max)) {
    if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (s.size() > max) {
    out += "...";
  }
  return out;
}

// Why `resp` is not an acceptable answer to hostile input, or empty.
std::string judge(const HttpResponse& resp) {
  if (resp.status >= 500) {
    return "status " + std::to_string(resp.status) + ": " + printable(resp.body, 200);
  }
  if (resp.status < 400) {
    return {};
  }
  auto doc = core::JsonDocument::parse(resp.body);
  if (!doc) {
    return "4xx body is not JSON: " + printable(resp.body, 200);
  }
  core::JsonObject obj;
  if (doc->root().get_object().get(obj)) {
    return "4xx body is not an object: " + printable(resp.body, 200);
  }
  const bool detail = !obj.at_key("detail").error();
  const bool message = !obj.at_key("exception_message").error();
  const bool exception_detail = !obj.at_key("exception_detail").error();
  const bool request_body = !obj.at_key("request_body").error();
  if (exception_detail && !(message && request_body)) {
    return "incomplete validation error shape: " + printable(resp.body, 200);
  }
  if (!detail && !message) {
    return "4xx body has neither detail nor exception_message: " + printable(resp.body, 200);
  }
  return {};
}

// Aborts the process, naming the exchange, when one call runs longer than the limit: a
// hang must point at its route instead of timing the whole suite out.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit) : limit_(limit), thread_([this] { run(); }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void start(std::string label) {
    std::lock_guard lock(mu_);
    label_ = std::move(label);
    ++generation_;
    busy_ = true;
    cv_.notify_all();
  }
  void done() {
    std::lock_guard lock(mu_);
    busy_ = false;
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      if (!busy_) {
        cv_.wait(lock, [&] { return stop_ || busy_; });
        continue;
      }
      const auto gen = generation_;
      if (!cv_.wait_for(lock, limit_, [&] { return stop_ || !busy_ || generation_ != gen; })) {
        std::fprintf(stderr, "HANG: %s did not answer within %llds\n", label_.c_str(),
                     static_cast<long long>(limit_.count()));
        std::abort();
      }
    }
  }
  std::chrono::seconds limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string label_;
  std::uint64_t generation_ = 0;
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;
};

struct Sweep {
  ApiFixture f;
  Watchdog watchdog{std::chrono::seconds(20)};
  std::vector<std::string> failures;
  int exchanges = 0;
  std::map<int, int> statuses;

  void exchange(const std::string& method, const std::string& pattern, const Variant& path,
                const std::string& target, const Variant& body) {
    const std::string key = method + " " + pattern + " [" + path.label + "] " + body.label;
    watchdog.start(key);
    const auto t0 = std::chrono::steady_clock::now();
    HttpResponse resp = f.call(method, target, body.value);
    const auto took = std::chrono::steady_clock::now() - t0;
    watchdog.done();
    ++exchanges;
    ++statuses[resp.status];
    std::string why = judge(resp);
    if (why.empty() && took > std::chrono::seconds(5)) {
      why = "slow: " +
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()) +
            " ms";
    }
    if (why.empty()) {
      return;
    }
    failures.push_back(key + ": " + why);
  }

  // Creates one object of each common kind; a failed creation is a test failure but the
  // sweep goes on without that seed.
  std::vector<Seed> seed() {
    std::vector<Seed> seeds;
    auto create = [&](std::string method, std::string path, std::string body, std::string label,
                      std::string name) -> std::string {
      HttpResponse resp = f.call(std::move(method), std::move(path), std::move(body));
      CHECK_MESSAGE(resp.status < 300, label << ": " << resp.status << " " << resp.body);
      auto doc = core::JsonDocument::parse(resp.body);
      std::string_view id;
      if (resp.status >= 300 || !doc || doc->root()["id"].get_string().get(id)) {
        return {};
      }
      seeds.push_back({label, std::string(id), std::move(name)});
      return std::string(id);
    };
    const std::string flow =
        create("POST", "/api/flows/", R"({"name": "hostile-flow"})", "flow", "hostile-flow");
    const std::string run =
        create("POST", "/api/flow_runs/", R"({"flow_id": ")" + flow + "\"}", "flow-run", "default");
    create("POST", "/api/task_runs/",
           R"({"task_key": "k", "dynamic_key": "0", "flow_run_id": ")" + run + "\"}", "task-run",
           "hostile-var");
    create("POST", "/api/deployments/", R"({"name": "hostile-dep", "flow_id": ")" + flow + "\"}",
           "deployment", "hostile-dep");
    create("POST", "/api/work_pools/", R"({"name": "hostile-pool"})", "work-pool", "hostile-pool");
    create("POST", "/api/variables/", R"({"name": "hostile-var", "value": 1})", "variable",
           "hostile-var");
    create("POST", "/api/v2/concurrency_limits/", R"({"name": "hostile-limit", "limit": 1})",
           "limit-v2", "hostile-limit");
    create("POST", "/api/concurrency_limits/", R"({"tag": "hostile-tag", "concurrency_limit": 1})",
           "limit-v1", "hostile-tag");
    create("POST", "/api/artifacts/", R"({"key": "hostile-artifact", "data": 1})", "artifact",
           "hostile-artifact");
    create("POST", "/api/block_types/", R"({"name": "Hostile", "slug": "hostile"})", "block-type",
           "hostile");
    return seeds;
  }

  void run() {
    const auto seeds = seed();
    const auto params = hostile_params();
    const auto bodies = hostile_bodies();
    const auto queries = hostile_queries();
    const Variant no_body{"none", ""};
    const Variant neutral_body{"{}", "{}"};
    // Deletions last, so the seeded objects live through every other route.
    auto routes = f.server->list_routes();
    std::stable_partition(routes.begin(), routes.end(),
                          [](const std::string& r) { return !r.starts_with("DELETE "); });
    for (const std::string& route : routes) {
      const auto space = route.find(' ');
      const std::string method = route.substr(0, space);
      const std::string pattern = route.substr(space + 1);
      if (method == "WS") {
        continue;  // upgrades are not answered through Server::handle
      }
      const bool has_params = pattern.find('{') != std::string::npos;
      const bool sends_body = method != "GET" && method != "HEAD";
      // The well-formed unknown id reaches the handler on every route: bodies and queries
      // are tried there; every other hostile path value is tried with a neutral body.
      const Variant reach = has_params ? params.front() : Variant{"literal", std::string(pattern)};
      const std::string reach_target = has_params ? fill(pattern, reach.value) : pattern;
      if (has_params) {
        for (const Variant& p : params) {
          exchange(method, pattern, p, fill(pattern, p.value), sends_body ? neutral_body : no_body);
        }
      }
      if (sends_body) {
        for (const Variant& b : bodies) {
          exchange(method, pattern, reach, reach_target, b);
        }
      } else {
        if (!has_params) {
          exchange(method, pattern, reach, reach_target, no_body);
        }
        for (const Variant& q : queries) {
          exchange(method, pattern, Variant{reach.label + q.label, ""}, reach_target + q.value,
                   no_body);
        }
      }
      if (!has_params) {
        continue;
      }
      for (const Seed& sd : seeds) {
        const Variant seeded{"seed:" + sd.label, ""};
        const std::string target = fill_seeded(pattern, sd);
        if (sends_body) {
          for (const Variant& b : bodies) {
            exchange(method, pattern, seeded, target, b);
          }
        } else {
          exchange(method, pattern, seeded, target, no_body);
          for (const Variant& q : queries) {
            exchange(method, pattern, Variant{seeded.label + q.label, ""}, target + q.value,
                     no_body);
          }
        }
      }
    }
  }
};

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    out += "\n  " + l;
  }
  return out;
}

struct SweepResult {
  std::vector<std::string> failures;
  int exchanges = 0;
  long long ms = 0;
  std::string statuses;  // "status x count" for the log
};

// Switches exchange recording (tests/support/api_fixture.cpp) off for the sweep: its paths
// are deliberately outside the OpenAPI contract (no operation matches "../../etc" or a NUL
// segment) and its error bodies would only validate against the generic error schema.
class NoRecording {
 public:
  NoRecording() {
    if (const char* file = std::getenv("PREFECTCORE_EXCHANGES_FILE")) {
      saved_ = file;
      ::unsetenv("PREFECTCORE_EXCHANGES_FILE");
    }
  }
  ~NoRecording() {
    if (saved_) {
      ::setenv("PREFECTCORE_EXCHANGES_FILE", saved_->c_str(), 1);
    }
  }

 private:
  std::optional<std::string> saved_;
};

// The sweep runs once per process; both test cases read its result.
const SweepResult& sweep_result() {
  static const SweepResult result = [] {
    NoRecording no_recording;
    const auto t0 = std::chrono::steady_clock::now();
    Sweep sweep;
    sweep.run();
    SweepResult r{std::move(sweep.failures), sweep.exchanges, 0, {}};
    for (const auto& [status, count] : sweep.statuses) {
      r.statuses += " " + std::to_string(status) + "x" + std::to_string(count);
    }
    r.ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    return r;
  }();
  return result;
}

TEST_CASE("the sweep rejects 5xx answers and 4xx bodies outside upstream's error shapes") {
  auto answer = [](int status, std::string body) {
    return HttpResponse::json(status, std::move(body));
  };
  CHECK(judge(answer(500, R"({"exception_message": "Internal Server Error"})")) != "");
  CHECK(judge(answer(503, R"({"exception_message": "Service Unavailable"})")) != "");
  CHECK(judge(answer(404, "Not Found")) != "");
  CHECK(judge(answer(422, R"({"detail": [], "request_body": 1, "exception_detail": []})")) != "");
  CHECK(judge(answer(400, R"({"error": "x"})")) != "");
  CHECK(judge(answer(404, R"({"detail": "Flow not found"})")) == "");
  CHECK(judge(answer(404, R"({"exception_message": "Flow run not found"})")) == "");
  CHECK(judge(answer(422, R"({"exception_message": "Invalid request received.",)"
                          R"( "exception_detail": [], "request_body": null})")) == "");
  CHECK(judge(answer(200, "[]")) == "");
}

TEST_CASE("every route answers hostile paths, bodies and queries with an upstream-shaped 4xx") {
  const SweepResult& r = sweep_result();
  MESSAGE("hostile sweep: " << r.exchanges << " exchanges in " << r.ms
                            << " ms; statuses:" << r.statuses);
  CHECK(r.exchanges > 1000);
  CHECK_MESSAGE(r.failures.empty(), r.failures.size()
                                        << " offending exchanges:" << joined(r.failures));
  CHECK(r.ms < 60000);
}

}  // namespace
}  // namespace prefectcore::testing
