// The task-run rules that read other rows (the cache, the parent flow run), through the
// engine on the backend under test.

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "tests/orchestration/orchestration_fixture.h"

namespace prefectcore::testing {
namespace {

using models::RunKind;
using schemas::SetStateStatus;
using std::chrono::seconds;

schemas::StateCreate with_key(StateType type, std::string key) {
  schemas::StateCreate s = proposal(type);
  s.details.cache_key = std::move(key);
  return s;
}

// A task run outside any flow run, moved to RUNNING.
std::string running_task(EngineHarness& h) {
  const std::string id = h.create_task_run(std::nullopt, "task-" + h.ids.random_id());
  REQUIRE(h.set_task_state(id, proposal(StateType::kPending), true).has_value());
  auto r = h.set_task_state(id, proposal(StateType::kRunning));
  REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
  REQUIRE(r->status == SetStateStatus::kAccept);
  return id;
}

std::string pending_task(EngineHarness& h, const std::optional<std::string>& flow_run = {}) {
  const std::string id = h.create_task_run(flow_run, "task-" + h.ids.random_id());
  REQUIRE(h.set_task_state(id, proposal(StateType::kPending), true).has_value());
  return id;
}

TEST_CASE("CacheInsertion caches a completed state and CacheRetrieval serves it later") {
  EngineHarness h;
  const std::string first = running_task(h);
  schemas::StateCreate done = with_key(StateType::kCompleted, "the-key");
  done.data = R"({"type":"reference","storage_key":"result-1"})";
  auto completed = h.set_task_state(first, done);
  REQUIRE(completed.has_value());
  REQUIRE(completed->status == SetStateStatus::kAccept);
  const Rows cache = h.query("SELECT cache_key, task_run_state_id FROM task_run_state_cache");
  REQUIRE(cache.size() == 1);
  CHECK(cache[0].text(0) == "the-key");
  CHECK(cache[0].text(1) == completed->state->id);

  const std::string second = pending_task(h);
  h.clock.advance(seconds(5));
  SUBCASE("the cached state replaces the run, as a fresh copy named Cached") {
    auto r = h.set_task_state(second, with_key(StateType::kRunning, "the-key"));
    REQUIRE(r.has_value());
    CHECK(r->status == SetStateStatus::kReject);
    CHECK(r->reason == "Retrieved state from cache");
    REQUIRE(r->state);
    CHECK(r->state->type == StateType::kCompleted);
    CHECK(r->state->name == "Cached");
    CHECK(r->state->id != completed->state->id);
    CHECK(r->state->timestamp == h.clock.now());
    CHECK(r->state->data == R"({"type":"reference","storage_key":"result-1"})");
    CHECK(r->state->details.task_run_id == second);
    CHECK(h.run(RunKind::kTask, second).state_name == "Cached");
  }
  SUBCASE("a refresh runs the task again") {
    schemas::StateCreate refresh = with_key(StateType::kRunning, "the-key");
    refresh.details.refresh_cache = true;
    auto r = h.set_task_state(second, refresh);
    REQUIRE(r.has_value());
    CHECK(r->status == SetStateStatus::kAccept);
  }
  SUBCASE("another key finds nothing") {
    auto r = h.set_task_state(second, with_key(StateType::kRunning, "other-key"));
    REQUIRE(r.has_value());
    CHECK(r->status == SetStateStatus::kAccept);
  }
}

TEST_CASE("CacheRetrieval skips expired cache entries") {
  EngineHarness h;
  const std::string first = running_task(h);
  schemas::StateCreate done = with_key(StateType::kCompleted, "short-lived");
  done.details.cache_expiration = h.clock.now() + seconds(10);
  REQUIRE(h.set_task_state(first, done).has_value());
  const std::string second = pending_task(h);
  h.clock.advance(seconds(11));
  auto r = h.set_task_state(second, with_key(StateType::kRunning, "short-lived"));
  REQUIRE(r.has_value());
  CHECK(r->status == SetStateStatus::kAccept);
  CHECK(r->state->type == StateType::kRunning);
}

TEST_CASE("CacheInsertion refuses an over-long cache key but still writes the state") {
  EngineHarness h;
  h.settings.tasks_max_cache_key_length = 5;
  const std::string id = running_task(h);
  auto r = h.set_task_state(id, with_key(StateType::kCompleted, "longer-than-five"));
  REQUIRE(r.has_value());
  CHECK(r->status == SetStateStatus::kReject);
  CHECK(r->reason == "Cache key exceeded maximum allowed length of 5 characters.");
  CHECK(r->wrote_state);
  CHECK(r->state->type == StateType::kCompleted);
  CHECK(h.run(RunKind::kTask, id).state_type == StateType::kCompleted);
}

TEST_CASE("PreventRunningTasksFromStoppedFlows runs tasks only inside a running flow") {
  EngineHarness h;
  const std::string flow_run = h.create_flow_run();
  const std::string task = pending_task(h, flow_run);
  const std::string must_run = "The enclosing flow must be running to begin task execution.";
  SUBCASE("a flow run without a state") {
    auto r = h.set_task_state(task, proposal(StateType::kRunning));
    REQUIRE(r.has_value());
    CHECK(r->status == SetStateStatus::kAbort);
    CHECK(r->reason == must_run);
  }
  SUBCASE("a scheduled flow run") {
    REQUIRE(h.set_flow_state(flow_run, proposal(StateType::kScheduled), true).has_value());
    auto r = h.set_task_state(task, proposal(StateType::kRunning));
    REQUIRE(r.has_value());
    CHECK(r->status == SetStateStatus::kAbort);
    CHECK(r->reason == must_run);
  }
  SUBCASE("a paused flow run: the task waits as NotReady with the flow's pause settings") {
    REQUIRE(h.set_flow_state(flow_run, proposal(StateType::kRunning), true).has_value());
    schemas::StateCreate paused = proposal(StateType::kPaused);
    paused.details.pause_timeout = h.clock.now() + seconds(600);
    paused.details.pause_reschedule = true;
    REQUIRE(h.set_flow_state(flow_run, paused, true).has_value());
    auto r = h.set_task_state(task, proposal(StateType::kRunning));
    REQUIRE(r.has_value());
    CHECK(r->status == SetStateStatus::kReject);
    CHECK(r->reason ==
          "The flow is paused, new tasks can execute after resuming flow run: " + flow_run + ".");
    REQUIRE(r->state);
    CHECK(r->state->type == StateType::kPaused);
    CHECK(r->state->name == "NotReady");
    CHECK(r->state->details.pause_timeout == h.clock.now() + seconds(600));
    CHECK(r->state->details.pause_reschedule);
  }
  SUBCASE("a running flow run") {
    REQUIRE(h.set_flow_state(flow_run, proposal(StateType::kRunning), true).has_value());
    auto r = h.set_task_state(task, proposal(StateType::kRunning));
    REQUIRE(r.has_value());
    CHECK(r->status == SetStateStatus::kAccept);
  }
}

TEST_CASE("a task rerun after its flow retried is Retrying and tracks the flow's attempt") {
  EngineHarness h;
  const std::string flow_run = h.create_flow_run();
  REQUIRE(h.set_flow_state(flow_run, proposal(StateType::kRunning), true).has_value());
  const std::string task = pending_task(h, flow_run);
  REQUIRE(h.set_task_state(task, proposal(StateType::kRunning)).has_value());
  CHECK(h.run(RunKind::kTask, task).flow_run_run_count == 1);  // UpdateFlowRunTrackerOnTasks
  REQUIRE(h.set_task_state(task, proposal(StateType::kCompleted)).has_value());

  h.exec("UPDATE flow_run SET run_count = 2 WHERE id = ?", {flow_run});
  auto r = h.set_task_state(task, proposal(StateType::kRunning));
  REQUIRE(r.has_value());
  CHECK(r->status == SetStateStatus::kAccept);
  CHECK(r->state->name == "Retrying");
  const auto run = h.run(RunKind::kTask, task);
  CHECK(run.flow_run_run_count == 2);
  CHECK(run.run_count == 1);  // reset by the rerun, then counted once
}

TEST_CASE("RetryFailedTasks retries through the engine until retries run out") {
  EngineHarness h;
  const std::string task = running_task(h);
  h.exec("UPDATE task_run SET empirical_policy = ? WHERE id = ?",
         {JsonText{R"({"retries":1,"retry_delay":0})"}, task});
  auto failed = h.set_task_state(task, proposal(StateType::kFailed));
  REQUIRE(failed.has_value());
  CHECK(failed->status == SetStateStatus::kReject);
  CHECK(failed->state->name == "AwaitingRetry");
  CHECK(h.run(RunKind::kTask, task).state_name == "AwaitingRetry");

  auto again = h.set_task_state(task, proposal(StateType::kRunning));
  REQUIRE(again.has_value());
  CHECK(again->status == SetStateStatus::kAccept);
  CHECK(again->state->name == "Retrying");  // RenameReruns
  auto last = h.set_task_state(task, proposal(StateType::kFailed));
  REQUIRE(last.has_value());
  CHECK(last->status == SetStateStatus::kAccept);
  CHECK(h.run(RunKind::kTask, task).state_type == StateType::kFailed);
}

TEST_CASE("the background policy guards deferred runs and carries their parameters") {
  EngineHarness h;
  const std::string task = h.create_task_run(std::nullopt, "background");
  schemas::StateCreate scheduled = proposal(StateType::kScheduled);
  scheduled.details.deferred = true;
  scheduled.details.task_parameters_id = "00000000-0000-4000-8000-0000000000ee";
  REQUIRE(h.set_task_state(task, scheduled, true).has_value());
  schemas::StateCreate pending = proposal(StateType::kPending);
  pending.details.deferred = true;
  auto r = h.set_task_state(task, pending);
  REQUIRE(r.has_value());
  CHECK(r->status == SetStateStatus::kAccept);
  CHECK(r->state->details.task_parameters_id == "00000000-0000-4000-8000-0000000000ee");

  SUBCASE("a second worker's PENDING is aborted") {
    auto again = h.set_task_state(task, pending, true);
    REQUIRE(again.has_value());
    CHECK(again->status == SetStateStatus::kAbort);
    CHECK(again->reason ==
          "This run is in a PENDING state and cannot transition to a PENDING state.");
  }
}

}  // namespace
}  // namespace prefectcore::testing
