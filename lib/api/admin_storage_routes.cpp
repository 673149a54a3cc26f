// /admin/storage (upstream api/admin.py, models/storage_defaults.py): the server default
// result storage block, kept in the configuration table.

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/models/configuration.h"
#include "lib/schemas/decoder.h"

namespace prefectcore::api {
namespace {

HttpResponse storage_response(const std::optional<std::string>& block_id) {
  std::string out;
  core::JsonWriter w(out);
  w.begin_object().key("default_result_storage_block_id").opt_string(block_id).end_object();
  return HttpResponse::json(200, std::move(out));
}

Result<HttpResponse> read_storage(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto block_id, models::read_default_result_storage(*tx));
  return storage_response(block_id);
}

// ServerDefaultResultStorageUpdate: a PrefectBaseModel, so unknown keys are ignored.
Result<std::string> decode_storage_update(core::JsonElement value) {
  core::ValidationErrors errors;
  schemas::ObjectDecoder d(value, {std::string("body")}, errors,
                           "ServerDefaultResultStorageUpdate");
  const std::string key = "default_result_storage_block_id";
  auto id = d.uuid(key);
  if (d.is_object() && !d.has(key)) {
    errors.add("missing", d.loc_of(key), "Field required", core::to_json(value));
  } else if (auto m = d.member(key); m && m->is_null()) {
    errors.add("uuid_type", d.loc_of(key), "UUID input should be a string, bytes or UUID object",
               "null");
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return *id;
}

Result<HttpResponse> update_storage(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(std::string block_id, decode_storage_update(body.root()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_RETURN_IF_ERROR(models::validate_result_storage_block(*tx, block_id));
  PC_RETURN_IF_ERROR(models::write_default_result_storage(*tx, block_id, rc.api.ids.random_id(),
                                                          rc.api.clock.now()));
  PC_ASSIGN_OR_RETURN(auto stored, models::read_default_result_storage(*tx));
  PC_RETURN_IF_ERROR(tx->commit());
  return storage_response(stored);
}

Result<HttpResponse> clear_storage(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_RETURN_IF_ERROR(models::clear_default_result_storage(*tx).status());
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

}  // namespace

void register_admin_storage_routes(Router& router) {
  router.add("GET", "/admin/storage", read_storage);
  router.add("PUT", "/admin/storage", update_storage);
  router.add("DELETE", "/admin/storage", clear_storage);
}

}  // namespace prefectcore::api
