// /concurrency_limits/* (upstream api/concurrency_limits.py): the v1 tag-limit API, an
// adapter over v2 limits named `tag:<tag>` (models/concurrency_limits_v1.h).

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/flow_runs_common.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/models/concurrency_limits_v1.h"
#include "lib/schemas/decoder.h"

namespace prefectcore::api {
namespace {

using models::TagLimitAdapter;

Status not_found() { return Status::not_found("Concurrency limit not found"); }

TagLimitAdapter adapter(RequestContext& rc, Transaction& tx) {
  return TagLimitAdapter(tx, slot_waits(rc.api.settings), rc.api.clock.now());
}

// A route that returns None upstream answers 200 with a JSON null.
HttpResponse json_null() { return HttpResponse::json(200, "null"); }

// A list of strings at `key` (required when `required`), with pydantic's errors.
std::optional<std::vector<std::string>> string_list(schemas::ObjectDecoder& d, std::string_view key,
                                                    bool uuids) {
  auto m = d.member(key);
  if (!m || m->is_null()) {
    return std::nullopt;
  }
  core::JsonArray arr;
  if (m->get_array().get(arr)) {
    d.errors().add("list_type", d.loc_of(key), "Input should be a valid list", core::to_json(*m));
    return std::nullopt;
  }
  std::vector<std::string> out;
  std::int64_t i = 0;
  for (auto e : arr) {
    core::Loc loc = d.loc_of(key);
    loc.emplace_back(i++);
    std::string_view s;
    std::optional<std::string> id;
    if (e.get_string().get(s) == simdjson::SUCCESS && (!uuids || (id = core::normalize_uuid(s)))) {
      out.emplace_back(uuids ? *id : std::string(s));
    } else if (uuids) {
      d.errors().add("uuid_parsing", loc, "Input should be a valid UUID", core::to_json(e));
    } else {
      d.errors().add("string_type", loc, "Input should be a valid string", core::to_json(e));
    }
  }
  return out;
}

struct SlotBody {
  std::vector<std::string> names;
  std::string task_run_id;
};

// {names, task_run_id}: both required; unknown keys ignored (an embedded body).
Result<SlotBody> decode_slot_body(core::JsonElement root) {
  core::ValidationErrors errors;
  schemas::ObjectDecoder d(root, {std::string("body")}, errors, "Body");
  SlotBody out;
  for (std::string_view key : {"names", "task_run_id"}) {
    if (d.is_object() && (!d.has(key))) {
      errors.add("missing", d.loc_of(key), "Field required", "null");
    }
  }
  if (auto m = d.member("names"); m && m->is_null()) {
    errors.add("list_type", d.loc_of("names"), "Input should be a valid list", "null");
  } else if (auto names = string_list(d, "names", false)) {
    out.names = std::move(*names);
  }
  if (auto m = d.member("task_run_id"); m && m->is_null()) {
    errors.add("uuid_type", d.loc_of("task_run_id"),
               "UUID input should be a string, bytes or UUID object", "null");
  } else if (auto id = d.uuid("task_run_id")) {
    out.task_run_id = std::move(*id);
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

Result<HttpResponse> create_limit(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(auto create, schemas::decode_tag_concurrency_limit_create(
                                       body.root(), {std::string("body")}));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto upserted, adapter(rc, *tx).upsert(create, rc.api.ids.random_id()));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(upserted.second ? 201 : 200,
                            schemas::encode_tag_concurrency_limit(upserted.first));
}

Result<HttpResponse> read_limit(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto limit, adapter(rc, *tx).read(rc.param("id")));
  if (!limit) {
    return not_found();
  }
  return HttpResponse::json(200, schemas::encode_tag_concurrency_limit(*limit));
}

Result<HttpResponse> read_limit_by_tag(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto limit, adapter(rc, *tx).read_by_tag(rc.param("tag")));
  if (!limit) {
    return not_found();
  }
  return HttpResponse::json(200, schemas::encode_tag_concurrency_limit(*limit));
}

Result<HttpResponse> filter_limits(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto limits, adapter(rc, *tx).list(limit, offset));
  return json_list(200, limits, schemas::write_tag_concurrency_limit);
}

Result<HttpResponse> reset_limit(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  core::ValidationErrors errors;
  schemas::ObjectDecoder d(body.root(), {std::string("body")}, errors, "Body");
  auto slot_override = string_list(d, "slot_override", true);
  if (!errors.empty()) {
    return errors.to_status();
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(bool found,
                      adapter(rc, *tx).reset(rc.param("tag"), slot_override, rc.api.ids));
  if (!found) {
    return not_found();
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return json_null();
}

Result<HttpResponse> delete_limit(RequestContext& rc, bool by_tag) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  auto a = adapter(rc, *tx);
  PC_ASSIGN_OR_RETURN(bool found,
                      by_tag ? a.remove_by_tag(rc.param("tag")) : a.remove(rc.param("id")));
  if (!found) {
    return not_found();
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return json_null();
}

Result<HttpResponse> increment(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(SlotBody slots, decode_slot_body(body.root()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto limits, adapter(rc, *tx).increment(slots.names, slots.task_run_id,
                                                              rc.api.ids.random_id()));
  PC_RETURN_IF_ERROR(tx->commit());
  return json_list(200, limits, schemas::write_minimal_concurrency_limit);
}

Result<HttpResponse> decrement(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(SlotBody slots, decode_slot_body(body.root()));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto limits, adapter(rc, *tx).decrement(slots.names, slots.task_run_id));
  PC_RETURN_IF_ERROR(tx->commit());
  return json_list(200, limits, schemas::write_minimal_concurrency_limit);
}

}  // namespace

void register_concurrency_limit_v1_routes(Router& router) {
  router.add("POST", "/concurrency_limits/", create_limit);
  router.add("GET", "/concurrency_limits/{id:uuid}", read_limit);
  router.add("GET", "/concurrency_limits/tag/{tag}", read_limit_by_tag);
  router.add("POST", "/concurrency_limits/filter", filter_limits);
  router.add("POST", "/concurrency_limits/tag/{tag}/reset", reset_limit);
  router.add("DELETE", "/concurrency_limits/{id:uuid}",
             [](RequestContext& rc) { return delete_limit(rc, false); });
  router.add("DELETE", "/concurrency_limits/tag/{tag}",
             [](RequestContext& rc) { return delete_limit(rc, true); });
  router.add("POST", "/concurrency_limits/increment", increment);
  router.add("POST", "/concurrency_limits/decrement", decrement);
}

}  // namespace prefectcore::api
