// WS /api/work_pools/{name}/workers/connect over a real socket (upstream worker channel).

#include <chrono>
#include <thread>

#include <doctest/doctest.h>

#include <prefectcore/http_server.h>

#include "lib/core/time.h"
#include "tests/api/work_pools_support.h"
#include "tests/transport/test_client.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

constexpr int kText = 0x1;
constexpr int kClose = 0x8;

struct SocketFixture {
  ApiFixture api;
  std::unique_ptr<HttpServer> http;

  SocketFixture() {
    HttpServerOptions options;
    options.port = 0;
    options.websocket_ping_interval = 0;
    auto started = HttpServer::start(*api.server, options);
    REQUIRE(started.has_value());
    http = std::move(started).value();
  }
  ~SocketFixture() { http->stop(); }

  TestSocket channel(const std::string& pool) {
    TestSocket s = websocket_connect(http->port(), "/api/work_pools/" + pool + "/workers/connect");
    REQUIRE(s.send_frame(kText, R"({"type":"auth","token":null})"));
    CHECK(text(s) == R"({"type":"auth_success"})");
    return s;
  }

  static std::string text(TestSocket& s) {
    auto f = s.read_frame();
    REQUIRE(f.has_value());
    REQUIRE_MESSAGE(f->opcode == kText, "opcode " << f->opcode << " " << f->close_reason());
    return f->payload;
  }
  static WsFrame close_frame(TestSocket& s) {
    for (;;) {
      auto f = s.read_frame();
      REQUIRE(f.has_value());
      if (f->opcode == kClose) {
        return *f;
      }
    }
  }
};

std::string hello(const std::string& extra = "") {
  return R"({"type":"worker.hello.v1","id":"01a21ad6-a9ce-78be-a1e4-bc15a881d53c",)"
         R"("sent_at":"2026-11-27T02:30:05.518211Z","payload":{)"
         R"("consumer_id":"01a21ad6-a953-7a2a-959b-4f0266061f28","worker_name":"anchor-worker",)"
         R"("worker_type":"process","heartbeat_interval_seconds":30,)"
         R"("supported_channel_versions":["work_pool_worker_channel.v1"],)"
         R"("requested_capabilities":["worker_heartbeat.v1","work_pool_snapshot.v1"],)"
         R"("work_queue_names":[],"handled_cleanup_kinds":[],"max_cleanup_concurrency":0)" +
         extra + "}}";
}

std::string heartbeat(const std::string& worker = "anchor-worker") {
  return R"({"type":"worker.heartbeat.v1","id":"01a21ad6-a9ce-78be-a1e4-bc15a881d53d",)"
         R"("sent_at":"2026-11-27T02:30:35Z","payload":{)"
         R"("consumer_id":"01a21ad6-a953-7a2a-959b-4f0266061f28","worker_name":")" +
         worker + R"(","heartbeat_interval_seconds":30}})";
}

}  // namespace

TEST_CASE("the worker channel answers hello with ready, persists heartbeats, pushes snapshots") {
  SocketFixture f;
  TestSocket s = f.channel("anchor-pool");
  REQUIRE(s.send_frame(kText, hello(R"(,"create_pool_if_not_found":true)")));
  auto ready = core::JsonDocument::parse(SocketFixture::text(s));
  REQUIRE(ready.has_value());
  CHECK(str(ready->root(), "type") == "worker.ready.v1");
  auto payload = member(ready->root(), "payload");
  CHECK(member(payload, "worker_id").is_null());
  CHECK(str(payload, "selected_channel_version") == "work_pool_worker_channel.v1");
  CHECK(int64(payload, "effective_heartbeat_interval_seconds") == 30);
  auto snapshot = member(payload, "initial_snapshot");
  CHECK(int64(snapshot, "snapshot_sequence") == 1);
  CHECK(str(member(snapshot, "work_pool"), "status") == "READY");
  auto queues = items(member(payload, "resolved_work_queues"));
  REQUIRE(queues.size() == 1);
  CHECK(str(queues[0], "name") == "default");

  f.api.clock.advance(std::chrono::seconds(30));
  REQUIRE(s.send_frame(kText, heartbeat()));
  // The heartbeat is handled on the socket's thread: wait (bounded) until it is stored.
  const std::string beat_time = core::format_api_time(f.api.clock.now());
  for (int i = 0; i < 500; ++i) {
    auto doc = parse_json(f.api.post("/api/work_pools/anchor-pool/workers/filter", "{}"));
    auto found = items(doc.root());
    if (found.size() == 1 && str(found[0], "last_heartbeat_time") == beat_time) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(f.api.call("PATCH", "/api/work_pools/anchor-pool", R"({"description":"new"})").status ==
          204);
  auto pushed = core::JsonDocument::parse(SocketFixture::text(s));
  REQUIRE(pushed.has_value());
  CHECK(str(pushed->root(), "type") == "work_pool.snapshot.v1");
  CHECK(int64(member(pushed->root(), "payload"), "snapshot_sequence") == 2);
  CHECK(str(member(pushed->root(), "payload"), "reason") == "work_pool_updated");
  CHECK(str(member(member(pushed->root(), "payload"), "work_pool"), "description") == "new");
  auto workers = f.api.post("/api/work_pools/anchor-pool/workers/filter", "{}");
  auto workers_doc = parse_json(workers);
  auto list = items(workers_doc.root());
  REQUIRE(list.size() == 1);
  CHECK(str(list[0], "status") == "ONLINE");
  CHECK(str(list[0], "last_heartbeat_time") == core::format_api_time(f.api.clock.now()));

  REQUIRE(s.send_frame(kText, heartbeat("someone-else")));
  auto closed = SocketFixture::close_frame(s);
  CHECK(closed.close_code() == 1002);
  CHECK(closed.close_reason() == "protocol_error");
}

TEST_CASE("the worker channel refuses unknown pools, bad frames and missing subprotocols") {
  SocketFixture f;
  SUBCASE("an unknown pool without create_pool_if_not_found") {
    TestSocket s = f.channel("missing");
    REQUIRE(s.send_frame(kText, hello()));
    auto c = SocketFixture::close_frame(s);
    CHECK(c.close_code() == 1008);
    CHECK(c.close_reason() == "authorization_failed");
  }
  SUBCASE("a first frame that is not a hello") {
    create_pool(f.api, "p");
    TestSocket s = f.channel("p");
    REQUIRE(s.send_frame(kText, heartbeat()));
    auto c = SocketFixture::close_frame(s);
    CHECK(c.close_code() == 1002);
  }
  SUBCASE("an unsupported channel version") {
    create_pool(f.api, "p");
    TestSocket s = f.channel("p");
    std::string h = hello();
    h.replace(h.find("work_pool_worker_channel.v1"), 27, "work_pool_worker_channel.v9");
    REQUIRE(s.send_frame(kText, h));
    auto c = SocketFixture::close_frame(s);
    CHECK(c.close_code() == 1008);
    CHECK(c.close_reason() == "unsupported_version");
  }
  SUBCASE("no prefect subprotocol") {
    TestSocket s(f.http->port());
    REQUIRE(s.send_all(websocket_request("/api/work_pools/p/workers/connect")));
    auto r = s.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 101);
    auto c = SocketFixture::close_frame(s);
    CHECK(c.close_code() == 1008);
  }
}
