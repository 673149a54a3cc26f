#pragma once

// A buffered httplib::Stream over one accepted socket. It lets the transport look at a
// whole request head before cpp-httplib parses it (to spot WebSocket upgrades and refuse
// oversize bodies unread), read bodies with our own limits, and hand bytes that arrived
// after a WebSocket handshake over to the hub. Thread-bound: one connection thread.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <httplib.h>

#include "lib/core/internal.h"
#include "lib/transport/http_head.h"

namespace prefectcore::transport {

class SocketStream final : public httplib::Stream {
 public:
  // Borrows `fd` and `stop_fd` (an eventfd that becomes readable when the server stops).
  SocketStream(int fd, int stop_fd, std::chrono::milliseconds io_timeout)
      : fd_(fd), stop_fd_(stop_fd), io_timeout_(io_timeout) {}

  // httplib::Stream. read() serves buffered bytes first and waits at most the I/O
  // timeout for more; write() blocks until sent or the socket's send timeout.
  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

  enum class Wait { kData, kIdle, kStop, kClosed };
  // Waits up to `idle` for the first byte of the next request. kStop when the server is
  // stopping and nothing is buffered.
  Wait wait_for_request(std::chrono::milliseconds idle);

  // Reads until a complete head is buffered and parses it without consuming it.
  // kIncomplete means the peer went away, timed out or the server is stopping.
  HeadStatus read_head(std::size_t max_bytes, RequestHead& head);

  enum class BodyStatus { kOk, kTooLarge, kBad, kIoError };
  // Reads a body framed as `framing` into `out`, refusing more than `max_bytes`. On
  // kTooLarge the rest of the body is left unread.
  BodyStatus read_body(const BodyFraming& framing, std::uint64_t max_bytes, std::string& out);

  bool write_all(std::string_view data);
  // Drops `n` buffered bytes.
  void consume(std::size_t n);
  // Moves the buffered, unread bytes out.
  std::string take_buffered();
  std::string_view buffered() const { return std::string_view(buf_).substr(pos_); }

  // Before closing after an error response: stop sending, then read and discard what the
  // peer still sends for up to `limit`, so the close does not reset the connection and
  // destroy the response before the peer reads it.
  void linger(std::chrono::milliseconds limit);

 private:
  // Reads more bytes into the buffer. False on EOF, error, `timeout` without data, or
  // (when `watch_stop`) a stopping server.
  bool fill(bool watch_stop, std::chrono::milliseconds timeout);
  bool read_line(std::size_t max_bytes, std::string& line);
  BodyStatus read_chunked(std::uint64_t max_bytes, std::string& out);

  int fd_;
  int stop_fd_;
  std::chrono::milliseconds io_timeout_;
  std::string buf_;
  std::size_t pos_ = 0;
};

}  // namespace prefectcore::transport
