#include "lib/services/repossessor.h"

#include <algorithm>

#include "lib/core/time.h"
#include "lib/models/orchestration_concurrency.h"

namespace prefectcore::services {
namespace {

constexpr std::int64_t kBatchSize = 100;

models::SlotWaits slot_waits(const Settings& settings) {
  return {settings.tasks_tag_concurrency_slot_wait_seconds,
          settings.concurrency_maximum_slot_wait_seconds};
}

}  // namespace

Status Repossessor::run_once() {
  std::vector<std::string> expired;
  {
    PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kRead));
    PC_ASSIGN_OR_RETURN(
        Rows rows,
        tx->query("SELECT id FROM concurrency_lease WHERE expiration < ? ORDER BY expiration "
                  "LIMIT ?",
                  {core::format_storage_time(context_.clock.now()), kBatchSize}));
    for (const Row& row : rows) {
      expired.push_back(row.text(0));
    }
  }
  Status first_error;
  for (const std::string& id : expired) {
    // One failed lease does not stop the others; the next pass retries it.
    if (Status s = revoke(id); !s.ok() && first_error.ok()) {
      first_error = s;
    }
  }
  return first_error;
}

Status Repossessor::revoke(const std::string& lease_id) {
  const Timestamp now = context_.clock.now();
  PC_ASSIGN_OR_RETURN(auto tx, context_.db->begin(TxMode::kWrite));
  models::ConcurrencyStore store(*tx, slot_waits(context_.settings));
  PC_ASSIGN_OR_RETURN(auto lease, store.read_lease(lease_id));
  if (!lease || lease->expiration >= now) {
    return {};  // released or renewed since the scan
  }
  // The conditional delete decides which replica reaps the lease: the other one deletes
  // nothing and gives nothing back.
  PC_ASSIGN_OR_RETURN(std::int64_t deleted,
                      tx->exec("DELETE FROM concurrency_lease WHERE id = ? AND expiration < ?",
                               {lease_id, core::format_storage_time(now)}));
  if (deleted == 0) {
    return {};
  }
  const double occupancy = std::max(0.0, core::to_seconds(now - lease->created));
  PC_ASSIGN_OR_RETURN(bool ignored, store.bulk_decrement_active_slots(
                                        lease->resource_ids, lease->slots, now, occupancy));
  (void)ignored;  // a deleted or deactivated limit has nothing to give back
  return tx->commit();
}

}  // namespace prefectcore::services
