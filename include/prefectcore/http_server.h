#pragma once

// The HTTP + WebSocket transport: serves a Server (or any handler pair) on a TCP port
// with cpp-httplib. It copies requests into HttpRequest and responses out of
// HttpResponse; every HTTP semantic (routing, CORS, errors) belongs to the handler. It
// adds only what a socket needs: keep-alive with an idle timeout, a connection bound,
// a request body limit (413), and RFC 6455 WebSockets served by one hub thread.
//
// Thread-safety: thread-safe. start() returns once the port is listening; serving runs on
// the transport's own threads. Handlers are called concurrently from many threads.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <prefectcore/http.h>
#include <prefectcore/server.h>
#include <prefectcore/settings.h>
#include <prefectcore/status.h>

namespace prefectcore {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 4200;  // 0: an ephemeral port, see HttpServer::port()
  // Concurrent HTTP connections (each holds a thread while open) and, separately,
  // concurrent WebSocket sessions. Connections past the bound get 503 and are closed.
  int max_clients = 1000;
  double keepalive_timeout = 5;  // seconds an idle keep-alive connection stays open
  double io_timeout = 30;        // seconds of silence tolerated inside a request
  std::int64_t max_request_body_bytes = 16 * 1024 * 1024;       // 413 above
  std::int64_t websocket_max_message_bytes = 16 * 1024 * 1024;  // close 1009 above
  std::int64_t websocket_max_buffered_bytes = 8 * 1024 * 1024;  // send_text fails above
  double websocket_ping_interval = 20;  // seconds; 0 disables keep-alive pings
  double websocket_ping_timeout = 20;   // no pong within this closes with 1011

  // The options Settings ask for: api.host, api.port, api.max_clients,
  // api.keepalive_timeout, api.max_request_body_bytes, api.websocket_max_message_bytes,
  // api.websocket_ping_interval and api.websocket_ping_timeout.
  static HttpServerOptions from_settings(const Settings& settings);
};

// Answers one HTTP request; called on a connection thread.
using HttpHandlerFn = std::function<HttpResponse(const HttpRequest&)>;
// Decides a WebSocket upgrade; called on a connection thread. Handler callbacks of an
// accepted session then run on the transport's WebSocket thread.
using WebSocketAcceptFn = std::function<WebSocketAccept(const HttpRequest&)>;

class HttpServer {
 public:
  // Serves `server` (borrowed; it must outlive the HttpServer) through Server::handle and
  // Server::accept_websocket. Errors: kInvalidArgument for bad options, kUnavailable when
  // the address cannot be bound, kInternal when threads or descriptors cannot be made.
  static Result<std::unique_ptr<HttpServer>> start(Server& server, HttpServerOptions options);
  // Serves plain functions. A null `websocket` answers every upgrade with 404.
  static Result<std::unique_ptr<HttpServer>> start(HttpHandlerFn handler,
                                                   WebSocketAcceptFn websocket,
                                                   HttpServerOptions options);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the ephemeral one when options.port was 0).
  int port() const;
  const std::string& host() const;

  // Graceful stop: stops accepting, lets in-flight requests finish (answered with
  // Connection: close), closes idle keep-alive connections, closes WebSocket sessions
  // with 1001 (waiting briefly for their close handshakes; on_close runs for each), then
  // returns. Idempotent; concurrent callers all return once the stop is complete. Must not
  // be called from a handler or WebSocket callback (it waits for them).
  void stop();
  // Blocks until stop() has completed (from another thread).
  void wait();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace prefectcore
