// The bookkeeping transforms of upstream global_policy.py (GlobalFlowPolicy and
// GlobalTaskPolicy). They run on every transition after the policy's rules, do nothing when
// the proposal was nullified, and denormalise the new state onto the run row.

#include "lib/models/run_store.h"
#include "lib/orchestration/engine.h"
#include "lib/orchestration/run_policy.h"

namespace prefectcore::orchestration {
namespace {

bool is_final(const std::optional<State>& s) { return s && schemas::is_terminal(s->type); }
bool is_type(const std::optional<State>& s, StateType t) { return s && s->type == t; }

// A universal transform whose before-hook only runs on a non-null proposal.
class Bookkeeping : public UniversalTransform {
 public:
  Status before_transition(OrchestrationContext& ctx) const final {
    return ctx.proposed ? update(ctx, *ctx.proposed) : Status();
  }

 protected:
  virtual Status update(OrchestrationContext& ctx, State& proposed) const = 0;
};

// Mirrors EnsureFlowRunStateTimestampIsUnique: states minted within one clock tick would
// collide on the unique (run, timestamp) index; move to the first free microsecond. Runs
// first so every transform below sees the final timestamp. The task-run variant is
// prefectcore's own: upstream's task write would fail the index instead, which a manual
// test clock makes likely.
class EnsureStateTimestampIsUnique final : public Bookkeeping {
 public:
  EnsureStateTimestampIsUnique(RunKind kind, std::string_view name) : kind_(kind), name_(name) {}
  std::string_view name() const override { return name_; }

 protected:
  Status update(OrchestrationContext& ctx, State& proposed) const override {
    models::RunStore store(ctx.tx);
    for (;;) {
      PC_ASSIGN_OR_RETURN(bool taken,
                          store.state_timestamp_taken(kind_, ctx.run.id, proposed.timestamp));
      if (!taken) {
        return {};
      }
      proposed.timestamp += Micros{1};
    }
  }

 private:
  RunKind kind_;
  std::string_view name_;
};

class SetRunStateType final : public Bookkeeping {
 public:
  std::string_view name() const override { return "SetRunStateType"; }

 protected:
  Status update(OrchestrationContext& ctx, State& proposed) const override {
    ctx.run.state_type = proposed.type;
    return {};
  }
};

class SetRunStateName final : public Bookkeeping {
 public:
  std::string_view name() const override { return "SetRunStateName"; }

 protected:
  Status update(OrchestrationContext& ctx, State& proposed) const override {
    ctx.run.state_name = proposed.name;
    return {};
  }
};

class SetRunStateTimestamp final : public Bookkeeping {
 public:
  std::string_view name() const override { return "SetRunStateTimestamp"; }

 protected:
  Status update(OrchestrationContext& ctx, State& proposed) const override {
    ctx.run.state_timestamp = proposed.timestamp;
    return {};
  }
};

// The first time a run enters RUNNING.
class SetStartTime final : public Bookkeeping {
 public:
  std::string_view name() const override { return "SetStartTime"; }

 protected:
  Status update(OrchestrationContext& ctx, State& proposed) const override {
    if (proposed.type == StateType::kRunning && !ctx.run.start_time) {
      ctx.run.start_time = proposed.timestamp;
    }
    return {};
  }
};

// Leaving a final state clears end_time; entering one sets it (and start_time for runs that
// failed before they started).
class SetEndTime final : public Bookkeeping {
 public:
  std::string_view name() const override { return "SetEndTime"; }

 protected:
  Status update(OrchestrationContext& ctx, State& proposed) const override {
    const bool entering_final = schemas::is_terminal(proposed.type);
    if (is_final(ctx.initial) && !entering_final) {
      ctx.run.end_time.reset();
    }
    if (entering_final && !ctx.run.end_time) {
      if (!ctx.run.start_time) {
        ctx.run.start_time = proposed.timestamp;
      }
      ctx.run.end_time = proposed.timestamp;
    }
    return {};
  }
};

class IncrementRunTime final : public Bookkeeping {
 public:
  std::string_view name() const override { return "IncrementRunTime"; }

 protected:
  Status update(OrchestrationContext& ctx, State& proposed) const override {
    if (is_type(ctx.initial, StateType::kRunning)) {
      ctx.run.total_run_time += proposed.timestamp - ctx.initial->timestamp;
    }
    return {};
  }
};

class SetExpectedStartTime final : public Bookkeeping {
 public:
  std::string_view name() const override { return "SetExpectedStartTime"; }

 protected:
  Status update(OrchestrationContext& ctx, State& proposed) const override {
    if (!ctx.run.expected_start_time) {
      ctx.run.expected_start_time = proposed.type == StateType::kScheduled
                                        ? proposed.details.scheduled_time
                                        : std::optional<Timestamp>(proposed.timestamp);
    }
    return {};
  }
};

class SetNextScheduledStartTime final : public Bookkeeping {
 public:
  std::string_view name() const override { return "SetNextScheduledStartTime"; }

 protected:
  Status update(OrchestrationContext& ctx, State& proposed) const override {
    if (is_type(ctx.initial, StateType::kScheduled)) {
      ctx.run.next_scheduled_start_time.reset();
    }
    if (proposed.type == StateType::kScheduled) {
      ctx.run.next_scheduled_start_time = proposed.details.scheduled_time;
    }
    return {};
  }
};

// The state points back at its run (and a task state at the task's flow run).
class UpdateStateDetails final : public Bookkeeping {
 public:
  std::string_view name() const override { return "UpdateStateDetails"; }

 protected:
  Status update(OrchestrationContext& ctx, State& proposed) const override {
    if (ctx.run.kind == RunKind::kFlow) {
      proposed.details.flow_run_id = ctx.run.id;
    } else {
      proposed.details.flow_run_id = ctx.run.flow_run_id;
      proposed.details.task_run_id = ctx.run.id;
    }
    return {};
  }
};

// A subflow's state is mirrored onto the task run that represents it in its parent flow.
class UpdateSubflowParentTask final : public UniversalTransform {
 public:
  std::string_view name() const override { return "UpdateSubflowParentTask"; }
  Status after_transition(OrchestrationContext& ctx) const override {
    if (!ctx.proposed || !ctx.run.parent_task_run_id || !ctx.validated) {
      return {};
    }
    schemas::StateCreate copy;
    copy.type = ctx.validated->type;
    copy.name = ctx.validated->name;
    copy.message = ctx.validated->message;
    copy.data = ctx.validated->data;
    copy.details = ctx.validated->details;
    copy.details.child_flow_run_id = ctx.run.id;
    const Environment env{ctx.tx,  ctx.settings,    ctx.ids,
                          ctx.now, ctx.api_version, ctx.client_version};
    return set_task_run_state(env, *ctx.run.parent_task_run_id, copy, /*force=*/true).status();
  }
};

class UpdateSubflowStateDetails final : public Bookkeeping {
 public:
  std::string_view name() const override { return "UpdateSubflowStateDetails"; }

 protected:
  Status update(OrchestrationContext& ctx, State& proposed) const override {
    if (ctx.run.parent_task_run_id) {
      proposed.details.task_run_id = ctx.run.parent_task_run_id;
    }
    return {};
  }
};

// Counts entries into RUNNING (retries read it); resuming from a pause is not a new run.
class IncrementFlowRunCount final : public Bookkeeping {
 public:
  std::string_view name() const override { return "IncrementFlowRunCount"; }

 protected:
  Status update(OrchestrationContext& ctx, State& proposed) const override {
    if (proposed.type != StateType::kRunning) {
      return {};
    }
    if (ctx.api_at_least({0, 8, 4}) && policy_flag(ctx.run, "resuming")) {
      return {};
    }
    ++ctx.run.run_count;
    return {};
  }
};

class RemoveResumingIndicator final : public Bookkeeping {
 public:
  std::string_view name() const override { return "RemoveResumingIndicator"; }

 protected:
  Status update(OrchestrationContext& ctx, State& proposed) const override {
    const bool running_or_final =
        proposed.type == StateType::kRunning || schemas::is_terminal(proposed.type);
    if (ctx.api_at_least({0, 8, 4}) && running_or_final && policy_flag(ctx.run, "resuming")) {
      return set_policy_flag(ctx.run, "resuming", false);
    }
    return {};
  }
};

class IncrementTaskRunCount final : public Bookkeeping {
 public:
  std::string_view name() const override { return "IncrementTaskRunCount"; }

 protected:
  Status update(OrchestrationContext& ctx, State& proposed) const override {
    if (proposed.type == StateType::kRunning) {
      ++ctx.run.run_count;
    }
    return {};
  }
};

// upstream COMMON_GLOBAL_TRANSFORMS
std::vector<const Rule*> common_transforms() {
  static const SetRunStateType set_type;
  static const SetRunStateName set_name;
  static const SetRunStateTimestamp set_timestamp;
  static const SetStartTime start_time;
  static const SetEndTime end_time;
  static const IncrementRunTime run_time;
  static const SetExpectedStartTime expected_start;
  static const SetNextScheduledStartTime next_scheduled;
  static const UpdateStateDetails details;
  return {&set_type, &set_name,       &set_timestamp,  &start_time, &end_time,
          &run_time, &expected_start, &next_scheduled, &details};
}

const std::vector<const Rule*>& global_flow_rules() {
  static const std::vector<const Rule*> rules = [] {
    static const EnsureStateTimestampIsUnique unique(RunKind::kFlow,
                                                     "EnsureFlowRunStateTimestampIsUnique");
    static const UpdateSubflowParentTask parent_task;
    static const UpdateSubflowStateDetails subflow_details;
    static const IncrementFlowRunCount run_count;
    static const RemoveResumingIndicator resuming;
    std::vector<const Rule*> out = {&unique};
    for (const Rule* r : common_transforms()) {
      out.push_back(r);
    }
    out.insert(out.end(), {&parent_task, &subflow_details, &run_count, &resuming});
    return out;
  }();
  return rules;
}

const std::vector<const Rule*>& global_task_rules() {
  static const std::vector<const Rule*> rules = [] {
    static const EnsureStateTimestampIsUnique unique(RunKind::kTask,
                                                     "EnsureTaskRunStateTimestampIsUnique");
    static const IncrementTaskRunCount run_count;
    std::vector<const Rule*> out = {&unique};
    for (const Rule* r : common_transforms()) {
      out.push_back(r);
    }
    out.push_back(&run_count);
    return out;
  }();
  return rules;
}

}  // namespace

const std::vector<const Rule*>& global_rules(RunKind kind) {
  return kind == RunKind::kFlow ? global_flow_rules() : global_task_rules();
}

}  // namespace prefectcore::orchestration
