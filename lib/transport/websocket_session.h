#pragma once

// The transport's WebSocketSession: a bounded outgoing frame buffer that any thread may
// fill and the hub thread drains into the socket, plus the wake-up channel to the hub.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/http.h>

#include "lib/core/internal.h"
#include "lib/transport/websocket_codec.h"

namespace prefectcore::transport {

// Wakes the hub thread (an eventfd) and tells it which sessions have frames to send.
// Thread-safe. Sessions keep it alive, so a session outliving the hub stays harmless.
class HubSignal {
 public:
  // Null if no eventfd could be made.
  static std::shared_ptr<HubSignal> create();
  explicit HubSignal(int fd) : fd_(fd) {}
  ~HubSignal();
  HubSignal(const HubSignal&) = delete;
  HubSignal& operator=(const HubSignal&) = delete;

  int fd() const { return fd_; }
  void wake();
  // Records that session `id` has output and wakes the hub.
  void mark_dirty(std::uint64_t id);
  std::vector<std::uint64_t> take_dirty();
  // Empties the eventfd.
  void drain();

 private:
  int fd_;
  std::mutex mu_;
  std::vector<std::uint64_t> dirty_;
};

class WsSession final : public WebSocketSession {
 public:
  WsSession(std::uint64_t id, std::shared_ptr<HubSignal> signal, std::size_t max_buffered)
      : id_(id), signal_(std::move(signal)), max_buffered_(max_buffered) {}

  // WebSocketSession: thread-safe.
  bool send_text(std::string text) override;
  void close(int code, std::string reason) override;
  bool is_open() const override;

  std::uint64_t id() const { return id_; }

  // Hub side. Queues a control frame (ping, pong); false when the buffer is over its bound
  // or the close frame was already queued.
  bool queue_control(ws::Opcode opcode, std::string_view payload);
  // Queues a close frame unless one already was; returns true if this call queued it.
  bool queue_close(int code, std::string_view reason);
  bool close_queued() const;
  // The code of the close frame this side sent (0 if none or empty).
  int close_code_sent() const;

  enum class Flush { kDone, kPending, kError };
  // Writes buffered frames to the non-blocking `fd`.
  Flush flush(int fd);
  // The connection is gone: later sends return false.
  void mark_gone();

 private:
  // Appends a frame under the lock and wakes the hub if the session was not yet dirty.
  bool append_locked(std::unique_lock<std::mutex>& lock, ws::Opcode opcode,
                     std::string_view payload, bool bounded);

  const std::uint64_t id_;
  const std::shared_ptr<HubSignal> signal_;
  const std::size_t max_buffered_;
  mutable std::mutex mu_;
  std::string out_;
  std::size_t out_pos_ = 0;
  bool dirty_ = false;
  bool close_queued_ = false;
  int close_code_ = 0;
  bool gone_ = false;
};

}  // namespace prefectcore::transport
