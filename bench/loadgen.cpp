// prefect-bench: a loopback-only HTTP/1.1 keep-alive load generator for prefect-server.
// Prints a human summary and, as its last line, one JSON object for scripts (bench/run.sh).

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "procfs.h"
#include "runner.h"

namespace prefectcore::bench {
namespace {

// Hard bounds: the tool must stop by itself in reasonable time whatever it is asked.
constexpr double kMaxDurationSeconds = 600;
constexpr double kMaxWarmupSeconds = 60;
constexpr int kMaxConnections = 1024;
constexpr int kMaxThreads = 64;

struct Options {
  std::string url = "http://127.0.0.1:4200";
  std::string scenario = "health";
  std::string label;
  int connections = 32;
  int threads = 1;
  double duration = 10;
  double warmup = 2;
  double timeout = 10;
  std::optional<int> server_pid;
};

void usage(FILE* out) {
  std::fprintf(out,
               "usage: prefect-bench [--url http://127.0.0.1:4200] [--scenario NAME]\n"
               "                     [--connections N] [--threads N] [--duration S]\n"
               "                     [--warmup S] [--timeout S] [--server-pid PID] [--label TEXT]\n"
               "       prefect-bench --list-scenarios | --free-port | --help\n"
               "Only loopback targets are accepted (127.0.0.0/8, localhost, [::1]).\n"
               "Defaults: 32 connections, 1 client thread, 10 s measured after 2 s warmup.\n"
               "Limits: duration <= %.0f s, warmup <= %.0f s, connections <= %d, threads <= %d.\n"
               "Without --server-pid the server is found from the port via /proc.\n",
               kMaxDurationSeconds, kMaxWarmupSeconds, kMaxConnections, kMaxThreads);
}

template <typename T>
bool parse_value(std::string_view text, T& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

// Binds 127.0.0.1:0 and prints the port the kernel chose, for scripts that start a server.
int print_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("prefect-bench: free port");
    return 1;
  }
  std::printf("%d\n", ntohs(addr.sin_port));
  ::close(fd);
  return 0;
}

// Returns an exit code when the process should stop now (help, errors), nullopt to run.
std::optional<int> parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      return 0;
    }
    if (arg == "--list-scenarios") {
      for (const auto& s : all_scenarios()) {
        std::printf("%-20s %.*s\n", std::string(s.name).c_str(),
                    static_cast<int>(s.description.size()), s.description.data());
      }
      return 0;
    }
    if (arg == "--free-port") {
      return print_free_port();
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "prefect-bench: %s needs a value (or is unknown)\n", argv[i]);
      return 2;
    }
    const std::string_view value = argv[++i];
    bool ok = true;
    if (arg == "--url") {
      o.url = value;
    } else if (arg == "--scenario") {
      o.scenario = value;
    } else if (arg == "--label") {
      o.label = value;
    } else if (arg == "--connections") {
      ok = parse_value(value, o.connections) && o.connections >= 1 &&
           o.connections <= kMaxConnections;
    } else if (arg == "--threads") {
      ok = parse_value(value, o.threads) && o.threads >= 1 && o.threads <= kMaxThreads;
    } else if (arg == "--duration") {
      ok = parse_value(value, o.duration) && o.duration > 0 && o.duration <= kMaxDurationSeconds;
    } else if (arg == "--warmup") {
      ok = parse_value(value, o.warmup) && o.warmup >= 0 && o.warmup <= kMaxWarmupSeconds;
    } else if (arg == "--timeout") {
      ok = parse_value(value, o.timeout) && o.timeout > 0 && o.timeout <= kMaxDurationSeconds;
    } else if (arg == "--server-pid") {
      int pid = 0;
      ok = parse_value(value, pid) && pid > 0;
      o.server_pid = pid;
    } else {
      std::fprintf(stderr, "prefect-bench: unknown flag %s\n", argv[i - 1]);
      usage(stderr);
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "prefect-bench: bad value for %s: %s\n", argv[i - 1], argv[i]);
      return 2;
    }
  }
  return std::nullopt;
}

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

double client_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(std::llround(seconds * 1000));
}

// What the run cost the server, sampled from /proc. Plain numbers with -1 for "unknown":
// GCC 12 at -O3 misreports std::optional<long> as maybe-uninitialized in report().
struct ServerSample {
  int pid = -1;
  double cpu_at_open = -1;
  double cpu_at_close = -1;
  double client_at_open = 0;
  double client_at_close = 0;
  double machine_at_open = -1;
  double machine_at_close = -1;

  double cpu_seconds() const {
    return cpu_at_open >= 0 && cpu_at_close >= 0 ? cpu_at_close - cpu_at_open : -1;
  }
  // CPU that processes other than this client and the server used during the window.
  double other_cpu_seconds() const {
    if (machine_at_open < 0 || machine_at_close < 0 || cpu_seconds() < 0) {
      return -1;
    }
    const double other =
        (machine_at_close - machine_at_open) - cpu_seconds() - (client_at_close - client_at_open);
    return std::max(0.0, other);
  }
};

void report(const Options& o, const RunConfig& config, const RunStats& s,
            const ServerSample& server) {
  const double seconds = std::chrono::duration<double>(config.duration).count();
  const double rps = static_cast<double>(s.requests) / seconds;
  const int pid = server.pid;
  const long rss = pid > 0 ? peak_rss_kib(pid).value_or(-1) : -1;
  const double server_cpu = server.cpu_seconds();
  // CPU microseconds the server spent per answered request: unlike req/s this barely moves
  // when other processes compete for the cores.
  const double cpu_us_per_request =
      server_cpu >= 0 && s.requests > 0 ? server_cpu * 1e6 / static_cast<double>(s.requests) : -1;
  const auto& h = s.latency;
  std::printf("scenario:     %s (%.*s)\n", o.scenario.c_str(),
              static_cast<int>(config.scenario->description.size()),
              config.scenario->description.data());
  std::printf("target:       %s\n", o.url.c_str());
  std::printf("connections:  %d on %d client thread(s)\n", o.connections, config.threads);
  std::printf("duration:     %.1f s measured after %.1f s warmup\n", seconds, o.warmup);
  std::printf("requests:     %llu (%llu iterations)\n", static_cast<unsigned long long>(s.requests),
              static_cast<unsigned long long>(s.iterations));
  std::printf("requests/s:   %.1f\n", rps);
  std::printf("latency:      p50 %llu us  p90 %llu us  p99 %llu us  max %llu us\n",
              static_cast<unsigned long long>(h.percentile(0.50)),
              static_cast<unsigned long long>(h.percentile(0.90)),
              static_cast<unsigned long long>(h.percentile(0.99)),
              static_cast<unsigned long long>(h.max()));
  std::printf("non-2xx:      %llu\n", static_cast<unsigned long long>(s.non_2xx));
  std::printf("errors:       %llu%s%s\n", static_cast<unsigned long long>(s.errors),
              s.first_error.empty() ? "" : "  first: ", s.first_error.c_str());
  std::printf("connects:     %llu\n", static_cast<unsigned long long>(s.connects));
  if (rss >= 0) {
    std::printf("server:       pid %d, peak RSS (VmHWM) %ld KiB\n", pid, rss);
  } else {
    std::printf("server:       peak RSS unknown (pass --server-pid)\n");
  }
  if (server_cpu >= 0) {
    std::printf("server CPU:   %.2f s in window (%.2f cores, %.1f us/request)\n", server_cpu,
                server_cpu / seconds, cpu_us_per_request);
  }
  const double cpu = client_cpu_seconds();
  const double other_cores =
      server.other_cpu_seconds() >= 0 ? server.other_cpu_seconds() / seconds : -1;
  std::printf("client CPU:   %.2f s in window (%.2f s total); other processes: %.2f cores of %ld\n",
              server.client_at_close - server.client_at_open, cpu, other_cores,
              sysconf(_SC_NPROCESSORS_ONLN));
  std::printf(
      "{\"scenario\":\"%s\",\"label\":\"%s\",\"url\":\"%s\",\"connections\":%d,\"threads\":%d,"
      "\"duration_s\":%.3f,\"warmup_s\":%.3f,\"requests\":%llu,\"iterations\":%llu,"
      "\"rps\":%.1f,\"p50_us\":%llu,\"p90_us\":%llu,\"p99_us\":%llu,\"max_us\":%llu,"
      "\"non_2xx\":%llu,\"errors\":%llu,\"connects\":%llu,\"server_pid\":%d,"
      "\"peak_rss_kib\":%ld,\"server_cpu_s\":%.3f,\"server_cpu_us_per_req\":%.2f,"
      "\"client_cpu_s\":%.2f,\"other_cpu_cores\":%.2f}\n",
      json_escape(o.scenario).c_str(), json_escape(o.label).c_str(), json_escape(o.url).c_str(),
      o.connections, config.threads, seconds, o.warmup, static_cast<unsigned long long>(s.requests),
      static_cast<unsigned long long>(s.iterations), rps,
      static_cast<unsigned long long>(h.percentile(0.50)),
      static_cast<unsigned long long>(h.percentile(0.90)),
      static_cast<unsigned long long>(h.percentile(0.99)), static_cast<unsigned long long>(h.max()),
      static_cast<unsigned long long>(s.non_2xx), static_cast<unsigned long long>(s.errors),
      static_cast<unsigned long long>(s.connects), pid, rss, server_cpu, cpu_us_per_request, cpu,
      other_cores);
}

int run(int argc, char** argv) {
  Options o;
  if (auto exit_code = parse_args(argc, argv, o)) {
    return *exit_code;
  }
  RunConfig config;
  std::string error;
  if (!parse_loopback_url(o.url, config.target, error)) {
    std::fprintf(stderr, "prefect-bench: --url %s: %s\n", o.url.c_str(), error.c_str());
    return 2;
  }
  config.scenario = find_scenario(o.scenario);
  if (config.scenario == nullptr) {
    std::fprintf(stderr, "prefect-bench: unknown scenario '%s' (see --list-scenarios)\n",
                 o.scenario.c_str());
    return 2;
  }
  config.connections = o.connections;
  config.threads = std::min(o.threads, o.connections);
  config.duration = to_ms(o.duration);
  config.warmup = to_ms(o.warmup);
  config.request_timeout = to_ms(o.timeout);
  ServerSample server;
  server.pid = o.server_pid ? *o.server_pid : find_listening_pid(config.target.port).value_or(-1);
  config.on_window = [&server](bool opening) {
    const double cpu = server.pid > 0 ? cpu_seconds(server.pid).value_or(-1) : -1;
    const double machine = machine_busy_cpu_seconds().value_or(-1);
    const double client = client_cpu_seconds();
    if (opening) {
      server.cpu_at_open = cpu;
      server.machine_at_open = machine;
      server.client_at_open = client;
    } else {
      server.cpu_at_close = cpu;
      server.machine_at_close = machine;
      server.client_at_close = client;
    }
  };
  const RunStats stats = run_load(config);
  report(o, config, stats, server);
  return stats.requests > 0 ? 0 : 1;
}

}  // namespace
}  // namespace prefectcore::bench

int main(int argc, char** argv) { return prefectcore::bench::run(argc, argv); }
