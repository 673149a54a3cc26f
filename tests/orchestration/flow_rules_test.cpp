// The flow-run guards and scheduling rules, each alone on a storage-free context.

#include "lib/orchestration/flow_rules.h"

#include <doctest/doctest.h>

#include "lib/orchestration/run_policy.h"
#include "tests/orchestration/orchestration_fixture.h"

namespace prefectcore::testing {
namespace {

namespace orch = prefectcore::orchestration;
using schemas::SetStateStatus;
using std::chrono::seconds;

// Runs one rule on the transition and returns the context.
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

TEST_SUITE("pure") {
  TEST_CASE("PreventDuplicateTransitions rejects a transition id seen before") {
    One t(StateType::kPending, StateType::kRunning);
    t.ctx.initial->details.transition_id = "00000000-0000-4000-8000-0000000000aa";
    SUBCASE("same id: the current state comes back") {
      t.ctx.proposed->details.transition_id = "00000000-0000-4000-8000-0000000000aa";
      t.run(orch::prevent_duplicate_transitions());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason == "This run has already made this state transition.");
      CHECK(t.ctx.validated->id == t.ctx.initial->id);
    }
    SUBCASE("another id is accepted") {
      t.ctx.proposed->details.transition_id = "00000000-0000-4000-8000-0000000000bb";
      t.run(orch::prevent_duplicate_transitions());
      CHECK(t.ctx.status == SetStateStatus::kAccept);
    }
  }

  TEST_CASE("HandleFlowTerminalStateTransitions keeps finished runs finished") {
    SUBCASE("no crashing, pausing or cancelling a terminal run") {
      One t(StateType::kCompleted, StateType::kCrashed);
      t.run(orch::handle_flow_terminal_state_transitions());
      CHECK(t.ctx.status == SetStateStatus::kAbort);
      CHECK(t.ctx.reason == "Run is already in terminal state COMPLETED.");
    }
    SUBCASE("a persisted result cannot be left for a non-final state") {
      One t(StateType::kCompleted, StateType::kRunning);
      t.ctx.initial->data = R"({"type":"reference","storage_key":"k"})";
      t.run(orch::handle_flow_terminal_state_transitions());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason == "Run is already COMPLETED.");
    }
    SUBCASE("a persisted result cannot be overwritten by a completion without one") {
      One t(StateType::kCompleted, StateType::kCompleted);
      t.ctx.initial->data = R"({"type":"reference"})";
      t.run(orch::handle_flow_terminal_state_transitions());
      CHECK(t.ctx.status == SetStateStatus::kReject);
    }
    SUBCASE("no rescheduling without a deployment") {
      One t(StateType::kFailed, StateType::kScheduled);
      t.run(orch::handle_flow_terminal_state_transitions());
      CHECK(t.ctx.status == SetStateStatus::kAbort);
      CHECK(t.ctx.reason == "Cannot reschedule a run without an associated deployment.");
    }
    SUBCASE("a rerun resets the pause and retry bookkeeping") {
      One t(StateType::kCompleted, StateType::kRunning);
      t.ctx.initial->data = R"({"type":"unpersisted"})";
      t.ctx.run.empirical_policy =
          R"({"retries":2,"resuming":true,"pause_keys":["k"],"retry_type":"in_process"})";
      t.run(orch::handle_flow_terminal_state_transitions());
      CHECK(t.ctx.status == SetStateStatus::kAccept);
      CHECK(t.ctx.run.empirical_policy ==
            R"({"retries":2,"resuming":false,"pause_keys":[],"retry_type":null})");
    }
    SUBCASE("a deployment rerun is marked as a reschedule") {
      One t(StateType::kFailed, StateType::kScheduled);
      t.ctx.run.deployment_id = "00000000-0000-4000-8000-0000000000dd";
      t.run(orch::handle_flow_terminal_state_transitions());
      CHECK(t.ctx.status == SetStateStatus::kAccept);
      CHECK(orch::policy_strings(t.ctx.run, "pause_keys").empty());
      CHECK(t.ctx.run.empirical_policy.find(R"("retry_type":"reschedule")") != std::string::npos);
    }
    SUBCASE("old API versions keep the policy") {
      One t(StateType::kFailed, StateType::kRunning);
      t.ctx.api_version = orch::Version{0, 8, 3};
      t.ctx.run.empirical_policy = R"({"resuming":true})";
      t.run(orch::handle_flow_terminal_state_transitions());
      CHECK(t.ctx.run.empirical_policy == R"({"resuming":true})");
    }
  }

  TEST_CASE("HandleFlowTerminalStateTransitions restores the policy when it fizzles") {
    RuleHarness h;
    auto ctx = h.context(StateType::kFailed, StateType::kRunning);
    ctx.run.empirical_policy = R"({"resuming":true})";
    // A later rule turns the transition into a wait.
    class Delay final : public Rule {
     public:
      std::string_view name() const override { return "Delay"; }
      orch::StateSet from_states() const override { return orch::StateSet::all(); }
      orch::StateSet to_states() const override { return orch::StateSet::all(); }
      Status before_transition(OrchestrationContext& c) const override {
        orch::delay_transition(c, 5, "later");
        return {};
      }
    } delay;
    REQUIRE(h.run(ctx, {&orch::handle_flow_terminal_state_transitions(), &delay}).ok());
    CHECK(ctx.status == SetStateStatus::kWait);
    CHECK(ctx.run.empirical_policy == R"({"resuming":true})");
  }

  TEST_CASE("EnforceCancellingToCancelledTransition lets cancelling runs only be cancelled") {
    SUBCASE("completing a cancelling run is rejected") {
      One t(StateType::kCancelling, StateType::kCompleted);
      t.run(orch::enforce_cancelling_to_cancelled_transition());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason ==
            "Cannot transition flows that are cancelling to a state other than Cancelled.");
      CHECK(t.ctx.validated->type == StateType::kCancelling);
    }
    SUBCASE("cancelling it is accepted") {
      One t(StateType::kCancelling, StateType::kCancelled);
      t.run(orch::enforce_cancelling_to_cancelled_transition());
      CHECK(t.ctx.status == SetStateStatus::kAccept);
    }
  }

  TEST_CASE("BypassCancellingFlowRunsWithNoInfra cancels runs with nothing to tear down") {
    SUBCASE("scheduled without infrastructure") {
      One t(StateType::kScheduled, StateType::kCancelling);
      t.run(orch::bypass_cancelling_flow_runs_with_no_infra());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason == "Scheduled flow run has no infrastructure to terminate.");
      CHECK(t.ctx.validated->type == StateType::kCancelled);
      CHECK(t.ctx.validated->name == "Cancelled");
    }
    SUBCASE("scheduled with infrastructure goes through cancelling") {
      One t(StateType::kScheduled, StateType::kCancelling);
      t.ctx.run.infrastructure_pid = "host:1234";
      t.run(orch::bypass_cancelling_flow_runs_with_no_infra());
      CHECK(t.ctx.status == SetStateStatus::kAccept);
    }
    SUBCASE("a resuming run has no infrastructure yet") {
      One t(StateType::kScheduled, StateType::kCancelling);
      t.ctx.run.infrastructure_pid = "host:1234";
      t.ctx.initial->name = "Resuming";
      t.run(orch::bypass_cancelling_flow_runs_with_no_infra());
      CHECK(t.ctx.status == SetStateStatus::kReject);
    }
    SUBCASE("suspended runs") {
      One t(StateType::kPaused, StateType::kCancelling);
      t.ctx.initial->details.pause_reschedule = true;
      t.run(orch::bypass_cancelling_flow_runs_with_no_infra());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason == "Suspended flow run has no infrastructure to terminate.");
    }
    SUBCASE("paused runs keep their infrastructure") {
      One t(StateType::kPaused, StateType::kCancelling);
      t.run(orch::bypass_cancelling_flow_runs_with_no_infra());
      CHECK(t.ctx.status == SetStateStatus::kAccept);
    }
  }

  TEST_CASE("PreventPendingTransitions stops a second submission") {
    SUBCASE("PENDING again is aborted") {
      One t(StateType::kPending, StateType::kPending);
      t.run(orch::prevent_pending_transitions());
      CHECK(t.ctx.status == SetStateStatus::kAbort);
      CHECK(t.ctx.reason ==
            "This run is in a PENDING state and cannot transition to a PENDING state.");
    }
    SUBCASE("a running run is not submitted again") {
      One t(StateType::kRunning, StateType::kPending);
      t.run(orch::prevent_pending_transitions());
      CHECK(t.ctx.status == SetStateStatus::kAbort);
      CHECK(t.ctx.reason ==
            "This run is in a RUNNING state and cannot transition to a PENDING state.");
    }
    SUBCASE("a named PENDING sub-state follows and keeps the schedule and lease") {
      One t(StateType::kPending, StateType::kPending);
      t.ctx.proposed->name = "Submitting";
      t.ctx.initial->details.scheduled_time = t.h.now - seconds(60);
      t.ctx.initial->details.deployment_concurrency_lease_id =
          "00000000-0000-4000-8000-0000000000ee";
      t.run(orch::prevent_pending_transitions());
      CHECK(t.ctx.status == SetStateStatus::kAccept);
      CHECK(t.ctx.validated->details.scheduled_time == t.h.now - seconds(60));
      CHECK(t.ctx.validated->details.deployment_concurrency_lease_id ==
            "00000000-0000-4000-8000-0000000000ee");
    }
  }

  TEST_CASE("PreventResultDataLoss guards persisted results even when forced") {
    SUBCASE("losing the result is rejected") {
      One t(StateType::kCompleted, StateType::kCompleted);
      t.ctx.initial->data = R"({"type":"reference"})";
      t.ctx.proposed->data = R"({"type":"unpersisted"})";
      t.run(orch::prevent_result_data_loss());
      CHECK(t.ctx.status == SetStateStatus::kReject);
    }
    SUBCASE("a new persisted result is accepted") {
      One t(StateType::kCompleted, StateType::kCompleted);
      t.ctx.initial->data = R"({"type":"reference"})";
      t.ctx.proposed->data = R"({"type":"reference","storage_key":"new"})";
      t.run(orch::prevent_result_data_loss());
      CHECK(t.ctx.status == SetStateStatus::kAccept);
    }
    SUBCASE("failing a completed run is accepted") {
      One t(StateType::kCompleted, StateType::kFailed);
      t.ctx.initial->data = R"({"type":"reference"})";
      t.run(orch::prevent_result_data_loss());
      CHECK(t.ctx.status == SetStateStatus::kAccept);
    }
  }

  TEST_CASE("EnsureOnlyScheduledFlowsMarkedLate marks only scheduled runs, once") {
    SUBCASE("a scheduled run becomes late") {
      One t(StateType::kScheduled, StateType::kScheduled);
      t.ctx.proposed->name = "Late";
      t.run(orch::ensure_only_scheduled_flows_marked_late());
      CHECK(t.ctx.status == SetStateStatus::kAccept);
    }
    SUBCASE("a running run is not late") {
      One t(StateType::kRunning, StateType::kScheduled);
      t.ctx.proposed->name = "Late";
      t.run(orch::ensure_only_scheduled_flows_marked_late());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason == "Only scheduled flows can be marked late.");
    }
    SUBCASE("a late run is not marked again") {
      One t(StateType::kScheduled, StateType::kScheduled);
      t.ctx.initial->name = "Late";
      t.ctx.proposed->name = "Late";
      t.run(orch::ensure_only_scheduled_flows_marked_late());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason == "This flow run is already marked late.");
    }
  }

  TEST_CASE("CopyScheduledTime carries the schedule into PENDING unless one is proposed") {
    One t(StateType::kScheduled, StateType::kPending);
    t.ctx.initial->details.scheduled_time = t.h.now + seconds(5);
    SUBCASE("copied") {
      t.run(orch::copy_scheduled_time());
      CHECK(t.ctx.validated->details.scheduled_time == t.h.now + seconds(5));
    }
    SUBCASE("kept") {
      t.ctx.proposed->details.scheduled_time = t.h.now;
      t.run(orch::copy_scheduled_time());
      CHECK(t.ctx.validated->details.scheduled_time == t.h.now);
    }
  }

  TEST_CASE("WaitForScheduledTime delays early starts by whole seconds") {
    auto delay_for = [](Micros ahead) {
      One t(StateType::kScheduled, StateType::kRunning);
      t.ctx.initial->details.scheduled_time = t.h.now + ahead;
      t.run(orch::wait_for_scheduled_time());
      return t.ctx.status == SetStateStatus::kWait ? t.ctx.delay_seconds : 0;
    };
    CHECK(delay_for(std::chrono::milliseconds(30400)) == 30);
    CHECK(delay_for(std::chrono::milliseconds(600)) == 1);
    CHECK(delay_for(std::chrono::milliseconds(500)) == 0);  // Python rounds half to even
    CHECK(delay_for(-seconds(3)) == 0);

    One t(StateType::kPending, StateType::kRunning);
    t.ctx.initial->details.scheduled_time = t.h.now + seconds(2);
    t.run(orch::wait_for_scheduled_time());
    CHECK(t.ctx.status == SetStateStatus::kWait);
    CHECK(t.ctx.reason == "Scheduled time is in the future");
    CHECK(t.ctx.validated->type == StateType::kPending);
  }

  TEST_CASE("RetryFailedFlows sends runs with retries left to AwaitingRetry") {
    SUBCASE("retries left") {
      One t(StateType::kRunning, StateType::kFailed);
      t.ctx.run.run_count = 1;
      t.ctx.run.empirical_policy = R"({"retries":2,"retry_delay":10,"pause_keys":["p"]})";
      t.ctx.proposed->message = "boom";
      t.ctx.proposed->data = R"({"type":"reference"})";
      t.run(orch::retry_failed_flows());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason == "Retrying");
      const State& s = *t.ctx.validated;
      CHECK(s.type == StateType::kScheduled);
      CHECK(s.name == "AwaitingRetry");
      CHECK(s.details.scheduled_time == t.h.now + seconds(10));
      CHECK(s.message == "boom");
      CHECK(s.data == R"({"type":"reference"})");
      CHECK(t.ctx.run.empirical_policy ==
            R"({"retries":2,"retry_delay":10,"pause_keys":[],"resuming":false,)"
            R"("retry_type":"in_process"})");
    }
    SUBCASE("out of retries") {
      One t(StateType::kRunning, StateType::kFailed);
      t.ctx.run.run_count = 3;
      t.ctx.run.empirical_policy = R"({"retries":2,"retry_type":"in_process"})";
      t.run(orch::retry_failed_flows());
      CHECK(t.ctx.status == SetStateStatus::kAccept);
      CHECK(t.ctx.run.empirical_policy == R"({"retries":2,"retry_type":null})");
    }
    SUBCASE("no retries configured") {
      One t(StateType::kRunning, StateType::kFailed);
      t.run(orch::retry_failed_flows());
      CHECK(t.ctx.status == SetStateStatus::kAccept);
    }
    SUBCASE("API 0.8.3 keeps the pause bookkeeping") {
      One t(StateType::kRunning, StateType::kFailed);
      t.ctx.api_version = orch::Version{0, 8, 3};
      t.ctx.run.empirical_policy = R"({"retries":1,"resuming":true})";
      t.run(orch::retry_failed_flows());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.run.empirical_policy == R"({"retries":1,"resuming":true})");
    }
  }
}

}  // namespace
}  // namespace prefectcore::testing
