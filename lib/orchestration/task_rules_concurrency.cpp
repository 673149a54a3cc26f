// Tag concurrency for task runs (upstream core_policy.py SecureTaskConcurrencySlots and
// ReleaseTaskConcurrencySlots): a slot on every v2 `tag:<tag>` limit (held by a lease whose
// holder is the task run) and on every legacy v1 concurrency_limit row of the run's tags
// (the run id in its active_slots) while the run is RUNNING.

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "lib/models/run_store.h"
#include "lib/models/task_orchestration.h"
#include "lib/orchestration/flow_rules.h"
#include "lib/orchestration/task_rules_detail.h"

namespace prefectcore::orchestration {
namespace {

using models::ConcurrencyLimitRow;
using models::TagLimit;

// Upstream V1_LEASE_TTL: these holders never renew, so the lease must outlive the run.
constexpr Micros kTaskLeaseTtl = std::chrono::hours(24 * 365 * 100);

std::string tag_of(const ConcurrencyLimitRow& limit) {
  std::string_view name = limit.name;
  return std::string(name.substr(name.rfind("tag:", 0) == 0 ? 4 : 0));
}

Result<std::vector<ConcurrencyLimitRow>> read_tag_limits(OrchestrationContext& ctx,
                                                         const std::vector<std::string>& tags) {
  PC_ASSIGN_OR_RETURN(auto ids, models::TaskOrchestrationStore(ctx.tx).tag_limit_ids(tags));
  auto store = concurrency_store(ctx);
  std::vector<ConcurrencyLimitRow> out;
  for (const std::string& id : ids) {
    PC_ASSIGN_OR_RETURN(auto limit, store.read_limit(id));
    if (limit) {
      out.push_back(std::move(*limit));
    }
  }
  return out;
}

// Takes (or gives back) the run's slot on a v1 limit; a no-op when nothing changes.
Status set_v1_slot(OrchestrationContext& ctx, TagLimit& limit, bool held) {
  auto& slots = limit.active_slots;
  const auto it = std::find(slots.begin(), slots.end(), ctx.run.id);
  if (held == (it != slots.end())) {
    return {};
  }
  if (held) {
    slots.push_back(ctx.run.id);
  } else {
    slots.erase(it);
  }
  return models::TaskOrchestrationStore(ctx.tx).set_active_slots(limit, ctx.now);
}

// Gives back the run's slot on the v1 limits of `tags`.
Status release_v1_slots(OrchestrationContext& ctx, const std::vector<std::string>& tags) {
  PC_ASSIGN_OR_RETURN(auto limits, models::TaskOrchestrationStore(ctx.tx).lock_tag_limits(tags));
  for (TagLimit& limit : limits) {
    PC_RETURN_IF_ERROR(set_v1_slot(ctx, limit, false));
  }
  return {};
}

// The wait for a full v2 limit: a jittered interval around the most contended limit's
// average slot occupancy, capped by the tag slot wait, so waiting tasks do not all wake at
// once.
std::int64_t v2_wait_seconds(OrchestrationContext& ctx,
                             const std::vector<ConcurrencyLimitRow>& limits) {
  const double max_wait = ctx.settings.tasks_tag_concurrency_slot_wait_seconds;
  const auto fullness = [](const ConcurrencyLimitRow& l) {
    return static_cast<double>(l.active_slots) / static_cast<double>(l.limit);
  };
  const ConcurrencyLimitRow* blocking = &limits.front();
  for (const auto& l : limits) {
    blocking = fullness(l) > fullness(*blocking) ? &l : blocking;
  }
  const double occupancy =
      blocking->avg_slot_occupancy_seconds != 0 ? blocking->avg_slot_occupancy_seconds : max_wait;
  const double delay = clamped_poisson_interval(std::min(occupancy, max_wait), 0.3,
                                                uniform_from_id(ctx.ids.random_id()));
  return static_cast<std::int64_t>(std::nearbyint(delay));  // Python round(): half to even
}

std::string zero_limit_reason(std::string_view tag) {
  return fmt::format(
      "The concurrency limit on tag \"{}\" is 0 and will deadlock if the task tries to run "
      "again.",
      tag);
}

// Mirrors SecureTaskConcurrencySlots. Where upstream goes on after its own ABORT or WAIT
// (taking slots it then never gives back), this stops and gives back what it took.
class SecureTaskConcurrencySlots final : public Rule {
 public:
  std::string_view name() const override { return "SecureTaskConcurrencySlots"; }
  StateSet from_states() const override { return StateSet::all(); }
  StateSet to_states() const override { return StateSet::of({StateType::kRunning}); }

  Status before_transition(OrchestrationContext& ctx) const override {
    const auto tags = models::json_strings(ctx.run.tags);
    PC_ASSIGN_OR_RETURN(auto v1, models::TaskOrchestrationStore(ctx.tx).lock_tag_limits(tags));
    PC_ASSIGN_OR_RETURN(auto v2, read_tag_limits(ctx, tags));
    std::set<std::string> v2_tags;
    std::vector<ConcurrencyLimitRow> active;
    for (const auto& limit : v2) {
      if (!limit.active) {
        continue;
      }
      if (limit.limit == 0) {
        abort_transition(ctx, zero_limit_reason(tag_of(limit)));
        return {};
      }
      v2_tags.insert(tag_of(limit));
      active.push_back(limit);
    }
    if (!active.empty()) {
      PC_RETURN_IF_ERROR(take_v2_slots(ctx, active));
      if (!ctx.proposed) {
        return {};
      }
    }
    const bool any_v1 =
        std::any_of(v1.begin(), v1.end(), [&](const TagLimit& l) { return !v2_tags.count(l.tag); });
    return any_v1 ? take_v1_slots(ctx, v1) : Status();
  }

  Status cleanup(OrchestrationContext& ctx) const override { return give_back(ctx); }

 private:
  std::string key(std::string_view what) const { return fmt::format("{}.{}", name(), what); }

  Status take_v2_slots(OrchestrationContext& ctx,
                       const std::vector<ConcurrencyLimitRow>& active) const {
    std::vector<std::string> ids;
    std::string tags;
    for (const auto& limit : active) {
      ids.push_back(limit.id);
      tags += (tags.empty() ? "" : ", ") + tag_of(limit);
    }
    // In the orchestration's own transaction (upstream commits the increment separately):
    // a transition that fails afterwards takes no slot.
    auto store = concurrency_store(ctx);
    PC_ASSIGN_OR_RETURN(bool acquired, store.bulk_increment_active_slots(ids, 1, ctx.now));
    if (!acquired) {
      delay_transition(ctx, v2_wait_seconds(ctx, active),
                       "Concurrency limit reached for tags: " + tags);
      return {};
    }
    PC_ASSIGN_OR_RETURN(auto lease,
                        store.create_lease(ctx.ids.random_id(), ids, kTaskLeaseTtl, 1,
                                           models::LeaseHolder{"task_run", ctx.run.id}, ctx.now));
    ctx.rule_memory[key("lease")] = lease.id;
    return {};
  }

  // Upstream walks every v1 limit of the run's tags once any of them lacks a v2 limit.
  Status take_v1_slots(OrchestrationContext& ctx, std::vector<TagLimit>& limits) const {
    std::string applied;
    for (TagLimit& limit : limits) {
      const bool full =
          static_cast<std::int64_t>(limit.active_slots.size()) >= limit.concurrency_limit;
      if (limit.concurrency_limit == 0 || full) {
        ctx.rule_memory[key("tags")] = applied;
        PC_RETURN_IF_ERROR(give_back(ctx));
        if (limit.concurrency_limit == 0) {
          abort_transition(ctx, zero_limit_reason(limit.tag));
        } else {
          delay_transition(
              ctx, static_cast<std::int64_t>(ctx.settings.tasks_tag_concurrency_slot_wait_seconds),
              fmt::format("Concurrency limit for the {} tag has been reached", limit.tag));
        }
        return {};
      }
      PC_RETURN_IF_ERROR(set_v1_slot(ctx, limit, true));
      applied += (applied.empty() ? "" : "\n") + limit.tag;
    }
    ctx.rule_memory[key("tags")] = applied;
    return {};
  }

  // Releases the v2 lease and the v1 slots this rule took.
  Status give_back(OrchestrationContext& ctx) const {
    if (auto lease = ctx.rule_memory.find(key("lease")); lease != ctx.rule_memory.end()) {
      const std::string id = lease->second;
      ctx.rule_memory.erase(lease);
      PC_RETURN_IF_ERROR(release_concurrency_lease(ctx, id, {}));
    }
    auto tags = ctx.rule_memory.find(key("tags"));
    if (tags == ctx.rule_memory.end() || tags->second.empty()) {
      return {};
    }
    std::vector<std::string> applied;
    for (std::size_t at = 0; at <= tags->second.size();) {
      const std::size_t end = std::min(tags->second.find('\n', at), tags->second.size());
      applied.push_back(tags->second.substr(at, end - at));
      at = end + 1;
    }
    ctx.rule_memory.erase(tags);
    return release_v1_slots(ctx, applied);
  }
};

// Mirrors ReleaseTaskConcurrencySlots: leaving RUNNING/CANCELLING for anything else gives
// back every v2 lease the run holds on its tags' limits and its v1 slots.
class ReleaseTaskConcurrencySlots final : public UniversalTransform {
 public:
  std::string_view name() const override { return "ReleaseTaskConcurrencySlots"; }
  Status after_transition(OrchestrationContext& ctx) const override {
    if (!ctx.proposed || !ctx.validated || ctx.validated->type == StateType::kRunning ||
        ctx.validated->type == StateType::kCancelling) {
      return {};
    }
    const auto tags = models::json_strings(ctx.run.tags);
    PC_ASSIGN_OR_RETURN(auto limit_ids, models::TaskOrchestrationStore(ctx.tx).tag_limit_ids(tags));
    auto store = concurrency_store(ctx);
    std::set<std::string> leases;
    for (const std::string& id : limit_ids) {
      PC_ASSIGN_OR_RETURN(auto holders, store.list_holders_for_limit(id, ctx.now));
      for (const auto& [lease_id, holder] : holders) {
        if (holder.id == ctx.run.id) {
          leases.insert(lease_id);
        }
      }
    }
    for (const std::string& lease_id : leases) {
      PC_RETURN_IF_ERROR(release_concurrency_lease(ctx, lease_id, {}));
    }
    return release_v1_slots(ctx, tags);
  }
};

}  // namespace

const Rule& secure_task_concurrency_slots() {
  static const SecureTaskConcurrencySlots rule;
  return rule;
}
const Rule& release_task_concurrency_slots() {
  static const ReleaseTaskConcurrencySlots rule;
  return rule;
}

}  // namespace prefectcore::orchestration
