#pragma once

// The start every Prefect WebSocket shares (upstream utilities/subscriptions.py
// accept_prefect_socket, inventory §3.1). A client offering the `prefect` subprotocol is
// accepted with it and must first send {"type":"auth","token":...}: the token must equal the
// raw auth string when one is configured; the server answers {"type":"auth_success"} or
// closes with 1008. A client offering no subprotocol is accepted without the handshake
// (legacy clients), unless an auth string is configured: then it is closed with 1002.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <prefectcore/http.h>
#include <prefectcore/settings.h>

#include "lib/api/context.h"
#include "lib/core/internal.h"

namespace prefectcore::api {

// A handler whose messages after the handshake go to on_socket_message. Callbacks run on
// the transport's WebSocket thread, one at a time per session.
class PrefectSocketHandler : public WebSocketHandler {
 public:
  explicit PrefectSocketHandler(std::shared_ptr<WebSocketSession> session)
      : session_(std::move(session)) {}

  void on_message(std::string_view message, bool binary) final;

 protected:
  // The first message after authentication, then every later one.
  virtual void on_socket_message(std::string_view message) = 0;
  // The handshake succeeded (or was skipped).
  virtual void on_authenticated() {}

  WebSocketSession& session() { return *session_; }
  const std::shared_ptr<WebSocketSession>& shared_session() const { return session_; }

 private:
  friend WebSocketAccept accept_prefect_socket(
      RequestContext& rc,
      std::function<std::unique_ptr<PrefectSocketHandler>(std::shared_ptr<WebSocketSession>)> make);
  std::shared_ptr<WebSocketSession> session_;
  std::optional<std::string> auth_string_;
  bool authenticated_ = false;
};

// Accepts the upgrade as above; `make` builds the endpoint's handler once the socket is open.
WebSocketAccept accept_prefect_socket(
    RequestContext& rc,
    std::function<std::unique_ptr<PrefectSocketHandler>(std::shared_ptr<WebSocketSession>)> make);

// The string member `key` of a JSON object message, or nullopt (not JSON, not an object, no
// such string member).
std::optional<std::string> message_string(std::string_view message, std::string_view key);

}  // namespace prefectcore::api
