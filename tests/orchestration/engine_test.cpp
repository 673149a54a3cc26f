// The engine over storage, on the backend under test: what is written, what comes back,
// which policy applies, and errors.

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "lib/models/run_store.h"
#include "tests/orchestration/orchestration_fixture.h"

namespace prefectcore::testing {
namespace {

namespace orch = prefectcore::orchestration;
using models::RunKind;
using schemas::SetStateStatus;
using std::chrono::seconds;

TEST_CASE("the first state is written with a minted id and timestamp and the run points at it") {
  EngineHarness h;
  const std::string run = h.create_flow_run();
  auto r = h.set_flow_state(run, proposal(StateType::kPending), /*force=*/true);
  REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
  CHECK(r->status == SetStateStatus::kAccept);
  CHECK(r->wrote_state);
  REQUIRE(r->state);
  CHECK(core::is_uuid(r->state->id));
  CHECK(r->state->timestamp == h.clock.now());
  CHECK(r->state->name == "Pending");
  CHECK(r->state->details.flow_run_id == run);

  const auto rows = h.state_rows(RunKind::kFlow, run);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][0] == "PENDING");
  CHECK(rows[0][3] == r->state->id);
  const auto rec = h.run(RunKind::kFlow, run);
  CHECK(rec.state_id == r->state->id);
  CHECK(rec.state_type == StateType::kPending);
  CHECK(rec.state_name == "Pending");
  CHECK(rec.state_timestamp == h.clock.now());
}

TEST_CASE("a WAIT writes nothing and returns the current state") {
  EngineHarness h;
  const std::string run = h.create_flow_run();
  auto scheduled = proposal(StateType::kScheduled);
  scheduled.details.scheduled_time = h.clock.now() + seconds(90);
  auto first = h.set_flow_state(run, scheduled, true);
  REQUIRE(first.has_value());
  const auto before = h.run(RunKind::kFlow, run);

  h.clock.advance(seconds(30));
  auto r = h.set_flow_state(run, proposal(StateType::kRunning));
  REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
  CHECK(r->status == SetStateStatus::kWait);
  CHECK(r->delay_seconds == 60);
  CHECK_FALSE(r->wrote_state);
  REQUIRE(r->state);
  CHECK(r->state->id == first->state->id);
  CHECK(h.state_rows(RunKind::kFlow, run).size() == 1);
  CHECK(h.run(RunKind::kFlow, run) == before);  // not even `updated` moves
}

TEST_CASE("an ABORT returns the current state and a REJECT with a new state writes it") {
  EngineHarness h;
  const std::string run = h.create_flow_run({.empirical_policy = R"({"retries":1})"});
  REQUIRE(h.set_flow_state(run, proposal(StateType::kPending), true).has_value());
  h.clock.advance(seconds(1));
  REQUIRE(h.set_flow_state(run, proposal(StateType::kRunning)).has_value());

  h.clock.advance(seconds(1));
  auto aborted = h.set_flow_state(run, proposal(StateType::kPending));
  REQUIRE(aborted.has_value());
  CHECK(aborted->status == SetStateStatus::kAbort);
  CHECK_FALSE(aborted->wrote_state);
  CHECK(aborted->state->type == StateType::kRunning);

  h.clock.advance(seconds(1));
  auto retried = h.set_flow_state(run, proposal(StateType::kFailed));
  REQUIRE(retried.has_value());
  CHECK(retried->status == SetStateStatus::kReject);
  CHECK(retried->wrote_state);
  CHECK(retried->state->name == "AwaitingRetry");
  const auto rows = h.state_rows(RunKind::kFlow, run);
  REQUIRE(rows.size() == 3);
  CHECK(rows[2][1] == "AwaitingRetry");
}

TEST_CASE("an unknown run is an object-not-found error") {
  EngineHarness h;
  auto r = h.set_flow_state("00000000-0000-4000-8000-00000000ffff", proposal(StateType::kPending));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::kObjectNotFound);
  CHECK(r.error().message() == "Flow run with id 00000000-0000-4000-8000-00000000ffff not found");
  auto t = h.set_task_state("00000000-0000-4000-8000-00000000ffff", proposal(StateType::kPending));
  REQUIRE_FALSE(t.has_value());
  CHECK(t.error().message() == "Task run with id 00000000-0000-4000-8000-00000000ffff not found");
}

TEST_CASE("states minted in one clock tick get strictly increasing timestamps") {
  EngineHarness h;
  const std::string run = h.create_flow_run();
  for (StateType t : {StateType::kPending, StateType::kRunning, StateType::kCompleted}) {
    auto r = h.set_flow_state(run, proposal(t));
    REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
    CHECK(r->status == SetStateStatus::kAccept);
  }
  const auto rows = h.state_rows(RunKind::kFlow, run);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0][2] == "2026-01-01T00:00:00.000000Z");
  CHECK(rows[1][2] == "2026-01-01T00:00:00.000001Z");
  CHECK(rows[2][2] == "2026-01-01T00:00:00.000002Z");
  const auto rec = h.run(RunKind::kFlow, run);
  CHECK(rec.state_timestamp == h.clock.now() + Micros{2});
  CHECK(rec.total_run_time == Micros{1});
}

TEST_CASE("force selects the minimal policy") {
  EngineHarness h;
  const std::string run = h.create_flow_run();
  REQUIRE(h.set_flow_state(run, proposal(StateType::kRunning), true).has_value());
  h.clock.advance(seconds(1));
  CHECK(h.set_flow_state(run, proposal(StateType::kPending))->status == SetStateStatus::kAbort);
  auto forced = h.set_flow_state(run, proposal(StateType::kPending), true);
  REQUIRE(forced.has_value());
  CHECK(forced->status == SetStateStatus::kAccept);
  CHECK(forced->state->type == StateType::kPending);
}

TEST_CASE("persisted data becomes a result artifact and comes back as the run's data") {
  EngineHarness h;
  const std::string run = h.create_flow_run();
  REQUIRE(h.set_flow_state(run, proposal(StateType::kRunning), true).has_value());
  h.clock.advance(seconds(1));
  auto done = proposal(StateType::kCompleted);
  done.data = R"({"type":"reference","storage_key":"abc","artifact_key":"my-result",)"
              R"("artifact_description":"the answer"})";
  auto r = h.set_flow_state(run, done);
  REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
  CHECK(r->state->data == R"({"type":"reference","storage_key":"abc"})");
  const Rows artifacts = h.query(
      "SELECT key, description, data, flow_run_id FROM artifact WHERE flow_run_id = ?", {run});
  REQUIRE(artifacts.size() == 1);
  CHECK(artifacts[0].text(0) == "my-result");
  CHECK(artifacts[0].text(1) == "the answer");
  CHECK(h.query("SELECT latest_id FROM artifact_collection WHERE key = 'my-result'").size() == 1);

  // The stored result guards the run: it cannot be rerun.
  h.clock.advance(seconds(1));
  auto rerun = h.set_flow_state(run, proposal(StateType::kRunning));
  REQUIRE(rerun.has_value());
  CHECK(rerun->status == SetStateStatus::kReject);
  CHECK(rerun->state->data.find("\"storage_key\":\"abc\"") != std::string::npos);
}

TEST_CASE("unpersisted data is returned but not stored") {
  EngineHarness h;
  const std::string run = h.create_flow_run();
  auto done = proposal(StateType::kCompleted);
  done.data = R"({"type":"unpersisted"})";
  auto r = h.set_flow_state(run, done, true);
  REQUIRE(r.has_value());
  CHECK(r->state->data == R"({"type":"unpersisted"})");
  CHECK(h.query("SELECT id FROM artifact").empty());
}

TEST_CASE("a rule error fails the transition and leaves nothing behind") {
  EngineHarness h;
  const std::string limit = h.create_limit("deployment:x", 1, 1, /*active=*/false);
  const std::string deployment = h.create_deployment(limit);
  const std::string run = h.create_flow_run({.deployment_id = deployment});
  REQUIRE(h.set_flow_state(run, proposal(StateType::kRunning), true).has_value());
  h.clock.advance(seconds(1));
  // Releasing the slot of an inactive limit fails inside ReleaseFlowConcurrencySlots.
  auto r = h.set_flow_state(run, proposal(StateType::kCompleted));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ErrorCode::kInternal);
  CHECK(r.error().message() == "Failed to release deployment concurrency slots");
  CHECK(h.state_rows(RunKind::kFlow, run).size() == 1);
  CHECK(h.run(RunKind::kFlow, run).state_type == StateType::kRunning);
}

TEST_CASE("task run states are orchestrated with the task bookkeeping") {
  EngineHarness h;
  const std::string flow_run = h.create_flow_run();
  const std::string task = h.create_task_run(flow_run);
  REQUIRE(h.set_task_state(task, proposal(StateType::kPending), true).has_value());
  auto r = h.set_task_state(task, proposal(StateType::kRunning), true);
  REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
  CHECK(r->wrote_state);
  CHECK(r->state->details.task_run_id == task);
  CHECK(r->state->details.flow_run_id == flow_run);
  const auto rec = h.run(RunKind::kTask, task);
  CHECK(rec.run_count == 1);
  CHECK(rec.start_time == h.clock.now() + Micros{1});
  CHECK(rec.state_type == StateType::kRunning);
  CHECK(h.state_rows(RunKind::kTask, task).size() == 2);
}

TEST_CASE("a deferred task state selects the background policy even when forced") {
  EngineHarness h;
  const std::string task = h.create_task_run(std::nullopt);
  auto deferred = proposal(StateType::kScheduled);
  deferred.details.deferred = true;
  auto r = h.set_task_state(task, deferred, true);
  REQUIRE(r.has_value());
  CHECK(r->status == SetStateStatus::kAccept);
  CHECK(r->state->details.deferred == true);
}

TEST_CASE("a subflow's state is mirrored onto its parent task run") {
  EngineHarness h;
  const std::string parent = h.create_flow_run();
  const std::string task = h.create_task_run(parent, "subflow-task");
  const std::string child = h.create_flow_run({.parent_task_run_id = task});
  auto r = h.set_flow_state(child, proposal(StateType::kRunning), true);
  REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
  CHECK(r->state->details.task_run_id == task);

  const auto rows = h.state_rows(RunKind::kTask, task);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][0] == "RUNNING");
  CHECK(rows[0][3] != r->state->id);  // a fresh copy
  const Rows details =
      h.query("SELECT state_details FROM task_run_state WHERE task_run_id = ?", {task});
  auto parsed = schemas::parse_state_details(details.at(0).text(0));
  REQUIRE(parsed.has_value());
  CHECK(parsed->child_flow_run_id == child);
  CHECK(parsed->task_run_id == task);
  CHECK(parsed->flow_run_id == parent);
  CHECK(h.run(RunKind::kTask, task).run_count == 1);
}

}  // namespace
}  // namespace prefectcore::testing
