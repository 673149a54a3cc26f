// Task workers over a real socket: WS /api/task_runs/subscriptions/scheduled delivers
// background task runs (task.delay()) and POST /api/task_workers/filter lists the workers.

#include <chrono>
#include <thread>

#include <doctest/doctest.h>

#include <prefectcore/http_server.h>

#include "lib/core/time.h"
#include "tests/support/api_fixture.h"
#include "tests/transport/test_client.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

constexpr int kText = 0x1;
constexpr int kClose = 0x8;
constexpr std::string_view kPath = "/api/task_runs/subscriptions/scheduled";

struct SocketFixture {
  ApiFixture api;
  std::unique_ptr<HttpServer> http;

  explicit SocketFixture(Settings settings = Settings::defaults()) : api(std::move(settings)) {
    HttpServerOptions options;
    options.port = 0;
    options.websocket_ping_interval = 0;
    auto started = HttpServer::start(*api.server, options);
    REQUIRE(started.has_value());
    http = std::move(started).value();
  }
  ~SocketFixture() { http->stop(); }

  TestSocket connect(std::string_view path) { return websocket_connect(http->port(), path); }
};

std::string text_frame(TestSocket& s) {
  auto f = s.read_frame();
  REQUIRE(f.has_value());
  REQUIRE_MESSAGE(f->opcode == kText, "opcode " << f->opcode << " " << f->close_reason());
  return f->payload;
}

WsFrame close_frame(TestSocket& s) {
  for (;;) {
    auto f = s.read_frame();
    REQUIRE(f.has_value());
    if (f->opcode == kClose) {
      return *f;
    }
  }
}

void authenticate(TestSocket& s) {
  REQUIRE(s.send_frame(kText, R"({"type":"auth","token":null})"));
  CHECK(text_frame(s) == R"({"type":"auth_success"})");
}

TestSocket task_worker(SocketFixture& f, const std::string& keys, const std::string& client) {
  TestSocket s = f.connect(kPath);
  authenticate(s);
  REQUIRE(s.send_frame(
      kText, R"({"type":"subscribe","keys":)" + keys + R"(,"client_id":")" + client + R"("})"));
  return s;
}

// task.delay(): a task run created in a deferred Scheduled state.
std::string delay(ApiFixture& api, const std::string& key, int n) {
  auto r = api.post("/api/task_runs/",
                    R"({"task_key":")" + key + R"(","dynamic_key":")" + std::to_string(n) +
                        R"(","state":{"type":"SCHEDULED","state_details":{"deferred":true}}})");
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return json_string(r, "id");
}

std::string id_of(const std::string& json) {
  auto doc = core::JsonDocument::parse(json);
  REQUIRE(doc.has_value());
  return str(doc->root(), "id");
}

// Waits (bounded) until the server has registered `n` workers, through the HTTP route.
std::string workers(ApiFixture& api, const std::string& body = "{}") {
  auto r = api.post("/api/task_workers/filter", body);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return r.body;
}

void wait_for_workers(ApiFixture& api, std::size_t n) {
  for (int i = 0; i < 500; ++i) {
    auto doc = parse_json(api.post("/api/task_workers/filter", "{}"));
    if (items(doc.root()).size() >= n) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // the socket thread's pace
  }
  FAIL("task worker never registered");
}

}  // namespace

TEST_CASE("a task worker receives each background run once and gets the next after its ack") {
  SocketFixture f;
  auto worker = task_worker(f, R"(["add-1"])", "worker-a");
  wait_for_workers(f.api, 1);
  const std::string first = delay(f.api, "add-1", 0);
  const std::string second = delay(f.api, "add-1", 1);
  delay(f.api, "other-key", 0);

  const std::string sent = text_frame(worker);
  CHECK(id_of(sent) == first);
  auto doc = core::JsonDocument::parse(sent);
  REQUIRE(doc.has_value());
  CHECK(str(doc->root(), "task_key") == "add-1");
  CHECK(str(member(doc->root(), "state"), "type") == "SCHEDULED");
  REQUIRE(worker.send_frame(kText, R"({"type":"ack"})"));
  CHECK(id_of(text_frame(worker)) == second);
  REQUIRE(worker.send_frame(kText, R"({"type":"ack"})"));
  REQUIRE(worker.send_frame(kText, R"({"type":"quit"})"));
  CHECK(close_frame(worker).close_code() == 1000);
}

TEST_CASE("a run sent to a worker that leaves before its ack goes to the next worker") {
  SocketFixture f;
  const std::string run = delay(f.api, "flaky", 0);  // queued before anyone listens
  {
    auto first = task_worker(f, R"(["flaky"])", "worker-1");
    CHECK(id_of(text_frame(first)) == run);
    REQUIRE(first.send_close(1001));
    close_frame(first);
  }
  auto second = task_worker(f, R"(["flaky"])", "worker-2");
  CHECK(id_of(text_frame(second)) == run);
  REQUIRE(second.send_frame(kText, R"({"type":"ack"})"));
}

TEST_CASE("task_workers/filter lists connected workers and filters them by task key") {
  SocketFixture f;
  auto a = task_worker(f, R"(["k1","k2"])", "worker-a");
  auto b = task_worker(f, R"(["k3"])", "worker-b");
  wait_for_workers(f.api, 2);
  auto all = parse_json(f.api.post("/api/task_workers/filter", "{}"));
  auto list = items(all.root());
  REQUIRE(list.size() == 2);
  CHECK(str(list[0], "identifier") == "worker-a");
  auto keys = items(member(list[0], "task_keys"));
  REQUIRE(keys.size() == 2);
  CHECK(str(list[1], "identifier") == "worker-b");
  CHECK(str(list[1], "timestamp") == core::format_api_time(f.api.clock.now()));

  auto only = parse_json(
      f.api.post("/api/task_workers/filter", R"({"task_worker_filter":{"task_keys":["k3"]}})"));
  REQUIRE(items(only.root()).size() == 1);
  CHECK(str(items(only.root())[0], "identifier") == "worker-b");
  CHECK(workers(f.api, R"({"task_worker_filter":{"task_keys":["none"]}})") == "[]");
  CHECK(f.api.post("/api/task_workers/filter", R"({"task_worker_filter":{}})").status == 422);
  CHECK(f.api.post("/api/task_workers/filter", R"({"task_worker_filter":{"task_keys":[1]}})")
            .status == 422);
}

TEST_CASE("a subscription without keys, client id or subscribe type is a protocol violation") {
  SocketFixture f;
  const std::pair<std::string, std::string> cases[] = {
      {R"({"type":"hello"})", "Protocol violation: expected 'subscribe' message"},
      {R"({"type":"subscribe","keys":[],"client_id":"c"})",
       "Protocol violation: expected 'keys' in subscribe message"},
      {R"({"type":"subscribe","keys":["k"]})",
       "Protocol violation: expected 'client_id' in subscribe message"},
  };
  for (const auto& [message, reason] : cases) {
    CAPTURE(message);
    auto s = f.connect(kPath);
    authenticate(s);
    REQUIRE(s.send_frame(kText, message));
    auto closed = close_frame(s);
    CHECK(closed.close_code() == 4001);
    CHECK(closed.close_reason() == reason);
  }
}

TEST_CASE("the task worker socket requires the auth message, and the token when configured") {
  Settings settings = Settings::defaults();
  settings.api.auth_string = "user:pass";
  SocketFixture f(settings);
  {
    auto s = f.connect(kPath);
    REQUIRE(s.send_frame(kText, R"({"type":"subscribe"})"));
    auto closed = close_frame(s);
    CHECK(closed.close_code() == 1008);
    CHECK(closed.close_reason() == "Expected 'auth' message");
  }
  {
    auto s = f.connect(kPath);
    REQUIRE(s.send_frame(kText, R"({"type":"auth","token":"user:wrong"})"));
    CHECK(close_frame(s).close_reason() == "Invalid token");
  }
  {
    auto s = f.connect(kPath);
    REQUIRE(s.send_frame(kText, R"({"type":"auth","token":null})"));
    CHECK(close_frame(s).close_reason() == "Auth required but no token provided");
  }
  auto s = f.connect(kPath);
  REQUIRE(s.send_frame(kText, R"({"type":"auth","token":"user:pass"})"));
  CHECK(text_frame(s) == R"({"type":"auth_success"})");
}

TEST_CASE("a run moved into a deferred Scheduled state by set_state reaches a task worker") {
  SocketFixture f;
  auto created = f.api.post("/api/task_runs/", R"({"task_key":"later","dynamic_key":"0"})");
  REQUIRE(created.status == 201);
  const std::string id = json_string(created, "id");
  auto worker = task_worker(f, R"(["later"])", "worker-s");
  wait_for_workers(f.api, 1);
  auto r = f.api.post("/api/task_runs/" + id + "/set_state",
                      R"({"state":{"type":"SCHEDULED","state_details":{"deferred":true}}})");
  REQUIRE_MESSAGE(r.status == 201, r.body);
  CHECK(id_of(text_frame(worker)) == id);
  REQUIRE(worker.send_frame(kText, R"({"type":"ack"})"));
}
