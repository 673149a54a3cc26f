// The task-run recorder: client-orchestrated task-run events become task runs and states,
// checked through the HTTP API on a fresh database of the test backend.

#include "lib/services/task_run_recorder.h"

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "lib/core/uuid.h"
#include "lib/events/bus.h"
#include "tests/storage/backend.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

struct TaskEvent {
  std::string id = core::uuid4();
  std::string task_run_id = {};
  std::optional<std::string> flow_run_id = std::nullopt;
  std::string type = "RUNNING";
  std::string name = "Running";
  Timestamp occurred{};
  std::string task_key = "my_task-abc";
  std::string dynamic_key = "0";
  std::string task_name = "my_task-0";
  bool client = true;
};

events::Event make_event(const TaskEvent& e) {
  events::Event ev;
  ev.id = e.id;
  ev.occurred = e.occurred;
  ev.received = e.occurred;
  ev.event = "prefect.task-run." + e.name;
  ev.resource = {{"prefect.resource.id", "prefect.task-run." + e.task_run_id},
                 {"prefect.resource.name", e.task_name},
                 {"prefect.state-name", e.name},
                 {"prefect.state-type", e.type}};
  if (e.client) {
    ev.resource.emplace_back("prefect.orchestration", "client");
  }
  if (e.flow_run_id) {
    ev.related.push_back({{"prefect.resource.id", "prefect.flow-run." + *e.flow_run_id},
                          {"prefect.resource.role", "flow-run"}});
  }
  const std::string ts = core::format_api_time(e.occurred);
  ev.payload =
      R"({"intended":{"from":null,"to":")" + e.type +
      R"("},"initial_state":null,"validated_state":{"type":")" + e.type + R"(","name":")" + e.name +
      R"(","message":"","state_details":{"cache_key":null},"data":null},)"
      R"("task_run":{"name":")" +
      e.task_name + R"(","task_key":")" + e.task_key + R"(","dynamic_key":")" + e.dynamic_key +
      R"(","cache_key":null,"cache_expiration":null,"task_version":"1",)"
      R"("empirical_policy":{"max_retries":0,"retry_delay_seconds":0.0,"retries":0,)"
      R"("retry_delay":0,"retry_jitter_factor":null},"tags":["a"],"labels":{},)"
      R"("task_inputs":{"x":[]},"run_count":1,"flow_run_run_count":1,)"
      R"("expected_start_time":")" +
      ts + R"(","start_time":")" + ts +
      R"(","end_time":null,"total_run_time":1.5,"next_scheduled_start_time":null}})";
  return ev;
}

// A recorder over the fixture's database, fed through its own bus.
struct RecorderFixture {
  ApiFixture api;
  core::SequentialIds ids;
  events::EventBus bus;
  events::LogBus logs;
  services::ServiceContext context{
      api.server->settings(), api.clock, &api.database->db(), ids, bus, logs};
  services::TaskRunRecorder recorder{context};

  void publish(const TaskEvent& e) { bus.publish(make_event(e)); }
  void drain() { REQUIRE(recorder.run_once().ok()); }

  std::string flow_run() {
    const std::string flow = json_string(api.post("/api/flows/", R"({"name":"f"})"), "id");
    auto r = api.post("/api/flow_runs/", R"({"flow_id":")" + flow + R"("})");
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return json_string(r, "id");
  }
  HttpResponse task_run(const std::string& id) { return api.get("/api/task_runs/" + id); }
  std::vector<std::string> state_ids(const std::string& task_run_id) {
    auto r = api.get("/api/task_run_states/?task_run_id=" + task_run_id);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    auto doc = parse_json(r);
    std::vector<std::string> out;
    for (auto s : items(doc.root())) {
      out.push_back(str(s, "id"));
    }
    return out;
  }
  std::int64_t task_run_count() {
    auto r = api.post("/api/task_runs/count", "{}");
    REQUIRE(r.status == 200);
    return std::stoll(r.body);
  }
};

Timestamp at(std::string_view text) { return core::parse_time(text).value(); }

}  // namespace

TEST_CASE("a client-orchestrated task-run event creates the task run and its state") {
  RecorderFixture f;
  TaskEvent e;
  e.task_run_id = core::uuid4();
  e.flow_run_id = f.flow_run();
  e.occurred = at("2025-01-02T03:04:05.123456Z");
  f.publish(e);
  CHECK(f.recorder.pending() == 1);
  f.drain();
  CHECK(f.recorder.pending() == 0);

  auto r = f.task_run(e.task_run_id);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  CHECK(str(doc.root(), "state_id") == e.id);
  CHECK(str(doc.root(), "state_type") == "RUNNING");
  CHECK(str(doc.root(), "state_name") == "Running");
  CHECK(str(doc.root(), "flow_run_id") == *e.flow_run_id);
  CHECK(str(doc.root(), "task_key") == e.task_key);
  CHECK(str(doc.root(), "name") == e.task_name);
  CHECK(str(doc.root(), "task_version") == "1");
  CHECK(int64(doc.root(), "run_count") == 1);
  auto state = member(doc.root(), "state");
  CHECK(str(state, "id") == e.id);
  CHECK(str(state, "timestamp") == "2025-01-02T03:04:05.123456Z");
  CHECK(str(member(state, "state_details"), "task_run_id") == e.task_run_id);
  CHECK(str(member(state, "state_details"), "flow_run_id") == *e.flow_run_id);
  CHECK(f.state_ids(e.task_run_id) == std::vector<std::string>{e.id});
}

TEST_CASE("a newer event updates the run and an older one only adds a state") {
  RecorderFixture f;
  TaskEvent pending{.task_run_id = core::uuid4(), .type = "PENDING", .name = "Pending"};
  pending.occurred = at("2025-01-01T00:00:01Z");
  TaskEvent running = pending;
  running.id = core::uuid4();
  running.type = "RUNNING";
  running.name = "Running";
  running.occurred = at("2025-01-01T00:00:02Z");
  TaskEvent completed = pending;
  completed.id = core::uuid4();
  completed.type = "COMPLETED";
  completed.name = "Completed";
  completed.occurred = at("2025-01-01T00:00:03Z");

  f.publish(pending);
  f.drain();
  f.publish(completed);
  f.drain();
  f.publish(running);  // late: older than the stored Completed
  f.drain();

  auto doc = parse_json(f.task_run(pending.task_run_id));
  CHECK(str(doc.root(), "state_type") == "COMPLETED");
  CHECK(str(doc.root(), "state_id") == completed.id);
  CHECK(f.state_ids(pending.task_run_id) ==
        std::vector<std::string>{pending.id, running.id, completed.id});
}

TEST_CASE("a duplicate event is recorded once") {
  RecorderFixture f;
  TaskEvent e{.task_run_id = core::uuid4()};
  e.occurred = at("2025-01-01T00:00:01Z");
  f.publish(e);
  f.publish(e);  // the client resends unconfirmed events after a reconnect
  f.drain();
  f.publish(e);
  f.drain();
  CHECK(f.task_run_count() == 1);
  CHECK(f.state_ids(e.task_run_id) == std::vector<std::string>{e.id});
}

TEST_CASE("an event for an existing flow run, task key and dynamic key updates that run") {
  RecorderFixture f;
  const std::string flow_run = f.flow_run();
  TaskEvent first{.task_run_id = core::uuid4(), .flow_run_id = flow_run, .dynamic_key = "7"};
  first.type = "PENDING";
  first.name = "Pending";
  first.occurred = at("2025-01-01T00:00:01Z");
  f.publish(first);
  f.drain();

  TaskEvent other = first;  // same natural key, another client-side id
  other.id = core::uuid4();
  other.task_run_id = core::uuid4();
  other.type = "RUNNING";
  other.name = "Running";
  other.occurred = at("2025-01-01T00:00:02Z");
  TaskEvent sibling = other;  // another dynamic key: another run
  sibling.id = core::uuid4();
  sibling.task_run_id = core::uuid4();
  sibling.dynamic_key = "8";
  f.publish(other);
  f.publish(sibling);
  f.drain();

  CHECK(f.task_run_count() == 2);
  auto doc = parse_json(f.task_run(first.task_run_id));
  CHECK(str(doc.root(), "state_id") == other.id);
  CHECK(f.state_ids(first.task_run_id) == std::vector<std::string>{first.id, other.id});
  CHECK(f.task_run(other.task_run_id).status == 404);
  CHECK(f.state_ids(sibling.task_run_id) == std::vector<std::string>{sibling.id});
}

TEST_CASE("events of one run arriving together out of order leave the latest state") {
  RecorderFixture f;
  const std::string run = core::uuid4();
  std::vector<TaskEvent> sent;
  const char* names[][2] = {
      {"PENDING", "Pending"}, {"RUNNING", "Running"}, {"COMPLETED", "Completed"}};
  for (int i = 0; i < 3; ++i) {
    TaskEvent e{.task_run_id = run, .type = names[i][0], .name = names[i][1]};
    e.occurred = at("2025-01-01T00:00:01Z") + std::chrono::seconds(i);
    sent.push_back(e);
  }
  f.publish(sent[2]);
  f.publish(sent[0]);
  f.publish(sent[1]);
  f.drain();
  auto doc = parse_json(f.task_run(run));
  CHECK(str(doc.root(), "state_type") == "COMPLETED");
  CHECK(f.state_ids(run) == std::vector<std::string>{sent[0].id, sent[1].id, sent[2].id});
}

TEST_CASE("the recorder ignores server-side and non-task-run events and bad payloads") {
  RecorderFixture f;
  TaskEvent server_side{.task_run_id = core::uuid4(), .client = false};
  f.publish(server_side);
  events::Event flow_event = make_event(TaskEvent{.task_run_id = core::uuid4()});
  flow_event.event = "prefect.flow-run.Running";
  f.bus.publish(flow_event);
  CHECK(f.recorder.pending() == 0);

  events::Event broken = make_event(TaskEvent{.task_run_id = core::uuid4()});
  broken.payload = R"({"validated_state":{"type":"NOPE"},"task_run":{}})";
  f.bus.publish(broken);
  TaskEvent good{.task_run_id = core::uuid4()};
  f.publish(good);
  TaskEvent orphan{.task_run_id = core::uuid4(), .flow_run_id = core::uuid4()};
  f.publish(orphan);
  f.drain();
  CHECK(f.task_run_count() == 1);
  CHECK(f.task_run(good.task_run_id).status == 200);
}

TEST_CASE("the server runs the recorder as the task_run_recorder service") {
  ApiFixture api;
  CHECK(api.server->run_service_once("task_run_recorder").ok());
}

TEST_CASE("twenty thousand events are recorded in one pass") {
  RecorderFixture f;
  const std::string flow_run = f.flow_run();
  std::vector<std::string> runs;
  for (int i = 0; i < 10000; ++i) {
    TaskEvent e{.task_run_id = core::uuid4(),
                .flow_run_id = flow_run,
                .type = "PENDING",
                .name = "Pending",
                .dynamic_key = std::to_string(i)};
    e.occurred = at("2025-01-01T00:00:00Z") + std::chrono::microseconds(i);
    f.publish(e);
    e.id = core::uuid4();
    e.type = "COMPLETED";
    e.name = "Completed";
    e.occurred += std::chrono::seconds(1);
    f.publish(e);
    runs.push_back(e.task_run_id);
  }
  f.drain();
  CHECK(f.task_run_count() == 10000);
  auto r = f.api.post("/api/task_runs/count",
                      R"({"task_runs":{"state":{"type":{"any_":["COMPLETED"]}}}})");
  CHECK(r.body == "10000");
  CHECK(f.state_ids(runs.back()).size() == 2);
}
