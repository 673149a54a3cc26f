// The whole hello trace, in order: every HTTP exchange through Server::handle and the
// /api/events/in conversation over a real socket, frame by frame. Then what the upstream
// server would show afterwards: the flow run COMPLETED, its two task runs (which arrived only
// as events) with their states, the logs, and the server's own flow-run events.

#include <chrono>
#include <thread>

#include <doctest/doctest.h>

#include <prefectcore/http_server.h>

#include "lib/core/time.h"
#include "tests/api/trace_replay.h"
#include "tests/storage/backend.h"
#include "tests/transport/test_client.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

constexpr int kText = 0x1;
constexpr int kPing = 0x9;
constexpr int kPong = 0xA;

std::int64_t count_rows(ApiFixture& api, const std::string& sql) {
  auto tx = api.database->db().begin(TxMode::kRead);
  REQUIRE(tx.has_value());
  auto rows = (*tx)->query(sql);
  REQUIRE(rows.has_value());
  return rows->at(0).int64(0);
}

// Plays the client's side of one recorded WebSocket conversation: c2s frames are sent (ids
// mapped), and each s2c text or pong frame the upstream server sent must come back the same.
void replay_socket(int port, const std::vector<std::string>& frames,
                   const std::map<std::string, std::string>& ids) {
  TestSocket s = websocket_connect(port, "/api/events/in");
  REQUIRE(s.connected());
  for (const auto& text : frames) {
    auto doc = core::JsonDocument::parse(text);
    REQUIRE(doc.has_value());
    const auto rec = doc->root();
    const std::string dir = str(rec, "dir");
    const std::string opcode = str(rec, "opcode");
    INFO("frame: ", text.substr(0, 200));
    if (dir == "c2s") {
      if (opcode == "text") {
        REQUIRE(s.send_frame(kText, replace_all(core::to_json(member(rec, "data")), ids)));
      } else if (opcode == "ping") {
        REQUIRE(s.send_frame(kPing, ""));
      } else if (opcode == "close") {
        REQUIRE(s.send_close(1000));
      }
      continue;
    }
    if (opcode == "close") {
      auto f = s.read_frame();
      REQUIRE(f.has_value());
      CHECK(f->opcode == 0x8);
      CHECK(f->close_code() == int64(member(rec, "data"), "code"));
    } else if (opcode == "pong") {
      auto f = s.read_frame();
      REQUIRE(f.has_value());
      CHECK(f->opcode == kPong);
    } else if (opcode == "text") {
      auto f = s.read_frame();
      REQUIRE(f.has_value());
      CHECK(f->payload == core::to_json(member(rec, "data")));
    }
  }
}

}  // namespace

TEST_CASE("the whole hello trace replays: HTTP, /events/in frames, task runs from events") {
  ApiFixture api;
  HttpServerOptions options;
  options.port = 0;
  options.websocket_ping_interval = 0;
  auto http = HttpServer::start(*api.server, options);
  REQUIRE(http.has_value());
  api.clock.set(core::parse_time("2026-11-27T02:21:00.400000Z").value());

  const auto records = load_records("hello.jsonl");
  REQUIRE(records.size() > 20);
  Replayer replay{api, load_trace("hello.jsonl"), {}};
  std::map<std::int64_t, std::vector<std::string>> frames;
  for (const auto& text : records) {
    auto doc = core::JsonDocument::parse(text);
    REQUIRE(doc.has_value());
    if (doc->root()["method"].error()) {
      frames[int64(doc->root(), "seq")].push_back(text);
    }
  }

  for (const auto& [seq, text] : replay.trace) {
    auto doc = core::JsonDocument::parse(text);
    REQUIRE(doc.has_value());
    if (int64(doc->root(), "status") == 101) {
      replay_socket((*http)->port(), frames[seq], replay.ids);
      continue;
    }
    api.clock.advance(std::chrono::milliseconds(20));
    auto r = replay.replay(seq);
    // The server mints flow and flow run ids: later records name them by the recorded ids.
    const std::string path = str(doc->root(), "path");
    if ((path == "/api/flows/" || path == "/api/flow_runs/") && r.status == 201) {
      replay.ids[str(member(doc->root(), "resp_body"), "id")] = json_string(r, "id");
    }
  }

  // Task runs arrive only as events: the persister and the recorder consume the bus.
  for (int i = 0; i < 200 && count_rows(api, "SELECT COUNT(*) FROM task_run_state") < 7; ++i) {
    REQUIRE(api.server->run_service_once("task_run_recorder").ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(api.server->run_service_once("event_persister").ok());

  const std::string flow_run = replay.ids.at("c41b5c7e-976b-45d8-a9d2-eed2653b6b03");
  CHECK(json_string(api.get("/api/flow_runs/" + flow_run), "state_type") == "COMPLETED");
  auto runs =
      parse_json(api.post("/api/task_runs/filter", R"({"sort":"EXPECTED_START_TIME_ASC"})"));
  auto list = items(runs.root());
  REQUIRE(list.size() == 2);
  for (const auto& run : list) {
    CHECK(str(run, "flow_run_id") == flow_run);
    CHECK(str(member(run, "state"), "type") == "COMPLETED");
  }
  auto greeting = parse_json(api.get("/api/task_runs/01a21ace-595a-7cd0-8b45-511ab87a87b3"));
  CHECK(str(greeting.root(), "name") == "make_greeting-4cb");
  auto flaky = parse_json(api.get("/api/task_runs/01a21ace-595f-7f39-a0f3-37d3830ee985"));
  CHECK(int64(flaky.root(), "run_count") == 2);
  CHECK(count_rows(api, "SELECT COUNT(*) FROM task_run_state") == 7);
  auto states =
      parse_json(api.get("/api/task_run_states/?task_run_id=01a21ace-595f-7f39-a0f3-37d3830ee985"));
  std::vector<std::string> names;
  for (const auto& state : items(states.root())) {
    names.push_back(str(state, "name"));
  }
  CHECK(names == std::vector<std::string>{"Pending", "Running", "Retrying", "Completed"});

  CHECK(api.post("/api/logs/filter", "{}").status == 200);
  CHECK(items(parse_json(api.post("/api/logs/filter", "{}")).root()).size() ==
        count_rows(api, "SELECT COUNT(*) FROM log"));
  CHECK(count_rows(api, "SELECT COUNT(*) FROM log") > 0);
  // The client's events and the server's own prefect.flow-run.* events are stored.
  CHECK(count_rows(api, "SELECT COUNT(*) FROM events WHERE event LIKE 'prefect.task-run.%'") == 7);
  CHECK(count_rows(api, "SELECT COUNT(*) FROM events WHERE event = 'prefect.flow-run.Completed'") ==
        1);
}
