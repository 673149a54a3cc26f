#pragma once

// The concurrency state the flow-run rules work over: deployment concurrency settings, v2
// concurrency limits with upstream's slot decay (models/concurrency_limits_v2.py), and
// concurrency leases (upstream's lease storage, here the `concurrency_lease` table so that
// replicas sharing one database see the same leases).
//
// Thread-bound: a ConcurrencyStore borrows one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"

namespace prefectcore::models {

// A concurrency_limit_v2 row.
struct ConcurrencyLimitRow {
  std::string id;
  std::string name;
  bool active = true;
  std::int64_t limit = 0;
  std::int64_t active_slots = 0;
  std::int64_t denied_slots = 0;
  double slot_decay_per_second = 0;
  double avg_slot_occupancy_seconds = 2;
  Timestamp updated;
  Timestamp created;
};

// The settable columns of a limit (ConcurrencyLimitV2Create/Update); unset fields keep
// their value on update and take the column default on insert.
struct ConcurrencyLimitFields {
  std::optional<bool> active;
  std::optional<std::string> name;
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> active_slots;
  std::optional<std::int64_t> denied_slots;
  std::optional<double> slot_decay_per_second;
};

enum class CollisionStrategy { kEnqueue, kCancelNew };

// A deployment's concurrency configuration and its limit (upstream
// deployment.global_concurrency_limit).
struct DeploymentConcurrency {
  std::string deployment_id;
  std::optional<std::string> concurrency_limit_id;
  // deployment.concurrency_options; nullopt when the column is null.
  std::optional<CollisionStrategy> collision_strategy;
  std::optional<double> grace_period_seconds;
  std::optional<ConcurrencyLimitRow> limit;
};

struct LeaseHolder {
  std::string type;  // "flow_run", "task_run", ...
  std::string id;
};

struct ConcurrencyLease {
  std::string id;
  std::vector<std::string> resource_ids;  // concurrency limit ids
  Timestamp expiration;
  std::int64_t slots = 1;
  std::optional<LeaseHolder> holder;
  Timestamp created;
};

// How long clients are told to wait per limit kind; denied slots decay with it.
struct SlotWaits {
  double tag_seconds = 10;    // server.tasks.tag_concurrency_slot_wait_seconds (tag:* limits)
  double other_seconds = 30;  // server.concurrency.maximum_concurrency_slot_wait_seconds
};

class ConcurrencyStore {
 public:
  ConcurrencyStore(Transaction& tx, SlotWaits waits) : tx_(tx), waits_(waits) {}

  // nullopt when no deployment has `id`.
  Result<std::optional<DeploymentConcurrency>> read_deployment(const std::string& id);
  Result<std::optional<ConcurrencyLimitRow>> read_limit(const std::string& id);

  Result<std::optional<ConcurrencyLimitRow>> read_limit_by_name(const std::string& name);
  // The limits named in `names` (unknown names are skipped), ordered by name.
  Result<std::vector<ConcurrencyLimitRow>> read_limits_by_names(
      const std::vector<std::string>& names);
  // Ordered by name (upstream read_all_concurrency_limits).
  Result<std::vector<ConcurrencyLimitRow>> list_limits(std::int64_t limit, std::int64_t offset);
  // kConflict when the name is taken.
  Result<ConcurrencyLimitRow> create_limit(const std::string& id,
                                           const ConcurrencyLimitFields& fields, Timestamp now);
  // false when no limit has `id`; kConflict when renaming onto a taken name.
  Result<bool> update_limit(const std::string& id, const ConcurrencyLimitFields& fields,
                            Timestamp now);
  Result<bool> delete_limit(const std::string& id);
  // Records `slots` more denied slots (after decay) on each limit in `ids`.
  Status bulk_update_denied_slots(const std::vector<std::string>& ids, std::int64_t slots,
                                  Timestamp now);

  // Takes `slots` on every limit in `ids` (after decay), all or none: false when a limit is
  // missing, inactive or would go above its limit. Rows are locked FOR UPDATE.
  Result<bool> bulk_increment_active_slots(const std::vector<std::string>& ids, std::int64_t slots,
                                           Timestamp now);
  // Gives `slots` back on every active limit in `ids` (never below zero); false unless every
  // id names an active limit. A positive `occupancy_seconds` moves each limit's average slot
  // occupancy towards it (upstream's weighted average over limit * 2 samples).
  Result<bool> bulk_decrement_active_slots(const std::vector<std::string>& ids, std::int64_t slots,
                                           Timestamp now,
                                           std::optional<double> occupancy_seconds = {});

  Result<ConcurrencyLease> create_lease(std::string id, std::vector<std::string> resource_ids,
                                        Micros ttl, std::int64_t slots,
                                        std::optional<LeaseHolder> holder, Timestamp now);
  Result<std::optional<ConcurrencyLease>> read_lease(const std::string& id);
  // Moves the expiration to now + ttl; false when the lease does not exist (upstream renews
  // an expired lease that has not been reaped yet).
  Result<bool> renew_lease(const std::string& id, Micros ttl, Timestamp now);
  Status revoke_lease(const std::string& id);
  // Unexpired leases on `limit_id` that name a holder: (lease id, holder).
  Result<std::vector<std::pair<std::string, LeaseHolder>>> list_holders_for_limit(
      const std::string& limit_id, Timestamp now);

 private:
  Result<std::vector<ConcurrencyLimitRow>> lock_limits(const std::vector<std::string>& ids);
  double decay_rate(const ConcurrencyLimitRow& row) const;
  std::int64_t active_after_decay(const ConcurrencyLimitRow& row, Timestamp now) const;
  std::int64_t denied_after_decay(const ConcurrencyLimitRow& row, Timestamp now) const;
  Status store_slots(const ConcurrencyLimitRow& row, std::int64_t active, std::int64_t denied,
                     Timestamp now);

  Transaction& tx_;
  SlotWaits waits_;
};

}  // namespace prefectcore::models
