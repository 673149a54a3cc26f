#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>
#include <prefectcore/http.h>
#include <prefectcore/settings.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"
#include "lib/events/bus.h"
#include "lib/events/log_record.h"

namespace prefectcore::services {
class TaskQueue;
}

namespace prefectcore::api {

// What every route can use. Owned by the Server; shared by all request threads.
struct ApiContext {
  const Settings& settings;
  const Clock& clock;
  Database* db;  // null when the server runs without storage
  core::IdGenerator& ids;
  events::EventBus& events;  // events accepted by the server (ingest and its own)
  events::LogBus& logs;      // logs after they were stored
  // Background task runs waiting for task workers (task_queue.h); set by the Server.
  services::TaskQueue* task_queue = nullptr;
};

// One request being routed: the request, its path parameters and the shared context.
struct RequestContext {
  const HttpRequest& request;
  ApiContext& api;
  std::vector<std::pair<std::string_view, std::string>> path_params;

  // The value of path parameter `name` ("" if absent, which the router prevents).
  const std::string& param(std::string_view name) const;
};

}  // namespace prefectcore::api
