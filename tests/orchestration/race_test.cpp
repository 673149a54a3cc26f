// Concurrent proposals for one run, each in its own write transaction on its own thread:
// the database serialises them (row lock on PostgreSQL, the write transaction on SQLite),
// and the rules see the winner's state.

#include <algorithm>
#include <latch>
#include <thread>

#include <doctest/doctest.h>

#include "tests/orchestration/orchestration_fixture.h"

namespace prefectcore::testing {
namespace {

namespace orch = prefectcore::orchestration;
using models::RunKind;
using schemas::SetStateStatus;

using Outcome = Result<schemas::OrchestrationResult>;

Outcome propose(EngineHarness& h, const std::string& run, const schemas::StateCreate& state) {
  PC_ASSIGN_OR_RETURN(auto tx, h.db().begin(TxMode::kWrite));
  const orch::Environment env{*tx, h.settings, h.ids, h.clock.now()};
  PC_ASSIGN_OR_RETURN(auto result, orch::set_flow_run_state(env, run, state, false));
  PC_RETURN_IF_ERROR(tx->commit());
  return result;
}

// Runs both proposals at once and returns their outcomes.
std::vector<Outcome> race(EngineHarness& h, const std::string& run, const schemas::StateCreate& a,
                          const schemas::StateCreate& b) {
  std::vector<Outcome> out(2, Outcome(Status::internal("not run")));
  std::latch start(2);
  std::thread ta([&] {
    start.arrive_and_wait();
    out[0] = propose(h, run, a);
  });
  std::thread tb([&] {
    start.arrive_and_wait();
    out[1] = propose(h, run, b);
  });
  ta.join();
  tb.join();
  for (const Outcome& o : out) {
    REQUIRE_MESSAGE(o.has_value(), o.status().to_string());
  }
  return out;
}

int count(const std::vector<Outcome>& out, SetStateStatus status) {
  return static_cast<int>(
      std::count_if(out.begin(), out.end(), [&](const Outcome& o) { return o->status == status; }));
}

int rows_of(EngineHarness& h, const std::string& run, std::string_view type) {
  int n = 0;
  for (const auto& row : h.state_rows(RunKind::kFlow, run)) {
    n += row[0] == type ? 1 : 0;
  }
  return n;
}

TEST_CASE("two workers racing to submit a scheduled run: exactly one gets PENDING") {
  EngineHarness h;
  const std::string run = h.create_flow_run();
  REQUIRE(h.set_flow_state(run, proposal(StateType::kScheduled), true).has_value());
  const auto out = race(h, run, proposal(StateType::kPending), proposal(StateType::kPending));
  CHECK(count(out, SetStateStatus::kAccept) == 1);
  CHECK(count(out, SetStateStatus::kAbort) == 1);
  CHECK(rows_of(h, run, "PENDING") == 1);
}

TEST_CASE("a client's concurrent retries of one RUNNING transition get exactly one ACCEPT") {
  EngineHarness h;
  const std::string run = h.create_flow_run();
  REQUIRE(h.set_flow_state(run, proposal(StateType::kPending), true).has_value());
  auto running = proposal(StateType::kRunning);
  running.details.transition_id = "00000000-0000-4000-8000-00000000abcd";
  const auto out = race(h, run, running, running);
  CHECK(count(out, SetStateStatus::kAccept) == 1);
  CHECK(count(out, SetStateStatus::kReject) == 1);
  // The loser gets the winner's state back (PreventDuplicateTransitions).
  CHECK(out[0]->state->id == out[1]->state->id);
  CHECK(rows_of(h, run, "RUNNING") == 1);
  CHECK(h.run(RunKind::kFlow, run).run_count == 1);
}

TEST_CASE("two clients racing PENDING to RUNNING are serialised and both accepted, as upstream") {
  // CoreFlowPolicy has no rule for RUNNING -> RUNNING with a new transition id (upstream's
  // tests accept it on purpose): the second proposal sees the first's RUNNING state and is
  // accepted as a rerun. The guard against duplicate starts is PENDING (test above).
  EngineHarness h;
  const std::string run = h.create_flow_run();
  REQUIRE(h.set_flow_state(run, proposal(StateType::kPending), true).has_value());
  auto a = proposal(StateType::kRunning);
  a.details.transition_id = "00000000-0000-4000-8000-00000000000a";
  auto b = proposal(StateType::kRunning);
  b.details.transition_id = "00000000-0000-4000-8000-00000000000b";
  const auto out = race(h, run, a, b);
  CHECK(count(out, SetStateStatus::kAccept) == 2);
  const auto rows = h.state_rows(RunKind::kFlow, run);
  REQUIRE(rows.size() == 3);
  CHECK(rows[1][2] < rows[2][2]);  // never the same timestamp, even in one clock tick
  CHECK(h.run(RunKind::kFlow, run).run_count == 2);  // no lost update
}

}  // namespace
}  // namespace prefectcore::testing
