// /saved_searches/* (upstream api/saved_searches.py).

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/models/saved_searches.h"

namespace prefectcore::api {
namespace {

using models::SavedSearchRepository;

// PUT upserts on name. Upstream answers 201 when the row's `created` is not older than the
// request (a fresh insert) and 200 when an existing search was replaced; the insert flag is
// the same fact without comparing clocks.
Result<HttpResponse> create_saved_search(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(schemas::SavedSearchCreate create,
                      schemas::decode_saved_search_create(body.root(), {std::string("body")}));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto stored, SavedSearchRepository(*tx).upsert(create, rc.api.ids.random_id(),
                                                                     rc.api.clock.now()));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(stored.second ? 201 : 200, schemas::encode_saved_search(stored.first));
}

Result<HttpResponse> read_saved_search(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto search, SavedSearchRepository(*tx).get(rc.param("id")));
  return HttpResponse::json(200, schemas::encode_saved_search(search));
}

Result<HttpResponse> filter_saved_searches(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto searches, SavedSearchRepository(*tx).list(limit, offset));
  return json_list(200, searches, schemas::write_saved_search);
}

Result<HttpResponse> delete_saved_search(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(bool found, SavedSearchRepository(*tx).remove(rc.param("id")));
  if (!found) {
    return Status::not_found("Saved search not found");
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

}  // namespace

void register_saved_search_routes(Router& router) {
  router.add("PUT", "/saved_searches/", create_saved_search);
  router.add("POST", "/saved_searches/filter", filter_saved_searches);
  router.add("GET", "/saved_searches/{id:uuid}", read_saved_search);
  router.add("DELETE", "/saved_searches/{id:uuid}", delete_saved_search);
}

}  // namespace prefectcore::api
