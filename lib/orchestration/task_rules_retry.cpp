// Task retries (upstream core_policy.py RetryFailedTasks) and the jitter they use
// (upstream utilities/math.py).

#include <algorithm>
#include <cmath>

#include "lib/core/time.h"
#include "lib/orchestration/task_rules_detail.h"
#include "lib/schemas/task_run.h"

namespace prefectcore::orchestration {
namespace {

double exponential_cdf(double x, double average) { return 1 - std::exp(-x / average); }

// The lower clamp multiple whose probability mass below the median equals the mass between
// the median and the upper multiple `k`.
double lower_clamp_multiple(double k) {
  if (k >= 50) {
    return 0;  // 2**k would overflow the ratio
  }
  const double p = std::pow(2.0, k);
  return std::log2(std::max(p / (p - 1), 1e-10));
}

// The base delay for the current attempt: the run_count-th of a delay list (the last one
// once the list runs out; Python's index -1 before the first run), else the single delay.
double base_delay(const schemas::TaskRunPolicy& policy, std::int64_t run_count) {
  if (!policy.retry_delay) {
    return 0;
  }
  const auto& values = policy.retry_delay->values;
  if (!policy.retry_delay->is_list) {
    return values.front();
  }
  if (values.empty()) {
    return 0;
  }
  const auto last = static_cast<std::int64_t>(values.size()) - 1;
  const std::int64_t index = std::min(run_count - 1, last);
  return values[static_cast<std::size_t>(index < 0 ? last + 1 + index : index)];
}

// Mirrors RetryFailedTasks: a failing task with retries left goes back to AwaitingRetry,
// scheduled after its (optionally jittered) retry delay.
class RetryFailedTasks final : public Rule {
 public:
  std::string_view name() const override { return "RetryFailedTasks"; }
  StateSet from_states() const override { return StateSet::of({StateType::kRunning}); }
  StateSet to_states() const override { return StateSet::of({StateType::kFailed}); }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial || !ctx.proposed) {
      return {};
    }
    const auto policy = schemas::parse_task_run_policy(ctx.run.empirical_policy);
    const std::int64_t run_count = ctx.run.run_count;
    double delay = base_delay(policy, run_count);
    if (policy.retry_jitter_factor.value_or(0) != 0 && delay > 0) {
      delay = clamped_poisson_interval(delay, *policy.retry_jitter_factor,
                                       uniform_from_id(ctx.ids.random_id()));
    }
    // A retry_condition_fn on the client may declare the failure final.
    if (ctx.proposed->details.retriable == false) {
      return {};
    }
    if (!policy.retries || run_count > *policy.retries) {
      return {};
    }
    State retry = new_state(ctx, StateType::kScheduled, "AwaitingRetry", ctx.proposed->message);
    retry.details.scheduled_time = ctx.now + core::from_seconds(delay).value_or(Micros{0});
    retry.data = ctx.proposed->data;
    reject_transition(ctx, std::move(retry), "Retrying");
    return {};
  }
};

}  // namespace

double clamped_poisson_interval(double average, double clamping_factor, double uniform) {
  if (!(average > 0) || !(clamping_factor > 0)) {
    return std::max(average, 0.0);
  }
  const double upper_multiple = 1 + clamping_factor;
  const double upper_bound = average * upper_multiple;
  const double lower_bound = std::max(0.0, average * lower_clamp_multiple(upper_multiple));
  const double upper_rv = exponential_cdf(upper_bound, average);
  const double lower_rv = exponential_cdf(lower_bound, average);
  const double draw = lower_rv + (upper_rv - lower_rv) * uniform;
  return -std::log(std::max(1 - draw, 1e-10)) * average;
}

double uniform_from_id(std::string_view uuid) {
  constexpr std::size_t kDigits = 12;  // 48 bits
  if (uuid.size() < kDigits) {
    return 0;
  }
  std::uint64_t bits = 0;
  for (char c : uuid.substr(uuid.size() - kDigits)) {
    const int v = (c >= '0' && c <= '9')   ? c - '0'
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                           : 0;
    bits = (bits << 4) | static_cast<std::uint64_t>(v);
  }
  return static_cast<double>(bits) / static_cast<double>(std::uint64_t{1} << 48);
}

const Rule& retry_failed_tasks() {
  static const RetryFailedTasks rule;
  return rule;
}

}  // namespace prefectcore::orchestration
