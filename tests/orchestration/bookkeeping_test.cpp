// The global bookkeeping transforms (upstream global_policy.py) through the engine, on the
// backend under test.

#include <doctest/doctest.h>

#include "lib/orchestration/run_policy.h"
#include "tests/orchestration/orchestration_fixture.h"

namespace prefectcore::testing {
namespace {

namespace orch = prefectcore::orchestration;
using models::RunKind;
using schemas::SetStateStatus;
using std::chrono::seconds;

void accept(EngineHarness& h, const std::string& run, const schemas::StateCreate& s,
            bool force = false) {
  auto r = h.set_flow_state(run, s, force);
  REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
  REQUIRE_MESSAGE(r->status == SetStateStatus::kAccept, r->reason.value_or(""));
}

TEST_CASE("a run's times follow it from scheduled to completed") {
  EngineHarness h;
  const Timestamp t0 = h.clock.now();
  const std::string deployment = h.create_deployment(std::nullopt);
  const std::string run = h.create_flow_run({.deployment_id = deployment});
  auto scheduled = proposal(StateType::kScheduled);
  scheduled.details.scheduled_time = t0 + seconds(60);
  accept(h, run, scheduled);
  auto rec = h.run(RunKind::kFlow, run);
  CHECK(rec.expected_start_time == t0 + seconds(60));
  CHECK(rec.next_scheduled_start_time == t0 + seconds(60));
  CHECK_FALSE(rec.start_time);

  h.clock.advance(seconds(61));
  accept(h, run, proposal(StateType::kPending));
  rec = h.run(RunKind::kFlow, run);
  CHECK_FALSE(rec.next_scheduled_start_time);
  CHECK(rec.expected_start_time == t0 + seconds(60));  // set once

  h.clock.advance(seconds(2));
  accept(h, run, proposal(StateType::kRunning));
  rec = h.run(RunKind::kFlow, run);
  CHECK(rec.start_time == t0 + seconds(63));
  CHECK(rec.run_count == 1);
  CHECK_FALSE(rec.end_time);

  h.clock.advance(seconds(10));
  accept(h, run, proposal(StateType::kCompleted));
  rec = h.run(RunKind::kFlow, run);
  CHECK(rec.end_time == t0 + seconds(73));
  CHECK(rec.total_run_time == seconds(10));
  CHECK(rec.state_name == "Completed");
}

TEST_CASE("the expected start time of an unscheduled run is its first state's time") {
  EngineHarness h;
  const std::string run = h.create_flow_run();
  accept(h, run, proposal(StateType::kPending), true);
  CHECK(h.run(RunKind::kFlow, run).expected_start_time == h.clock.now());
}

TEST_CASE("a run that fails before it starts gets a start time with its end time") {
  EngineHarness h;
  const std::string run = h.create_flow_run();
  accept(h, run, proposal(StateType::kPending), true);
  h.clock.advance(seconds(5));
  accept(h, run, proposal(StateType::kFailed));
  const auto rec = h.run(RunKind::kFlow, run);
  CHECK(rec.start_time == h.clock.now());
  CHECK(rec.end_time == h.clock.now());
  CHECK(rec.total_run_time == Micros{0});
}

TEST_CASE("leaving a final state clears the end time and a rerun counts again") {
  EngineHarness h;
  const std::string run = h.create_flow_run();
  accept(h, run, proposal(StateType::kRunning), true);
  h.clock.advance(seconds(3));
  accept(h, run, proposal(StateType::kFailed));
  CHECK(h.run(RunKind::kFlow, run).end_time);
  h.clock.advance(seconds(3));
  accept(h, run, proposal(StateType::kRunning));
  const auto rec = h.run(RunKind::kFlow, run);
  CHECK_FALSE(rec.end_time);
  CHECK(rec.run_count == 2);
  CHECK(rec.total_run_time == seconds(3));
}

TEST_CASE("a suspended run coming back through its deployment does not count again") {
  EngineHarness h;
  const std::string deployment = h.create_deployment(std::nullopt);
  const std::string run = h.create_flow_run({.deployment_id = deployment});
  accept(h, run, proposal(StateType::kRunning), true);
  h.clock.advance(seconds(1));
  auto suspended = proposal(StateType::kPaused, "Suspended");
  suspended.details.pause_key = "approval";
  suspended.details.pause_reschedule = true;
  accept(h, run, suspended);
  h.clock.advance(seconds(30));
  auto resuming = proposal(StateType::kScheduled, "Resuming");
  accept(h, run, resuming);
  CHECK(orch::policy_flag(h.run(RunKind::kFlow, run), "resuming"));
  accept(h, run, proposal(StateType::kPending));
  accept(h, run, proposal(StateType::kRunning));
  const auto rec = h.run(RunKind::kFlow, run);
  CHECK(rec.run_count == 1);
  CHECK_FALSE(orch::policy_flag(rec, "resuming"));  // RemoveResumingIndicator
  CHECK(orch::policy_strings(rec, "pause_keys") == std::vector<std::string>{"approval"});
  CHECK(rec.total_run_time == seconds(1));
}

TEST_CASE("resuming a paused run in process counts a run and marks it resuming") {
  // Upstream's /resume proposes RUNNING: IncrementFlowRunCount runs before
  // HandleResumingPausedFlows sets `resuming` in its after hook.
  EngineHarness h;
  const std::string run = h.create_flow_run();
  accept(h, run, proposal(StateType::kRunning), true);
  h.clock.advance(seconds(1));
  accept(h, run, proposal(StateType::kPaused));
  h.clock.advance(seconds(1));
  accept(h, run, proposal(StateType::kRunning));
  auto rec = h.run(RunKind::kFlow, run);
  CHECK(rec.run_count == 2);
  CHECK(orch::policy_flag(rec, "resuming"));
  h.clock.advance(seconds(1));
  accept(h, run, proposal(StateType::kCompleted));
  CHECK_FALSE(orch::policy_flag(h.run(RunKind::kFlow, run), "resuming"));
}

TEST_CASE("old API versions count a resumed run again") {
  EngineHarness h;
  h.api_version = orch::Version{0, 8, 3};
  const std::string run = h.create_flow_run({.empirical_policy = R"({"resuming":true})"});
  accept(h, run, proposal(StateType::kRunning), true);
  const auto rec = h.run(RunKind::kFlow, run);
  CHECK(rec.run_count == 1);
  CHECK(orch::policy_flag(rec, "resuming"));
}

TEST_CASE("nullified transitions change no bookkeeping") {
  EngineHarness h;
  const std::string run = h.create_flow_run();
  accept(h, run, proposal(StateType::kRunning), true);
  const auto before = h.run(RunKind::kFlow, run);
  h.clock.advance(seconds(5));
  auto r = h.set_flow_state(run, proposal(StateType::kPending));
  REQUIRE(r.has_value());
  CHECK(r->status == SetStateStatus::kAbort);
  CHECK(h.run(RunKind::kFlow, run) == before);
}

}  // namespace
}  // namespace prefectcore::testing
