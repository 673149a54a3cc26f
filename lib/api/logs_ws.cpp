// WS /logs/out (upstream api/logs.py stream_logs_out and logs/stream.py, inventory §3.6):
// after the Prefect handshake the client sends {"type":"filter","filter": LogFilter}; the
// server then sends {"type":"log","log": Log} for every log stored from then on that the
// filter matches. There is no backfill. As upstream, logs flow only when
// logs.stream_out_enabled (the distributor) is on, and POST /logs/ publishes them only when
// logs.stream_publishing_enabled is; otherwise the socket stays open and silent.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/api/prefect_socket.h"
#include "lib/api/routes.h"
#include "lib/core/json.h"
#include "lib/core/time.h"
#include "lib/core/uuid.h"
#include "lib/models/logs.h"

namespace prefectcore::api {
namespace {

constexpr int kProtocolError = 1002;

// The parts of a LogFilter upstream's log_matches_filter checks in memory.
struct LiveLogFilter {
  std::optional<std::int64_t> level_ge, level_le;
  std::optional<Timestamp> before, after;
  std::optional<std::vector<std::string>> flow_run_ids, task_run_ids;
  std::optional<bool> task_run_is_null;

  bool matches(const events::LogRecord& log) const {
    auto in = [](const std::optional<std::string>& id, const std::vector<std::string>& ids) {
      return id && std::find(ids.begin(), ids.end(), core::normalize_uuid(*id).value_or(*id)) !=
                       ids.end();
    };
    return !(level_ge && log.level < *level_ge) && !(level_le && log.level > *level_le) &&
           !(before && log.timestamp > *before) && !(after && log.timestamp < *after) &&
           !(flow_run_ids && !in(log.flow_run_id, *flow_run_ids)) &&
           !(task_run_ids && !in(log.task_run_id, *task_run_ids)) &&
           !(task_run_is_null && *task_run_is_null != !log.task_run_id.has_value());
  }
};

// Reads an already validated LogFilter.
LiveLogFilter live_filter(core::JsonElement filter) {
  LiveLogFilter f;
  auto member = [&](std::string_view field,
                    std::string_view op) -> std::optional<core::JsonElement> {
    core::JsonElement v;
    if (filter[field][op].get(v) != simdjson::SUCCESS || v.is_null()) {
      return std::nullopt;
    }
    return v;
  };
  auto integer = [](core::JsonElement v) { return v.get_int64().value_unsafe(); };
  auto time = [](core::JsonElement v) -> std::optional<Timestamp> {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    auto t = core::parse_time(s);
    return t ? std::optional<Timestamp>(*t) : std::nullopt;
  };
  auto ids = [](core::JsonElement v) {
    std::vector<std::string> out;
    core::JsonArray items;
    if (v.get_array().get(items) == simdjson::SUCCESS) {
      for (core::JsonElement item : items) {
        std::string_view s;
        if (item.get_string().get(s) == simdjson::SUCCESS) {
          out.push_back(core::normalize_uuid(s).value_or(std::string(s)));
        }
      }
    }
    return out;
  };
  if (auto v = member("level", "ge_")) f.level_ge = integer(*v);
  if (auto v = member("level", "le_")) f.level_le = integer(*v);
  if (auto v = member("timestamp", "before_")) f.before = time(*v);
  if (auto v = member("timestamp", "after_")) f.after = time(*v);
  if (auto v = member("flow_run_id", "any_")) f.flow_run_ids = ids(*v);
  if (auto v = member("task_run_id", "any_")) f.task_run_ids = ids(*v);
  if (auto v = member("task_run_id", "is_null_")) f.task_run_is_null = v->get_bool().value_unsafe();
  return f;
}

class LogsOutHandler final : public PrefectSocketHandler {
 public:
  LogsOutHandler(std::shared_ptr<WebSocketSession> session, events::LogBus& bus,
                 bool stream_out_enabled)
      : PrefectSocketHandler(std::move(session)), bus_(bus), enabled_(stream_out_enabled) {}
  ~LogsOutHandler() override { on_close(1006); }

  void on_close(int /*code*/) override {
    if (token_) {
      bus_.unsubscribe(*token_);
      token_.reset();
    }
  }

 protected:
  void on_socket_message(std::string_view message) override {
    if (filtered_) {
      return;  // upstream reads nothing more once streaming
    }
    auto doc = core::JsonDocument::parse(message);
    std::string_view type;
    if (!doc || doc->root()["type"].get_string().get(type) != simdjson::SUCCESS ||
        type != "filter") {
      session().close(kProtocolError, "Expected 'filter' message");
      return;
    }
    core::JsonElement filter;
    if (doc->root()["filter"].get(filter) != simdjson::SUCCESS) {
      session().close(kProtocolError, "Invalid filter: 'filter'");
      return;
    }
    auto valid = models::compile_log_filter(filter, {std::string("filter")}, Dialect{});
    if (!valid || filter.is_null()) {
      session().close(kProtocolError,
                      "Invalid filter: " + (valid ? std::string("Input should be an object")
                                                  : valid.error().message()));
      return;
    }
    filtered_ = true;
    if (!enabled_) {
      return;  // no distributor: nothing is ever delivered
    }
    auto live = std::make_shared<const LiveLogFilter>(live_filter(filter));
    std::weak_ptr<WebSocketSession> weak = shared_session();
    token_ = bus_.subscribe([weak, live](const std::vector<events::LogBus::Item>& logs) {
      auto session = weak.lock();
      if (!session) {
        return;
      }
      for (const auto& log : logs) {
        if (live->matches(*log)) {
          // A full outgoing buffer drops the log, as upstream's 256-deep backlog does.
          session->send_text(R"({"type":"log","log":)" + log->json + "}");
        }
      }
    });
  }

 private:
  events::LogBus& bus_;
  const bool enabled_;
  bool filtered_ = false;
  std::optional<std::uint64_t> token_;
};

WebSocketAccept stream_logs_out(RequestContext& rc) {
  events::LogBus& bus = rc.api.logs;
  const bool enabled = rc.api.settings.logs.stream_out_enabled;
  return accept_prefect_socket(rc, [&bus, enabled](std::shared_ptr<WebSocketSession> session) {
    return std::make_unique<LogsOutHandler>(std::move(session), bus, enabled);
  });
}

}  // namespace

void register_log_websockets(WebSocketRoutes& routes) { routes.add("/logs/out", stream_logs_out); }

}  // namespace prefectcore::api
