// Deployment concurrency rules over real limits and leases, on the backend under test.

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "tests/orchestration/orchestration_fixture.h"

namespace prefectcore::testing {
namespace {

namespace orch = prefectcore::orchestration;
using models::RunKind;
using schemas::SetStateStatus;
using std::chrono::seconds;

struct Deployed {
  EngineHarness h;
  std::string limit;
  std::string deployment;
  explicit Deployed(std::int64_t limit_size = 1,
                    std::optional<std::string> options = std::nullopt) {
    limit = h.create_limit("deployment:d", limit_size);
    deployment = h.create_deployment(limit, options);
  }
  std::string scheduled_run() {
    const std::string run = h.create_flow_run({.deployment_id = deployment});
    auto r = h.set_flow_state(run, proposal(StateType::kScheduled), true);
    REQUIRE(r.has_value());
    return run;
  }
  std::int64_t active_slots() {
    return h.query("SELECT active_slots FROM concurrency_limit_v2 WHERE id = ?", {limit})
        .at(0)
        .int64(0);
  }
  std::size_t leases() { return h.query("SELECT id FROM concurrency_lease").size(); }
};

TEST_CASE("SecureFlowConcurrencySlots takes a slot and a lease when the run goes pending") {
  Deployed d;
  const std::string run = d.scheduled_run();
  auto r = d.h.set_flow_state(run, proposal(StateType::kPending));
  REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
  CHECK(r->status == SetStateStatus::kAccept);
  REQUIRE(r->state->details.deployment_concurrency_lease_id);
  CHECK(d.active_slots() == 1);
  const Rows lease = d.h.query("SELECT resource_ids, expiration, metadata FROM concurrency_lease");
  REQUIRE(lease.size() == 1);
  CHECK(lease[0].text(0) == "[\"" + d.limit + "\"]");
  CHECK(lease[0].text(1) == core::format_storage_time(d.h.clock.now() + seconds(300)));
  CHECK(lease[0].text(2) == R"({"slots":1,"holder":null})");
}

TEST_CASE("SecureFlowConcurrencySlots queues a run when the limit is full") {
  Deployed d;
  REQUIRE(d.h.set_flow_state(d.scheduled_run(), proposal(StateType::kPending)).has_value());
  auto r = d.h.set_flow_state(d.scheduled_run(), proposal(StateType::kPending));
  REQUIRE(r.has_value());
  CHECK(r->status == SetStateStatus::kReject);
  CHECK(r->reason == "Deployment concurrency limit reached.");
  CHECK(r->state->type == StateType::kScheduled);
  CHECK(r->state->name == "AwaitingConcurrencySlot");
  CHECK(r->state->details.scheduled_time == d.h.clock.now() + seconds(30));
  CHECK(d.active_slots() == 1);
}

TEST_CASE("SecureFlowConcurrencySlots cancels new runs under CANCEL_NEW") {
  Deployed d(1, R"({"collision_strategy":"CANCEL_NEW"})");
  REQUIRE(d.h.set_flow_state(d.scheduled_run(), proposal(StateType::kPending)).has_value());
  auto r = d.h.set_flow_state(d.scheduled_run(), proposal(StateType::kPending));
  REQUIRE(r.has_value());
  CHECK(r->status == SetStateStatus::kReject);
  CHECK(r->state->type == StateType::kCancelled);
  CHECK(r->state->message == "Deployment concurrency limit reached.");
}

TEST_CASE("SecureFlowConcurrencySlots aborts on a zero limit or a missing deployment") {
  SUBCASE("zero limit") {
    Deployed d(0);
    auto r = d.h.set_flow_state(d.scheduled_run(), proposal(StateType::kPending));
    REQUIRE(r.has_value());
    CHECK(r->status == SetStateStatus::kAbort);
    CHECK(r->reason ==
          "The deployment concurrency limit is 0. The flow will deadlock if submitted again.");
  }
  SUBCASE("deployment gone") {
    EngineHarness h;
    const std::string run =
        h.create_flow_run({.deployment_id = "00000000-0000-4000-8000-00000000dead"});
    auto r = h.set_flow_state(run, proposal(StateType::kPending));
    REQUIRE(r.has_value());
    CHECK(r->status == SetStateStatus::kAbort);
    CHECK(r->reason == "Deployment not found.");
  }
}

TEST_CASE("SecureFlowConcurrencySlots leaves old 3.0 workers to manage their slots") {
  Deployed d;
  d.h.client_version = orch::Version{3, 0, 2};
  auto r = d.h.set_flow_state(d.scheduled_run(), proposal(StateType::kPending));
  REQUIRE(r.has_value());
  CHECK(r->status == SetStateStatus::kAccept);
  CHECK(d.active_slots() == 0);
}

TEST_CASE("ReleaseFlowConcurrencySlots gives the slot back and revokes the lease") {
  Deployed d;
  d.h.client_version = orch::Version{3, 8, 4};
  const std::string run = d.scheduled_run();
  REQUIRE(d.h.set_flow_state(run, proposal(StateType::kPending)).has_value());
  auto running = d.h.set_flow_state(run, proposal(StateType::kRunning));
  REQUIRE(running.has_value());
  CHECK(running->state->details.deployment_concurrency_lease_id);
  CHECK(d.leases() == 1);
  auto done = d.h.set_flow_state(run, proposal(StateType::kCompleted));
  REQUIRE_MESSAGE(done.has_value(), done.status().to_string());
  CHECK(d.active_slots() == 0);
  CHECK(d.leases() == 0);
}

TEST_CASE("ReleaseFlowConcurrencySlots decrements the limit for runs without a lease") {
  Deployed d;
  const std::string run = d.h.create_flow_run({.deployment_id = d.deployment});
  d.h.exec("UPDATE concurrency_limit_v2 SET active_slots = 1 WHERE id = ?", {d.limit});
  REQUIRE(d.h.set_flow_state(run, proposal(StateType::kRunning), true).has_value());
  auto r = d.h.set_flow_state(run, proposal(StateType::kCrashed));
  REQUIRE(r.has_value());
  CHECK(d.active_slots() == 0);
}

TEST_CASE("RemoveDeploymentConcurrencyLeaseForOldClientVersions drops leases nobody renews") {
  Deployed d;
  d.h.client_version = orch::Version{3, 4, 10};
  const std::string run = d.scheduled_run();
  REQUIRE(d.h.set_flow_state(run, proposal(StateType::kPending)).has_value());
  REQUIRE(d.leases() == 1);
  auto running = d.h.set_flow_state(run, proposal(StateType::kRunning));
  REQUIRE(running.has_value());
  CHECK(running->status == SetStateStatus::kAccept);
  CHECK(d.leases() == 0);
  CHECK(d.active_slots() == 1);  // the slot stays counted until the run finishes
  REQUIRE(d.h.set_flow_state(run, proposal(StateType::kCompleted)).has_value());
  CHECK(d.active_slots() == 0);  // released through the fallback limit
}

TEST_CASE("ValidateDeploymentConcurrencyAtRunning renews or re-takes the lease") {
  Deployed d;
  d.h.client_version = orch::Version{3, 8, 4};
  const std::string run = d.scheduled_run();
  auto pending = d.h.set_flow_state(run, proposal(StateType::kPending));
  REQUIRE(pending.has_value());
  const std::string lease = *pending->state->details.deployment_concurrency_lease_id;

  SUBCASE("renewed") {
    d.h.clock.advance(seconds(100));
    auto r = d.h.set_flow_state(run, proposal(StateType::kRunning));
    REQUIRE(r.has_value());
    CHECK(r->state->details.deployment_concurrency_lease_id == lease);
    CHECK(d.h.query("SELECT expiration FROM concurrency_lease").at(0).text(0) ==
          core::format_storage_time(d.h.clock.now() + seconds(300)));
  }
  SUBCASE("reaped but a slot is free") {
    d.h.exec("DELETE FROM concurrency_lease WHERE id = ?", {lease});
    d.h.exec("UPDATE concurrency_limit_v2 SET active_slots = 0 WHERE id = ?", {d.limit});
    auto r = d.h.set_flow_state(run, proposal(StateType::kRunning));
    REQUIRE(r.has_value());
    CHECK(r->status == SetStateStatus::kAccept);
    REQUIRE(r->state->details.deployment_concurrency_lease_id);
    CHECK(*r->state->details.deployment_concurrency_lease_id != lease);
    CHECK(d.active_slots() == 1);
    CHECK(d.h.query("SELECT metadata FROM concurrency_lease").at(0).text(0) ==
          R"({"slots":1,"holder":{"type":"flow_run","id":")" + run + "\"}}");
  }
  SUBCASE("reaped and the limit is full") {
    d.h.exec("DELETE FROM concurrency_lease WHERE id = ?", {lease});
    auto r = d.h.set_flow_state(run, proposal(StateType::kRunning));
    REQUIRE(r.has_value());
    CHECK(r->status == SetStateStatus::kReject);
    CHECK(r->reason == "Deployment concurrency limit reached after lease expiry.");
    CHECK(r->state->type == StateType::kCancelled);
    CHECK(r->state->message ==
          "Deployment concurrency slot lost during provisioning - no slots available to "
          "continue execution");
  }
}

TEST_CASE("PreserveDeploymentConcurrencyLeaseId keeps the lease across PENDING sub-states") {
  Deployed d;
  const std::string run = d.scheduled_run();
  auto pending = d.h.set_flow_state(run, proposal(StateType::kPending));
  REQUIRE(pending.has_value());
  auto submitting = d.h.set_flow_state(run, proposal(StateType::kPending, "Submitting"));
  REQUIRE(submitting.has_value());
  CHECK(submitting->status == SetStateStatus::kAccept);
  CHECK(submitting->state->details.deployment_concurrency_lease_id ==
        pending->state->details.deployment_concurrency_lease_id);
  CHECK(d.active_slots() == 1);
}

TEST_CASE("EnforceDeploymentConcurrencyOnLate cancels late runs of a full CANCEL_NEW limit") {
  Deployed d(1, R"({"collision_strategy":"CANCEL_NEW"})");
  const std::string run = d.scheduled_run();
  SUBCASE("limit free: marked late") {
    auto r = d.h.set_flow_state(run, proposal(StateType::kScheduled, "Late"), false,
                                orch::Policy::kMarkLateRuns);
    REQUIRE(r.has_value());
    CHECK(r->status == SetStateStatus::kAccept);
    CHECK(r->state->name == "Late");
  }
  SUBCASE("limit full: cancelled") {
    d.h.exec("UPDATE concurrency_limit_v2 SET active_slots = 1 WHERE id = ?", {d.limit});
    auto r = d.h.set_flow_state(run, proposal(StateType::kScheduled, "Late"), false,
                                orch::Policy::kMarkLateRuns);
    REQUIRE(r.has_value());
    CHECK(r->status == SetStateStatus::kReject);
    CHECK(r->reason == "Deployment concurrency limit is full and uses the CANCEL_NEW strategy.");
    CHECK(r->state->type == StateType::kCancelled);
  }
}

}  // namespace
}  // namespace prefectcore::testing
