// /logs/* (upstream api/logs.py). The live log WebSocket lives with the other WebSockets.

#include <span>

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/models/logs.h"

namespace prefectcore::api {
namespace {

const std::vector<std::string_view> kLogSorts = {"TIMESTAMP_ASC", "TIMESTAMP_DESC"};

void publish_logs(events::LogBus& bus, const std::vector<schemas::Log>& logs) {
  std::vector<events::LogBus::Item> items;
  items.reserve(logs.size());
  for (const schemas::Log& log : logs) {
    events::LogRecord record{
        {}, log.name, static_cast<int>(log.level), log.flow_run_id, log.task_run_id, log.timestamp};
    core::JsonWriter w(record.json);
    schemas::write_log(w, log);
    items.push_back(std::make_shared<const events::LogRecord>(std::move(record)));
  }
  bus.publish(items);
}

Result<HttpResponse> create_logs(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto logs, schemas::decode_log_creates(body.root(), {std::string("body")}));
  const Timestamp now = rc.api.clock.now();
  const std::span<const schemas::LogCreate> all(logs);
  // Upstream publishes stored logs for WS /logs/out only when stream publishing is on.
  const bool publish = rc.api.settings.logs.stream_publishing_enabled;
  // One transaction per batch, as upstream: a late failure keeps the earlier batches.
  for (std::size_t at = 0; at < all.size(); at += models::kLogBatchSize) {
    std::vector<schemas::Log> stored;
    PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
    PC_RETURN_IF_ERROR(models::LogRepository(*tx).create(
        all.subspan(at, std::min(models::kLogBatchSize, all.size() - at)), rc.api.ids, now,
        publish ? &stored : nullptr));
    PC_RETURN_IF_ERROR(tx->commit());
    publish_logs(rc.api.logs, stored);
  }
  // FastAPI serialises the route's None: the body is JSON null.
  return HttpResponse::json(201, "null");
}

Result<HttpResponse> read_logs(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(std::string_view sort, body.sort(kLogSorts, "TIMESTAMP_ASC"));
  models::SqlCondition where;
  if (auto filter = body.member("logs")) {
    PC_ASSIGN_OR_RETURN(
        where, models::compile_log_filter(*filter, {std::string("body"), std::string("logs")},
                                          db->dialect()));
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto logs, models::LogRepository(*tx).list(
                                     where,
                                     sort == "TIMESTAMP_DESC" ? models::LogSort::kTimestampDesc
                                                              : models::LogSort::kTimestampAsc,
                                     limit, offset));
  return json_list(200, logs, schemas::write_log);
}

}  // namespace

void register_log_routes(Router& router) {
  router.add("POST", "/logs/", create_logs);
  router.add("POST", "/logs/filter", read_logs);
}

}  // namespace prefectcore::api
