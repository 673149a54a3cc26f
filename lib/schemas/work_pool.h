#pragma once

// Work pools, work queues and workers (upstream schemas/core.py WorkPool, WorkQueue, Worker;
// schemas/actions.py WorkPoolCreate/Update, WorkQueueCreate/Update; schemas/responses.py
// WorkPoolResponse, WorkQueueResponse, WorkerResponse) and their JSON codecs. JSON-valued
// fields hold compact JSON text.

#include <cstdint>
#include <optional>
#include <string>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"

namespace prefectcore::schemas {

// upstream models.workers.DEFAULT_AGENT_WORK_POOL_NAME: home of the legacy /work_queues.
inline constexpr std::string_view kDefaultAgentPoolName = "default-agent-pool";
// Pool type whose status upstream never computes (legacy agent pools).
inline constexpr std::string_view kAgentPoolType = "prefect-agent";

struct WorkPool {
  std::string id;
  Timestamp created{};
  Timestamp updated{};
  std::string name;
  std::optional<std::string> description;
  std::string type;
  std::string base_job_template = "{}";
  bool is_paused = false;
  std::optional<std::int64_t> concurrency_limit;
  std::optional<std::string> status;  // READY | NOT_READY | PAUSED
  std::optional<std::string> default_queue_id;
  std::string storage_configuration = "{}";
  std::optional<Timestamp> last_transitioned_status_at;
  std::optional<std::string> last_status_event_id;
  std::optional<std::int64_t> active_slots;  // response only
};

struct WorkPoolCreate {
  std::string name;
  std::optional<std::string> description;
  std::string type = std::string(kAgentPoolType);
  std::string base_job_template = "{}";
  bool is_paused = false;
  std::optional<std::int64_t> concurrency_limit;
  std::string storage_configuration = "{}";
};

// Only the members that were sent apply (upstream exclude_unset).
struct WorkPoolUpdate {
  bool has_description = false;
  std::optional<std::string> description;
  std::optional<bool> is_paused;
  std::optional<std::string> base_job_template;
  bool has_concurrency_limit = false;
  std::optional<std::int64_t> concurrency_limit;
  std::optional<std::string> storage_configuration;
};

struct WorkQueue {
  std::string id;
  Timestamp created{};
  Timestamp updated{};
  std::string name;
  std::optional<std::string> description = std::string();
  bool is_paused = false;
  std::optional<std::int64_t> concurrency_limit;
  std::int64_t priority = 1;
  std::optional<std::string> work_pool_id;
  std::optional<std::string> filter;  // QueueFilter JSON
  std::optional<Timestamp> last_polled;
  std::optional<std::string> work_pool_name;
  std::optional<std::string> status;
  std::optional<std::int64_t> active_slots;  // response only
};

struct WorkQueueCreate {
  std::string name;
  std::optional<std::string> description = std::string();
  bool is_paused = false;
  std::optional<std::int64_t> concurrency_limit;
  std::optional<std::int64_t> priority;
  std::optional<std::string> filter;
};

struct WorkQueueUpdate {
  std::optional<std::string> name;
  bool has_description = false;
  std::optional<std::string> description;
  std::optional<bool> is_paused;
  bool has_concurrency_limit = false;
  std::optional<std::int64_t> concurrency_limit;
  std::optional<std::int64_t> priority;
  bool has_last_polled = false;
  std::optional<Timestamp> last_polled;
  bool has_filter = false;
  std::optional<std::string> filter;
};

struct Worker {
  std::string id;
  Timestamp created{};
  Timestamp updated{};
  std::string name;
  std::string work_pool_id;
  std::optional<Timestamp> last_heartbeat_time;
  std::optional<std::int64_t> heartbeat_interval_seconds;
  std::string status = "OFFLINE";
};

void write_work_pool(core::JsonWriter& w, const WorkPool& pool);
std::string encode_work_pool(const WorkPool& pool);
void write_work_queue(core::JsonWriter& w, const WorkQueue& queue);
std::string encode_work_queue(const WorkQueue& queue);
void write_worker(core::JsonWriter& w, const Worker& worker);
// The storage configuration with its three keys, nulls filled in (WorkPoolStorageConfiguration).
std::string normalize_storage_configuration(std::string_view json);

Result<WorkPoolCreate> decode_work_pool_create(core::JsonElement value, const core::Loc& loc);
Result<WorkPoolUpdate> decode_work_pool_update(core::JsonElement value, const core::Loc& loc);
Result<WorkQueueCreate> decode_work_queue_create(core::JsonElement value, const core::Loc& loc);
Result<WorkQueueUpdate> decode_work_queue_update(core::JsonElement value, const core::Loc& loc);

// upstream validate_base_job_template: "" when `json` (an object) is valid, else the
// message. Every {{ placeholder }} in job_configuration must be a variables property.
std::string base_job_template_error(std::string_view json);

}  // namespace prefectcore::schemas
