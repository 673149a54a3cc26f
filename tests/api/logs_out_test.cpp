// WS /api/logs/out over a real socket: logs stored by POST /api/logs/ after the filter
// message are streamed when both stream settings are on.

#include <doctest/doctest.h>
#include <poll.h>

#include <prefectcore/http_server.h>

#include "tests/support/api_fixture.h"
#include "tests/transport/test_client.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

constexpr int kText = 0x1;
constexpr int kClose = 0x8;

Settings streaming() {
  Settings s = Settings::defaults();
  s.logs.stream_out_enabled = true;
  s.logs.stream_publishing_enabled = true;
  return s;
}

struct LogsFixture {
  ApiFixture api;
  std::unique_ptr<HttpServer> http;
  explicit LogsFixture(Settings settings) : api(std::move(settings)) {
    HttpServerOptions options;
    options.port = 0;
    options.websocket_ping_interval = 0;
    auto started = HttpServer::start(*api.server, options);
    REQUIRE(started.has_value());
    http = std::move(started).value();
  }
  ~LogsFixture() { http->stop(); }
};

std::string log_body(int level, const std::string& message, const std::string& task_run = "") {
  return R"({"name":"prefect.test","level":)" + std::to_string(level) + R"(,"message":")" +
         message + R"(","timestamp":"2025-01-01T00:00:00Z","flow_run_id":null,"task_run_id":)" +
         (task_run.empty() ? std::string("null") : "\"" + task_run + "\"") + "}";
}

TestSocket subscribe(LogsFixture& f, const std::string& filter) {
  TestSocket s = websocket_connect(f.http->port(), "/api/logs/out");
  REQUIRE(s.send_frame(kText, R"({"type":"auth","token":null})"));
  auto ok = s.read_frame();
  REQUIRE(ok.has_value());
  CHECK(ok->payload == R"({"type":"auth_success"})");
  REQUIRE(s.send_frame(kText, R"({"type":"filter","filter":)" + filter + "}"));
  return s;
}

// Posts logs until the subscription (set up on the socket thread) sees one, bounded.
std::string first_log(LogsFixture& f, TestSocket& s, const std::string& body) {
  for (int i = 0; i < 100; ++i) {
    REQUIRE(f.api.post("/api/logs/", "[" + body + "]").status == 201);
    pollfd p{s.fd(), POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) {
      auto frame = s.read_frame();
      REQUIRE(frame.has_value());
      REQUIRE(frame->opcode == kText);
      return frame->payload;
    }
  }
  FAIL("no log arrived");
  return {};
}

}  // namespace

TEST_CASE("logs stored after the filter message are streamed when they match it") {
  LogsFixture f(streaming());
  auto s = subscribe(f, R"({"level":{"ge_":30}})");
  const std::string sent = first_log(f, s, log_body(40, "warned"));
  auto doc = core::JsonDocument::parse(sent);
  REQUIRE(doc.has_value());
  CHECK(str(doc->root(), "type") == "log");
  auto log = member(doc->root(), "log");
  CHECK(str(log, "message") == "warned");
  CHECK(int64(log, "level") == 40);
  CHECK(str(log, "timestamp") == "2025-01-01T00:00:00Z");

  // A log below the level is skipped; the next matching one is the next frame.
  REQUIRE(f.api.post("/api/logs/", "[" + log_body(10, "debug") + "," + log_body(50, "crit") + "]")
              .status == 201);
  std::string next;
  for (;;) {  // earlier retries of first_log may have queued more "warned" logs
    auto frame = s.read_frame();
    REQUIRE(frame.has_value());
    next = frame->payload;
    if (next.find("warned") == std::string::npos) {
      break;
    }
  }
  CHECK(next.find(R"("message":"crit")") != std::string::npos);
}

TEST_CASE("the logs socket closes with 1002 on a wrong first message or an invalid filter") {
  LogsFixture f(streaming());
  {
    TestSocket s = websocket_connect(f.http->port(), "/api/logs/out");
    REQUIRE(s.send_frame(kText, R"({"type":"auth","token":null})"));
    REQUIRE(s.read_frame().has_value());
    REQUIRE(s.send_frame(kText, R"({"type":"subscribe"})"));
    auto closed = s.read_frame();
    REQUIRE(closed.has_value());
    CHECK(closed->opcode == kClose);
    CHECK(closed->close_code() == 1002);
    CHECK(closed->close_reason() == "Expected 'filter' message");
  }
  auto s = subscribe(f, R"({"level":{"ge_":"high"}})");
  auto closed = s.read_frame();
  REQUIRE(closed.has_value());
  CHECK(closed->opcode == kClose);
  CHECK(closed->close_code() == 1002);
  CHECK(closed->close_reason().rfind("Invalid filter: ", 0) == 0);
}

TEST_CASE("with stream_out_enabled off the logs socket stays open and sends nothing") {
  Settings settings = streaming();
  settings.logs.stream_out_enabled = false;
  LogsFixture f(settings);
  auto s = subscribe(f, "{}");
  for (int i = 0; i < 5; ++i) {
    REQUIRE(f.api.post("/api/logs/", "[" + log_body(40, "quiet") + "]").status == 201);
  }
  pollfd p{s.fd(), POLLIN, 0};
  CHECK(::poll(&p, 1, 200) == 0);  // nothing to read: no frame, no close
  REQUIRE(s.send_frame(0x9, "still-there"));
  auto pong = s.read_frame();
  REQUIRE(pong.has_value());
  CHECK(pong->opcode == 0xA);
}
