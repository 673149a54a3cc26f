#include "tests/api/flow_runs_support.h"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include <doctest/doctest.h>

#include "lib/core/json_writer.h"
#include "tests/storage/backend.h"
#include "tests/support/test_server.h"

namespace prefectcore::testing {
namespace {

std::string next_id() {
  static std::atomic<int> counter{1};
  char buf[40];
  std::snprintf(buf, sizeof(buf), "00000000-0000-4000-8000-%012d", counter++);
  return buf;
}

// The same record ApiFixture::call writes for the OpenAPI validation pass.
void record_exchange(const HttpRequest& req, const HttpResponse& resp) {
  static std::mutex mu;
  const char* file = std::getenv("PREFECTCORE_EXCHANGES_FILE");
  if (file == nullptr || *file == '\0') {
    return;
  }
  std::string line;
  core::JsonWriter w(line);
  w.begin_object().key("method").string(req.method).key("path").string(req.path);
  w.key("status").integer(resp.status).key("response");
  auto doc = core::JsonDocument::parse(resp.body);
  if (resp.body.empty() || !doc) {
    w.null();
  } else {
    w.raw(core::to_json(doc->root()));
  }
  w.end_object();
  line.push_back('\n');
  std::lock_guard lock(mu);
  std::ofstream(file, std::ios::app) << line;
}

}  // namespace

std::string make_flow(ApiFixture& api, const std::string& name) {
  auto r = api.post("/api/flows/", R"({"name":")" + name + "\"}");
  REQUIRE(r.status < 300);
  return json_string(r, "id");
}

std::string make_run(ApiFixture& api, const std::string& flow_id, const std::string& extra) {
  std::string body = R"({"flow_id":")" + flow_id + "\"";
  if (!extra.empty()) {
    body += "," + extra;
  }
  body += "}";
  auto r = api.post("/api/flow_runs/", body);
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return json_string(r, "id");
}

void exec_sql(ApiFixture& api, const std::string& sql, std::initializer_list<SqlValue> params) {
  auto tx = api.database->db().begin(TxMode::kWrite);
  REQUIRE(tx.has_value());
  auto done = (*tx)->exec(sql, params);
  REQUIRE_MESSAGE(done.has_value(), done.status().to_string());
  REQUIRE((*tx)->commit().ok());
}

std::pair<std::string, std::string> make_work_pool(ApiFixture& api, const std::string& name,
                                                   const std::string& queue) {
  const std::string pool_id = next_id();
  const std::string queue_id = next_id();
  exec_sql(api, "INSERT INTO work_pool (id, name, type) VALUES (?, ?, 'process')", {pool_id, name});
  exec_sql(api, "INSERT INTO work_queue (id, name, priority, work_pool_id) VALUES (?, ?, 1, ?)",
           {queue_id, queue, pool_id});
  exec_sql(api, "UPDATE work_pool SET default_queue_id = ? WHERE id = ?", {queue_id, pool_id});
  return {pool_id, queue_id};
}

std::string make_deployment(ApiFixture& api, const std::string& flow_id, const std::string& name,
                            const std::string& labels) {
  const std::string id = next_id();
  exec_sql(api, "INSERT INTO deployment (id, name, flow_id, labels) VALUES (?, ?, ?, ?)",
           {id, name, flow_id, JsonText{labels}});
  return id;
}

std::string make_task_run(ApiFixture& api, const std::string& flow_run_id, const std::string& name,
                          const std::string& task_inputs, const std::string& state_type) {
  const std::string id = next_id();
  exec_sql(api,
           "INSERT INTO task_run (id, name, flow_run_id, task_key, dynamic_key, task_inputs, "
           "state_type, state_name, expected_start_time) VALUES (?, ?, ?, ?, '0', ?, ?, ?, ?)",
           {id, name, flow_run_id, name, JsonText{task_inputs}, state_type, state_type,
            std::string("2026-01-01T00:00:00.000000Z")});
  return id;
}

HttpResponse call_with_headers(ApiFixture& api, const std::string& method, const std::string& path,
                               const std::string& body,
                               const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpRequest req = make_request(method, path, body);
  for (const auto& [name, value] : headers) {
    req.headers.set(name, value);
  }
  HttpResponse resp = api.server->handle(req);
  record_exchange(req, resp);
  return resp;
}

std::vector<std::string> strings_of(const HttpResponse& response, std::string_view key) {
  auto doc = parse_json(response);
  std::vector<std::string> out;
  for (auto item : items(doc.root())) {
    out.push_back(str(item, key));
  }
  return out;
}

}  // namespace prefectcore::testing
