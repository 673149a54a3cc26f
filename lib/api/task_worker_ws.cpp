// WS /task_runs/subscriptions/scheduled (upstream api/task_runs.py
// scheduled_task_subscription, inventory §3.5): after the Prefect handshake a task worker
// sends {"type":"subscribe","keys":[task_key,...],"client_id":...}; the server then sends it
// one background task run (the bare TaskRun JSON) at a time and waits for {"type":"ack"}.
// {"type":"quit"} closes; anything else is a protocol violation (4001). A run the worker did
// not acknowledge goes back on the retry queue when the socket closes.

#include <memory>
#include <vector>

#include "lib/api/prefect_socket.h"
#include "lib/api/routes.h"
#include "lib/core/json.h"
#include "lib/services/task_queue.h"

namespace prefectcore::api {
namespace {

constexpr int kProtocolViolation = 4001;

struct Subscribe {
  std::vector<std::string> keys;
  std::string client_id;
};

// The subscribe message, or the reason to close.
std::variant<Subscribe, std::string> read_subscribe(std::string_view message) {
  auto doc = core::JsonDocument::parse(message);
  std::string_view type;
  if (!doc || doc->root()["type"].get_string().get(type) != simdjson::SUCCESS ||
      type != "subscribe") {
    return std::string("Protocol violation: expected 'subscribe' message");
  }
  Subscribe out;
  core::JsonArray keys;
  if (doc->root()["keys"].get_array().get(keys) == simdjson::SUCCESS) {
    for (core::JsonElement key : keys) {
      std::string_view s;
      if (key.get_string().get(s) != simdjson::SUCCESS) {
        out.keys.clear();
        break;
      }
      out.keys.emplace_back(s);
    }
  }
  if (out.keys.empty()) {
    return std::string("Protocol violation: expected 'keys' in subscribe message");
  }
  std::string_view client_id;
  if (doc->root()["client_id"].get_string().get(client_id) != simdjson::SUCCESS ||
      client_id.empty()) {
    return std::string("Protocol violation: expected 'client_id' in subscribe message");
  }
  out.client_id = std::string(client_id);
  return out;
}

class TaskWorkerHandler final : public PrefectSocketHandler {
 public:
  TaskWorkerHandler(std::shared_ptr<WebSocketSession> session, services::TaskQueue& queue)
      : PrefectSocketHandler(std::move(session)), queue_(queue) {}
  ~TaskWorkerHandler() override { on_close(1006); }

  void on_close(int /*code*/) override {
    if (token_ != 0) {
      queue_.unsubscribe(token_);
      token_ = 0;
    }
  }

 protected:
  void on_socket_message(std::string_view message) override {
    if (!subscribed_) {
      auto subscribe = read_subscribe(message);
      if (auto* reason = std::get_if<std::string>(&subscribe)) {
        session().close(kProtocolViolation, *reason);
        return;
      }
      subscribed_ = true;
      auto& s = std::get<Subscribe>(subscribe);
      std::weak_ptr<WebSocketSession> weak = shared_session();
      token_ = queue_.subscribe(std::move(s.keys), std::move(s.client_id),
                                [weak](const std::string& json) {
                                  auto session = weak.lock();
                                  return session && session->send_text(json);
                                });
      return;
    }
    auto type = message_string(message, "type");
    if (type && *type == "ack") {
      queue_.ack(token_);
    } else if (type && *type == "quit") {
      queue_.quit(token_);  // upstream returns without retrying the unacknowledged run
      token_ = 0;
      session().close(1000, "");
    } else {
      // The run it holds goes to the retry queue in on_close.
      session().close(kProtocolViolation, "Protocol violation: expected 'ack' message");
    }
  }

 private:
  services::TaskQueue& queue_;
  bool subscribed_ = false;
  std::uint64_t token_ = 0;
};

WebSocketAccept scheduled_task_subscription(RequestContext& rc) {
  services::TaskQueue* queue = rc.api.task_queue;
  if (!queue) {
    WebSocketAccept refused;
    refused.reject = HttpResponse::json(503, R"({"exception_message":"Service Unavailable"})");
    return refused;
  }
  return accept_prefect_socket(rc, [queue](std::shared_ptr<WebSocketSession> session) {
    return std::make_unique<TaskWorkerHandler>(std::move(session), *queue);
  });
}

}  // namespace

void register_task_worker_websockets(WebSocketRoutes& routes) {
  routes.add("/task_runs/subscriptions/scheduled", scheduled_task_subscription);
}

}  // namespace prefectcore::api
