#include "lib/models/foreman_store.h"

#include <fmt/format.h>

#include "lib/core/time.h"

namespace prefectcore::models {
namespace {

std::vector<std::string> first_column(const Rows& rows) {
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    out.push_back(row.text(0));
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> overdue_workers(Transaction& tx, Timestamp now, int multiple,
                                                 double fallback_interval_seconds) {
  // The threshold depends on each worker's own interval, which timestamp text cannot be
  // shifted by portably in SQL; ONLINE workers are few, so the comparison happens here.
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx.query(fmt::format("SELECT id, last_heartbeat_time, heartbeat_interval_seconds "
                                      "FROM worker WHERE status = 'ONLINE' ORDER BY id{}",
                                      tx.dialect().for_update())));
  std::vector<std::string> out;
  for (const Row& row : rows) {
    auto last = core::parse_time(row.text(1));
    if (!last) {
      continue;  // an unreadable heartbeat is left alone rather than failing the pass
    }
    const double interval =
        row.is_null(2) ? fallback_interval_seconds : static_cast<double>(row.int64(2));
    const double silent = core::to_seconds(now - *last);
    if (silent > interval * multiple) {
      out.push_back(row.text(0));
    }
  }
  return out;
}

Result<std::vector<std::string>> unstaffed_ready_pools(Transaction& tx) {
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx.query("SELECT p.id FROM work_pool p WHERE p.status = 'READY' AND NOT "
                               "EXISTS (SELECT 1 FROM worker w WHERE w.work_pool_id = p.id AND "
                               "w.status = 'ONLINE') ORDER BY p.id"));
  return first_column(rows);
}

Result<std::vector<std::string>> stale_ready_deployments(Transaction& tx, Timestamp threshold) {
  const std::string t = core::format_storage_time(threshold);
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx.query("SELECT d.id FROM deployment d LEFT JOIN work_queue wq ON wq.id = d.work_queue_id "
               "WHERE d.status = 'READY' AND d.last_polled IS NOT NULL AND d.last_polled < ? AND "
               "(wq.last_polled IS NULL OR wq.last_polled < ?) ORDER BY d.id",
               {t, t}));
  return first_column(rows);
}

Result<std::vector<std::string>> stale_ready_queues(Transaction& tx, Timestamp threshold) {
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx.query("SELECT id FROM work_queue WHERE status = 'READY' AND last_polled "
                               "IS NOT NULL AND last_polled < ? ORDER BY last_polled, id",
                               {core::format_storage_time(threshold)}));
  return first_column(rows);
}

}  // namespace prefectcore::models
