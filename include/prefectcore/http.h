#pragma once

// Transport-neutral HTTP and WebSocket types. The library owns HTTP semantics through
// Server::handle; transports (the cpp-httplib adapter, the in-process test client) copy
// fields in and out of these structs.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace prefectcore {

// Header names compare case-insensitively.
class Headers {
 public:
  void set(std::string name, std::string value);
  void add(std::string name, std::string value);
  // The first value of `name`, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct HttpRequest {
  std::string method;  // upper-case: GET, POST, ...
  std::string path;    // without the query string, percent-decoded by the transport
  std::vector<std::pair<std::string, std::string>> query;  // decoded key/value pairs
  Headers headers;
  std::string body;
  std::string remote_addr;

  // The first value of query parameter `name`, or nullopt.
  std::optional<std::string_view> query_param(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;

  // A response with a JSON body and Content-Type application/json.
  static HttpResponse json(int status, std::string body);
  // A response with no body (204 and friends).
  static HttpResponse empty(int status);
};

// One upgraded WebSocket connection, implemented by the transport. Thread-safe: send and
// close may be called from any thread, also after the peer went away (they then do nothing).
class WebSocketSession {
 public:
  WebSocketSession() = default;
  WebSocketSession(const WebSocketSession&) = delete;
  WebSocketSession& operator=(const WebSocketSession&) = delete;
  virtual ~WebSocketSession() = default;

  // Queues a text frame. Returns false if the session is closed or its outgoing buffer is
  // over its bound (a slow peer); the caller may then drop the session.
  virtual bool send_text(std::string text) = 0;
  // Starts the close handshake with `code` (RFC 6455 §7.4) and `reason`.
  virtual void close(int code, std::string reason) = 0;
  virtual bool is_open() const = 0;
};

// What an endpoint does with an accepted WebSocket. Callbacks run on the transport's
// WebSocket thread, one at a time per session; they must not block for long.
class WebSocketHandler {
 public:
  WebSocketHandler() = default;
  WebSocketHandler(const WebSocketHandler&) = delete;
  WebSocketHandler& operator=(const WebSocketHandler&) = delete;
  virtual ~WebSocketHandler() = default;

  // A complete (reassembled) text or binary message from the peer.
  virtual void on_message(std::string_view message, bool binary) = 0;
  // The connection is gone (close handshake, error or server shutdown). Called once.
  virtual void on_close(int code) = 0;
};

// The library's answer to an upgrade request: either a rejection as an HTTP response, or
// acceptance with the subprotocol to echo and a factory for the handler.
struct WebSocketAccept {
  std::optional<HttpResponse> reject;  // set: answer with this instead of upgrading
  std::string subprotocol;             // may be empty
  // Called once the 101 is sent; the session outlives no handler it is given to.
  std::function<std::unique_ptr<WebSocketHandler>(std::shared_ptr<WebSocketSession>)> open;
};

}  // namespace prefectcore
