#pragma once

// The v1 tag concurrency limit API (upstream api/concurrency_limits.py) as an adapter over
// the v2 system: a tag limit is the v2 limit named `tag:<tag>` and its slot holders are the
// unexpired leases on it whose holder is a task run. Legacy rows of the v1 concurrency_limit
// table (upstream's pre-migration data) are still read, reset, deleted and incremented when
// no v2 limit exists for their tag, as upstream does.
//
// Thread-bound: an adapter borrows one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"
#include "lib/models/orchestration_concurrency.h"
#include "lib/schemas/concurrency_limit_v1.h"

namespace prefectcore::models {

class TagLimitAdapter {
 public:
  TagLimitAdapter(Transaction& tx, SlotWaits waits, Timestamp now)
      : tx_(tx), store_(tx, waits), waits_(waits), now_(now) {}

  // Creates the v2 limit `tag:<tag>` (id `new_id`) or updates its limit. Returns the limit
  // and whether it was created.
  Result<std::pair<schemas::TagConcurrencyLimit, bool>> upsert(
      const schemas::TagConcurrencyLimitCreate& create, const std::string& new_id);
  // A v2 `tag:` limit with `id`, else a v1 row with `id`.
  Result<std::optional<schemas::TagConcurrencyLimit>> read(const std::string& id);
  Result<std::optional<schemas::TagConcurrencyLimit>> read_by_tag(const std::string& tag);
  // The v2 tag limits, then the v1 rows of other tags, paged as upstream pages the merge.
  Result<std::vector<schemas::TagConcurrencyLimit>> list(std::int64_t limit, std::int64_t offset);
  // Revokes the leases on the limit and deletes it; false when neither a v2 limit (of any
  // name, as upstream) nor a v1 row has `id`.
  Result<bool> remove(const std::string& id);
  Result<bool> remove_by_tag(const std::string& tag);
  // Releases every slot of the tag's limit, then gives one to each run in `slot_override`
  // (a lease from `ids` each). false when the tag has no limit.
  Result<bool> reset(const std::string& tag,
                     const std::optional<std::vector<std::string>>& slot_override,
                     core::IdGenerator& ids);
  // Takes a slot for `task_run_id` on every tag's limit, all or none; one lease (`lease_id`)
  // holds the v2 slots. kLocked (with a Retry-After in detail_json when the limit is full,
  // none when it is 0) when a slot cannot be taken.
  Result<std::vector<schemas::MinimalConcurrencyLimit>> increment(
      const std::vector<std::string>& tags, const std::string& task_run_id,
      const std::string& lease_id);
  // Gives back the slots `task_run_id` holds on the tags' limits.
  Result<std::vector<schemas::MinimalConcurrencyLimit>> decrement(
      const std::vector<std::string>& tags, const std::string& task_run_id);

 private:
  Result<schemas::TagConcurrencyLimit> from_v2(const ConcurrencyLimitRow& row);
  Result<std::vector<schemas::TagConcurrencyLimit>> read_v1(std::string_view where,
                                                            const std::vector<SqlValue>& params,
                                                            std::string_view tail = {});
  // Revokes every unexpired lease on `limit_id`, giving back the slots it held.
  Status release_leases_on(const std::string& limit_id);

  Transaction& tx_;
  ConcurrencyStore store_;
  SlotWaits waits_;
  Timestamp now_;
};

}  // namespace prefectcore::models
