// The task-run rules, each alone on a storage-free task-run context (suite "pure").

#include "lib/orchestration/task_rules.h"

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "lib/orchestration/task_rules_detail.h"
#include "tests/orchestration/orchestration_fixture.h"

namespace prefectcore::testing {
namespace {

namespace orch = prefectcore::orchestration;
using schemas::SetStateStatus;
using std::chrono::seconds;

// One task-run transition with the rule under test (and optional later rules).
struct Task {
  RuleHarness h;
  OrchestrationContext ctx;
  Task(std::optional<StateType> from, StateType to) : ctx(h.context(from, to)) {
    ctx.run.kind = models::RunKind::kTask;
    ctx.run.flow_id.clear();
    ctx.run.task_key = "task-key";
    ctx.run.dynamic_key = "0";
    ctx.run.tags = "[]";
  }
  Task& run(const Rule& rule, std::vector<const Rule*> later = {}) {
    later.insert(later.begin(), &rule);
    const Status s = h.run(ctx, later);
    REQUIRE_MESSAGE(s.ok(), s.to_string());
    return *this;
  }
};

// Delays every transition it sees, to make earlier rules fizzle.
class DelayEverything final : public Rule {
 public:
  std::string_view name() const override { return "DelayEverything"; }
  orch::StateSet from_states() const override { return orch::StateSet::all(); }
  orch::StateSet to_states() const override { return orch::StateSet::all(); }
  Status before_transition(OrchestrationContext& c) const override {
    orch::delay_transition(c, 5, "later");
    return {};
  }
};

TEST_SUITE("pure") {
  TEST_CASE("the task policies list upstream's rules in priority order") {
    const auto names = [](const std::vector<const Rule*>& rules) {
      std::vector<std::string_view> out;
      for (const Rule* r : rules) {
        out.push_back(r->name());
      }
      return out;
    };
    CHECK(names(orch::core_task_rules()) ==
          std::vector<std::string_view>{
              "CacheRetrieval", "HandleTaskTerminalStateTransitions",
              "PreventRunningTasksFromStoppedFlows", "SecureTaskConcurrencySlots",
              "CopyScheduledTime", "WaitForScheduledTime", "RetryFailedTasks", "RenameReruns",
              "UpdateFlowRunTrackerOnTasks", "CacheInsertion", "ReleaseTaskConcurrencySlots"});
    CHECK(names(orch::client_side_task_rules()).size() == 10);
    CHECK(orch::find_rule(orch::client_side_task_rules(), "SecureTaskConcurrencySlots") == nullptr);
    CHECK(names(orch::background_task_rules()).front() == "PreventPendingTransitions");
    CHECK(names(orch::background_task_rules()).back() == "EnqueueScheduledTasks");
    CHECK(names(orch::minimal_task_rules()) ==
          std::vector<std::string_view>{"ReleaseTaskConcurrencySlots"});
    CHECK(orch::release_task_concurrency_slots().universal());
  }

  TEST_CASE("HandleTaskTerminalStateTransitions keeps finished tasks finished") {
    SUBCASE("no crashing, pausing or cancelling a finished task") {
      Task t(StateType::kFailed, StateType::kCancelling);
      t.run(orch::handle_task_terminal_state_transitions());
      CHECK(t.ctx.status == SetStateStatus::kAbort);
      CHECK(t.ctx.reason == "Run is already FAILED.");
    }
    SUBCASE("a completed task with a persisted result stays completed") {
      Task t(StateType::kCompleted, StateType::kRunning);
      t.ctx.initial->data = R"({"type":"reference","storage_key":"k"})";
      t.run(orch::handle_task_terminal_state_transitions());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason == "This run is already completed.");
      CHECK(t.ctx.validated->id == t.ctx.initial->id);
    }
    SUBCASE("an unpersisted result may be rerun, with retries counted afresh") {
      Task t(StateType::kCompleted, StateType::kScheduled);
      t.ctx.initial->data = R"({"type":"unpersisted"})";
      t.ctx.run.run_count = 3;
      t.run(orch::handle_task_terminal_state_transitions());
      CHECK(t.ctx.status == SetStateStatus::kAccept);
      CHECK(t.ctx.run.run_count == 0);
    }
    SUBCASE("going to another final state keeps the run count") {
      Task t(StateType::kFailed, StateType::kCompleted);
      t.ctx.run.run_count = 2;
      t.run(orch::handle_task_terminal_state_transitions());
      CHECK(t.ctx.status == SetStateStatus::kAccept);
      CHECK(t.ctx.run.run_count == 2);
    }
  }

  TEST_CASE("HandleTaskTerminalStateTransitions restores the run count when it fizzles") {
    Task t(StateType::kFailed, StateType::kPending);
    t.ctx.run.run_count = 4;
    DelayEverything delay;
    t.run(orch::handle_task_terminal_state_transitions(), {&delay});
    CHECK(t.ctx.status == SetStateStatus::kWait);
    CHECK(t.ctx.run.run_count == 4);
  }

  TEST_CASE("RenameReruns names the states of a run that already ran") {
    SUBCASE("after AwaitingRetry it is Retrying") {
      Task t(StateType::kScheduled, StateType::kRunning);
      t.ctx.initial->name = "AwaitingRetry";
      t.ctx.run.run_count = 1;
      t.run(orch::rename_reruns());
      CHECK(t.ctx.validated->name == "Retrying");
    }
    SUBCASE("otherwise Rerunning") {
      Task t(StateType::kPending, StateType::kRunning);
      t.ctx.run.run_count = 1;
      t.run(orch::rename_reruns());
      CHECK(t.ctx.validated->name == "Rerunning");
    }
    SUBCASE("a first run keeps its name") {
      Task t(StateType::kPending, StateType::kRunning);
      t.run(orch::rename_reruns());
      CHECK(t.ctx.validated->name == "Running");
      CHECK(t.ctx.status == SetStateStatus::kAccept);
    }
  }

  TEST_CASE("RetryFailedTasks sends a failing task with retries left to AwaitingRetry") {
    Task t(StateType::kRunning, StateType::kFailed);
    t.ctx.run.run_count = 1;
    t.ctx.proposed->message = "boom";
    t.ctx.proposed->data = R"({"type":"unpersisted"})";
    SUBCASE("a scalar delay") {
      t.ctx.run.empirical_policy = R"({"retries":2,"retry_delay":7})";
      t.run(orch::retry_failed_tasks());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.reason == "Retrying");
      REQUIRE(t.ctx.validated);
      CHECK(t.ctx.validated->type == StateType::kScheduled);
      CHECK(t.ctx.validated->name == "AwaitingRetry");
      CHECK(t.ctx.validated->message == "boom");
      CHECK(t.ctx.validated->data == R"({"type":"unpersisted"})");
      CHECK(t.ctx.validated->details.scheduled_time == t.h.now + seconds(7));
    }
    SUBCASE("a list of delays is indexed by the attempt") {
      t.ctx.run.empirical_policy = R"({"retries":3,"retry_delay":[1,5,30]})";
      t.ctx.run.run_count = 2;
      t.run(orch::retry_failed_tasks());
      CHECK(t.ctx.validated->details.scheduled_time == t.h.now + seconds(5));
    }
    SUBCASE("the last delay repeats once the list runs out") {
      t.ctx.run.empirical_policy = R"({"retries":9,"retry_delay":[1,5]})";
      t.ctx.run.run_count = 4;
      t.run(orch::retry_failed_tasks());
      CHECK(t.ctx.validated->details.scheduled_time == t.h.now + seconds(5));
    }
    SUBCASE("the deprecated max_retries and retry_delay_seconds still count") {
      t.ctx.run.empirical_policy = R"({"max_retries":1,"retry_delay_seconds":3})";
      t.run(orch::retry_failed_tasks());
      CHECK(t.ctx.status == SetStateStatus::kReject);
      CHECK(t.ctx.validated->details.scheduled_time == t.h.now + seconds(3));
    }
    SUBCASE("jitter draws a delay between the clamped bounds") {
      t.ctx.run.empirical_policy = R"({"retries":2,"retry_delay":100,"retry_jitter_factor":0.5})";
      t.run(orch::retry_failed_tasks());
      // SequentialIds draw ~0: the lower bound of the clamped interval.
      const auto expected = orch::clamped_poisson_interval(100, 0.5, 0);
      const auto scheduled = *t.ctx.validated->details.scheduled_time - t.h.now;
      CHECK(std::abs(core::to_seconds(scheduled) - expected) < 1e-3);
      CHECK(expected < 100);
    }
  }

  TEST_CASE("RetryFailedTasks accepts the failure when no retry applies") {
    Task t(StateType::kRunning, StateType::kFailed);
    t.ctx.run.run_count = 3;
    SUBCASE("out of retries") { t.ctx.run.empirical_policy = R"({"retries":2})"; }
    SUBCASE("no retries configured") { t.ctx.run.empirical_policy = R"({"retries":null})"; }
    SUBCASE("the client says the failure is final") {
      t.ctx.run.empirical_policy = R"({"retries":5})";
      t.ctx.proposed->details.retriable = false;
    }
    t.run(orch::retry_failed_tasks());
    CHECK(t.ctx.status == SetStateStatus::kAccept);
    CHECK(t.ctx.validated->type == StateType::kFailed);
  }

  TEST_CASE("clamped_poisson_interval stays within its clamps and is monotonic in the draw") {
    const double low = orch::clamped_poisson_interval(10, 0.3, 0);
    const double mid = orch::clamped_poisson_interval(10, 0.3, 0.5);
    const double high = orch::clamped_poisson_interval(10, 0.3, 0.999999);
    CHECK(low > 0);
    CHECK(low < mid);
    CHECK(mid < high);
    CHECK(high <= 10 * 1.3 + 1e-6);
    CHECK(orch::clamped_poisson_interval(0, 0.3, 0.5) == 0);
    CHECK(orch::uniform_from_id("00000000-0000-4000-8000-000000000000") == 0);
    CHECK(orch::uniform_from_id("00000000-0000-4000-8000-800000000000") == doctest::Approx(0.5));
  }

  TEST_CASE("CopyTaskParametersID carries the parameters id forward") {
    Task t(StateType::kScheduled, StateType::kPending);
    t.ctx.initial->details.task_parameters_id = "00000000-0000-4000-8000-0000000000cc";
    SUBCASE("copied when the proposal has none") {
      t.run(orch::copy_task_parameters_id());
      CHECK(t.ctx.validated->details.task_parameters_id == "00000000-0000-4000-8000-0000000000cc");
    }
    SUBCASE("kept when the proposal brings its own") {
      t.ctx.proposed->details.task_parameters_id = "00000000-0000-4000-8000-0000000000dd";
      t.run(orch::copy_task_parameters_id());
      CHECK(t.ctx.validated->details.task_parameters_id == "00000000-0000-4000-8000-0000000000dd");
    }
  }

  TEST_CASE("EnqueueScheduledTasks hands accepted deferred runs to the task queue") {
    Task t(std::nullopt, StateType::kScheduled);
    SUBCASE("a deferred run is enqueued") {
      t.ctx.proposed->details.deferred = true;
      t.run(orch::enqueue_scheduled_tasks());
      auto queued = orch::enqueued_task_run(t.ctx);
      REQUIRE(queued);
      CHECK(queued->task_run_id == t.ctx.run.id);
      CHECK_FALSE(queued->retry);
    }
    SUBCASE("a deferred retry goes to the retry queue") {
      t.ctx.proposed->details.deferred = true;
      t.ctx.proposed->name = "AwaitingRetry";
      t.run(orch::enqueue_scheduled_tasks());
      REQUIRE(orch::enqueued_task_run(t.ctx));
      CHECK(orch::enqueued_task_run(t.ctx)->retry);
    }
    SUBCASE("a run that is not deferred is not") {
      t.run(orch::enqueue_scheduled_tasks());
      CHECK_FALSE(orch::enqueued_task_run(t.ctx));
    }
    SUBCASE("nor one whose transition was delayed") {
      t.ctx.proposed->details.deferred = true;
      DelayEverything delay;
      t.run(orch::enqueue_scheduled_tasks(), {&delay});
      CHECK_FALSE(orch::enqueued_task_run(t.ctx));
    }
  }

  TEST_CASE("rules that need a flow run or tags do nothing for a bare task run") {
    Task t(StateType::kPending, StateType::kRunning);
    t.run(orch::prevent_running_tasks_from_stopped_flows(),
          {&orch::secure_task_concurrency_slots(), &orch::update_flow_run_tracker_on_tasks()});
    CHECK(t.ctx.status == SetStateStatus::kAccept);
    CHECK(t.ctx.run.flow_run_run_count == 0);
  }

  TEST_CASE("CacheRetrieval ignores proposals without a cache key or asking for a refresh") {
    Task t(StateType::kPending, StateType::kRunning);
    SUBCASE("no key") {}
    SUBCASE("refresh") {
      t.ctx.proposed->details.cache_key = "k";
      t.ctx.proposed->details.refresh_cache = true;
    }
    t.run(orch::cache_retrieval());
    CHECK(t.ctx.status == SetStateStatus::kAccept);
  }
}

}  // namespace
}  // namespace prefectcore::testing
