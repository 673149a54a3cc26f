#pragma once

// The embeddable Prefect server. Server::handle is the single entry point for HTTP: the
// cpp-httplib adapter (prefectcore/http_server.h) and in-process callers (tests, embedders)
// both use it. WebSocket upgrades go through accept_websocket.
//
// Thread-safety: thread-safe. handle() and accept_websocket() may be called from many
// threads at once.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>
#include <prefectcore/http.h>
#include <prefectcore/settings.h>
#include <prefectcore/status.h>

namespace prefectcore {

struct ServerOptions {
  Settings settings = Settings::defaults();
  // Borrowed; must outlive the server. Null: the system clock.
  const Clock* clock = nullptr;
  // Owned. Null: routes that need storage answer 503.
  std::unique_ptr<Database> database;
  // Apply pending schema migrations in create() (settings.database.migrate_on_start).
  bool run_migrations = true;
  // Start the enabled background services (settings.services.*) on their own threads.
  // Off for in-process harnesses that drive services themselves; prefect-server turns it on.
  bool run_services = false;
};

class Server {
 public:
  // Builds a server. Errors: whatever migrations return (kUnavailable, kInternal).
  static Result<std::unique_ptr<Server>> create(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Answers one HTTP request. Never throws; every failure becomes an upstream-shaped
  // error response.
  HttpResponse handle(const HttpRequest& request);

  // Decides a WebSocket upgrade request (path, headers, Sec-WebSocket-Protocol offer).
  WebSocketAccept accept_websocket(const HttpRequest& request);

  // "METHOD /api/path" for every implemented route, WebSockets as "WS /api/path".
  std::vector<std::string> list_routes() const;

  const Settings& settings() const;
  const Clock& clock() const;
  // Null when the server runs without storage.
  Database* database();

  // Runs one pass of the background service `name` (e.g. "event_persister",
  // "task_run_recorder", "scheduler") on the calling thread, whether or not the services
  // run on their own threads. Lets harnesses with a ManualClock drive services
  // deterministically. kNotFound: no such service (disabled, or the server has no storage).
  Status run_service_once(std::string_view name);
  // The names of the services built from the settings, in start order.
  std::vector<std::string> service_names() const;

  // Stops background work and closes WebSocket sessions (code 1001). Idempotent.
  void shutdown();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace prefectcore
