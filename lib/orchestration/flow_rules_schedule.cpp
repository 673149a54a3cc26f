// Scheduling rules of upstream core_policy.py: marking runs late, carrying and honouring the
// scheduled time, and flow-run retries.

#include <chrono>
#include <cmath>

#include "lib/core/time.h"
#include "lib/models/run_store.h"
#include "lib/orchestration/engine.h"
#include "lib/orchestration/flow_rules.h"
#include "lib/orchestration/run_policy.h"

namespace prefectcore::orchestration {
namespace {

// Mirrors EnsureOnlyScheduledFlowsMarkedLate: the late-runs service must not mark a run
// that already moved on, or mark it twice.
class EnsureOnlyScheduledFlowsMarkedLate final : public Rule {
 public:
  std::string_view name() const override { return "EnsureOnlyScheduledFlowsMarkedLate"; }
  StateSet from_states() const override { return StateSet::all(); }
  StateSet to_states() const override { return StateSet::of({StateType::kScheduled}); }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial || !ctx.proposed) {
      return {};
    }
    if (ctx.proposed->type != StateType::kScheduled || ctx.proposed->name != "Late") {
      return {};
    }
    if (ctx.initial->type != StateType::kScheduled) {
      reject_transition(ctx, std::nullopt, "Only scheduled flows can be marked late.");
    } else if (ctx.initial->name == "Late") {
      reject_transition(ctx, std::nullopt, "This flow run is already marked late.");
    }
    return {};
  }
};

// Mirrors CopyScheduledTime (flow and task runs): PENDING keeps the time it was scheduled
// for unless the proposal names its own.
class CopyScheduledTime final : public Rule {
 public:
  std::string_view name() const override { return "CopyScheduledTime"; }
  StateSet from_states() const override { return StateSet::of({StateType::kScheduled}); }
  StateSet to_states() const override { return StateSet::of({StateType::kPending}); }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (ctx.initial && ctx.proposed && !ctx.proposed->details.scheduled_time) {
      ctx.proposed->details.scheduled_time = ctx.initial->details.scheduled_time;
    }
    return {};
  }
};

// Whole seconds until `scheduled`, rounded as upstream does it: floor of the total seconds
// plus Python's round() (half to even) of the timedelta's non-negative microsecond part.
std::int64_t seconds_until(Timestamp scheduled, Timestamp now) {
  const std::int64_t us = (scheduled - now).count();
  const auto floor_seconds = static_cast<std::int64_t>(std::floor(static_cast<double>(us) / 1e6));
  const std::int64_t fraction = ((us % 1000000) + 1000000) % 1000000;
  return floor_seconds + (fraction > 500000 ? 1 : 0);
}

// Mirrors WaitForScheduledTime (flow and task runs): nothing starts before the server's
// clock says it is time; the client is told how long to wait.
class WaitForScheduledTime final : public Rule {
 public:
  std::string_view name() const override { return "WaitForScheduledTime"; }
  StateSet from_states() const override {
    return StateSet::of({StateType::kScheduled, StateType::kPending});
  }
  StateSet to_states() const override { return StateSet::of({StateType::kRunning}); }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial || !ctx.proposed || !ctx.initial->details.scheduled_time) {
      return {};
    }
    const std::int64_t delay = seconds_until(*ctx.initial->details.scheduled_time, ctx.now);
    if (delay > 0) {
      delay_transition(ctx, delay, "Scheduled time is in the future");
    }
    return {};
  }
};

// Upstream's pre-0.8.3 flow retries also put the run's failed task runs back in line.
Status retry_failed_task_runs(OrchestrationContext& ctx, Timestamp scheduled) {
  models::RunStore store(ctx.tx);
  PC_ASSIGN_OR_RETURN(auto ids, store.failed_task_run_ids(ctx.run.id));
  const Environment env{ctx.tx,  ctx.settings,    ctx.ids,
                        ctx.now, ctx.api_version, ctx.client_version};
  for (const std::string& id : ids) {
    schemas::StateCreate retry;
    retry.type = StateType::kScheduled;
    retry.name = "AwaitingRetry";
    retry.details.scheduled_time = scheduled;
    PC_RETURN_IF_ERROR(set_task_run_state(env, id, retry, /*force=*/true));
    // Task retries count from zero again.
    PC_ASSIGN_OR_RETURN(auto task, store.load(RunKind::kTask, id, /*for_update=*/true));
    if (task) {
      task->run_count = 0;
      PC_RETURN_IF_ERROR(store.save(*task, ctx.now));
    }
  }
  return {};
}

// Mirrors RetryFailedFlows: a failing run with retries left is sent back to AwaitingRetry.
class RetryFailedFlows final : public Rule {
 public:
  std::string_view name() const override { return "RetryFailedFlows"; }
  StateSet from_states() const override { return StateSet::of({StateType::kRunning}); }
  StateSet to_states() const override { return StateSet::of({StateType::kFailed}); }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial || !ctx.proposed) {
      return {};
    }
    const auto retries = policy_number(ctx.run, "retries");
    if (!retries || static_cast<double>(ctx.run.run_count) > *retries) {
      // Out of retries: leave room for infrastructure-level retries later (e.g. the UI).
      return set_retry_type(ctx.run, std::nullopt);
    }
    const double delay = policy_number(ctx.run, "retry_delay").value_or(0);
    const Timestamp scheduled = ctx.now + core::from_seconds(delay).value_or(Micros{0});
    if (ctx.api_version && *ctx.api_version < Version{0, 8, 3}) {
      PC_RETURN_IF_ERROR(retry_failed_task_runs(ctx, scheduled));
    }
    if (ctx.api_at_least({0, 8, 4})) {
      PC_RETURN_IF_ERROR(set_policy_flag(ctx.run, "resuming", false));
      PC_RETURN_IF_ERROR(set_policy_strings(ctx.run, "pause_keys", {}));
      PC_RETURN_IF_ERROR(set_retry_type(ctx.run, "in_process"));
    }
    State retry = new_state(ctx, StateType::kScheduled, "AwaitingRetry", ctx.proposed->message);
    retry.details.scheduled_time = scheduled;
    retry.data = ctx.proposed->data;
    reject_transition(ctx, std::move(retry), "Retrying");
    return {};
  }
};

}  // namespace

const Rule& ensure_only_scheduled_flows_marked_late() {
  static const EnsureOnlyScheduledFlowsMarkedLate rule;
  return rule;
}
const Rule& copy_scheduled_time() {
  static const CopyScheduledTime rule;
  return rule;
}
const Rule& wait_for_scheduled_time() {
  static const WaitForScheduledTime rule;
  return rule;
}
const Rule& retry_failed_flows() {
  static const RetryFailedFlows rule;
  return rule;
}

}  // namespace prefectcore::orchestration
