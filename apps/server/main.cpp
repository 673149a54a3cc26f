// prefect-server: a drop-in for `prefect server start`. Settings come from the environment
// (PREFECT_SERVER_* and legacy aliases); --host/--port override the API address.

#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include <pthread.h>
#include <signal.h>

#include <prefectcore/database.h>
#include <prefectcore/http_server.h>
#include <prefectcore/server.h>
#include <prefectcore/settings.h>

namespace {

constexpr const char* kUsage =
    "usage: prefect-server [--host HOST] [--port PORT] [--list-routes] [--help]\n"
    "\n"
    "Serves the Prefect 3 API on http://HOST:PORT/api. Configuration comes from the\n"
    "environment (PREFECT_SERVER_API_HOST, PREFECT_SERVER_API_PORT,\n"
    "PREFECT_API_DATABASE_CONNECTION_URL, ...).\n"
    "\n"
    "  --host HOST     listen address (overrides PREFECT_SERVER_API_HOST)\n"
    "  --port PORT     listen port (overrides PREFECT_SERVER_API_PORT)\n"
    "  --list-routes   print every route, one per line, and exit\n"
    "  --help          print this help and exit\n";

struct Flags {
  std::optional<std::string> host;
  std::optional<int> port;
  bool list_routes = false;
  bool help = false;
};

// Accepts "--name value" and "--name=value". Returns an error message or nullopt.
std::optional<std::string> parse_flags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view name = arg.substr(0, arg.find('='));
    std::optional<std::string_view> value;
    if (name.size() < arg.size()) {
      value = arg.substr(name.size() + 1);
    }
    auto take_value = [&]() -> std::optional<std::string_view> {
      if (value) {
        return value;
      }
      if (i + 1 < argc) {
        return std::string_view(argv[++i]);
      }
      return std::nullopt;
    };
    if (name == "--help" || name == "-h") {
      flags.help = true;
    } else if (name == "--list-routes") {
      flags.list_routes = true;
    } else if (name == "--host") {
      auto v = take_value();
      if (!v || v->empty()) {
        return "--host needs a value";
      }
      flags.host = std::string(*v);
    } else if (name == "--port") {
      auto v = take_value();
      int port = -1;
      if (!v ||
          std::from_chars(v->data(), v->data() + v->size(), port).ptr != v->data() + v->size() ||
          port < 0 || port > 65535) {
        return "--port needs a number between 0 and 65535";
      }
      flags.port = port;
    } else {
      return "unknown argument: " + std::string(arg);
    }
  }
  return std::nullopt;
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

int run(int argc, char** argv) {
  Flags flags;
  if (auto error = parse_flags(argc, argv, flags)) {
    std::fprintf(stderr, "prefect-server: %s\n%s", error->c_str(), kUsage);
    return 2;
  }
  if (flags.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  auto settings = prefectcore::Settings::from_process_env();
  if (!settings) {
    std::fprintf(stderr, "prefect-server: %s\n", settings.error().message().c_str());
    return 2;
  }
  if (flags.host) {
    settings->api.host = *flags.host;
  }
  if (flags.port) {
    settings->api.port = *flags.port;
  }

  prefectcore::ServerOptions options;
  options.settings = *settings;
  options.run_services = !flags.list_routes;
  // Listing routes needs no storage, so tools can run it anywhere.
  if (!flags.list_routes) {
    const std::string url = settings->effective_database_url();
    auto db = prefectcore::open_database(url, settings->database);
    if (!db) {
      std::fprintf(stderr, "prefect-server: cannot open the database: %s\n",
                   db.error().to_string().c_str());
      return 1;
    }
    options.database = std::move(db).value();
  }
  auto server = prefectcore::Server::create(std::move(options));
  if (!server) {
    std::fprintf(stderr, "prefect-server: %s\n", server.error().to_string().c_str());
    return 1;
  }
  if (flags.list_routes) {
    for (const auto& route : (*server)->list_routes()) {
      std::printf("%s\n", route.c_str());
    }
    return 0;
  }
  if (auto* db = (*server)->database()) {
    std::fprintf(stderr, "prefect-server: database %s\n", db->describe().c_str());
  }

  // Block the stop signals before any thread starts, so every thread inherits the mask
  // and this thread alone receives them through sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto http = prefectcore::HttpServer::start(
      **server, prefectcore::HttpServerOptions::from_settings(*settings));
  if (!http) {
    std::fprintf(stderr, "prefect-server: %s\n", http.error().message().c_str());
    return 1;
  }
  std::fprintf(stderr, "prefect-server listening on http://%s:%d%s\n",
               url_host(settings->api.host).c_str(), (*http)->port(),
               settings->api.base_path.c_str());

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::fprintf(stderr, "prefect-server: %s received, shutting down\n",
               signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  // Stop accepting, drain in-flight requests and close WebSockets (1001), then stop the
  // library's background work.
  (*http)->stop();
  (*server)->shutdown();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "prefect-server: %s\n", e.what());
    return 1;
  }
}
