// WS /events/in and WS /events/out through a real socket (prefectcore::HttpServer on port
// 0, RFC 6455 frames from tests/transport's client).

#include <algorithm>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <prefectcore/http_server.h>

#include "lib/core/json.h"
#include "tests/api/events_support.h"
#include "tests/storage/backend.h"
#include "tests/support/api_fixture.h"
#include "tests/transport/test_client.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

constexpr int kText = 0x1;
constexpr int kClose = 0x8;
constexpr int kPing = 0x9;
constexpr int kPong = 0xA;

std::unique_ptr<HttpServer> serve(Server& server, std::int64_t max_buffered = 8 << 20) {
  HttpServerOptions options;
  options.websocket_max_buffered_bytes = max_buffered;
  options.port = 0;
  options.websocket_ping_interval = 0;
  auto http = HttpServer::start(server, options);
  REQUIRE(http.has_value());
  return std::move(http).value();
}

// Connects with the `prefect` subprotocol and completes the auth handshake.
TestSocket open_socket(int port, std::string_view path) {
  TestSocket s = websocket_connect(port, path);
  REQUIRE(s.send_frame(kText, R"({"type":"auth","token":null})"));
  auto reply = s.read_frame();
  REQUIRE(reply.has_value());
  CHECK(reply->payload == R"({"type":"auth_success"})");
  return s;
}

// A ping whose pong proves every earlier frame was handled (the socket's frames are handled
// in order on one thread).
void sync(TestSocket& s) {
  REQUIRE(s.send_frame(kPing, "sync"));
  auto pong = s.read_frame();
  REQUIRE(pong.has_value());
  REQUIRE(pong->opcode == kPong);
  CHECK(pong->payload == "sync");
}

TestEvent named(std::string name, std::string occurred = "2026-01-01T00:00:00Z") {
  TestEvent e;
  e.id = new_event_id();
  e.event = std::move(name);
  e.occurred = std::move(occurred);
  return e;
}

std::vector<std::string> stored_names(ApiFixture& f) {
  auto r = f.post("/api/events/filter",
                  R"({"filter":{"order":"ASC","occurred":{"since":"2025-01-01T00:00:00Z",)"
                  R"("until":"2027-01-01T00:00:00Z"}}})");
  REQUIRE(r.status == 200);
  auto doc = parse_json(r);
  std::vector<std::string> names;
  for (auto e : items(member(doc.root(), "events"))) {
    names.push_back(str(e, "event"));
  }
  return names;
}

// The event name and id of the next frame on an /events/out socket.
std::pair<std::string, std::string> next_event(TestSocket& s) {
  auto frame = s.read_frame();
  REQUIRE(frame.has_value());
  REQUIRE_MESSAGE(frame->opcode == kText, frame->payload);
  auto doc = core::JsonDocument::parse(frame->payload);
  REQUIRE(doc.has_value());
  CHECK(str(doc->root(), "type") == "event");
  auto event = member(doc->root(), "event");
  return {str(event, "event"), str(event, "id")};
}

}  // namespace

TEST_CASE("events/in drops oversize, over-related, over-labelled and malformed events only") {
  Settings settings = Settings::defaults();
  settings.events.maximum_size_bytes = 4000;
  settings.events.maximum_related_resources = 3;
  settings.events.maximum_labels_per_resource = 5;
  ApiFixture f(settings);
  auto http = serve(*f.server);
  TestSocket s = open_socket(http->port(), "/api/events/in");

  TestEvent oversize = named("bad.oversize");
  oversize.payload = R"({"blob":")" + std::string(5000, 'x') + R"("})";
  TestEvent related = named("bad.related");
  related.related = {{"a", "r"}, {"b", "r"}, {"c", "r"}, {"d", "r"}};
  TestEvent labelled = named("bad.labels");
  labelled.extra_resource_labels = R"(,"l1":"1","l2":"2","l3":"3","l4":"4","l5":"5")";

  const std::vector<std::string> frames = {named("good.1", "2026-01-01T00:00:01Z").json(),
                                           oversize.json(),
                                           named("good.2", "2026-01-01T00:00:02Z").json(),
                                           related.json(),
                                           named("good.3", "2026-01-01T00:00:03Z").json(),
                                           labelled.json(),
                                           "{not json",
                                           named("good.4", "2026-01-01T00:00:04Z").json(),
                                           R"({"id":"x"})",
                                           R"([1,2])",
                                           named("good.5", "2026-01-01T00:00:05Z").json()};
  for (const auto& frame : frames) {
    REQUIRE(s.send_frame(kText, frame));
  }
  sync(s);  // the socket is still open and answering
  REQUIRE(f.server->run_service_once("event_persister").ok());
  CHECK(stored_names(f) ==
        std::vector<std::string>{"good.1", "good.2", "good.3", "good.4", "good.5"});
}

TEST_CASE("events/in deduplicates events by id") {
  ApiFixture f;
  auto http = serve(*f.server);
  TestSocket out = open_socket(http->port(), "/api/events/out");
  REQUIRE(out.send_frame(
      kText, R"({"type":"filter","filter":{"occurred":{"until":"2027-01-01T00:00:00Z"}}})"));
  sync(out);
  TestSocket in = open_socket(http->port(), "/api/events/in");
  TestEvent dup = named("dup.event");
  REQUIRE(in.send_frame(kText, dup.json()));
  REQUIRE(in.send_frame(kText, dup.json()));
  TestEvent after = named("after.event", "2026-01-01T00:00:01Z");
  REQUIRE(in.send_frame(kText, after.json()));
  sync(in);
  CHECK(next_event(out).second == dup.id);
  CHECK(next_event(out).second == after.id);  // the duplicate was not delivered
  REQUIRE(f.server->run_service_once("event_persister").ok());
  CHECK(stored_names(f) == std::vector<std::string>{"dup.event", "after.event"});
}

TEST_CASE("an events/out subscriber receives exactly the matching backfill, then live events") {
  ApiFixture f;  // the clock stands at 2026-01-01T00:00:00Z
  auto http = serve(*f.server);
  {
    TestSocket in = open_socket(http->port(), "/api/events/in");
    for (const TestEvent& e :
         {named("keep.old", "2025-12-31T23:40:00Z"),  // beyond the 15 minute backfill
          named("keep.one", "2025-12-31T23:50:00Z"), named("skip.one", "2025-12-31T23:51:00Z"),
          named("keep.two", "2025-12-31T23:55:00Z")}) {
      REQUIRE(in.send_frame(kText, e.json()));
    }
    sync(in);
  }
  REQUIRE(f.server->run_service_once("event_persister").ok());

  TestSocket out = open_socket(http->port(), "/api/events/out");
  REQUIRE(out.send_frame(kText, R"({"type":"filter","filter":{"event":{"prefix":["keep."]},)"
                                R"("occurred":{"since":"2025-01-01T00:00:00Z",)"
                                R"("until":"2027-01-01T00:00:00Z"}}})"));
  CHECK(next_event(out).first == "keep.one");
  CHECK(next_event(out).first == "keep.two");

  TestSocket in = open_socket(http->port(), "/api/events/in");
  REQUIRE(in.send_frame(kText, named("skip.live").json()));
  REQUIRE(in.send_frame(kText, named("keep.live").json()));
  REQUIRE(in.send_frame(kText, named("keep.sentinel", "2026-01-01T00:00:01Z").json()));
  sync(in);
  CHECK(next_event(out).first == "keep.live");
  CHECK(next_event(out).first == "keep.sentinel");
}

TEST_CASE("events/out closes with 1002 when the first message is not a valid filter") {
  ApiFixture f;
  auto http = serve(*f.server);
  SUBCASE("wrong message type") {
    TestSocket out = open_socket(http->port(), "/api/events/out");
    REQUIRE(out.send_frame(kText, R"({"type":"subscribe"})"));
    auto frame = out.read_frame();
    REQUIRE(frame.has_value());
    CHECK(frame->opcode == kClose);
    CHECK(frame->close_code() == 1002);
    CHECK(frame->close_reason() == "Expected 'filter' message");
  }
  SUBCASE("invalid filter") {
    TestSocket out = open_socket(http->port(), "/api/events/out");
    REQUIRE(out.send_frame(kText, R"({"type":"filter","filter":{"order":"SIDEWAYS"}})"));
    auto frame = out.read_frame();
    REQUIRE(frame.has_value());
    CHECK(frame->close_code() == 1002);
    CHECK(frame->close_reason().rfind("Invalid filter", 0) == 0);
  }
}

TEST_CASE("a subscriber that stops reading is closed instead of blocking ingest") {
  ApiFixture f;
  auto http = serve(*f.server, /*max_buffered=*/16 * 1024);
  TestSocket out = open_socket(http->port(), "/api/events/out");
  REQUIRE(out.send_frame(kText, R"({"type":"filter","backfill":false,)"
                                R"("filter":{"occurred":{"until":"2027-01-01T00:00:00Z"}}})"));
  sync(out);
  // About 24 MB for a reader that reads nothing meanwhile: more than socket buffers hold.
  constexpr int kBatches = 12, kPerBatch = 2000;
  const std::string blob = R"({"blob":")" + std::string(1000, 'x') + R"("})";
  for (int b = 0; b < kBatches; ++b) {
    std::string body = "[";
    for (int i = 0; i < kPerBatch; ++i) {
      TestEvent e = named("flood");
      e.payload = blob;
      body += (i ? "," : "") + e.json();
    }
    REQUIRE(f.post("/api/events", body + "]").status == 204);
  }
  int events = 0;
  std::optional<WsFrame> frame;
  while ((frame = out.read_frame()) && frame->opcode == kText) {
    ++events;
  }
  REQUIRE(frame.has_value());
  CHECK(frame->opcode == kClose);
  CHECK(frame->close_code() == 1008);
  CHECK(frame->close_reason() == "subscriber too slow");
  CHECK(events < kBatches * kPerBatch);
}

TEST_CASE("two servers on one PostgreSQL database see each other's events") {
  if (current_backend() != TestBackend::kPostgres) {
    MESSAGE("replication polls PostgreSQL only; skipped on this backend");
    return;
  }
  ApiFixture a;
  ServerOptions options;
  options.clock = &a.clock;
  options.database = a.database->open_another();
  options.run_migrations = false;
  REQUIRE(options.database != nullptr);
  auto created = Server::create(std::move(options));
  REQUIRE(created.has_value());
  std::unique_ptr<Server> b = std::move(created).value();
  auto names = b->service_names();
  REQUIRE(std::find(names.begin(), names.end(), "event_replication") != names.end());

  auto http_a = serve(*a.server);
  auto http_b = serve(*b);
  TestSocket out_a = open_socket(http_a->port(), "/api/events/out");
  TestSocket out_b = open_socket(http_b->port(), "/api/events/out");
  const std::string filter =
      R"({"type":"filter","backfill":false,"filter":{"occurred":{"until":"2027-01-01T00:00:00Z"}}})";
  REQUIRE(out_a.send_frame(kText, filter));
  REQUIRE(out_b.send_frame(kText, filter));
  sync(out_a);
  sync(out_b);

  TestSocket in_a = open_socket(http_a->port(), "/api/events/in");
  TestSocket in_b = open_socket(http_b->port(), "/api/events/in");
  TestEvent from_a = named("from.a");
  TestEvent from_b = named("from.b", "2026-01-01T00:00:01Z");
  REQUIRE(in_a.send_frame(kText, from_a.json()));
  sync(in_a);
  REQUIRE(in_b.send_frame(kText, from_b.json()));
  sync(in_b);
  CHECK(next_event(out_a).second == from_a.id);
  CHECK(next_event(out_b).second == from_b.id);

  REQUIRE(a.server->run_service_once("event_persister").ok());
  REQUIRE(b->run_service_once("event_persister").ok());
  REQUIRE(a.server->run_service_once("event_replication").ok());
  REQUIRE(b->run_service_once("event_replication").ok());
  // Each side now gets exactly the other's event, once, and not its own again.
  CHECK(next_event(out_a).second == from_b.id);
  CHECK(next_event(out_b).second == from_a.id);
  REQUIRE(a.server->run_service_once("event_replication").ok());
  REQUIRE(b->run_service_once("event_replication").ok());
  TestEvent sentinel = named("sentinel");
  REQUIRE(in_a.send_frame(kText, sentinel.json()));
  sync(in_a);
  CHECK(next_event(out_a).second == sentinel.id);
  CHECK(stored_names(a) == std::vector<std::string>{"from.a", "from.b"});
}
