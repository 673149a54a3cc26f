// Task result caching (upstream core_policy.py CacheRetrieval / CacheInsertion): a COMPLETED
// state with a cache key is remembered in task_run_state_cache; a later run proposing
// RUNNING with the same key gets that state back instead of running.

#include <fmt/format.h>

#include "lib/models/run_store.h"
#include "lib/models/task_orchestration.h"
#include "lib/orchestration/task_rules_detail.h"

namespace prefectcore::orchestration {
namespace {

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

// Mirrors CacheRetrieval: an unexpired cached state for the proposed cache key replaces the
// run, as a fresh copy named "Cached" (unless the client asked to refresh the cache).
class CacheRetrieval final : public Rule {
 public:
  std::string_view name() const override { return "CacheRetrieval"; }
  StateSet from_states() const override { return StateSet::all(); }
  StateSet to_states() const override { return StateSet::of({StateType::kRunning}); }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.proposed) {
      return {};
    }
    const auto& key = ctx.proposed->details.cache_key;
    if (!key || ctx.proposed->details.refresh_cache.value_or(false)) {
      return {};
    }
    PC_ASSIGN_OR_RETURN(auto state_id,
                        models::TaskOrchestrationStore(ctx.tx).cached_state_id(*key, ctx.now));
    if (!state_id) {
      return {};
    }
    PC_ASSIGN_OR_RETURN(auto cached,
                        models::RunStore(ctx.tx).read_state(RunKind::kTask, *state_id));
    if (!cached) {
      return {};
    }
    State fresh = std::move(*cached);
    fresh.id = ctx.ids.ordered_id(ctx.now);
    fresh.timestamp = ctx.now;
    fresh.name = "Cached";
    reject_transition(ctx, std::move(fresh), "Retrieved state from cache");
    return {};
  }
};

// Mirrors CacheInsertion: over-long keys are refused before anything is cached (the state
// itself is still written), and a validated COMPLETED state with a key is cached after.
class CacheInsertion final : public Rule {
 public:
  std::string_view name() const override { return "CacheInsertion"; }
  StateSet from_states() const override { return StateSet::all(); }
  StateSet to_states() const override { return StateSet::of({StateType::kCompleted}); }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.proposed) {
      return {};
    }
    const auto& key = ctx.proposed->details.cache_key;
    const auto max = static_cast<std::size_t>(ctx.settings.tasks_max_cache_key_length);
    if (key && code_points(*key) > max) {
      State same = *ctx.proposed;
      reject_transition(
          ctx, std::move(same),
          fmt::format("Cache key exceeded maximum allowed length of {} characters.", max));
    }
    return {};
  }
  Status after_transition(OrchestrationContext& ctx) const override {
    if (!ctx.validated || !ctx.validated->details.cache_key) {
      return {};
    }
    const State& s = *ctx.validated;
    return models::TaskOrchestrationStore(ctx.tx).insert_cache(
        ctx.ids.random_id(), *s.details.cache_key, s.details.cache_expiration, s.id, ctx.now);
  }
};

}  // namespace

const Rule& cache_retrieval() {
  static const CacheRetrieval rule;
  return rule;
}
const Rule& cache_insertion() {
  static const CacheInsertion rule;
  return rule;
}

}  // namespace prefectcore::orchestration
