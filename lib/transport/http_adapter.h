#pragma once

// The cpp-httplib server with our connection loop. cpp-httplib 0.11 has no WebSocket
// support and reads bodies without the limits we need, so this subclass overrides
// process_and_close_socket: it keeps the connection alive itself over a SocketStream,
// looks at each request head first (WebSocket upgrade, body framing, 413 for an oversize
// Content-Length without reading the body), and lets cpp-httplib's process_request parse
// the head and write the response. Our pre-routing handler reads the body with our limits
// and calls the HttpHandlerFn.

#include <atomic>
#include <chrono>

#include <httplib.h>

#include <prefectcore/http_server.h>

#include "lib/core/internal.h"
#include "lib/transport/socket_stream.h"
#include "lib/transport/websocket_hub.h"

namespace prefectcore::transport {

class HttpAdapter final : public httplib::Server {
 public:
  // Borrows `hub` and `stop_fd` (an eventfd the owner makes readable at stop).
  HttpAdapter(HttpHandlerFn handler, WebSocketAcceptFn websocket, const HttpServerOptions& options,
              WebSocketHub& hub, int stop_fd);

  // From now on responses close their connection and upgrades are refused.
  void begin_stop() { stopping_.store(true); }

 private:
  bool process_and_close_socket(socket_t sock) override;
  // Serves requests until the connection should close; true if the socket was handed
  // to the WebSocket hub.
  bool serve(SocketStream& strm);
  bool serve_upgrade(SocketStream& strm, const RequestHead& head);
  HandlerResponse route(const httplib::Request& req, httplib::Response& res);
  HandlerResponse on_error(const httplib::Request& req, httplib::Response& res);
  // Answers with `response`, closes our side and drains the peer; always false.
  bool reply_and_close(SocketStream& strm, const HttpResponse& response);

  HttpHandlerFn handler_;
  WebSocketAcceptFn websocket_;
  WebSocketHub& hub_;
  const int stop_fd_;
  const std::chrono::milliseconds keepalive_;
  const std::chrono::milliseconds io_timeout_;
  const std::uint64_t max_body_;
  std::atomic<bool> stopping_{false};
};

}  // namespace prefectcore::transport
