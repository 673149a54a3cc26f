// Pausing and resuming flow runs (upstream core_policy.py HandlePausingFlows and
// HandleResumingPausedFlows).

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "lib/orchestration/flow_rules.h"
#include "lib/orchestration/run_policy.h"

namespace prefectcore::orchestration {
namespace {

std::string_view pause_verb(const State& proposed) {
  return proposed.name == "Suspended" ? "suspend" : "pause";
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Mirrors HandlePausingFlows: only a running flow pauses, each pause key fires once, and
// a suspension (pause with reschedule) needs a deployment to come back through.
class HandlePausingFlows final : public Rule {
 public:
  std::string_view name() const override { return "HandlePausingFlows"; }
  StateSet from_states() const override { return StateSet::all(); }
  StateSet to_states() const override { return StateSet::of({StateType::kPaused}); }

  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.proposed) {
      return {};
    }
    const State& proposed = *ctx.proposed;
    const std::string_view verb = pause_verb(proposed);
    if (!ctx.initial) {
      abort_transition(ctx, fmt::format("Cannot {} flows with no state.", verb));
      return {};
    }
    if (ctx.initial->type != StateType::kRunning) {
      reject_transition(ctx, std::nullopt,
                        fmt::format("Cannot {} flows that are not currently running.", verb));
      return {};
    }
    // No key: a random one, so the pause is tracked all the same.
    const std::string key =
        proposed.details.pause_key ? *proposed.details.pause_key : ctx.ids.random_id();
    ctx.rule_memory[std::string(name())] = key;
    const auto keys = policy_strings(ctx.run, "pause_keys");
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
      reject_transition(ctx, std::nullopt, fmt::format("This {} has already fired.", verb));
      return {};
    }
    if (proposed.details.pause_reschedule) {
      if (ctx.run.parent_task_run_id) {
        abort_transition(ctx, fmt::format("Cannot {} subflows.", verb));
      } else if (!ctx.run.deployment_id) {
        abort_transition(ctx, fmt::format("Cannot {} flows without a deployment.", verb));
      }
    }
    return {};
  }

  // Upstream runs this after its own rejections too (a rule does not fizzle itself), and
  // fails with a missing key when it rejected before choosing one; we skip that case.
  Status after_transition(OrchestrationContext& ctx) const override {
    auto it = ctx.rule_memory.find(name());
    if (it == ctx.rule_memory.end()) {
      return {};
    }
    auto keys = policy_strings(ctx.run, "pause_keys");
    if (std::find(keys.begin(), keys.end(), it->second) == keys.end()) {
      keys.push_back(it->second);
    }
    return set_policy_strings(ctx.run, "pause_keys", keys);
  }
};

// Mirrors HandleResumingPausedFlows: a paused run may only run again, be rescheduled or
// finish, and not after its pause timed out.
class HandleResumingPausedFlows final : public Rule {
 public:
  std::string_view name() const override { return "HandleResumingPausedFlows"; }
  StateSet from_states() const override { return StateSet::of({StateType::kPaused}); }
  StateSet to_states() const override { return StateSet::all(); }

  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial || !ctx.proposed) {
      return {};
    }
    const State& initial = *ctx.initial;
    const State& proposed = *ctx.proposed;
    if (!(proposed.type == StateType::kRunning || proposed.type == StateType::kScheduled ||
          schemas::is_terminal(proposed.type))) {
      // Upstream formats the enum members with Python 3.12's Enum.__format__.
      reject_transition(
          ctx, std::nullopt,
          fmt::format("This run cannot transition to the StateType.{} state from "
                      "the StateType.{} state.",
                      schemas::to_string(proposed.type), schemas::to_string(initial.type)));
      return {};
    }
    const std::string_view verb = pause_verb(proposed);
    const std::string display = lower(
        proposed.name.empty() ? std::string(schemas::to_string(proposed.type)) : proposed.name);
    if (initial.details.pause_reschedule && !ctx.run.deployment_id) {
      reject_transition(
          ctx, std::nullopt,
          fmt::format("Cannot reschedule a {} flow run without a deployment.", display));
      return {};
    }
    if (initial.details.pause_timeout && *initial.details.pause_timeout < ctx.now) {
      reject_transition(
          ctx,
          new_state(ctx, StateType::kFailed, {},
                    fmt::format("The flow was {} and never resumed.", display)),
          fmt::format("The flow run {} has timed out and can no longer resume.", verb));
    }
    return {};
  }

  // Like upstream, this also runs after the rule's own rejections.
  Status after_transition(OrchestrationContext& ctx) const override {
    return set_policy_flag(ctx.run, "resuming", true);
  }
};

}  // namespace

const Rule& handle_pausing_flows() {
  static const HandlePausingFlows rule;
  return rule;
}
const Rule& handle_resuming_paused_flows() {
  static const HandleResumingPausedFlows rule;
  return rule;
}

}  // namespace prefectcore::orchestration
