#include "lib/api/prefect_socket.h"

#include <algorithm>

#include "lib/api/websockets.h"
#include "lib/core/json.h"

namespace prefectcore::api {
namespace {

bool constant_time_equals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

// A legacy socket refused because auth is required: it was closed on open.
class RefusedHandler final : public WebSocketHandler {
 public:
  void on_message(std::string_view, bool) override {}
  void on_close(int) override {}
};

}  // namespace

std::optional<std::string> message_string(std::string_view message, std::string_view key) {
  auto doc = core::JsonDocument::parse(message);
  if (!doc) {
    return std::nullopt;
  }
  std::string_view value;
  if (doc->root()[key].get_string().get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return std::string(value);
}

void PrefectSocketHandler::on_message(std::string_view message, bool /*binary*/) {
  if (authenticated_) {
    on_socket_message(message);
    return;
  }
  auto type = message_string(message, "type");
  if (!type || *type != "auth") {
    session_->close(1008, "Expected 'auth' message");
    return;
  }
  if (auth_string_) {
    auto token = message_string(message, "token");
    if (!token || token->empty()) {
      session_->close(1008, "Auth required but no token provided");
      return;
    }
    if (!constant_time_equals(*token, *auth_string_)) {
      session_->close(1008, "Invalid token");
      return;
    }
  }
  authenticated_ = true;
  session_->send_text(R"({"type":"auth_success"})");
  on_authenticated();
}

WebSocketAccept accept_prefect_socket(
    RequestContext& rc,
    std::function<std::unique_ptr<PrefectSocketHandler>(std::shared_ptr<WebSocketSession>)> make) {
  WebSocketAccept accept;
  const auto offered = offered_subprotocols(rc.request);
  const bool prefect = std::find(offered.begin(), offered.end(), "prefect") != offered.end();
  std::optional<std::string> auth = rc.api.settings.api.auth_string;
  if (auth && auth->empty()) {
    auth.reset();
  }
  if (prefect) {
    accept.subprotocol = "prefect";
  }
  accept.open =
      [make = std::move(make), prefect,
       auth](std::shared_ptr<WebSocketSession> session) -> std::unique_ptr<WebSocketHandler> {
    if (!prefect && auth) {
      session->close(1002, "");
      return std::make_unique<RefusedHandler>();
    }
    std::unique_ptr<PrefectSocketHandler> handler = make(session);
    handler->auth_string_ = auth;
    if (!prefect) {
      handler->authenticated_ = true;
      handler->on_authenticated();
    }
    return handler;
  };
  return accept;
}

}  // namespace prefectcore::api
