#include "lib/transport/websocket_session.h"

#include <cerrno>

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace prefectcore::transport {

std::shared_ptr<HubSignal> HubSignal::create() {
  int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) {
    return nullptr;
  }
  return std::make_shared<HubSignal>(fd);
}

HubSignal::~HubSignal() { ::close(fd_); }

void HubSignal::wake() {
  std::uint64_t one = 1;
  // EAGAIN means the counter is saturated, which still wakes the hub.
  [[maybe_unused]] ssize_t n = ::write(fd_, &one, sizeof(one));
}

void HubSignal::mark_dirty(std::uint64_t id) {
  {
    std::lock_guard lock(mu_);
    dirty_.push_back(id);
  }
  wake();
}

std::vector<std::uint64_t> HubSignal::take_dirty() {
  std::lock_guard lock(mu_);
  std::vector<std::uint64_t> out;
  out.swap(dirty_);
  return out;
}

void HubSignal::drain() {
  std::uint64_t value = 0;
  [[maybe_unused]] ssize_t n = ::read(fd_, &value, sizeof(value));
}

bool WsSession::append_locked(std::unique_lock<std::mutex>& lock, ws::Opcode opcode,
                              std::string_view payload, bool bounded) {
  if (gone_ || close_queued_) {
    return false;
  }
  if (bounded && out_.size() - out_pos_ + payload.size() > max_buffered_) {
    return false;
  }
  ws::append_frame(out_, opcode, payload);
  bool wake = !dirty_;
  dirty_ = true;
  lock.unlock();
  if (wake) {
    signal_->mark_dirty(id_);
  }
  return true;
}

bool WsSession::send_text(std::string text) {
  std::unique_lock lock(mu_);
  return append_locked(lock, ws::Opcode::kText, text, true);
}

bool WsSession::queue_control(ws::Opcode opcode, std::string_view payload) {
  std::unique_lock lock(mu_);
  return append_locked(lock, opcode, payload, true);
}

void WsSession::close(int code, std::string reason) {
  // The library closes only with codes a peer accepts; anything else is a policy close.
  if (!ws::is_valid_close_code(code)) {
    code = 1008;
  }
  queue_close(code, reason);
}

bool WsSession::queue_close(int code, std::string_view reason) {
  std::unique_lock lock(mu_);
  if (gone_ || close_queued_) {
    return false;
  }
  ws::append_close_frame(out_, code, reason);
  close_queued_ = true;
  close_code_ = code;
  bool wake = !dirty_;
  dirty_ = true;
  lock.unlock();
  if (wake) {
    signal_->mark_dirty(id_);
  }
  return true;
}

bool WsSession::is_open() const {
  std::lock_guard lock(mu_);
  return !gone_ && !close_queued_;
}

bool WsSession::close_queued() const {
  std::lock_guard lock(mu_);
  return close_queued_;
}

int WsSession::close_code_sent() const {
  std::lock_guard lock(mu_);
  return close_code_;
}

WsSession::Flush WsSession::flush(int fd) {
  std::lock_guard lock(mu_);
  dirty_ = false;
  while (out_pos_ < out_.size()) {
    ssize_t n =
        ::send(fd, out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Compact now and then so a long-lived session does not keep sent bytes.
      if (out_pos_ > (1 << 20) && out_pos_ * 2 > out_.size()) {
        out_.erase(0, out_pos_);
        out_pos_ = 0;
      }
      return Flush::kPending;
    }
    if (n <= 0) {
      return Flush::kError;
    }
    out_pos_ += static_cast<std::size_t>(n);
  }
  out_.clear();
  out_pos_ = 0;
  return Flush::kDone;
}

void WsSession::mark_gone() {
  std::lock_guard lock(mu_);
  gone_ = true;
  out_.clear();
  out_pos_ = 0;
}

}  // namespace prefectcore::transport
