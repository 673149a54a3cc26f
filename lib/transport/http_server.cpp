#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include <sys/eventfd.h>
#include <unistd.h>

#include <prefectcore/http_server.h>

#include "lib/transport/http_adapter.h"
#include "lib/transport/websocket_hub.h"

namespace prefectcore {

using transport::HttpAdapter;
using transport::WebSocketHub;

HttpServerOptions HttpServerOptions::from_settings(const Settings& settings) {
  HttpServerOptions o;
  o.host = settings.api.host;
  o.port = settings.api.port;
  o.max_clients = settings.api.max_clients;
  o.keepalive_timeout = settings.api.keepalive_timeout;
  o.max_request_body_bytes = settings.api.max_request_body_bytes;
  o.websocket_max_message_bytes = settings.api.websocket_max_message_bytes;
  o.websocket_ping_interval = settings.api.websocket_ping_interval;
  o.websocket_ping_timeout = settings.api.websocket_ping_timeout;
  return o;
}

struct HttpServer::Impl {
  HttpServerOptions options;
  int port = 0;
  int stop_fd = -1;
  std::unique_ptr<WebSocketHub> hub;
  std::unique_ptr<HttpAdapter> adapter;
  std::thread listener;

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  bool stopped = false;

  ~Impl() {
    if (stop_fd >= 0) {
      ::close(stop_fd);
    }
  }
};

namespace {

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

Status validate(const HttpServerOptions& o) {
  if (o.port < 0 || o.port > 65535) {
    return Status::invalid_argument("port must be between 0 and 65535");
  }
  if (o.max_clients < 1) {
    return Status::invalid_argument("max_clients must be at least 1");
  }
  if (o.keepalive_timeout < 0 || o.io_timeout <= 0 || o.websocket_ping_interval < 0 ||
      (o.websocket_ping_interval > 0 && o.websocket_ping_timeout <= 0)) {
    return Status::invalid_argument("timeouts must be positive");
  }
  if (o.max_request_body_bytes < 0 || o.websocket_max_message_bytes < 1 ||
      o.websocket_max_buffered_bytes < 1) {
    return Status::invalid_argument("size limits must be positive");
  }
  return {};
}

}  // namespace

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::start(Server& server, HttpServerOptions options) {
  return start([&server](const HttpRequest& r) { return server.handle(r); },
               [&server](const HttpRequest& r) { return server.accept_websocket(r); },
               std::move(options));
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(HttpHandlerFn handler,
                                                      WebSocketAcceptFn websocket,
                                                      HttpServerOptions options) {
  PC_RETURN_IF_ERROR(validate(options));
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const HttpServerOptions& o = impl->options;
  transport::HubOptions hub_options;
  hub_options.max_message_bytes = static_cast<std::uint64_t>(o.websocket_max_message_bytes);
  hub_options.max_buffered_bytes = static_cast<std::size_t>(o.websocket_max_buffered_bytes);
  hub_options.max_sessions = static_cast<std::size_t>(o.max_clients);
  hub_options.ping_interval = to_ms(o.websocket_ping_interval);
  hub_options.ping_timeout = to_ms(o.websocket_ping_timeout);
  PC_ASSIGN_OR_RETURN(impl->hub, WebSocketHub::start(hub_options));
  impl->stop_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (impl->stop_fd < 0) {
    return Status::internal("eventfd failed");
  }
  try {
    impl->adapter = std::make_unique<HttpAdapter>(std::move(handler), std::move(websocket), o,
                                                  *impl->hub, impl->stop_fd);
    errno = 0;
    if (o.port == 0) {
      impl->port = impl->adapter->bind_to_any_port(o.host);
    } else {
      impl->port = impl->adapter->bind_to_port(o.host, o.port) ? o.port : -1;
    }
    if (impl->port <= 0) {
      return Status::unavailable("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                                 ": " + (errno ? std::strerror(errno) : "bind failed"));
    }
    HttpAdapter* adapter = impl->adapter.get();
    impl->listener = std::thread([adapter] { adapter->listen_after_bind(); });
    // listen_after_bind marks the server running first thing; stop() needs that flag.
    while (!adapter->is_running()) {
      std::this_thread::yield();
    }
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot start the HTTP server: ") + e.what());
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->port; }
const std::string& HttpServer::host() const { return impl_->options.host; }

void HttpServer::stop() {
  {
    std::unique_lock lock(impl_->mu);
    if (impl_->stopping) {
      impl_->cv.wait(lock, [&] { return impl_->stopped; });
      return;
    }
    impl_->stopping = true;
  }
  // Order matters: refuse new work, wake idle keep-alive connections, close the listening
  // socket and join the connection threads (in-flight requests finish), then close the
  // WebSockets, which no connection thread can add to any more.
  impl_->adapter->begin_stop();
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(impl_->stop_fd, &one, sizeof(one));
  impl_->adapter->stop();
  if (impl_->listener.joinable()) {
    impl_->listener.join();
  }
  impl_->hub->stop();
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopped = true;
  }
  impl_->cv.notify_all();
}

void HttpServer::wait() {
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait(lock, [&] { return impl_->stopped; });
}

}  // namespace prefectcore
