#include "lib/transport/http_adapter.h"

#include <algorithm>
#include <cctype>
#include <exception>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/core/logging.h"
#include "lib/transport/task_queue.h"
#include "lib/transport/websocket_upgrade.h"

namespace prefectcore::transport {

namespace {

// What the pre-routing handler needs about the request being served on this thread.
struct ConnContext {
  SocketStream* stream = nullptr;
  const RequestHead* head = nullptr;
  BodyFraming framing;
  httplib::Request* request = nullptr;  // the mutable request, from setup_request
  bool accepts_gzip = false;
  bool routed = false;
  bool force_close = false;  // close, draining what the peer still sends
  bool close_after = false;  // close after this response (server stopping)
};

constexpr std::size_t kMaxHeadBytes = std::size_t{64} * 1024;
constexpr auto kLinger = std::chrono::milliseconds(2000);
// Upstream compresses responses of at least this many bytes (GZipMiddleware minimum_size).
constexpr std::size_t kGzipMinimum = 1000;

// process_request runs synchronously on the connection thread, so a thread-local is how
// the server-wide pre-routing handler finds the connection it serves.
thread_local ConnContext* tl_conn = nullptr;

// Sets tl_conn for one process_request call, also when it throws.
struct ScopedConn {
  explicit ScopedConn(ConnContext& ctx) { tl_conn = &ctx; }
  ~ScopedConn() { tl_conn = nullptr; }
  ScopedConn(const ScopedConn&) = delete;
  ScopedConn& operator=(const ScopedConn&) = delete;
};

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

HttpResponse service_unavailable() {
  return HttpResponse::json(503, R"({"exception_message":"Service Unavailable"})");
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Framing headers belong to the transport; the handler's copies are dropped.
bool is_transport_header(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
         iequals(name, "Connection") || iequals(name, "Keep-Alive");
}

void copy_response(HttpResponse&& from, httplib::Response& to) {
  to.status = from.status;
  for (auto& [name, value] : from.headers.items()) {
    if (!is_transport_header(name)) {
      to.set_header(name, value);  // drops values with CR/LF
    }
  }
  // cpp-httplib adds Content-Length (after optional compression) itself.
  to.body = std::move(from.body);
}

void reject_overloaded(int sock) {
  // Runs on the accept thread: never block. The answer fits any socket buffer.
  static const std::string response = serialize_response(service_unavailable(), true);
  [[maybe_unused]] ssize_t n =
      ::send(sock, response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

HttpAdapter::HttpAdapter(HttpHandlerFn handler, WebSocketAcceptFn websocket,
                         const HttpServerOptions& options, WebSocketHub& hub, int stop_fd)
    : handler_(std::move(handler)),
      websocket_(std::move(websocket)),
      hub_(hub),
      stop_fd_(stop_fd),
      keepalive_(to_ms(options.keepalive_timeout)),
      io_timeout_(to_ms(options.io_timeout)),
      max_body_(static_cast<std::uint64_t>(options.max_request_body_bytes)) {
  auto max_threads = static_cast<std::size_t>(options.max_clients);
  // cpp-httplib owns (and deletes) the queue this factory returns.
  new_task_queue = [max_threads] { return new GrowingTaskQueue(max_threads); };
  set_tcp_nodelay(true);
  // cpp-httplib's default sets SO_REUSEPORT, which lets a second server bind the same port
  // and silently take half the connections. SO_REUSEADDR alone allows fast restarts.
  set_socket_options([](socket_t sock) {
    int one = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  });
  set_keep_alive_timeout(static_cast<time_t>(options.keepalive_timeout));
  set_keep_alive_max_count(1000000);  // only advertised; our loop has no request cap
  // Socket timeouts (SO_RCVTIMEO/SO_SNDTIMEO); zero would mean "block forever".
  auto io_us = std::max<std::int64_t>(1000, static_cast<std::int64_t>(options.io_timeout * 1e6));
  set_read_timeout(io_us / 1000000, io_us % 1000000);
  set_write_timeout(io_us / 1000000, io_us % 1000000);
  set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return route(req, res); });
  set_error_handler(HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) { return on_error(req, res); }));
}

bool HttpAdapter::process_and_close_socket(socket_t sock) {
  bool handed_over = false;
  try {
    if (GrowingTaskQueue::task_rejected()) {
      reject_overloaded(sock);
    } else {
      // Without TCP_NODELAY small responses wait for delayed ACKs (~40 ms each).
      int one = 1;
      ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      SocketStream strm(sock, stop_fd_, io_timeout_);
      handed_over = serve(strm);
    }
  } catch (const std::exception& e) {
    PC_LOG_ERROR("HTTP connection failed: {}", e.what());
  }
  if (!handed_over) {
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
  }
  return true;
}

bool HttpAdapter::reply_and_close(SocketStream& strm, const HttpResponse& response) {
  if (strm.write_all(serialize_response(response, true))) {
    strm.linger(kLinger);
  }
  return false;
}

bool HttpAdapter::serve(SocketStream& strm) {
  for (;;) {
    if (strm.wait_for_request(keepalive_) != SocketStream::Wait::kData) {
      return false;
    }
    RequestHead head;
    switch (strm.read_head(kMaxHeadBytes, head)) {
      case HeadStatus::kIncomplete:
        return false;
      case HeadStatus::kBad:
        return reply_and_close(strm, detail_response(400, "Invalid HTTP request received."));
      case HeadStatus::kTooLarge:
        return reply_and_close(strm, detail_response(431, "Request Header Fields Too Large"));
      case HeadStatus::kOk:
        break;
    }
    if (is_websocket_upgrade(head)) {
      return serve_upgrade(strm, head);
    }
    auto framing = body_framing(head, max_body_);
    if (!framing) {
      // Refused from the head alone: an oversize body is never read into memory.
      bool too_large = framing.error().code() == ErrorCode::kPayloadTooLarge;
      return reply_and_close(strm,
                             detail_response(too_large ? 413 : 400, framing.error().message()));
    }
    ConnContext ctx;
    ctx.stream = &strm;
    ctx.head = &head;
    ctx.framing = *framing;
    bool close = stopping_.load();
    bool connection_closed = false;
    bool written = false;
    {
      ScopedConn scope(ctx);
      written = process_request(strm, close, connection_closed, [&ctx](httplib::Request& req) {
        ctx.request = &req;
        // Byte ranges make no sense on API responses, and compression is our choice.
        req.ranges.clear();
        ctx.accepts_gzip =
            req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos;
        req.headers.erase("Accept-Encoding");
      });
    }
    if (ctx.force_close) {
      strm.linger(kLinger);
      return false;
    }
    if (!written || close || connection_closed || ctx.close_after) {
      return false;
    }
  }
}

httplib::Server::HandlerResponse HttpAdapter::route(const httplib::Request& req,
                                                    httplib::Response& res) {
  ConnContext& ctx = *tl_conn;
  ctx.routed = true;
  HttpRequest request;
  fill_request(*ctx.head, request);
  request.remote_addr = req.remote_addr;
  HttpResponse response;
  switch (ctx.stream->read_body(ctx.framing, max_body_, request.body)) {
    case SocketStream::BodyStatus::kOk:
      try {
        response = handler_(request);
      } catch (const std::exception& e) {
        PC_LOG_ERROR("{} {}: handler failed: {}", request.method, request.path, e.what());
        response = HttpResponse::json(500, R"({"exception_message":"Internal Server Error"})");
      }
      break;
    case SocketStream::BodyStatus::kTooLarge:
      response = detail_response(413, "Request Entity Too Large");
      ctx.force_close = true;
      break;
    case SocketStream::BodyStatus::kBad:
    case SocketStream::BodyStatus::kIoError:
      response = detail_response(400, "Invalid HTTP request received.");
      ctx.force_close = true;
      break;
  }
  copy_response(std::move(response), res);
  // A request that was in flight when stop() began is answered, then the connection ends.
  ctx.close_after = stopping_.load();
  if (ctx.force_close || ctx.close_after) {
    res.set_header("Connection", "close");
  } else if (ctx.accepts_gzip && res.body.size() >= kGzipMinimum && ctx.request) {
    ctx.request->set_header("Accept-Encoding", "gzip");  // cpp-httplib compresses on write
  }
  return HandlerResponse::Handled;
}

httplib::Server::HandlerResponse HttpAdapter::on_error(const httplib::Request&,
                                                       httplib::Response& res) {
  if (tl_conn && tl_conn->routed) {
    return HandlerResponse::Unhandled;  // the handler's own error response
  }
  // cpp-httplib refused the request before routing (request line, header, Range): its
  // parse position is unknown, so the connection cannot be reused.
  if (tl_conn) {
    tl_conn->force_close = true;
  }
  HttpResponse body = detail_response(res.status, "Invalid HTTP request received.");
  res.set_header("Content-Type", "application/json");
  res.set_header("Connection", "close");
  res.body = std::move(body.body);
  return HandlerResponse::Handled;
}

bool HttpAdapter::serve_upgrade(SocketStream& strm, const RequestHead& head) {
  strm.consume(head.size);
  if (auto bad = check_handshake(head)) {
    return reply_and_close(strm, *bad);
  }
  if (stopping_.load() || !hub_.try_reserve()) {
    return reply_and_close(strm, service_unavailable());
  }
  HttpRequest request;
  fill_request(head, request);
  int port = 0;
  strm.get_remote_ip_and_port(request.remote_addr, port);
  WebSocketAccept accept;
  try {
    if (websocket_) {
      accept = websocket_(request);
    } else {
      accept.reject = detail_response(404, "Not Found");
    }
  } catch (const std::exception& e) {
    PC_LOG_ERROR("WS {}: accept failed: {}", request.path, e.what());
    accept.reject = HttpResponse::json(500, R"({"exception_message":"Internal Server Error"})");
  }
  if (accept.reject) {
    hub_.release();
    return reply_and_close(strm, *accept.reject);
  }
  // Echo the library's choice only if the client offered it (RFC 6455 §4.2.2).
  auto offered = offered_protocols(head);
  if (std::find(offered.begin(), offered.end(), accept.subprotocol) == offered.end()) {
    accept.subprotocol.clear();
  }
  if (!strm.write_all(switching_protocols(head, accept.subprotocol))) {
    hub_.release();
    return false;
  }
  auto session = hub_.new_session();
  std::unique_ptr<WebSocketHandler> handler;
  try {
    if (accept.open) {
      handler = accept.open(session);
    }
  } catch (const std::exception& e) {
    PC_LOG_ERROR("WS {}: open failed: {}", request.path, e.what());
    session->close(1011, "");
  }
  if (!hub_.adopt(strm.socket(), session, handler, strm.take_buffered())) {
    hub_.release();
    if (handler) {
      handler->on_close(1001);
    }
    return false;
  }
  return true;
}

}  // namespace prefectcore::transport
