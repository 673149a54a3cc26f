// End to end: a client emits task-run events through WS /api/events/in over a real socket;
// the task_run_recorder turns every one into a task run state, nothing lost or duplicated.

#include <chrono>
#include <thread>

#include <doctest/doctest.h>

#include <prefectcore/http_server.h>

#include "lib/core/time.h"
#include "lib/core/uuid.h"
#include "lib/events/event_codec.h"
#include "tests/storage/backend.h"
#include "tests/support/api_fixture.h"
#include "tests/transport/test_client.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

constexpr int kText = 0x1;
constexpr int kPing = 0x9;
constexpr int kPong = 0xA;

events::Event task_run_event(const std::string& run, const std::string& flow_run, int n,
                             const char* type, const char* name, Timestamp occurred) {
  events::Event ev;
  ev.id = core::uuid4();
  ev.occurred = occurred;
  ev.event = std::string("prefect.task-run.") + name;
  ev.resource = {{"prefect.resource.id", "prefect.task-run." + run},
                 {"prefect.resource.name", "work-" + std::to_string(n)},
                 {"prefect.orchestration", "client"}};
  ev.related = {{{"prefect.resource.id", "prefect.flow-run." + flow_run},
                 {"prefect.resource.role", "flow-run"}}};
  ev.payload =
      std::string(R"({"intended":{"from":null,"to":")") + type +
      R"("},"initial_state":null,"validated_state":{"type":")" + type + R"(","name":")" + name +
      R"(","message":"","state_details":{},"data":null},"task_run":{"name":"work-)" +
      std::to_string(n) + R"(","task_key":"work-abc","dynamic_key":")" + std::to_string(n) +
      R"(","empirical_policy":{},"tags":[],"labels":{},"task_inputs":{},)"
      R"("run_count":1,"flow_run_run_count":1,"total_run_time":0.0}})";
  return ev;
}

std::int64_t scalar(ApiFixture& api, const std::string& sql) {
  auto tx = api.database->db().begin(TxMode::kRead);
  REQUIRE(tx.has_value());
  auto rows = (*tx)->query(sql);
  REQUIRE(rows.has_value());
  return rows->at(0).int64(0);
}

}  // namespace

TEST_CASE("10,000 task-run events sent through /events/in all become task runs and states") {
  ApiFixture api;
  const auto routes = api.server->list_routes();
  if (std::find(routes.begin(), routes.end(), "WS /api/events/in") == routes.end()) {
    WARN_MESSAGE(false, "SKIPPED: WS /api/events/in is not registered in this build");
    return;
  }
  HttpServerOptions options;
  options.port = 0;
  options.websocket_ping_interval = 0;
  auto http = HttpServer::start(*api.server, options);
  REQUIRE(http.has_value());

  const std::string flow = json_string(api.post("/api/flows/", R"({"name":"f"})"), "id");
  const std::string flow_run =
      json_string(api.post("/api/flow_runs/", R"({"flow_id":")" + flow + R"("})"), "id");

  constexpr int kRuns = 5000;
  std::vector<std::string> runs;
  std::vector<std::string> event_ids;
  {
    TestSocket s = websocket_connect((*http)->port(), "/api/events/in");
    REQUIRE(s.send_frame(kText, R"({"type":"auth","token":null})"));
    auto ok = s.read_frame();
    REQUIRE(ok.has_value());
    REQUIRE(ok->payload == R"({"type":"auth_success"})");
    const Timestamp start = core::parse_time("2025-01-01T00:00:00Z").value();
    for (int i = 0; i < kRuns; ++i) {
      runs.push_back(core::uuid4());
      const Timestamp t = start + std::chrono::milliseconds(i);
      for (auto [type, name, offset] :
           {std::tuple{"PENDING", "Pending", 0}, std::tuple{"COMPLETED", "Completed", 1}}) {
        auto ev =
            task_run_event(runs.back(), flow_run, i, type, name, t + std::chrono::seconds(offset));
        event_ids.push_back(ev.id);
        REQUIRE(s.send_frame(kText, events::encode_event(ev, false)));
      }
    }
    // The events client's checkpoint: the pong proves every earlier frame was taken.
    REQUIRE(s.send_frame(kPing, "checkpoint"));
    for (;;) {
      auto f = s.read_frame();
      REQUIRE(f.has_value());
      if (f->opcode == kPong) {
        break;
      }
    }
  }

  // The recorder drains what the socket thread published; bounded, as a failure guard.
  for (int i = 0; i < 600 && scalar(api, "SELECT COUNT(*) FROM task_run_state") < 2 * kRuns; ++i) {
    REQUIRE(api.server->run_service_once("task_run_recorder").ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(scalar(api, "SELECT COUNT(*) FROM task_run_state") == 2 * kRuns);
  CHECK(scalar(api, "SELECT COUNT(DISTINCT id) FROM task_run_state") == 2 * kRuns);
  CHECK(api.post("/api/task_runs/count", "{}").body == std::to_string(kRuns));
  CHECK(
      api.post("/api/task_runs/count", R"({"task_runs":{"state":{"type":{"any_":["COMPLETED"]}}}})")
          .body == std::to_string(kRuns));

  auto page = parse_json(api.post("/api/task_runs/filter", R"({"limit":200})"));
  CHECK(items(page.root()).size() == 200);
  for (int i = 0; i < kRuns; i += 499) {
    CAPTURE(i);
    auto run = api.get("/api/task_runs/" + runs[i]);
    REQUIRE_MESSAGE(run.status == 200, run.body);
    CHECK(str(parse_json(run).root(), "state_id") == event_ids[2 * i + 1]);
    auto states = parse_json(api.get("/api/task_run_states/?task_run_id=" + runs[i]));
    auto list = items(states.root());
    REQUIRE(list.size() == 2);
    CHECK(str(list[0], "id") == event_ids[2 * i]);
    CHECK(str(list[1], "id") == event_ids[2 * i + 1]);
  }
}
