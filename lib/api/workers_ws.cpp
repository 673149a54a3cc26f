// WS /work_pools/{work_pool_name}/workers/connect (upstream api/workers.py
// worker_channel_connect, client/schemas/worker_channel.py): the `prefect` subprotocol and
// auth handshake, then worker.hello.v1 -> worker.ready.v1 (with the pool snapshot), then
// worker.heartbeat.v1 frames persisted as REST heartbeats, and work_pool.snapshot.v1 frames
// pushed when the pool or its queues change. Cleanup delivery is not offered (as upstream
// without a cleanup queue), so only the two required capabilities are accepted.

#include <mutex>

#include <fmt/format.h>

#include "lib/api/prefect_socket.h"
#include "lib/api/routes.h"
#include "lib/api/websockets.h"
#include "lib/api/work_pools_common.h"
#include "lib/core/json_writer.h"
#include "lib/core/time.h"
#include "lib/models/work_pools.h"
#include "lib/models/work_queues.h"
#include "lib/models/workers.h"
#include "lib/schemas/decoder.h"

namespace prefectcore::api {
namespace {

constexpr std::string_view kChannelVersion = "work_pool_worker_channel.v1";

// upstream WORKER_CHANNEL_CLOSE_POLICIES: the close code of each reason.
struct CloseReason {
  int code;
  std::string_view reason;
};
constexpr CloseReason kAuthorizationFailed{1008, "authorization_failed"};
constexpr CloseReason kUnsupportedVersion{1008, "unsupported_version"};
constexpr CloseReason kProtocolError{1002, "protocol_error"};
constexpr CloseReason kHeartbeatFailed{1011, "heartbeat_persistence_failed"};
constexpr CloseReason kTransientError{1011, "transient_server_error"};

struct Hello {
  std::string consumer_id;
  std::string worker_name;
  std::string worker_type;
  std::int64_t heartbeat_interval_seconds = 0;
  std::vector<std::string> versions;
  std::vector<std::string> capabilities;
  std::vector<std::string> queue_names;
  bool create_pool_if_not_found = false;
  std::string default_base_job_template = "{}";
};

std::vector<std::string> strings(core::JsonElement e) {
  std::vector<std::string> out;
  core::JsonArray arr;
  if (!e.get_array().get(arr)) {
    for (auto item : arr) {
      std::string_view s;
      if (!item.get_string().get(s) && !s.empty()) {
        out.emplace_back(s);
      }
    }
  }
  return out;
}

// The frame envelope {type, id, sent_at, payload}; nullopt when malformed.
std::optional<core::JsonElement> frame_payload(const core::JsonDocument& doc,
                                               std::string_view type) {
  std::string_view t;
  core::JsonElement payload;
  if (!doc.root().is_object() || doc.root()["type"].get_string().get(t) || t != type ||
      doc.root()["payload"].get(payload) || !payload.is_object()) {
    return std::nullopt;
  }
  return payload;
}

std::optional<Hello> parse_hello(const core::JsonDocument& doc) {
  auto payload = frame_payload(doc, "worker.hello.v1");
  if (!payload) {
    return std::nullopt;
  }
  core::ValidationErrors errors;
  schemas::ObjectDecoder d(*payload, {}, errors, "WorkerHelloPayload");
  Hello h;
  h.consumer_id = d.uuid("consumer_id").value_or("");
  h.worker_name = d.required_string("worker_name").value_or("");
  h.worker_type = d.required_string("worker_type").value_or("");
  h.heartbeat_interval_seconds = d.integer("heartbeat_interval_seconds", 1).value_or(0);
  h.create_pool_if_not_found = d.boolean("create_pool_if_not_found").value_or(false);
  h.default_base_job_template = d.object_json("default_base_job_template").value_or("{}");
  for (auto [key, out] : {std::pair{"supported_channel_versions", &h.versions},
                          std::pair{"requested_capabilities", &h.capabilities},
                          std::pair{"work_queue_names", &h.queue_names}}) {
    if (auto m = d.member(key)) {
      *out = strings(*m);
    }
  }
  auto requested = [&](std::string_view c) {
    return std::find(h.capabilities.begin(), h.capabilities.end(), c) != h.capabilities.end();
  };
  if (!errors.empty() || h.consumer_id.empty() || h.worker_name.empty() || h.worker_type.empty() ||
      h.heartbeat_interval_seconds <= 0 || h.versions.empty() ||
      !requested("worker_heartbeat.v1") || !requested("work_pool_snapshot.v1")) {
    return std::nullopt;
  }
  return h;
}

void write_snapshot(core::JsonWriter& w, std::int64_t sequence, std::string_view reason,
                    const schemas::WorkPool& pool) {
  w.begin_object().key("snapshot_sequence").integer(sequence).key("reason").string(reason);
  w.key("work_pool");
  schemas::write_work_pool(w, pool);
  w.end_object();
}

std::string frame(core::IdGenerator& ids, Timestamp now, std::string_view type,
                  const std::function<void(core::JsonWriter&)>& payload) {
  std::string out;
  core::JsonWriter w(out);
  w.begin_object().key("type").string(type).key("id").string(ids.ordered_id(now));
  w.key("sent_at").time(now).key("payload");
  payload(w);
  w.end_object();
  return out;
}

// What the bus callback shares with the handler: it may outlive the handler by one call.
struct ChannelState {
  std::mutex mutex;
  std::shared_ptr<WebSocketSession> session;
  ApiContext* api = nullptr;
  std::string pool_id;
  std::int64_t next_sequence = 2;
  bool closed = false;
};

// Reads the pool and sends a snapshot, or closes the channel when the pool is gone.
void push_snapshot(ChannelState& state, std::string_view reason) {
  std::lock_guard lock(state.mutex);
  if (state.closed || state.api->db == nullptr) {
    return;
  }
  auto tx = state.api->db->begin(TxMode::kRead);
  if (!tx) {
    return;
  }
  models::WorkPoolRepository repo(**tx);
  auto pool = repo.find(state.pool_id);
  if (!pool) {
    return;
  }
  if (!*pool) {
    state.closed = true;
    state.session->close(kAuthorizationFailed.code, std::string(kAuthorizationFailed.reason));
    return;
  }
  std::vector<schemas::WorkPool> one = {**pool};
  if (!repo.fill_active_slots(one).ok()) {
    return;
  }
  const std::int64_t seq = state.next_sequence++;
  state.session->send_text(
      frame(state.api->ids, state.api->clock.now(), "work_pool.snapshot.v1",
            [&](core::JsonWriter& w) { write_snapshot(w, seq, reason, one.front()); }));
}

// upstream publishes a snapshot invalidation on pool update/delete and queue
// create/update/delete; our events for those carry the pool as resource or related.
std::optional<std::string_view> snapshot_reason(const events::Event& e, const std::string& pool) {
  const std::string pool_resource = "prefect.work-pool." + pool;
  bool for_pool = e.resource_id() == pool_resource;
  for (const auto& related : e.related) {
    const std::string* id = events::find_label(related, "prefect.resource.id");
    for_pool = for_pool || (id && *id == pool_resource);
  }
  if (!for_pool) {
    return std::nullopt;
  }
  if (e.event == "prefect.work-pool.deleted") {
    return "work_pool_deleted";
  }
  if (e.event == "prefect.work-pool.updated" || e.event == "prefect.work-pool.paused") {
    return "work_pool_updated";
  }
  if (e.event == "prefect.work-queue.created") {
    return "work_queue_created";
  }
  if (e.event == "prefect.work-queue.updated" || e.event == "prefect.work-queue.paused") {
    return "work_queue_updated";
  }
  if (e.event == "prefect.work-queue.deleted") {
    return "work_queue_deleted";
  }
  return std::nullopt;
}

class WorkerChannel final : public PrefectSocketHandler {
 public:
  WorkerChannel(std::shared_ptr<WebSocketSession> session, ApiContext& api, std::string pool)
      : PrefectSocketHandler(session), api_(api), pool_name_(std::move(pool)) {
    state_->session = std::move(session);
    state_->api = &api;
  }
  ~WorkerChannel() override { stop(); }

  void on_close(int /*code*/) override { stop(); }

 protected:
  void on_socket_message(std::string_view message) override {
    auto doc = core::JsonDocument::parse(message);
    if (!doc) {
      return close(kProtocolError);
    }
    if (!ready_) {
      return on_hello(*doc);
    }
    on_heartbeat(*doc);
  }

 private:
  void close(CloseReason r) {
    stop();
    session().close(r.code, std::string(r.reason));
  }

  void stop() {
    if (token_) {
      api_.events.unsubscribe(*token_);
      token_.reset();
    }
    std::lock_guard lock(state_->mutex);
    state_->closed = true;
  }

  void on_hello(const core::JsonDocument& doc) {
    auto hello = parse_hello(doc);
    if (!hello) {
      return close(kProtocolError);
    }
    if (std::find(hello->versions.begin(), hello->versions.end(), kChannelVersion) ==
        hello->versions.end()) {
      return close(kUnsupportedVersion);
    }
    if (api_.db == nullptr) {
      return close(kTransientError);
    }
    auto sink = models::EventSink{api_.ids, api_.clock.now(), {}};
    std::optional<CloseReason> failure;
    auto ready = build_ready(*hello, sink, failure);
    if (!ready) {
      return close(failure.value_or(kTransientError));
    }
    publish_events(api_, sink);
    consumer_id_ = hello->consumer_id;
    worker_name_ = hello->worker_name;
    ready_ = true;
    session().send_text(std::move(*ready));
    auto state = state_;
    const std::string pool_id = state_->pool_id;
    token_ = api_.events.subscribe([state, pool_id](const std::vector<events::EventPtr>& items) {
      for (const auto& e : items) {
        if (auto reason = snapshot_reason(*e, pool_id)) {
          push_snapshot(*state, *reason);
        }
      }
    });
  }

  // The setup transaction: resolve (or create) the pool and the queues, adopt the worker's
  // default base job template when the pool has none, record the first heartbeat.
  std::optional<std::string> build_ready(const Hello& hello, models::EventSink& sink,
                                         std::optional<CloseReason>& failure) {
    auto tx = api_.db->begin(TxMode::kWrite);
    if (!tx) {
      return std::nullopt;
    }
    models::WorkPoolRepository pools(**tx);
    auto found = pools.find_by_name(pool_name_);
    if (!found) {
      return std::nullopt;
    }
    std::optional<schemas::WorkPool> pool = std::move(*found);
    if (!pool) {
      if (!hello.create_pool_if_not_found || is_reserved_pool_name(pool_name_)) {
        failure = kAuthorizationFailed;
        return std::nullopt;
      }
      schemas::WorkPoolCreate create;
      create.name = pool_name_;
      create.type = hello.worker_type;
      create.base_job_template = hello.default_base_job_template;
      create.storage_configuration = schemas::normalize_storage_configuration("{}");
      auto created = pools.create(create, sink);
      if (!created) {
        return std::nullopt;
      }
      pool = std::move(*created);
    } else if (pool->base_job_template == "{}" && hello.default_base_job_template != "{}") {
      schemas::WorkPoolUpdate update;
      update.base_job_template = hello.default_base_job_template;
      if (!pools.update(*pool, update, sink).ok()) {
        return std::nullopt;
      }
    }
    models::WorkQueueRepository queue_repo(**tx);
    std::vector<schemas::WorkQueue> queues;
    if (hello.queue_names.empty()) {
      auto all = queue_repo.list_in_pool(pool->id, {}, 1'000'000, 0);
      if (!all) {
        return std::nullopt;
      }
      queues = std::move(*all);
    }
    for (const auto& name : hello.queue_names) {
      auto q = queue_repo.find_in_pool(pool_name_, name);
      if (!q || !*q) {
        failure = q ? std::optional(kAuthorizationFailed) : std::nullopt;
        return std::nullopt;
      }
      queues.push_back(std::move(**q));
    }
    if (!models::WorkerRepository(**tx)
             .heartbeat(*pool, hello.worker_name, hello.heartbeat_interval_seconds, sink)
             .ok()) {
      failure = kHeartbeatFailed;
      return std::nullopt;
    }
    auto refreshed = pools.find(pool->id);
    if (!refreshed || !*refreshed) {
      return std::nullopt;
    }
    std::vector<schemas::WorkPool> one = {std::move(**refreshed)};
    if (!pools.fill_active_slots(one).ok() || !(*tx)->commit().ok()) {
      return std::nullopt;
    }
    state_->pool_id = one.front().id;
    return frame(api_.ids, sink.now, "worker.ready.v1", [&](core::JsonWriter& w) {
      w.begin_object().key("consumer_id").string(hello.consumer_id).key("worker_id").null();
      w.key("selected_channel_version").string(kChannelVersion);
      w.key("effective_heartbeat_interval_seconds").integer(hello.heartbeat_interval_seconds);
      w.key("accepted_capabilities").string_array({"worker_heartbeat.v1", "work_pool_snapshot.v1"});
      std::vector<std::string> rejected;
      for (const auto& c : hello.capabilities) {
        if (c != "worker_heartbeat.v1" && c != "work_pool_snapshot.v1" &&
            std::find(rejected.begin(), rejected.end(), c) == rejected.end()) {
          rejected.push_back(c);
        }
      }
      w.key("rejected_capabilities").string_array(rejected);
      w.key("effective_max_cleanup_concurrency").integer(0);
      w.key("resolved_work_queues").begin_array();
      for (const auto& q : queues) {
        w.begin_object().key("id").string(q.id).key("name").string(q.name).end_object();
      }
      w.end_array();
      w.key("initial_snapshot");
      write_snapshot(w, 1, "initial", one.front());
      w.end_object();
    });
  }

  void on_heartbeat(const core::JsonDocument& doc) {
    auto payload = frame_payload(doc, "worker.heartbeat.v1");
    std::string_view consumer;
    std::string_view name;
    std::int64_t interval = 0;
    if (!payload || (*payload)["consumer_id"].get_string().get(consumer) ||
        (*payload)["worker_name"].get_string().get(name) ||
        (*payload)["heartbeat_interval_seconds"].get_int64().get(interval) || interval <= 0 ||
        consumer != consumer_id_ || name != worker_name_) {
      return close(kProtocolError);
    }
    auto sink = models::EventSink{api_.ids, api_.clock.now(), {}};
    auto persisted = [&]() -> Status {
      PC_ASSIGN_OR_RETURN(auto tx, api_.db->begin(TxMode::kWrite));
      PC_ASSIGN_OR_RETURN(auto pool, models::WorkPoolRepository(*tx).get_by_name(pool_name_));
      PC_RETURN_IF_ERROR(
          models::WorkerRepository(*tx).heartbeat(pool, worker_name_, interval, sink));
      return tx->commit();
    }();
    if (!persisted.ok()) {
      return close(kHeartbeatFailed);
    }
    publish_events(api_, sink);
  }

  ApiContext& api_;
  std::string pool_name_;
  std::shared_ptr<ChannelState> state_ = std::make_shared<ChannelState>();
  std::optional<std::uint64_t> token_;
  std::string consumer_id_;
  std::string worker_name_;
  bool ready_ = false;
};

// Without the `prefect` subprotocol the channel is refused after the upgrade (1008), as
// upstream's accept_prefect_socket(require_prefect_subprotocol=True).
class RefusedChannel final : public WebSocketHandler {
 public:
  void on_message(std::string_view, bool) override {}
  void on_close(int) override {}
};

WebSocketAccept connect_worker_channel(RequestContext& rc) {
  const auto offered = offered_subprotocols(rc.request);
  if (std::find(offered.begin(), offered.end(), "prefect") == offered.end()) {
    WebSocketAccept accept;
    accept.open = [](std::shared_ptr<WebSocketSession> session) {
      session->close(1008, "authentication_failed");
      return std::unique_ptr<WebSocketHandler>(std::make_unique<RefusedChannel>());
    };
    return accept;
  }
  ApiContext* api = &rc.api;
  std::string pool = rc.param("work_pool_name");
  return accept_prefect_socket(rc, [api, pool](std::shared_ptr<WebSocketSession> session) {
    return std::make_unique<WorkerChannel>(std::move(session), *api, pool);
  });
}

}  // namespace

void register_worker_channel(WebSocketRoutes& routes) {
  routes.add("/work_pools/{work_pool_name}/workers/connect", connect_worker_channel);
}

}  // namespace prefectcore::api
