// /artifacts/* (upstream api/artifacts.py).

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/models/artifacts.h"

namespace prefectcore::api {
namespace {

using models::ArtifactRepository;
using schemas::Artifact;

const std::vector<std::string_view> kArtifactSorts = {"CREATED_DESC", "UPDATED_DESC", "ID_DESC",
                                                      "KEY_DESC", "KEY_ASC"};

models::ArtifactSort to_artifact_sort(std::string_view s) {
  if (s == "CREATED_DESC") {
    return models::ArtifactSort::kCreatedDesc;
  }
  if (s == "UPDATED_DESC") {
    return models::ArtifactSort::kUpdatedDesc;
  }
  if (s == "KEY_DESC") {
    return models::ArtifactSort::kKeyDesc;
  }
  return s == "KEY_ASC" ? models::ArtifactSort::kKeyAsc : models::ArtifactSort::kIdDesc;
}

Status not_found() { return Status::not_found("Artifact not found."); }

// The `artifacts` key is an ArtifactFilter on /artifacts/* and an ArtifactCollectionFilter on
// /artifacts/latest/*.
Result<models::ArtifactFilters> read_filters(const RequestBody& body, const Dialect& d,
                                             bool collections) {
  models::ArtifactFilters f;
  PC_ASSIGN_OR_RETURN(f.artifacts,
                      body.filter("artifacts",
                                  collections ? models::artifact_collection_filter_spec()
                                              : models::artifact_filter_spec(),
                                  d));
  PC_ASSIGN_OR_RETURN(f.flow_runs, body.filter("flow_runs", models::flow_run_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.task_runs, body.filter("task_runs", models::task_run_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.flows, body.filter("flows", models::flow_filter_spec(), d));
  PC_ASSIGN_OR_RETURN(f.deployments,
                      body.filter("deployments", models::deployment_filter_spec(), d));
  return f;
}

Result<HttpResponse> create_artifact(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(schemas::ArtifactCreate create,
                      schemas::decode_artifact_create(body.root(), {std::string("body")}));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(Artifact created,
                      ArtifactRepository(*tx).create(create, rc.api.ids.random_id(),
                                                     rc.api.ids.random_id(), rc.api.clock.now()));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(201, schemas::encode_artifact(created));
}

Result<HttpResponse> read_artifact(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(Artifact a, ArtifactRepository(*tx).get(rc.param("id")));
  return HttpResponse::json(200, schemas::encode_artifact(a));
}

Result<HttpResponse> read_latest_artifact(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(Artifact a, ArtifactRepository(*tx).latest(rc.param("key")));
  return HttpResponse::json(200, schemas::encode_artifact(a));
}

Result<HttpResponse> update_artifact(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(schemas::ArtifactUpdate update,
                      schemas::decode_artifact_update(body.root(), {std::string("body")}));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(bool found, ArtifactRepository(*tx).update(rc.param("id"), update));
  if (!found) {
    return not_found();
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> delete_artifact(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(bool found, ArtifactRepository(*tx).remove(rc.param("id")));
  if (!found) {
    return not_found();
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

// POST /artifacts/filter and /artifacts/latest/filter.
Result<HttpResponse> filter_artifacts(RequestContext& rc, bool collections) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::string_view sort, body.sort(kArtifactSorts, "ID_DESC"));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(auto filters, read_filters(body, db->dialect(), collections));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  ArtifactRepository repo(*tx);
  if (collections) {
    PC_ASSIGN_OR_RETURN(auto rows,
                        repo.list_latest(filters, to_artifact_sort(sort), limit, offset));
    return json_list(200, rows, schemas::write_artifact_collection);
  }
  PC_ASSIGN_OR_RETURN(auto rows, repo.list(filters, to_artifact_sort(sort), limit, offset));
  return json_list(200, rows, schemas::write_artifact);
}

Result<HttpResponse> count_artifacts(RequestContext& rc, bool collections) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(auto filters, read_filters(body, db->dialect(), collections));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  ArtifactRepository repo(*tx);
  PC_ASSIGN_OR_RETURN(std::int64_t n,
                      collections ? repo.count_latest(filters) : repo.count(filters));
  return HttpResponse::json(200, std::to_string(n));
}

}  // namespace

void register_artifact_routes(Router& router) {
  router.add("POST", "/artifacts/", create_artifact);
  router.add("GET", "/artifacts/{id:uuid}", read_artifact);
  router.add("GET", "/artifacts/{key}/latest", read_latest_artifact);
  router.add("POST", "/artifacts/filter",
             [](RequestContext& rc) { return filter_artifacts(rc, false); });
  router.add("POST", "/artifacts/latest/filter",
             [](RequestContext& rc) { return filter_artifacts(rc, true); });
  router.add("POST", "/artifacts/count",
             [](RequestContext& rc) { return count_artifacts(rc, false); });
  router.add("POST", "/artifacts/latest/count",
             [](RequestContext& rc) { return count_artifacts(rc, true); });
  router.add("PATCH", "/artifacts/{id:uuid}", update_artifact);
  router.add("DELETE", "/artifacts/{id:uuid}", delete_artifact);
}

}  // namespace prefectcore::api
