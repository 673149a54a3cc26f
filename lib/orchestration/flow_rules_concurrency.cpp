// Deployment concurrency (upstream core_policy.py): a deployment's v2 concurrency limit is
// taken when its run goes PENDING, held by a lease the running flow renews, and given back
// when the run leaves PENDING/RUNNING/CANCELLING.

#include <fmt/format.h>

#include "lib/core/logging.h"
#include "lib/core/time.h"
#include "lib/orchestration/flow_rules.h"

namespace prefectcore::orchestration {
namespace {

using models::CollisionStrategy;
using models::DeploymentConcurrency;

// Upstream WORKER_VERSIONS_THAT_MANAGE_DEPLOYMENT_CONCURRENCY (3.0.0rc20 and 3.0.0-3.0.3):
// those workers take the slot themselves.
bool worker_manages_deployment_concurrency(const std::optional<Version>& client) {
  return client && *client >= Version{3, 0, 0} && *client <= Version{3, 0, 3};
}

// concurrency_options.grace_period_seconds, else the server's initial lease duration.
Micros lease_ttl(const OrchestrationContext& ctx, const DeploymentConcurrency& d) {
  const double seconds =
      d.grace_period_seconds.value_or(ctx.settings.concurrency_initial_deployment_lease_duration);
  return core::from_seconds(seconds).value_or(Micros{0});
}

std::string rule_key(const Rule& rule, std::string_view what) {
  return fmt::format("{}.{}", rule.name(), what);
}

// Mirrors PreserveDeploymentConcurrencyLeaseId: workers send an explicit null lease id on
// PENDING sub-states; the lease stays with the run.
class PreserveDeploymentConcurrencyLeaseId final : public UniversalTransform {
 public:
  std::string_view name() const override { return "PreserveDeploymentConcurrencyLeaseId"; }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial || !ctx.proposed) {
      return {};
    }
    const auto& lease = ctx.initial->details.deployment_concurrency_lease_id;
    if (lease && !ctx.proposed->details.deployment_concurrency_lease_id) {
      ctx.proposed->details.deployment_concurrency_lease_id = lease;
    }
    return {};
  }
};

// Mirrors ValidateDeploymentConcurrencyAtRunning: a run whose lease was reaped while its
// infrastructure started takes a slot again if one is free, else it is cancelled.
class ValidateDeploymentConcurrencyAtRunning final : public Rule {
 public:
  std::string_view name() const override { return "ValidateDeploymentConcurrencyAtRunning"; }
  StateSet from_states() const override { return StateSet::of({StateType::kPending}); }
  StateSet to_states() const override { return StateSet::of({StateType::kRunning}); }

  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial || !ctx.proposed) {
      return {};
    }
    const auto lease_id = ctx.initial->details.deployment_concurrency_lease_id;
    ctx.proposed->details.deployment_concurrency_lease_id = lease_id;
    // Older clients do not renew leases: validating theirs would fail runs for nothing.
    if (!lease_id || ctx.client_version.value_or(Version{2, 0, 0}) < kMinClientVersionForLeasing ||
        !ctx.run.deployment_id) {
      return {};
    }
    auto store = concurrency_store(ctx);
    PC_ASSIGN_OR_RETURN(auto deployment, store.read_deployment(*ctx.run.deployment_id));
    if (!deployment || !deployment->limit) {
      return {};
    }
    const Micros ttl = lease_ttl(ctx, *deployment);
    PC_ASSIGN_OR_RETURN(bool renewed, store.renew_lease(*lease_id, ttl, ctx.now));
    if (renewed) {
      return {};
    }
    const std::string limit_id = deployment->limit->id;
    PC_ASSIGN_OR_RETURN(bool acquired, store.bulk_increment_active_slots({limit_id}, 1, ctx.now));
    if (acquired) {
      PC_ASSIGN_OR_RETURN(auto lease,
                          store.create_lease(ctx.ids.random_id(), {limit_id}, ttl, 1,
                                             models::LeaseHolder{"flow_run", ctx.run.id}, ctx.now));
      ctx.proposed->details.deployment_concurrency_lease_id = lease.id;
      return {};
    }
    // The infrastructure is already up, so the run cannot wait for a slot.
    reject_transition(ctx,
                      new_state(ctx, StateType::kCancelled, {},
                                "Deployment concurrency slot lost during provisioning - no slots "
                                "available to continue execution"),
                      "Deployment concurrency limit reached after lease expiry.");
    return {};
  }
};

// Mirrors SecureFlowConcurrencySlots: the slot is taken at PENDING so a worker learns before
// provisioning infrastructure whether the run may start.
class SecureFlowConcurrencySlots final : public Rule {
 public:
  std::string_view name() const override { return "SecureFlowConcurrencySlots"; }
  StateSet from_states() const override {
    return StateSet::all().minus(
        StateSet::of({StateType::kPending, StateType::kRunning, StateType::kCancelling}));
  }
  StateSet to_states() const override { return StateSet::of({StateType::kPending}); }

  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.run.deployment_id || !ctx.proposed ||
        worker_manages_deployment_concurrency(ctx.client_version)) {
      return {};
    }
    auto store = concurrency_store(ctx);
    PC_ASSIGN_OR_RETURN(auto deployment, store.read_deployment(*ctx.run.deployment_id));
    if (!deployment) {
      abort_transition(ctx, "Deployment not found.");
      return {};
    }
    if (!deployment->limit || !deployment->concurrency_limit_id) {
      return {};
    }
    if (deployment->limit->limit == 0) {
      abort_transition(ctx,
                       "The deployment concurrency limit is 0. The flow will deadlock if "
                       "submitted again.");
      return {};
    }
    const std::string limit_id = *deployment->concurrency_limit_id;
    PC_ASSIGN_OR_RETURN(bool acquired, store.bulk_increment_active_slots({limit_id}, 1, ctx.now));
    if (acquired) {
      PC_ASSIGN_OR_RETURN(
          auto lease, store.create_lease(ctx.ids.random_id(), {limit_id},
                                         lease_ttl(ctx, *deployment), 1, std::nullopt, ctx.now));
      ctx.proposed->details.deployment_concurrency_lease_id = lease.id;
      ctx.rule_memory[rule_key(*this, "limit")] = limit_id;
      ctx.rule_memory[rule_key(*this, "lease")] = lease.id;
      return {};
    }
    const std::string reason = "Deployment concurrency limit reached.";
    if (deployment->collision_strategy.value_or(CollisionStrategy::kEnqueue) ==
        CollisionStrategy::kEnqueue) {
      State wait = new_state(ctx, StateType::kScheduled, "AwaitingConcurrencySlot");
      wait.details.scheduled_time =
          ctx.now + core::from_seconds(ctx.settings.deployments_concurrency_slot_wait_seconds)
                        .value_or(Micros{0});
      reject_transition(ctx, std::move(wait), reason);
    } else {
      reject_transition(ctx, new_state(ctx, StateType::kCancelled, {}, reason), reason);
    }
    return {};
  }

  Status cleanup(OrchestrationContext& ctx) const override {
    auto limit = ctx.rule_memory.find(rule_key(*this, "limit"));
    if (limit == ctx.rule_memory.end()) {
      return {};
    }
    if (auto lease = ctx.rule_memory.find(rule_key(*this, "lease"));
        lease != ctx.rule_memory.end()) {
      PC_RETURN_IF_ERROR(release_concurrency_lease(ctx, lease->second, {limit->second}));
      if (ctx.validated) {
        ctx.validated->details.deployment_concurrency_lease_id.reset();
      }
      return {};
    }
    PC_ASSIGN_OR_RETURN(bool released, concurrency_store(ctx).bulk_decrement_active_slots(
                                           {limit->second}, 1, ctx.now));
    return released ? Status()
                    : Status::internal(
                          "Failed to release deployment concurrency slots during "
                          "cleanup");
  }
};

// Mirrors RemoveDeploymentConcurrencyLeaseForOldClientVersions: clients that cannot renew a
// lease would lose it to the reaper; the slot stays taken until the run finishes.
class RemoveDeploymentConcurrencyLeaseForOldClientVersions final : public Rule {
 public:
  std::string_view name() const override {
    return "RemoveDeploymentConcurrencyLeaseForOldClientVersions";
  }
  StateSet from_states() const override { return StateSet::of({StateType::kPending}); }
  StateSet to_states() const override {
    return StateSet::of({StateType::kRunning, StateType::kCancelling});
  }
  Status after_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial ||
        (ctx.client_version && *ctx.client_version >= kMinClientVersionForLeasing)) {
      return {};
    }
    if (const auto& lease = ctx.initial->details.deployment_concurrency_lease_id) {
      return concurrency_store(ctx).revoke_lease(*lease);
    }
    return {};
  }
};

bool holds_deployment_slot(std::optional<StateType> t) {
  return t == StateType::kRunning || t == StateType::kCancelling || t == StateType::kPending;
}

// Mirrors ReleaseFlowConcurrencySlots: leaving PENDING/RUNNING/CANCELLING for anything else
// gives the deployment slot back, through the lease when the run has one.
class ReleaseFlowConcurrencySlots final : public UniversalTransform {
 public:
  std::string_view name() const override { return "ReleaseFlowConcurrencySlots"; }
  Status after_transition(OrchestrationContext& ctx) const override {
    if (!ctx.proposed || !holds_deployment_slot(ctx.initial_type()) ||
        holds_deployment_slot(ctx.proposed_type()) || !ctx.run.deployment_id) {
      return {};
    }
    auto store = concurrency_store(ctx);
    PC_ASSIGN_OR_RETURN(auto deployment, store.read_deployment(*ctx.run.deployment_id));
    std::vector<std::string> limit_ids;
    if (deployment && deployment->concurrency_limit_id) {
      limit_ids.push_back(*deployment->concurrency_limit_id);
    }
    if (const auto& lease = ctx.initial->details.deployment_concurrency_lease_id) {
      return release_concurrency_lease(ctx, *lease, limit_ids);
    }
    if (limit_ids.empty()) {
      return {};
    }
    PC_ASSIGN_OR_RETURN(bool released, store.bulk_decrement_active_slots(limit_ids, 1, ctx.now));
    return released ? Status() : Status::internal("Failed to release deployment concurrency slots");
  }
};

// Mirrors EnforceDeploymentConcurrencyOnLate: CANCEL_NEW is enforced at PENDING, but a run
// that goes late never gets there; it is cancelled while the limit is full.
class EnforceDeploymentConcurrencyOnLate final : public Rule {
 public:
  std::string_view name() const override { return "EnforceDeploymentConcurrencyOnLate"; }
  StateSet from_states() const override { return StateSet::of({StateType::kScheduled}); }
  StateSet to_states() const override { return StateSet::of({StateType::kScheduled}); }
  Status before_transition(OrchestrationContext& ctx) const override {
    if (!ctx.initial || !ctx.proposed || ctx.proposed->name != "Late" || !ctx.run.deployment_id) {
      return {};
    }
    PC_ASSIGN_OR_RETURN(auto deployment,
                        concurrency_store(ctx).read_deployment(*ctx.run.deployment_id));
    if (!deployment || !deployment->concurrency_limit_id || !deployment->limit ||
        deployment->collision_strategy != CollisionStrategy::kCancelNew) {
      return {};
    }
    if (deployment->limit->active_slots >= deployment->limit->limit) {
      reject_transition(
          ctx, new_state(ctx, StateType::kCancelled, {}, "Deployment concurrency limit reached."),
          "Deployment concurrency limit is full and uses the CANCEL_NEW strategy.");
    }
    return {};
  }
};

}  // namespace

models::ConcurrencyStore concurrency_store(const OrchestrationContext& ctx) {
  return models::ConcurrencyStore(ctx.tx, {ctx.settings.tasks_tag_concurrency_slot_wait_seconds,
                                           ctx.settings.concurrency_maximum_slot_wait_seconds});
}

Status release_concurrency_lease(OrchestrationContext& ctx, const std::string& lease_id,
                                 const std::vector<std::string>& fallback_limit_ids,
                                 std::int64_t fallback_slots) {
  auto store = concurrency_store(ctx);
  PC_ASSIGN_OR_RETURN(auto lease, store.read_lease(lease_id));
  const auto failed = [&] {
    return Status::internal(
        fmt::format("Failed to release concurrency slots for lease {}", lease_id));
  };
  if (!lease) {
    PC_LOG_WARNING("Lease {} not found during release", lease_id);
    if (fallback_limit_ids.empty()) {
      return {};
    }
    PC_ASSIGN_OR_RETURN(bool released, store.bulk_decrement_active_slots(fallback_limit_ids,
                                                                         fallback_slots, ctx.now));
    return released ? Status() : failed();
  }
  PC_ASSIGN_OR_RETURN(
      bool released, store.bulk_decrement_active_slots(lease->resource_ids, lease->slots, ctx.now));
  if (!released) {
    return failed();
  }
  return store.revoke_lease(lease->id);
}

const Rule& preserve_deployment_concurrency_lease_id() {
  static const PreserveDeploymentConcurrencyLeaseId rule;
  return rule;
}
const Rule& validate_deployment_concurrency_at_running() {
  static const ValidateDeploymentConcurrencyAtRunning rule;
  return rule;
}
const Rule& secure_flow_concurrency_slots() {
  static const SecureFlowConcurrencySlots rule;
  return rule;
}
const Rule& remove_deployment_concurrency_lease_for_old_client_versions() {
  static const RemoveDeploymentConcurrencyLeaseForOldClientVersions rule;
  return rule;
}
const Rule& release_flow_concurrency_slots() {
  static const ReleaseFlowConcurrencySlots rule;
  return rule;
}
const Rule& enforce_deployment_concurrency_on_late() {
  static const EnforceDeploymentConcurrencyOnLate rule;
  return rule;
}

}  // namespace prefectcore::orchestration
