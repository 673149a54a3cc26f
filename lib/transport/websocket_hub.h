#pragma once

// The WebSocket hub: one thread that owns every upgraded connection (epoll), so a
// long-lived WebSocket does not hold an HTTP worker thread. It reads and decodes frames,
// answers pings and close handshakes, pings idle peers, flushes the sessions' outgoing
// buffers, and calls the library's WebSocketHandler (on_message, on_close) on its thread.
//
// Thread-safety: thread-safe; try_reserve/new_session/adopt are called by HTTP workers.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <prefectcore/http.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/transport/websocket_session.h"

namespace prefectcore::transport {

struct HubOptions {
  std::uint64_t max_message_bytes = std::uint64_t{16} * 1024 * 1024;
  std::size_t max_buffered_bytes = std::size_t{8} * 1024 * 1024;  // per session, outgoing
  std::size_t max_sessions = 1000;
  std::chrono::milliseconds ping_interval{20000};  // 0 disables keep-alive pings
  std::chrono::milliseconds ping_timeout{20000};
  std::chrono::milliseconds close_timeout{5000};  // wait for the peer's close frame
  std::chrono::milliseconds stop_timeout{2000};   // the same, when the server stops
};

class WebSocketHub {
 public:
  // kInternal if epoll/eventfd/the thread cannot be created.
  static Result<std::unique_ptr<WebSocketHub>> start(HubOptions options);
  ~WebSocketHub();
  WebSocketHub(const WebSocketHub&) = delete;
  WebSocketHub& operator=(const WebSocketHub&) = delete;

  // Reserves a session slot; false at max_sessions or when stopping. A reservation ends
  // with release() or is consumed by adopt().
  bool try_reserve();
  void release();
  std::shared_ptr<WsSession> new_session();
  // Takes `fd` (already answered with 101), `handler` and the reservation. `initial` holds
  // bytes that arrived after the handshake. Returns false when stopping: the caller then
  // still owns `fd`, `handler` and the reservation.
  bool adopt(int fd, std::shared_ptr<WsSession> session, std::unique_ptr<WebSocketHandler>& handler,
             std::string initial);

  // Closes every session with 1001, waits up to stop_timeout for the close handshakes,
  // reports on_close, and ends the thread. Idempotent.
  void stop();

  std::size_t session_count() const;

 private:
  struct Conn;
  struct Pending {
    int fd;
    std::shared_ptr<WsSession> session;
    std::unique_ptr<WebSocketHandler> handler;
    std::string initial;
  };
  WebSocketHub(HubOptions options, int epoll_fd, std::shared_ptr<HubSignal> signal);

  void loop();
  void take_pending();
  void on_readable(Conn& conn);
  void feed(Conn& conn, std::string_view bytes);
  void flush(Conn& conn);
  void drain(Conn& conn);
  void fail(Conn& conn, int code, std::string_view reason);
  void update_interest(Conn& conn);
  void check_timers();
  void begin_stop();
  void finish(std::uint64_t id);

  const HubOptions options_;
  const int epoll_fd_;
  const std::shared_ptr<HubSignal> signal_;
  std::thread thread_;

  mutable std::mutex mu_;
  std::vector<Pending> pending_;
  std::size_t reserved_ = 0;  // slots held: reservations plus live sessions
  bool stopping_ = false;
  std::uint64_t next_id_ = 1;  // 0 tags the eventfd in epoll

  // Hub thread only.
  struct ConnTable;
  std::unique_ptr<ConnTable> conns_;
  bool stop_started_ = false;
  std::chrono::steady_clock::time_point next_timer_check_{};
};

}  // namespace prefectcore::transport
