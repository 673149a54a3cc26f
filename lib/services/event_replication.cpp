#include "lib/services/event_replication.h"

#include <vector>

#include "lib/models/events.h"

namespace prefectcore::services {

EventReplication::EventReplication(ServiceContext& context, std::string replica_id)
    : ctx_(context), replica_id_(std::move(replica_id)), high_water_(context.clock.now()) {}

Status EventReplication::run_once() {
  // Pages until a short page; each page starts where the last one ended (minus the overlap,
  // whose rows are skipped by id).
  for (int page = 0; page < 50; ++page) {
    PC_ASSIGN_OR_RETURN(auto tx, ctx_.db->begin(TxMode::kRead));
    PC_ASSIGN_OR_RETURN(auto rows, models::EventRepository(*tx).recorded_since(
                                       high_water_ - kOverlap, replica_id_,
                                       kPageSize + static_cast<std::int64_t>(published_.size())));
    PC_RETURN_IF_ERROR(tx->commit());
    std::vector<events::EventPtr> fresh;
    for (auto& [event, recorded] : rows) {
      high_water_ = std::max(high_water_, recorded);
      if (published_.insert(event.id).second) {
        published_order_.emplace_back(recorded, event.id);
        fresh.push_back(std::make_shared<const events::Event>(std::move(event)));
      }
    }
    ctx_.events.publish(fresh);
    forget_older_than(high_water_ - kOverlap);
    if (static_cast<std::int64_t>(fresh.size()) < kPageSize) {
      return {};
    }
  }
  return {};
}

void EventReplication::forget_older_than(Timestamp cutoff) {
  while (!published_order_.empty() && published_order_.front().first < cutoff) {
    published_.erase(published_order_.front().second);
    published_order_.pop_front();
  }
}

}  // namespace prefectcore::services
