#include "runner.h"

#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace prefectcore::bench {
namespace {

using Clock = std::chrono::steady_clock;

// After a failure a connection waits this long before reconnecting, so a dead server costs
// a few hundred connect() calls per second, not a busy loop.
constexpr auto kReconnectBackoff = std::chrono::milliseconds(10);
constexpr size_t kReadChunk = 16 * 1024;

struct Conn {
  int fd = -1;
  int index = 0;  // global connection index, given to the scenario
  bool connecting = false;
  bool want_write = false;  // EPOLLOUT armed
  bool awaiting = false;    // a request is out and its response not yet parsed
  std::unique_ptr<Scenario> scenario;
  std::string out;
  size_t out_off = 0;
  std::string in;
  std::string scratch;
  Clock::time_point sent_at;
  Clock::time_point retry_at;
};

class Worker {
 public:
  Worker(const RunConfig& config, int first, int count, Clock::time_point measure_start,
         Clock::time_point end)
      : config_(config), measure_start_(measure_start), end_(end), conns_(count) {
    for (int i = 0; i < count; ++i) {
      conns_[i].index = first + i;
      conns_[i].scenario = config.scenario->make(first + i);
    }
  }

  ~Worker() {
    for (auto& c : conns_) {
      close_fd(c);
    }
    if (epoll_fd_ >= 0) {
      ::close(epoll_fd_);
    }
  }

  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void run() {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) {
      note_error(std::string("epoll_create1: ") + std::strerror(errno));
      return;
    }
    for (auto& c : conns_) {
      open(c);
    }
    std::vector<epoll_event> events(256);
    auto next_timeout_scan = Clock::now();
    while (true) {
      const auto now = Clock::now();
      if (now >= end_) {
        break;
      }
      if (now >= next_timeout_scan) {
        scan(now);
        next_timeout_scan = now + std::chrono::milliseconds(100);
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end_ - now);
      const int wait_ms = static_cast<int>(std::min<int64_t>(left.count() + 1, 20));
      const int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), wait_ms);
      if (n < 0 && errno != EINTR) {
        note_error(std::string("epoll_wait: ") + std::strerror(errno));
        return;
      }
      for (int i = 0; i < n; ++i) {
        on_event(conns_[events[i].data.u32], events[i].events);
      }
    }
  }

  RunStats& stats() { return stats_; }

 private:
  void note_error(std::string why) {
    ++stats_.errors;
    if (stats_.first_error.empty()) {
      stats_.first_error = std::move(why);
    }
  }

  void close_fd(Conn& c) {
    if (c.fd >= 0) {
      ::close(c.fd);  // also removes it from the epoll set
      c.fd = -1;
    }
    c.connecting = c.want_write = c.awaiting = false;
    c.in.clear();
  }

  // Counts the failure, drops the connection and the request on it, reconnects later.
  void fail(Conn& c, std::string why) {
    note_error(std::move(why));
    close_fd(c);
    c.out.clear();
    c.retry_at = Clock::now() + kReconnectBackoff;
  }

  // Reconnects after backoff and times out stuck requests.
  void scan(Clock::time_point now) {
    for (auto& c : conns_) {
      if (c.fd < 0 && now >= c.retry_at) {
        open(c);
      } else if (c.fd >= 0 && c.awaiting && now - c.sent_at > config_.request_timeout) {
        fail(c, "request timed out");
      }
    }
  }

  void open(Conn& c) {
    const auto& target = config_.target;
    c.fd = ::socket(target.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      fail(c, std::string("socket: ") + std::strerror(errno));
      return;
    }
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ++stats_.connects;
    if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&target.addr), target.addr_len) != 0 &&
        errno != EINPROGRESS) {
      fail(c, std::string("connect: ") + std::strerror(errno));
      return;
    }
    c.connecting = true;
    c.want_write = true;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u32 = static_cast<uint32_t>(&c - conns_.data());
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev) != 0) {
      fail(c, std::string("epoll_ctl: ") + std::strerror(errno));
      return;
    }
    if (c.out.empty()) {
      prepare(c, nullptr);
    }
  }

  // Asks the scenario for the next request and queues it; flush() sends it.
  // `measured` says whether `previous` counted inside the measurement window.
  void prepare(Conn& c, const Response* previous, bool measured = false) {
    const uint64_t before = c.scenario->iterations();
    Request req = c.scenario->next(previous);
    if (measured) {
      stats_.iterations += c.scenario->iterations() - before;
    }
    c.out.clear();
    c.out_off = 0;
    serialize_request(req, config_.target.host_header, c.out);
    c.sent_at = Clock::now();
    c.awaiting = true;
  }

  void set_write_interest(Conn& c, bool on) {
    if (c.want_write == on) {
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
    ev.data.u32 = static_cast<uint32_t>(&c - conns_.data());
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
    c.want_write = on;
  }

  void flush(Conn& c) {
    while (c.out_off < c.out.size()) {
      const ssize_t n =
          ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_off += static_cast<size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        set_write_interest(c, true);
        return;
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        fail(c, std::string("send: ") + std::strerror(errno));
        return;
      }
    }
    set_write_interest(c, false);
  }

  void on_event(Conn& c, uint32_t events) {
    if (c.fd < 0) {
      return;
    }
    if (c.connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
      int err = 0;
      socklen_t len = sizeof(err);
      getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        fail(c, std::string("connect: ") + std::strerror(err));
        return;
      }
      c.connecting = false;
    }
    if (!c.connecting && (events & EPOLLOUT)) {
      flush(c);
    }
    if (c.fd >= 0 && !c.connecting && (events & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
      read_responses(c);
    }
  }

  void read_responses(Conn& c) {
    bool eof = false;
    while (true) {
      const size_t old = c.in.size();
      c.in.resize(old + kReadChunk);
      const ssize_t n = ::recv(c.fd, c.in.data() + old, kReadChunk, 0);
      c.in.resize(old + (n > 0 ? static_cast<size_t>(n) : 0));
      if (n > 0) {
        // A short read drained the socket: skip the recv() that would only say EAGAIN
        // (level-triggered epoll reports any later bytes). Saves a syscall per response.
        if (static_cast<size_t>(n) < kReadChunk) {
          break;
        }
        continue;
      }
      if (n == 0) {
        eof = true;
      } else if (errno == EINTR) {
        continue;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        fail(c, std::string("recv: ") + std::strerror(errno));
        return;
      }
      break;
    }
    if (c.in.empty() && !eof) {
      return;
    }
    if (!c.awaiting) {
      fail(c, eof ? "server closed an idle connection" : "unsolicited data from server");
      return;
    }
    Response resp;
    size_t consumed = 0;
    std::string error;
    switch (parse_response(c.in, eof, resp, c.scratch, consumed, error)) {
      case ParseState::kIncomplete:
        return;
      case ParseState::kError:
        fail(c, "bad response: " + error);
        return;
      case ParseState::kComplete:
        break;
    }
    if (consumed != c.in.size()) {
      fail(c, "unsolicited data after response");
      return;
    }
    complete(c, resp);
  }

  void complete(Conn& c, const Response& resp) {
    const auto now = Clock::now();
    const bool measured = c.sent_at >= measure_start_ && now <= end_;
    if (measured) {
      stats_.latency.record(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(now - c.sent_at).count()));
      ++stats_.requests;
      if (resp.status < 200 || resp.status >= 300) {
        ++stats_.non_2xx;
      }
    }
    const bool reconnect = resp.close;
    prepare(c, &resp, measured);  // resp points into c.in: use it before clearing
    c.in.clear();
    if (reconnect) {
      // Not an error: the server chose to end keep-alive. The queued request goes out on a
      // fresh connection, and its latency includes the reconnect, as a client's would.
      std::string queued = std::move(c.out);
      const auto sent_at = c.sent_at;
      close_fd(c);
      c.out = std::move(queued);
      open(c);
      c.sent_at = sent_at;
      c.awaiting = c.fd >= 0;
      return;
    }
    flush(c);
  }

  const RunConfig& config_;
  const Clock::time_point measure_start_;
  const Clock::time_point end_;
  std::vector<Conn> conns_;
  int epoll_fd_ = -1;
  RunStats stats_;
};

}  // namespace

void RunStats::merge(const RunStats& other) {
  latency.merge(other.latency);
  requests += other.requests;
  iterations += other.iterations;
  non_2xx += other.non_2xx;
  errors += other.errors;
  connects += other.connects;
  if (first_error.empty()) {
    first_error = other.first_error;
  }
}

RunStats run_load(const RunConfig& config) {
  const int threads = std::max(1, std::min(config.threads, config.connections));
  const auto start = Clock::now();
  const auto measure_start = start + config.warmup;
  const auto end = measure_start + config.duration;
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < threads; ++t) {
    const int first = config.connections * t / threads;
    const int last = config.connections * (t + 1) / threads;
    workers.push_back(std::make_unique<Worker>(config, first, last - first, measure_start, end));
  }
  std::vector<std::thread> running;
  for (auto& w : workers) {
    running.emplace_back([&w] { w->run(); });
  }
  if (config.on_window) {
    std::this_thread::sleep_until(measure_start);
    config.on_window(true);
    std::this_thread::sleep_until(end);
    config.on_window(false);
  }
  for (auto& t : running) {
    t.join();
  }
  RunStats total;
  for (auto& w : workers) {
    total.merge(w->stats());
  }
  return total;
}

}  // namespace prefectcore::bench
