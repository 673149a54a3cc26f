#include "lib/transport/socket_stream.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace prefectcore::transport {
namespace {

constexpr std::size_t kReadChunk = std::size_t{64} * 1024;
constexpr std::size_t kMaxChunkLine = 4096;
constexpr std::size_t kMaxTrailers = 8192;

int poll_ms(std::chrono::milliseconds d) {
  return static_cast<int>(std::clamp<std::int64_t>(d.count(), 0, 1 << 30));
}

void address_of(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(addr);
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof(text));
    port = ntohs(in.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr);
    inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text));
    port = ntohs(in6.sin6_port);
  }
  ip = text;
}

}  // namespace

bool SocketStream::is_readable() const {
  if (pos_ < buf_.size()) {
    return true;
  }
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

bool SocketStream::is_writable() const {
  pollfd p{fd_, POLLOUT, 0};
  return ::poll(&p, 1, poll_ms(io_timeout_)) > 0 && (p.revents & POLLOUT) != 0;
}

bool SocketStream::fill(bool watch_stop, std::chrono::milliseconds timeout) {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  int n = 0;
  do {
    n = ::poll(fds, watch_stop ? 2 : 1, poll_ms(timeout));
  } while (n < 0 && errno == EINTR);
  if (n <= 0 || (watch_stop && (fds[1].revents & POLLIN) && !(fds[0].revents & POLLIN))) {
    return false;
  }
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ >= kReadChunk) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  std::size_t old = buf_.size();
  buf_.resize(old + kReadChunk);
  ssize_t got = 0;
  do {
    got = ::recv(fd_, buf_.data() + old, kReadChunk, 0);
  } while (got < 0 && errno == EINTR);
  buf_.resize(old + static_cast<std::size_t>(std::max<ssize_t>(got, 0)));
  return got > 0;
}

ssize_t SocketStream::read(char* ptr, size_t size) {
  if (pos_ == buf_.size() && !fill(false, io_timeout_)) {
    return -1;
  }
  std::size_t n = std::min(size, buf_.size() - pos_);
  std::memcpy(ptr, buf_.data() + pos_, n);
  pos_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t SocketStream::write(const char* ptr, size_t size) {
  ssize_t n = 0;
  do {
    n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

bool SocketStream::write_all(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(data.data(), data.size());
    if (n <= 0) {
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void SocketStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    address_of(addr, ip, port);
  }
}

void SocketStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    address_of(addr, ip, port);
  }
}

SocketStream::Wait SocketStream::wait_for_request(std::chrono::milliseconds idle) {
  if (pos_ < buf_.size()) {
    return Wait::kData;
  }
  pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  int n = 0;
  do {
    n = ::poll(fds, 2, poll_ms(idle));
  } while (n < 0 && errno == EINTR);
  if (n == 0) {
    return Wait::kIdle;
  }
  if (n < 0 || (fds[0].revents & (POLLERR | POLLNVAL))) {
    return Wait::kClosed;
  }
  if (fds[1].revents & POLLIN) {
    return Wait::kStop;
  }
  return Wait::kData;
}

HeadStatus SocketStream::read_head(std::size_t max_bytes, RequestHead& head) {
  // The whole head must arrive within one I/O timeout, so a peer dripping a byte at a
  // time cannot hold a connection thread for long.
  auto deadline = std::chrono::steady_clock::now() + io_timeout_;
  // Tolerate empty lines between requests (RFC 9112 §2.2).
  for (;;) {
    while (pos_ < buf_.size() && (buf_[pos_] == '\r' || buf_[pos_] == '\n')) {
      ++pos_;
    }
    if (pos_ < buf_.size()) {
      HeadStatus st = parse_request_head(buffered(), max_bytes, head);
      if (st != HeadStatus::kIncomplete) {
        return st;
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !fill(true, left)) {
      return HeadStatus::kIncomplete;
    }
  }
}

bool SocketStream::read_line(std::size_t max_bytes, std::string& line) {
  for (;;) {
    auto eol = buffered().find("\r\n");
    if (eol != std::string_view::npos) {
      line.assign(buffered().substr(0, eol));
      pos_ += eol + 2;
      return line.size() <= max_bytes;
    }
    if (buffered().size() > max_bytes + 2 || !fill(false, io_timeout_)) {
      return false;
    }
  }
}

SocketStream::BodyStatus SocketStream::read_body(const BodyFraming& framing,
                                                 std::uint64_t max_bytes, std::string& out) {
  out.clear();
  if (framing.kind == BodyFraming::Kind::kChunked) {
    return read_chunked(max_bytes, out);
  }
  if (framing.kind == BodyFraming::Kind::kNone) {
    return BodyStatus::kOk;
  }
  if (framing.length > max_bytes) {
    return BodyStatus::kTooLarge;
  }
  auto want = static_cast<std::size_t>(framing.length);
  out.reserve(want);
  while (out.size() < want) {
    if (pos_ == buf_.size() && !fill(false, io_timeout_)) {
      return BodyStatus::kIoError;
    }
    std::size_t n = std::min(want - out.size(), buf_.size() - pos_);
    out.append(buf_, pos_, n);
    pos_ += n;
  }
  return BodyStatus::kOk;
}

SocketStream::BodyStatus SocketStream::read_chunked(std::uint64_t max_bytes, std::string& out) {
  std::string line;
  for (;;) {
    if (!read_line(kMaxChunkLine, line)) {
      return BodyStatus::kBad;
    }
    std::string_view size_text(line);
    size_text = size_text.substr(0, size_text.find(';'));
    while (!size_text.empty() && (size_text.back() == ' ' || size_text.back() == '\t')) {
      size_text.remove_suffix(1);
    }
    std::uint64_t size = 0;
    auto [end, ec] =
        std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (size_text.empty() || end != size_text.data() + size_text.size()) {
      return ec == std::errc::result_out_of_range ? BodyStatus::kTooLarge : BodyStatus::kBad;
    }
    if (size == 0) {
      break;
    }
    if (size > max_bytes - std::min<std::uint64_t>(out.size(), max_bytes)) {
      return BodyStatus::kTooLarge;
    }
    std::string chunk;
    BodyStatus st = read_body(BodyFraming{BodyFraming::Kind::kLength, size}, max_bytes, chunk);
    if (st != BodyStatus::kOk) {
      return st;
    }
    out += chunk;
    if (!read_line(0, line)) {
      return BodyStatus::kBad;
    }
  }
  // Trailer fields are read and ignored.
  std::size_t trailers = 0;
  for (;;) {
    if (!read_line(kMaxTrailers, line) || (trailers += line.size() + 2) > kMaxTrailers) {
      return BodyStatus::kBad;
    }
    if (line.empty()) {
      return BodyStatus::kOk;
    }
  }
}

void SocketStream::consume(std::size_t n) { pos_ = std::min(pos_ + n, buf_.size()); }

std::string SocketStream::take_buffered() {
  std::string rest = buf_.substr(pos_);
  buf_.clear();
  pos_ = 0;
  return rest;
}

void SocketStream::linger(std::chrono::milliseconds limit) {
  ::shutdown(fd_, SHUT_WR);
  auto deadline = std::chrono::steady_clock::now() + limit;
  char sink[16 * 1024];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, poll_ms(left)) <= 0) {
      return;
    }
    if (::recv(fd_, sink, sizeof(sink), 0) <= 0) {
      return;
    }
  }
}

}  // namespace prefectcore::transport
