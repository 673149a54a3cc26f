// Pausing, resuming and lease-preserving rules, each alone on a storage-free context.

#include <doctest/doctest.h>

#include "lib/orchestration/flow_rules.h"
#include "lib/orchestration/run_policy.h"
#include "tests/orchestration/orchestration_fixture.h"

namespace prefectcore::testing {
namespace {

namespace orch = prefectcore::orchestration;
using schemas::SetStateStatus;
using std::chrono::seconds;

struct One {
  RuleHarness h;
  OrchestrationContext ctx;
  One(std::optional<StateType> from, StateType to) : ctx(h.context(from, to)) {}
  One& run(const Rule& rule) {
    const Status s = h.run(ctx, {&rule});
    REQUIRE_MESSAGE(s.ok(), s.to_string());
    return *this;
  }
};

constexpr std::string_view kDeployment = "00000000-0000-4000-8000-0000000000dd";

TEST_SUITE("pure") {
  TEST_CASE("HandlePausingFlows pauses running flows and records the pause key") {
    One t(StateType::kRunning, StateType::kPaused);
    t.ctx.proposed->details.pause_key = "approval";
    t.run(orch::handle_pausing_flows());
    CHECK(t.ctx.status == SetStateStatus::kAccept);
    CHECK(orch::policy_strings(t.ctx.run, "pause_keys") == std::vector<std::string>{"approval"});
  }

  TEST_CASE("HandlePausingFlows tracks a pause without a key under a random one") {
    One t(StateType::kRunning, StateType::kPaused);
    t.run(orch::handle_pausing_flows());
    CHECK(t.ctx.status == SetStateStatus::kAccept);
    const auto keys = orch::policy_strings(t.ctx.run, "pause_keys");
    REQUIRE(keys.size() == 1);
    CHECK(core::is_uuid(keys[0]));
  }

  TEST_CASE("HandlePausingFlows refuses pauses that cannot apply") {
    SUBCASE("no state") {
      One t(std::nullopt, StateType::kPaused);
      t.run(orch::handle_pausing_flows());
      CHECK(t.ctx.status == SetStateStatus::kAbort);
      CHECK(t.ctx.reason == "Cannot pause flows with no state.");
    }
    SUBCASE("not running") {
      One t(StateType::kPending, StateType::kPaused);
      t.ctx.proposed->name = "Suspended";
      t.run(orch::handle_pausing_flows());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason == "Cannot suspend flows that are not currently running.");
      CHECK(t.ctx.run.empirical_policy == "{}");
    }
    SUBCASE("the same pause twice") {
      One t(StateType::kRunning, StateType::kPaused);
      t.ctx.run.empirical_policy = R"({"pause_keys":["approval"]})";
      t.ctx.proposed->details.pause_key = "approval";
      t.run(orch::handle_pausing_flows());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason == "This pause has already fired.");
      CHECK(t.ctx.validated->type == StateType::kRunning);
    }
    SUBCASE("suspending a subflow") {
      One t(StateType::kRunning, StateType::kPaused);
      t.ctx.proposed->details.pause_reschedule = true;
      t.ctx.run.parent_task_run_id = "00000000-0000-4000-8000-0000000000cc";
      t.ctx.run.deployment_id = std::string(kDeployment);
      t.run(orch::handle_pausing_flows());
      CHECK(t.ctx.status == SetStateStatus::kAbort);
      CHECK(t.ctx.reason == "Cannot pause subflows.");
    }
    SUBCASE("suspending without a deployment") {
      One t(StateType::kRunning, StateType::kPaused);
      t.ctx.proposed->name = "Suspended";
      t.ctx.proposed->details.pause_reschedule = true;
      t.run(orch::handle_pausing_flows());
      CHECK(t.ctx.status == SetStateStatus::kAbort);
      CHECK(t.ctx.reason == "Cannot suspend flows without a deployment.");
    }
  }

  TEST_CASE("HandleResumingPausedFlows lets paused runs resume and marks them resuming") {
    One t(StateType::kPaused, StateType::kRunning);
    t.ctx.initial->details.pause_timeout = t.h.now + seconds(60);
    t.run(orch::handle_resuming_paused_flows());
    CHECK(t.ctx.status == SetStateStatus::kAccept);
    CHECK(orch::policy_flag(t.ctx.run, "resuming"));
  }

  TEST_CASE("HandleResumingPausedFlows refuses resumptions that cannot apply") {
    SUBCASE("to a state that is not running, scheduled or final") {
      One t(StateType::kPaused, StateType::kPending);
      t.run(orch::handle_resuming_paused_flows());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason ==
            "This run cannot transition to the StateType.PENDING state from the "
            "StateType.PAUSED state.");
    }
    SUBCASE("rescheduling a suspended run without a deployment") {
      One t(StateType::kPaused, StateType::kScheduled);
      t.ctx.initial->details.pause_reschedule = true;
      t.run(orch::handle_resuming_paused_flows());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason == "Cannot reschedule a scheduled flow run without a deployment.");
    }
    SUBCASE("after the pause timed out") {
      One t(StateType::kPaused, StateType::kRunning);
      t.ctx.initial->details.pause_timeout = t.h.now - seconds(1);
      t.run(orch::handle_resuming_paused_flows());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason == "The flow run pause has timed out and can no longer resume.");
      CHECK(t.ctx.validated->type == StateType::kFailed);
      CHECK(t.ctx.validated->message == "The flow was running and never resumed.");
    }
  }

  TEST_CASE("PreserveDeploymentConcurrencyLeaseId keeps the lease when a worker sends null") {
    One t(StateType::kPending, StateType::kPending);
    t.ctx.initial->details.deployment_concurrency_lease_id = "00000000-0000-4000-8000-0000000000ee";
    SUBCASE("copied forward") {
      t.run(orch::preserve_deployment_concurrency_lease_id());
      CHECK(t.ctx.validated->details.deployment_concurrency_lease_id ==
            "00000000-0000-4000-8000-0000000000ee");
    }
    SUBCASE("a proposed lease wins") {
      t.ctx.proposed->details.deployment_concurrency_lease_id =
          "00000000-0000-4000-8000-0000000000ff";
      t.run(orch::preserve_deployment_concurrency_lease_id());
      CHECK(t.ctx.validated->details.deployment_concurrency_lease_id ==
            "00000000-0000-4000-8000-0000000000ff");
    }
  }

  TEST_CASE("the core flow policy lists upstream's rules in priority order") {
    std::vector<std::string_view> names;
    for (const Rule* r : orch::policy_rules(orch::Policy::kCoreFlow)) {
      names.push_back(r->name());
    }
    CHECK(names == std::vector<std::string_view>{
                       "PreserveDeploymentConcurrencyLeaseId",
                       "PreventDuplicateTransitions",
                       "HandleFlowTerminalStateTransitions",
                       "EnforceCancellingToCancelledTransition",
                       "BypassCancellingFlowRunsWithNoInfra",
                       "PreventPendingTransitions",
                       "ValidateDeploymentConcurrencyAtRunning",
                       "SecureFlowConcurrencySlots",
                       "RemoveDeploymentConcurrencyLeaseForOldClientVersions",
                       "EnsureOnlyScheduledFlowsMarkedLate",
                       "HandlePausingFlows",
                       "HandleResumingPausedFlows",
                       "CopyScheduledTime",
                       "WaitForScheduledTime",
                       "RetryFailedFlows",
                       "InstrumentFlowRunStateTransitions",
                       "ReleaseFlowConcurrencySlots",
                   });
    CHECK(orch::policy_rules(orch::Policy::kMinimalFlow).size() == 4);
    CHECK(orch::policy_rules(orch::Policy::kMarkLateRuns).size() == 3);
    CHECK(orch::global_rules(orch::RunKind::kFlow).size() == 14);
    CHECK(orch::global_rules(orch::RunKind::kTask).size() == 11);
  }
}

}  // namespace
}  // namespace prefectcore::testing
