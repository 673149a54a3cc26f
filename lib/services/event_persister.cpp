#include "lib/services/event_persister.h"

#include <algorithm>
#include <vector>

#include "lib/core/logging.h"
#include "lib/core/time.h"
#include "lib/models/events.h"
#include "lib/services/event_replication.h"

namespace prefectcore::services {
namespace {

// Upstream's trim_every and PREFECT_SERVER_SERVICES_EVENT_PERSISTER_BATCH_SIZE_DELETE.
constexpr auto kTrimEvery = std::chrono::minutes(15);
constexpr std::int64_t kDeleteBatchSize = 10000;
// Events per write transaction: keeps a transaction short under a burst.
constexpr std::size_t kMaxPerTransaction = 5000;

}  // namespace

EventPersister::EventPersister(ServiceContext& context, std::string replica_id)
    : ctx_(context), replica_id_(std::move(replica_id)), last_trim_(context.clock.now()) {
  token_ = ctx_.events.subscribe([this](const std::vector<events::EventPtr>& items) {
    std::lock_guard lock(mutex_);
    const auto max = static_cast<std::size_t>(
        std::max(1, ctx_.settings.services.event_persister.queue_max_size));
    for (const auto& item : items) {
      if (queue_.size() >= max) {
        ++dropped_;
        continue;
      }
      queue_.push_back(item);
    }
  });
}

EventPersister::~EventPersister() { ctx_.events.unsubscribe(token_); }

double EventPersister::loop_seconds() const {
  // Upstream flushes as soon as batch_size events are queued and at least every
  // flush_interval; a short pass interval gives the same latency without a consumer thread.
  const auto& s = ctx_.settings.services.event_persister;
  return std::clamp(std::min(s.loop_seconds, s.flush_interval), 0.01, 0.25);
}

std::size_t EventPersister::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

Status EventPersister::flush() {
  for (;;) {
    std::vector<events::EventPtr> batch;
    {
      std::lock_guard lock(mutex_);
      if (dropped_ > 0) {
        PC_LOG_WARNING("event persister queue full: dropped {} events", dropped_);
        dropped_ = 0;
      }
      const std::size_t n = std::min(queue_.size(), kMaxPerTransaction);
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    if (batch.empty()) {
      return {};
    }
    Status status = [&]() -> Status {
      PC_ASSIGN_OR_RETURN(auto tx, ctx_.db->begin(TxMode::kWrite));
      models::EventRepository repo(*tx);
      PC_RETURN_IF_ERROR(repo.write(batch, ctx_.clock.now(), replica_id_).status());
      return tx->commit();
    }();
    std::lock_guard lock(mutex_);
    if (!status.ok() && ++failures_ < ctx_.settings.services.event_persister.max_flush_retries) {
      return status;  // stays queued for the next pass
    }
    if (!status.ok()) {
      PC_LOG_WARNING("event persister: dropping {} events after {} failed writes: {}", batch.size(),
                     failures_, status.message());
    } else {
      failures_ = 0;
    }
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(batch.size()));
    if (!status.ok()) {
      failures_ = 0;
      return status;
    }
  }
}

Status EventPersister::trim_if_due() {
  const Timestamp now = ctx_.clock.now();
  if (now - last_trim_ < kTrimEvery) {
    return {};
  }
  last_trim_ = now;
  const Micros retention =
      core::from_seconds(ctx_.settings.events.retention_period).value_or(std::chrono::days(7));
  PC_ASSIGN_OR_RETURN(auto tx, ctx_.db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(std::int64_t deleted,
                      models::EventRepository(*tx).trim(now - retention, kDeleteBatchSize));
  PC_RETURN_IF_ERROR(tx->commit());
  if (deleted > 0) {
    PC_LOG_DEBUG("trimmed {} event rows older than the retention period", deleted);
  }
  return {};
}

Status EventPersister::run_once() {
  PC_RETURN_IF_ERROR(flush());
  return trim_if_due();
}

void EventPersister::stop() {
  if (Status s = flush(); !s.ok()) {
    PC_LOG_WARNING("event persister: final flush failed: {}", s.message());
  }
}

void add_event_services(ServiceRunner& runner, ServiceContext& context) {
  // One id per server instance: rows it stores carry it, so its replication poller skips
  // them (they were published here already).
  std::string replica_id = context.ids.random_id();
  if (context.settings.services.event_persister.enabled) {
    runner.add(std::make_unique<EventPersister>(context, replica_id));
  }
  if (context.db && context.db->dialect().backend == Backend::kPostgres) {
    runner.add(std::make_unique<EventReplication>(context, replica_id));
  }
}

}  // namespace prefectcore::services
