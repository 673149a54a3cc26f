#include "lib/transport/websocket_hub.h"

#include <cerrno>
#include <exception>
#include <unordered_map>

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/core/logging.h"

namespace prefectcore::transport {

using SteadyClock = std::chrono::steady_clock;
using ws::Event;

struct WebSocketHub::Conn {
  std::uint64_t id = 0;
  int fd = -1;
  std::shared_ptr<WsSession> session;
  std::unique_ptr<WebSocketHandler> handler;
  ws::Decoder decoder;
  // kOpen: frames are decoded. kClosed: the close handshake finished or the stream failed;
  // our last frames are flushing. kDraining (after a failure only): all sent and our side
  // shut down; input is discarded until the peer closes, so that closing does not reset
  // the connection under a close frame the peer has not read yet.
  enum class Phase { kOpen, kClosed, kDraining } phase = Phase::kOpen;
  bool clean_close = false;              // both close frames exchanged: nothing more will arrive
  bool want_out = false;                 // EPOLLOUT wanted
  bool registered = false;               // added to epoll
  std::uint32_t interest = 0;            // events registered with epoll
  int result_code = ws::kCloseAbnormal;  // reported to on_close
  SteadyClock::time_point close_deadline = SteadyClock::time_point::max();
  SteadyClock::time_point next_ping;
  SteadyClock::time_point pong_deadline = SteadyClock::time_point::max();

  explicit Conn(std::uint64_t max_message) : decoder(max_message) {}
};

struct WebSocketHub::ConnTable {
  std::unordered_map<std::uint64_t, std::unique_ptr<Conn>> by_id;
};

namespace {
constexpr std::size_t kReadChunk = std::size_t{64} * 1024;
constexpr int kMaxReadsPerWake = 16;  // fairness between busy sessions
constexpr auto kTimerGranularity = std::chrono::milliseconds(100);
constexpr auto kDrainLimit = std::chrono::milliseconds(250);
}  // namespace

Result<std::unique_ptr<WebSocketHub>> WebSocketHub::start(HubOptions options) {
  int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) {
    return Status::internal("epoll_create1 failed");
  }
  auto signal = HubSignal::create();
  if (!signal) {
    ::close(epoll_fd);
    return Status::internal("eventfd failed");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;
  ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, signal->fd(), &ev);
  std::unique_ptr<WebSocketHub> hub(new WebSocketHub(options, epoll_fd, std::move(signal)));
  try {
    hub->thread_ = std::thread([h = hub.get()] { h->loop(); });
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot start the WebSocket thread: ") + e.what());
  }
  return hub;
}

WebSocketHub::WebSocketHub(HubOptions options, int epoll_fd, std::shared_ptr<HubSignal> signal)
    : options_(options),
      epoll_fd_(epoll_fd),
      signal_(std::move(signal)),
      conns_(std::make_unique<ConnTable>()) {}

WebSocketHub::~WebSocketHub() {
  stop();
  ::close(epoll_fd_);
}

bool WebSocketHub::try_reserve() {
  std::lock_guard lock(mu_);
  if (stopping_ || reserved_ >= options_.max_sessions) {
    return false;
  }
  ++reserved_;
  return true;
}

void WebSocketHub::release() {
  std::lock_guard lock(mu_);
  --reserved_;
}

std::size_t WebSocketHub::session_count() const {
  std::lock_guard lock(mu_);
  return reserved_;
}

std::shared_ptr<WsSession> WebSocketHub::new_session() {
  std::lock_guard lock(mu_);
  return std::make_shared<WsSession>(next_id_++, signal_, options_.max_buffered_bytes);
}

bool WebSocketHub::adopt(int fd, std::shared_ptr<WsSession> session,
                         std::unique_ptr<WebSocketHandler>& handler, std::string initial) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      return false;
    }
    pending_.push_back({fd, std::move(session), std::move(handler), std::move(initial)});
  }
  signal_->wake();
  return true;
}

void WebSocketHub::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  signal_->wake();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
    thread_.join();
  }
}

void WebSocketHub::take_pending() {
  std::vector<Pending> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  auto now = SteadyClock::now();
  for (auto& p : batch) {
    auto conn = std::make_unique<Conn>(options_.max_message_bytes);
    conn->id = p.session->id();
    conn->fd = p.fd;
    conn->session = std::move(p.session);
    conn->handler = std::move(p.handler);
    conn->next_ping = now + options_.ping_interval;
    ::fcntl(conn->fd, F_SETFL, ::fcntl(conn->fd, F_GETFL) | O_NONBLOCK);
    Conn& c = *conn;
    conns_->by_id.emplace(c.id, std::move(conn));
    update_interest(c);
    if (stop_started_) {
      c.session->queue_close(ws::kCloseGoingAway, "server shutting down");
    }
    feed(c, p.initial);
    flush(c);
  }
}

void WebSocketHub::update_interest(Conn& conn) {
  std::uint32_t want =
      (conn.phase != Conn::Phase::kClosed ? EPOLLIN : 0u) | (conn.want_out ? EPOLLOUT : 0u);
  if (conn.registered && conn.interest == want) {
    return;
  }
  epoll_event ev{};
  ev.events = want;  // EPOLLHUP and EPOLLERR are always reported
  ev.data.u64 = conn.id;
  ::epoll_ctl(epoll_fd_, conn.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, conn.fd, &ev);
  conn.registered = true;
  conn.interest = want;
}

void WebSocketHub::fail(Conn& conn, int code, std::string_view reason) {
  // Failing the connection (RFC 6455 §7.1.7): send a close frame, read nothing more, and
  // drop the TCP connection once the frame is out.
  conn.session->queue_close(code, reason);
  conn.result_code = code;
  conn.phase = Conn::Phase::kClosed;
}

void WebSocketHub::feed(Conn& conn, std::string_view bytes) {
  if (conn.phase != Conn::Phase::kOpen || bytes.empty()) {
    return;
  }
  conn.decoder.feed(bytes);
  for (;;) {
    Event ev = conn.decoder.next();
    switch (ev.kind) {
      case Event::Kind::kNone:
        return;
      case Event::Kind::kText:
      case Event::Kind::kBinary:
        // Messages after our close frame are ignored (§5.5.1).
        if (conn.handler && !conn.session->close_queued()) {
          try {
            conn.handler->on_message(ev.payload, ev.kind == Event::Kind::kBinary);
          } catch (const std::exception& e) {
            PC_LOG_ERROR("WebSocket handler failed: {}", e.what());
            fail(conn, ws::kCloseInternalError, "");
            return;
          }
        }
        break;
      case Event::Kind::kPing:
        // Over the bound, skip the pong: answering the latest ping is enough (§5.5.3).
        conn.session->queue_control(ws::Opcode::kPong, ev.payload);
        break;
      case Event::Kind::kPong:
        conn.pong_deadline = SteadyClock::time_point::max();
        break;
      case Event::Kind::kClose:
        // Echo the peer's code (none when it sent none) unless we closed first.
        conn.session->queue_close(ev.code == ws::kCloseNoStatus ? 0 : ev.code, "");
        conn.result_code = ev.code;
        conn.phase = Conn::Phase::kClosed;
        conn.clean_close = true;
        return;
      case Event::Kind::kError:
        fail(conn, ev.code, "");
        return;
    }
  }
}

void WebSocketHub::on_readable(Conn& conn) {
  char buf[kReadChunk];
  for (int i = 0; i < kMaxReadsPerWake && conn.phase != Conn::Phase::kClosed; ++i) {
    ssize_t n = ::recv(conn.fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      break;
    }
    if (n <= 0) {
      finish(conn.id);  // the peer closed (after the handshake) or went away
      return;
    }
    feed(conn, std::string_view(buf, static_cast<std::size_t>(n)));
  }
  flush(conn);
}

void WebSocketHub::flush(Conn& conn) {
  auto result = conn.session->flush(conn.fd);
  if (result == WsSession::Flush::kError) {
    finish(conn.id);
    return;
  }
  conn.want_out = result == WsSession::Flush::kPending;
  auto now = SteadyClock::now();
  if (conn.session->close_queued() && conn.close_deadline == SteadyClock::time_point::max()) {
    conn.close_deadline = now + (stop_started_ ? options_.stop_timeout : options_.close_timeout);
  }
  if (conn.phase == Conn::Phase::kClosed && result == WsSession::Flush::kDone) {
    if (conn.clean_close) {
      // The server closes the TCP connection first (RFC 6455 §7.1.1).
      finish(conn.id);
      return;
    }
    ::shutdown(conn.fd, SHUT_WR);
    conn.phase = Conn::Phase::kDraining;
    conn.close_deadline = std::min(conn.close_deadline, now + kDrainLimit);
  }
  update_interest(conn);
}

void WebSocketHub::drain(Conn& conn) {
  char buf[kReadChunk];
  for (int i = 0; i < kMaxReadsPerWake; ++i) {
    ssize_t n = ::recv(conn.fd, buf, sizeof(buf), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      return;
    }
    if (n <= 0) {
      finish(conn.id);
      return;
    }
  }
}

void WebSocketHub::finish(std::uint64_t id) {
  auto it = conns_->by_id.find(id);
  if (it == conns_->by_id.end()) {
    return;
  }
  std::unique_ptr<Conn> conn = std::move(it->second);
  conns_->by_id.erase(it);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, conn->fd, nullptr);
  ::close(conn->fd);
  conn->session->mark_gone();
  if (conn->handler) {
    try {
      conn->handler->on_close(conn->result_code);
    } catch (const std::exception& e) {
      PC_LOG_ERROR("WebSocket close handler failed: {}", e.what());
    }
  }
  release();
}

void WebSocketHub::check_timers() {
  auto now = SteadyClock::now();
  if (now < next_timer_check_) {
    return;
  }
  next_timer_check_ = now + kTimerGranularity;
  std::vector<std::uint64_t> expired;
  std::vector<std::uint64_t> unresponsive;
  for (auto& [id, conn] : conns_->by_id) {
    if (now >= conn->close_deadline) {
      expired.push_back(id);
    } else if (options_.ping_interval.count() <= 0 || conn->session->close_queued()) {
      continue;
    } else if (now >= conn->pong_deadline) {
      unresponsive.push_back(id);
    } else if (now >= conn->next_ping && conn->pong_deadline == SteadyClock::time_point::max()) {
      conn->session->queue_control(ws::Opcode::kPing, "");
      conn->pong_deadline = now + options_.ping_timeout;
      conn->next_ping = now + options_.ping_interval;
    }
  }
  for (auto id : expired) {
    finish(id);
  }
  for (auto id : unresponsive) {
    // Mirrors uvicorn/websockets: no pong within the timeout closes with 1011.
    auto it = conns_->by_id.find(id);
    fail(*it->second, ws::kCloseInternalError, "keepalive ping timeout");
    flush(*it->second);
  }
}

void WebSocketHub::begin_stop() {
  stop_started_ = true;
  std::vector<std::uint64_t> ids;
  for (auto& [id, conn] : conns_->by_id) {
    ids.push_back(id);
  }
  for (auto id : ids) {
    auto it = conns_->by_id.find(id);
    if (it == conns_->by_id.end()) {
      continue;
    }
    Conn& conn = *it->second;
    conn.session->queue_close(ws::kCloseGoingAway, "server shutting down");
    auto deadline = SteadyClock::now() + options_.stop_timeout;
    conn.close_deadline = std::min(conn.close_deadline, deadline);
    flush(conn);
  }
}

void WebSocketHub::loop() {
  std::vector<epoll_event> events(256);
  for (;;) {
    bool stopping = false;
    {
      std::lock_guard lock(mu_);
      stopping = stopping_;
    }
    take_pending();
    if (stopping && !stop_started_) {
      begin_stop();
    }
    if (stop_started_ && conns_->by_id.empty()) {
      break;
    }
    int timeout = conns_->by_id.empty() ? -1 : static_cast<int>(kTimerGranularity.count());
    int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout);
    for (int i = 0; i < n; ++i) {
      std::uint64_t id = events[i].data.u64;
      if (id == 0) {
        signal_->drain();
        continue;
      }
      auto it = conns_->by_id.find(id);
      if (it == conns_->by_id.end()) {
        continue;
      }
      Conn& conn = *it->second;
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        if (conn.phase == Conn::Phase::kDraining) {
          drain(conn);
          continue;
        }
        on_readable(conn);
      } else if (events[i].events & EPOLLOUT) {
        flush(conn);
      }
    }
    for (auto id : signal_->take_dirty()) {
      auto it = conns_->by_id.find(id);
      if (it != conns_->by_id.end()) {
        flush(*it->second);
      }
    }
    check_timers();
  }
  // Every session is gone; later sends are refused by mark_gone().
}

}  // namespace prefectcore::transport
