#include <atomic>
#include <exception>

#include <fmt/format.h>

#include <prefectcore/server.h>

#include "lib/api/context.h"
#include "lib/api/errors.h"
#include "lib/api/middleware.h"
#include "lib/api/routes.h"
#include "lib/api/websockets.h"
#include "lib/core/logging.h"
#include "lib/core/uuid.h"
#include "lib/services/service.h"
#include "lib/services/task_queue.h"

namespace prefectcore {

struct Server::Impl {
  Settings settings;
  const Clock* clock;
  std::unique_ptr<Database> db;
  core::RandomIds ids;
  events::EventBus event_bus;
  events::LogBus log_bus;
  services::TaskQueue task_queue{
      static_cast<std::size_t>(std::max(0, settings.tasks_scheduling_max_scheduled_queue_size)),
      static_cast<std::size_t>(std::max(0, settings.tasks_scheduling_max_retry_queue_size))};
  api::ApiContext ctx{settings, *clock, db.get(), ids, event_bus, log_bus, &task_queue};
  services::ServiceContext service_ctx{settings, *clock, db.get(), ids, event_bus, log_bus};
  services::ServiceRunner services;
  api::Router router;
  api::WebSocketRoutes websockets;
  std::atomic<bool> shut_down{false};

  Impl(Settings s, const Clock* c, std::unique_ptr<Database> d)
      : settings(std::move(s)), clock(c), db(std::move(d)) {}

  // The path relative to the API base path, or nullopt if it is outside the API.
  std::optional<std::string_view> route_path(std::string_view path) const {
    std::string_view base = settings.api.base_path;
    while (!base.empty() && base.back() == '/') {
      base.remove_suffix(1);
    }
    if (path.substr(0, base.size()) != base) {
      return std::nullopt;
    }
    std::string_view rest = path.substr(base.size());
    if (!rest.empty() && rest.front() != '/') {
      return std::nullopt;
    }
    return rest;
  }

  HttpResponse dispatch(const HttpRequest& request) {
    if (auto preflight = api::cors_preflight(settings, request)) {
      return std::move(*preflight);
    }
    auto path = route_path(request.path);
    if (!path) {
      return api::detail_response(404, "Not Found");
    }
    if (auto denied = api::check_basic_auth(settings, request, *path)) {
      return std::move(*denied);
    }
    auto lookup = router.find(request.method, *path);
    if (lookup.match == api::Router::Match::kNotFound) {
      return api::detail_response(404, "Not Found");
    }
    if (lookup.match == api::Router::Match::kMethodNotAllowed) {
      return api::detail_response(405, "Method Not Allowed");
    }
    if (*path != "/health") {
      if (auto bad_version = api::check_api_version(request)) {
        return std::move(*bad_version);
      }
    }
    api::RequestContext rc{request, ctx, std::move(lookup.params)};
    Result<HttpResponse> result = (*lookup.handler)(rc);
    if (!result) {
      if (result.error().code() == ErrorCode::kInternal) {
        PC_LOG_ERROR("{} {}: {}", request.method, request.path, result.error().message());
      }
      return api::error_response(result.error(), request);
    }
    return std::move(result).value();
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { shutdown(); }

Result<std::unique_ptr<Server>> Server::create(ServerOptions options) {
  if (auto level = core::parse_log_level(options.settings.logging_level)) {
    core::set_log_level(*level);
  }
  if (options.database && options.run_migrations && options.settings.database.migrate_on_start) {
    PC_RETURN_IF_ERROR(upgrade_schema(*options.database));
  }
  const Clock* clock = options.clock ? options.clock : &SystemClock::instance();
  auto impl =
      std::make_unique<Impl>(std::move(options.settings), clock, std::move(options.database));
  api::register_root_routes(impl->router);
  api::register_csrf_routes(impl->router);
  api::register_flow_routes(impl->router);
  api::register_variable_routes(impl->router);
  api::register_saved_search_routes(impl->router);
  api::register_admin_storage_routes(impl->router);
  api::register_task_run_routes(impl->router);
  api::register_task_run_state_routes(impl->router);
  api::register_log_routes(impl->router);
  api::register_task_worker_routes(impl->router);
  api::register_task_worker_websockets(impl->websockets);
  api::register_log_websockets(impl->websockets);
  api::register_flow_run_routes(impl->router);
  api::register_flow_run_extra_routes(impl->router);
  api::register_flow_run_state_routes(impl->router);
  api::register_concurrency_limit_v2_routes(impl->router);
  api::register_artifact_routes(impl->router);
  api::register_concurrency_limit_v1_routes(impl->router);
  api::register_collection_routes(impl->router);
  api::register_template_routes(impl->router);
  api::register_automation_routes(impl->router);
  api::register_ui_routes(impl->router);
  api::register_event_routes(impl->router, impl->websockets);
  api::register_deployment_routes(impl->router);
  api::register_deployment_schedule_routes(impl->router);
  api::register_work_pool_routes(impl->router);
  api::register_work_queue_routes(impl->router);
  api::register_worker_channel(impl->websockets);
  api::register_block_type_routes(impl->router);
  api::register_block_schema_routes(impl->router);
  api::register_block_document_routes(impl->router);
  api::install_blocks_on_start(impl->ctx);
  if (impl->db) {
    services::add_enabled_services(impl->services, impl->service_ctx);
    if (options.run_services) {
      impl->services.start();
    }
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

HttpResponse Server::handle(const HttpRequest& request) {
  HttpResponse response;
  try {
    // Upstream's outermost middleware: its 403s bypass CORS.
    if (auto denied = api::check_csrf(impl_->ctx, request)) {
      return std::move(*denied);
    }
    response = impl_->dispatch(request);
  } catch (const std::exception& e) {
    // Nothing in lib/ should throw; an allocation failure or a library bug still must not
    // take the server down.
    PC_LOG_ERROR("{} {}: unexpected exception: {}", request.method, request.path, e.what());
    response = api::error_response(Status::internal(e.what()), request);
  }
  api::add_cors_headers(impl_->settings, request, response);
  return response;
}

WebSocketAccept Server::accept_websocket(const HttpRequest& request) {
  WebSocketAccept accept;
  auto path = impl_->route_path(request.path);
  std::vector<std::pair<std::string_view, std::string>> params;
  const api::WebSocketEndpoint* endpoint = path ? impl_->websockets.find(*path, params) : nullptr;
  if (!endpoint) {
    accept.reject = api::detail_response(404, "Not Found");
    return accept;
  }
  if (impl_->shut_down.load()) {
    accept.reject = api::error_response(Status::unavailable("shutting down"), request);
    return accept;
  }
  api::RequestContext rc{request, impl_->ctx, std::move(params)};
  try {
    return (*endpoint)(rc);
  } catch (const std::exception& e) {
    PC_LOG_ERROR("WS {}: unexpected exception: {}", request.path, e.what());
    accept.reject = api::error_response(Status::internal(e.what()), request);
    return accept;
  }
}

std::vector<std::string> Server::list_routes() const {
  auto routes = impl_->router.describe(impl_->settings.api.base_path);
  auto ws = impl_->websockets.describe(impl_->settings.api.base_path);
  routes.insert(routes.end(), ws.begin(), ws.end());
  return routes;
}

const Settings& Server::settings() const { return impl_->settings; }
const Clock& Server::clock() const { return *impl_->clock; }
Database* Server::database() { return impl_->db.get(); }

Status Server::run_service_once(std::string_view name) {
  for (const auto& service : impl_->services.services()) {
    if (service->name() == name) {
      return service->run_once();
    }
  }
  return Status::not_found(fmt::format("no service named {}", name));
}

std::vector<std::string> Server::service_names() const {
  std::vector<std::string> names;
  for (const auto& service : impl_->services.services()) {
    names.emplace_back(service->name());
  }
  return names;
}

void Server::shutdown() {
  impl_->shut_down.store(true);
  impl_->services.stop();
}

}  // namespace prefectcore
