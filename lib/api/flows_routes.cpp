// /flows/* (upstream api/flows.py).

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/models/flows.h"

namespace prefectcore::api {
namespace {

using models::FlowRepository;
using schemas::Flow;

const std::vector<std::string_view> kFlowSorts = {"CREATED_DESC", "UPDATED_DESC", "NAME_ASC",
                                                  "NAME_DESC"};

models::FlowSort to_flow_sort(std::string_view s) {
  if (s == "CREATED_DESC") {
    return models::FlowSort::kCreatedDesc;
  }
  if (s == "UPDATED_DESC") {
    return models::FlowSort::kUpdatedDesc;
  }
  return s == "NAME_DESC" ? models::FlowSort::kNameDesc : models::FlowSort::kNameAsc;
}

Result<models::FlowFilters> read_flow_filters(const RequestBody& body, const Dialect& d) {
  models::FlowFilters f;
  PC_ASSIGN_OR_RETURN(f.flows, body.filter("flows", models::flow_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.flow_runs, body.filter("flow_runs", models::flow_run_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.task_runs, body.filter("task_runs", models::task_run_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.deployments,
                      body.filter("deployments", models::deployment_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.work_pools, body.filter("work_pools", models::work_pool_filter_spec(), d));
  return f;
}

Result<HttpResponse> create_flow(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(schemas::FlowCreate create,
                      schemas::decode_flow_create(body.root(), {std::string("body")}));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(
      auto created, FlowRepository(*tx).create(create, rc.api.ids.random_id(), rc.api.clock.now()));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(created.second ? 201 : 200, schemas::encode_flow(created.first));
}

Result<HttpResponse> read_flow(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(Flow flow, FlowRepository(*tx).get(rc.param("id")));
  return HttpResponse::json(200, schemas::encode_flow(flow));
}

Result<HttpResponse> read_flow_by_name(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(Flow flow, FlowRepository(*tx).get_by_name(rc.param("name")));
  return HttpResponse::json(200, schemas::encode_flow(flow));
}

Result<HttpResponse> update_flow(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(schemas::FlowUpdate update,
                      schemas::decode_flow_update(body.root(), {std::string("body")}));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(bool found,
                      FlowRepository(*tx).update(rc.param("id"), update, rc.api.clock.now()));
  if (!found) {
    return Status::not_found("Flow not found");
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> delete_flow(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(bool found, FlowRepository(*tx).remove(rc.param("id")));
  if (!found) {
    return Status::not_found("Flow not found");
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> filter_flows(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(std::string_view sort, body.sort(kFlowSorts, "NAME_ASC"));
  PC_ASSIGN_OR_RETURN(models::FlowFilters filters, read_flow_filters(body, db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto flows,
                      FlowRepository(*tx).list(filters, to_flow_sort(sort), limit, offset));
  return json_list(200, flows, schemas::write_flow);
}

Result<HttpResponse> count_flows(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(models::FlowFilters filters, read_flow_filters(body, db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(std::int64_t n, FlowRepository(*tx).count(filters));
  return HttpResponse::json(200, std::to_string(n));
}

Result<HttpResponse> paginate_flows(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t page, body.page());
  PC_ASSIGN_OR_RETURN(std::string_view sort, body.sort(kFlowSorts, "NAME_ASC"));
  PC_ASSIGN_OR_RETURN(models::FlowFilters filters, read_flow_filters(body, db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  FlowRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(std::int64_t count, repo.count(filters));
  PC_ASSIGN_OR_RETURN(auto flows,
                      repo.list(filters, to_flow_sort(sort), limit, (page - 1) * limit));
  return json_page(flows, count, limit, page, schemas::write_flow);
}

Result<HttpResponse> bulk_delete_flows(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.bounded("limit", 50, 1, 50));
  PC_ASSIGN_OR_RETURN(auto filter, body.filter("flows", models::flow_filter_spec(), db->dialect()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto ids, FlowRepository(*tx).bulk_delete(filter, limit));
  PC_RETURN_IF_ERROR(tx->commit());
  std::string out;
  core::JsonWriter(out).begin_object().key("deleted").string_array(ids).end_object();
  return HttpResponse::json(200, std::move(out));
}

}  // namespace

Result<Database*> require_db(ApiContext& ctx) {
  if (ctx.db == nullptr) {
    return Status::unavailable("no database configured");
  }
  return ctx.db;
}

void register_flow_routes(Router& router) {
  router.add("POST", "/flows/", create_flow);
  router.add("PATCH", "/flows/{id:uuid}", update_flow);
  router.add("POST", "/flows/count", count_flows);
  router.add("GET", "/flows/name/{name}", read_flow_by_name);
  router.add("GET", "/flows/{id:uuid}", read_flow);
  router.add("POST", "/flows/filter", filter_flows);
  router.add("DELETE", "/flows/{id:uuid}", delete_flow);
  router.add("POST", "/flows/bulk_delete", bulk_delete_flows);
  router.add("POST", "/flows/paginate", paginate_flows);
}

}  // namespace prefectcore::api
