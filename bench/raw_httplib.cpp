// raw-httplib-server: the smallest cpp-httplib server that answers GET /api/health with
// `true`. It is the ceiling prefect-server's transport can reach on the same library, so the
// benchmark can tell library cost from prefectcore cost.

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <thread>

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 4200;
  size_t threads = 64;
  bool nodelay = true;
  // cpp-httplib closes a keep-alive connection after 5 requests by default
  // (CPPHTTPLIB_KEEPALIVE_MAX_COUNT); a benchmark of keep-alive clients wants it unbounded.
  size_t keep_alive_max = 1000000;
};

template <typename T>
bool parse_value(std::string_view text, T& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

bool parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--no-nodelay") {
      o.nodelay = false;
      continue;
    }
    if (i + 1 >= argc) {
      return false;
    }
    const std::string_view value = argv[++i];
    bool ok = false;
    if (arg == "--port") {
      ok = parse_value(value, o.port) && o.port > 0 && o.port < 65536;
    } else if (arg == "--host") {
      o.host = value;
      ok = o.host == "127.0.0.1" || o.host == "::1" || o.host == "localhost";
    } else if (arg == "--threads") {
      ok = parse_value(value, o.threads) && o.threads >= 1 && o.threads <= 4096;
    } else if (arg == "--keep-alive-max") {
      ok = parse_value(value, o.keep_alive_max) && o.keep_alive_max >= 1;
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_args(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: raw-httplib-server [--port 4200] [--host 127.0.0.1|::1|localhost]\n"
                 "                          [--threads 64] [--keep-alive-max N] [--no-nodelay]\n");
    return 2;
  }
  // Stop cleanly on SIGINT/SIGTERM: a dedicated thread waits for them, because
  // Server::stop() is not async-signal-safe. Block them before any other thread exists.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  httplib::Server server;
  // A keep-alive connection holds its pool thread for its whole life, so the pool must be
  // at least as large as the number of concurrent clients.
  const size_t threads = o.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_tcp_nodelay(o.nodelay);
  server.set_keep_alive_max_count(o.keep_alive_max);
  server.Get("/api/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("true", "application/json");
  });

  std::thread stopper([&server, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
  });
  if (!server.bind_to_port(o.host, o.port)) {
    std::fprintf(stderr, "raw-httplib-server: cannot listen on %s:%d\n", o.host.c_str(), o.port);
    std::_Exit(1);
  }
  std::fprintf(stderr, "raw-httplib-server: listening on %s:%d (threads %zu, nodelay %s)\n",
               o.host.c_str(), o.port, o.threads, o.nodelay ? "on" : "off");
  server.listen_after_bind();
  // listen_after_bind() returned: either a signal stopped it or it failed; let the stopper go.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  return 0;
}
