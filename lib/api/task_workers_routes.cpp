// /task_workers/filter (upstream api/task_workers.py, models/task_workers.py): the task
// workers connected to this server's task-run subscription socket.

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/json_writer.h"
#include "lib/services/task_queue.h"

namespace prefectcore::api {
namespace {

// TaskWorkerFilter {task_keys: list[str]} under the embedded body key task_worker_filter.
Result<std::vector<std::string>> read_task_keys(const RequestBody& body) {
  std::vector<std::string> keys;
  auto filter = body.member("task_worker_filter");
  if (!filter || filter->is_null()) {
    return keys;
  }
  const core::Loc loc{std::string("body"), std::string("task_worker_filter")};
  core::JsonObject obj;
  if (filter->get_object().get(obj) != simdjson::SUCCESS) {
    return core::invalid_at(loc, "model_attributes_type",
                            "Input should be a valid dictionary or object to extract fields from",
                            core::to_json(*filter));
  }
  core::JsonElement task_keys;
  if (obj["task_keys"].get(task_keys) != simdjson::SUCCESS) {
    core::Loc at = loc;
    at.emplace_back(std::string("task_keys"));
    return core::invalid_at(at, "missing", "Field required", core::to_json(*filter));
  }
  core::JsonArray items;
  core::Loc at = loc;
  at.emplace_back(std::string("task_keys"));
  if (task_keys.get_array().get(items) != simdjson::SUCCESS) {
    return core::invalid_at(at, "list_type", "Input should be a valid list",
                            core::to_json(task_keys));
  }
  std::int64_t index = 0;
  for (core::JsonElement item : items) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS) {
      at.emplace_back(index);
      return core::invalid_at(at, "string_type", "Input should be a valid string",
                              core::to_json(item));
    }
    keys.emplace_back(s);
    ++index;
  }
  return keys;
}

Result<HttpResponse> read_task_workers(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::vector<std::string> keys, read_task_keys(body));
  std::vector<services::TaskQueue::Worker> workers;
  if (rc.api.task_queue) {
    workers = rc.api.task_queue->workers(keys, rc.api.clock.now());
  }
  return json_list(200, workers, [](core::JsonWriter& w, const services::TaskQueue::Worker& t) {
    w.begin_object();
    w.key("identifier").string(t.identifier);
    w.key("task_keys").string_array(t.task_keys);
    w.key("timestamp").time(t.timestamp);
    w.end_object();
  });
}

}  // namespace

void register_task_worker_routes(Router& router) {
  router.add("POST", "/task_workers/filter", read_task_workers);
}

}  // namespace prefectcore::api
