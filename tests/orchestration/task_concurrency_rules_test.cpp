// Tag concurrency for task runs (SecureTaskConcurrencySlots, ReleaseTaskConcurrencySlots)
// over real v2 limits, leases and v1 rows, on the backend under test.

#include <cmath>
#include <latch>
#include <thread>

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "lib/orchestration/task_rules_detail.h"
#include "tests/orchestration/orchestration_fixture.h"

namespace prefectcore::testing {
namespace {

namespace orch = prefectcore::orchestration;
using schemas::SetStateStatus;
using std::chrono::seconds;

// Task runs tagged "task-tag" (the harness's tag) and the limits on that tag.
struct Tagged {
  EngineHarness h;
  std::string pending() {
    const std::string id = h.create_task_run(std::nullopt, "task-" + h.ids.random_id());
    REQUIRE(h.set_task_state(id, proposal(StateType::kPending), true).has_value());
    return id;
  }
  schemas::OrchestrationResult propose(const std::string& id, StateType type, bool force = false) {
    auto r = h.set_task_state(id, proposal(type), force);
    REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
    return *r;
  }
  std::string v2_limit(std::int64_t limit, bool active = true) {
    return h.create_limit("tag:task-tag", limit, 0, active);
  }
  std::string v1_limit(std::int64_t limit) {
    const std::string id = h.ids.random_id();
    const std::string ts = core::format_storage_time(h.clock.now());
    h.exec(
        "INSERT INTO concurrency_limit (id, created, updated, tag, concurrency_limit, "
        "active_slots) VALUES (?, ?, ?, ?, ?, ?)",
        {id, ts, ts, std::string("task-tag"), limit, JsonText{"[]"}});
    return id;
  }
  std::int64_t v2_active() {
    return h.query("SELECT active_slots FROM concurrency_limit_v2").at(0).int64(0);
  }
  std::string v1_slots() {
    return h.query("SELECT active_slots FROM concurrency_limit").at(0).text(0);
  }
  Rows leases() {
    return h.query("SELECT resource_ids, metadata, expiration FROM concurrency_lease");
  }
};

TEST_CASE("SecureTaskConcurrencySlots holds a v2 tag slot with a lease while the task runs") {
  Tagged t;
  const std::string limit = t.v2_limit(1);
  const std::string a = t.pending();
  const std::string b = t.pending();
  CHECK(t.propose(a, StateType::kRunning).status == SetStateStatus::kAccept);
  CHECK(t.v2_active() == 1);
  Rows lease = t.leases();
  REQUIRE(lease.size() == 1);
  CHECK(lease[0].text(0) == "[\"" + limit + "\"]");
  CHECK(lease[0].text(1) == R"({"slots":1,"holder":{"type":"task_run","id":")" + a + "\"}}");
  CHECK(lease[0].text(2) > "2125");  // effectively never expires

  auto waiting = t.propose(b, StateType::kRunning);
  CHECK(waiting.status == SetStateStatus::kWait);
  CHECK(waiting.reason == "Concurrency limit reached for tags: task-tag");
  // The default occupancy (2 s) under the 10 s cap, drawn at the low clamp by SequentialIds.
  CHECK(waiting.delay_seconds ==
        static_cast<std::int64_t>(std::nearbyint(orch::clamped_poisson_interval(2, 0.3, 0))));
  CHECK(waiting.state->type == StateType::kPending);

  CHECK(t.propose(a, StateType::kCompleted).status == SetStateStatus::kAccept);
  CHECK(t.v2_active() == 0);
  CHECK(t.leases().empty());
  CHECK(t.propose(b, StateType::kRunning).status == SetStateStatus::kAccept);
}

TEST_CASE("SecureTaskConcurrencySlots aborts on a zero limit and ignores inactive limits") {
  Tagged t;
  SUBCASE("v2 limit of zero") {
    t.v2_limit(0);
    auto r = t.propose(t.pending(), StateType::kRunning);
    CHECK(r.status == SetStateStatus::kAbort);
    CHECK(r.reason ==
          "The concurrency limit on tag \"task-tag\" is 0 and will deadlock if the task tries "
          "to run again.");
  }
  SUBCASE("v1 limit of zero") {
    t.v1_limit(0);
    auto r = t.propose(t.pending(), StateType::kRunning);
    CHECK(r.status == SetStateStatus::kAbort);
    CHECK(r.reason ==
          "The concurrency limit on tag \"task-tag\" is 0 and will deadlock if the task tries "
          "to run again.");
  }
  SUBCASE("an inactive v2 limit") {
    t.v2_limit(0, /*active=*/false);
    CHECK(t.propose(t.pending(), StateType::kRunning).status == SetStateStatus::kAccept);
    CHECK(t.leases().empty());
  }
}

TEST_CASE("SecureTaskConcurrencySlots keeps legacy v1 slots in active_slots") {
  Tagged t;
  t.v1_limit(1);
  const std::string a = t.pending();
  const std::string b = t.pending();
  CHECK(t.propose(a, StateType::kRunning).status == SetStateStatus::kAccept);
  CHECK(t.v1_slots() == "[\"" + a + "\"]");
  auto waiting = t.propose(b, StateType::kRunning);
  CHECK(waiting.status == SetStateStatus::kWait);
  CHECK(waiting.delay_seconds == 10);
  CHECK(waiting.reason == "Concurrency limit for the task-tag tag has been reached");
  // A forced transition (MinimalTaskPolicy) out of RUNNING also gives the slot back.
  CHECK(t.propose(a, StateType::kCrashed, /*force=*/true).status == SetStateStatus::kAccept);
  CHECK(t.v1_slots() == "[]");
  CHECK(t.propose(b, StateType::kRunning).status == SetStateStatus::kAccept);
}

TEST_CASE("slots taken by SecureTaskConcurrencySlots are given back when a later rule waits") {
  Tagged t;
  t.v2_limit(1);
  t.v1_limit(5);
  const std::string id = t.h.create_task_run(std::nullopt, "scheduled-task");
  schemas::StateCreate later = proposal(StateType::kScheduled);
  later.details.scheduled_time = t.h.clock.now() + seconds(60);
  REQUIRE(t.h.set_task_state(id, later, true).has_value());
  auto r = t.propose(id, StateType::kRunning);
  CHECK(r.status == SetStateStatus::kWait);  // WaitForScheduledTime
  CHECK(r.delay_seconds == 60);
  CHECK(t.v2_active() == 0);
  CHECK(t.leases().empty());
  CHECK(t.v1_slots() == "[]");
}

TEST_CASE("two task runs racing for the last tag slot: exactly one runs") {
  Tagged t;
  t.v2_limit(1);
  const std::string a = t.pending();
  const std::string b = t.pending();
  std::vector<Result<schemas::OrchestrationResult>> out(2, Status::internal("not run"));
  std::latch start(2);
  const auto propose = [&](std::size_t i, const std::string& id) {
    start.arrive_and_wait();
    out[i] = [&]() -> Result<schemas::OrchestrationResult> {
      PC_ASSIGN_OR_RETURN(auto tx, t.h.db().begin(TxMode::kWrite));
      const orch::Environment env{*tx, t.h.settings, t.h.ids, t.h.clock.now()};
      PC_ASSIGN_OR_RETURN(auto result,
                          orch::set_task_run_state(env, id, proposal(StateType::kRunning), false));
      PC_RETURN_IF_ERROR(tx->commit());
      return result;
    }();
  };
  std::thread ta(propose, 0, a);
  std::thread tb(propose, 1, b);
  ta.join();
  tb.join();
  REQUIRE_MESSAGE(out[0].has_value(), out[0].status().to_string());
  REQUIRE_MESSAGE(out[1].has_value(), out[1].status().to_string());
  const int accepted = (out[0]->status == SetStateStatus::kAccept ? 1 : 0) +
                       (out[1]->status == SetStateStatus::kAccept ? 1 : 0);
  const int waited = (out[0]->status == SetStateStatus::kWait ? 1 : 0) +
                     (out[1]->status == SetStateStatus::kWait ? 1 : 0);
  CHECK(accepted == 1);
  CHECK(waited == 1);
  CHECK(t.v2_active() == 1);
  CHECK(t.leases().size() == 1);
}

}  // namespace
}  // namespace prefectcore::testing
