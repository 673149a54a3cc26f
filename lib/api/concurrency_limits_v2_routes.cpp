// /v2/concurrency_limits/* (upstream api/concurrency_limits_v2.py): global concurrency limits,
// slot acquisition with and without leases, lease renewal.

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/flow_runs_common.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/time.h"
#include "lib/core/uuid.h"
#include "lib/models/orchestration_concurrency.h"
#include "lib/schemas/decoder.h"

namespace prefectcore::api {
namespace {

using models::ConcurrencyLimitFields;
using models::ConcurrencyLimitRow;
using models::ConcurrencyStore;

constexpr std::string_view kNotFound = "Concurrency Limit not found";

void write_full_limit(core::JsonWriter& w, const ConcurrencyLimitRow& l) {
  w.begin_object().key("id").string(l.id);
  w.key("created").string(core::format_api_time(l.created));
  w.key("updated").string(core::format_api_time(l.updated));
  w.key("active").boolean(l.active).key("name").string(l.name).key("limit").integer(l.limit);
  w.key("active_slots").integer(l.active_slots).key("denied_slots").integer(l.denied_slots);
  w.key("slot_decay_per_second").number(l.slot_decay_per_second);
  w.key("avg_slot_occupancy_seconds").number(l.avg_slot_occupancy_seconds).end_object();
}

// GlobalConcurrencyLimitResponse.
void write_limit(core::JsonWriter& w, const ConcurrencyLimitRow& l) {
  w.begin_object().key("id").string(l.id);
  w.key("created").string(core::format_api_time(l.created));
  w.key("updated").string(core::format_api_time(l.updated));
  w.key("active").boolean(l.active).key("name").string(l.name).key("limit").integer(l.limit);
  w.key("active_slots").integer(l.active_slots);
  w.key("slot_decay_per_second").number(l.slot_decay_per_second).end_object();
}

// ConcurrencyLimitV2Create (create) or ConcurrencyLimitV2Update (update); both forbid extras.
Result<ConcurrencyLimitFields> decode_fields(core::JsonElement root, bool create) {
  core::ValidationErrors errors;
  schemas::ObjectDecoder d(root, {std::string("body")}, errors,
                           create ? "ConcurrencyLimitV2Create" : "ConcurrencyLimitV2Update");
  d.forbid_extra(
      {"active", "name", "limit", "active_slots", "denied_slots", "slot_decay_per_second"});
  ConcurrencyLimitFields f;
  f.active = d.boolean("active");
  f.name = create ? d.required_name("name") : std::optional<std::string>();
  if (!create && d.has("name") && !d.member("name")->is_null()) {
    f.name = d.required_name("name");
  }
  f.limit = create ? std::optional<std::int64_t>() : d.integer("limit", 0);
  if (create) {
    if (d.is_object() && !d.has("limit")) {
      errors.add("missing", d.loc_of("limit"), "Field required", core::to_json(root));
    } else {
      f.limit = d.integer("limit", 0);
    }
  }
  f.active_slots = d.integer("active_slots", 0);
  f.denied_slots = d.integer("denied_slots", 0);
  f.slot_decay_per_second = d.number("slot_decay_per_second");
  if (f.slot_decay_per_second && *f.slot_decay_per_second < 0) {
    errors.add("greater_than_equal", d.loc_of("slot_decay_per_second"),
               "Input should be greater than or equal to 0",
               core::to_json(*d.member("slot_decay_per_second")), R"({"ge":0.0})");
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return f;
}

// Resolves {id_or_name} as upstream: a UUID is an id, anything else a name.
Result<std::optional<ConcurrencyLimitRow>> find_limit(ConcurrencyStore& store,
                                                      const std::string& id_or_name) {
  if (auto id = core::normalize_uuid(id_or_name)) {
    return store.read_limit(*id);
  }
  return store.read_limit_by_name(id_or_name);
}

ConcurrencyStore store_for(Transaction& tx, const ApiContext& api) {
  return ConcurrencyStore(tx, slot_waits(api.settings));
}

Result<HttpResponse> create_limit(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(ConcurrencyLimitFields fields, decode_fields(body.root(), true));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  auto store = store_for(*tx, rc.api);
  PC_ASSIGN_OR_RETURN(ConcurrencyLimitRow row,
                      store.create_limit(rc.api.ids.random_id(), fields, rc.api.clock.now()));
  PC_RETURN_IF_ERROR(tx->commit());
  std::string out;
  core::JsonWriter w(out);
  write_full_limit(w, row);
  return HttpResponse::json(201, std::move(out));
}

Result<HttpResponse> read_limit(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  auto store = store_for(*tx, rc.api);
  PC_ASSIGN_OR_RETURN(auto row, find_limit(store, rc.param("id_or_name")));
  if (!row) {
    return Status::not_found(std::string(kNotFound));
  }
  std::string out;
  core::JsonWriter w(out);
  write_limit(w, *row);
  return HttpResponse::json(200, std::move(out));
}

Result<HttpResponse> update_limit(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(ConcurrencyLimitFields fields, decode_fields(body.root(), false));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  auto store = store_for(*tx, rc.api);
  PC_ASSIGN_OR_RETURN(auto row, find_limit(store, rc.param("id_or_name")));
  if (!row) {
    return Status::not_found(std::string(kNotFound));
  }
  PC_ASSIGN_OR_RETURN(bool updated, store.update_limit(row->id, fields, rc.api.clock.now()));
  if (!updated) {
    return Status::not_found(std::string(kNotFound));
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> delete_limit(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  auto store = store_for(*tx, rc.api);
  PC_ASSIGN_OR_RETURN(auto row, find_limit(store, rc.param("id_or_name")));
  if (!row) {
    return Status::not_found(std::string(kNotFound));
  }
  PC_ASSIGN_OR_RETURN(bool deleted, store.delete_limit(row->id));
  if (!deleted) {
    return Status::not_found(std::string(kNotFound));
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> filter_limits(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit, body.limit(rc.api.settings));
  PC_ASSIGN_OR_RETURN(std::int64_t offset, body.offset());
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto rows, store_for(*tx, rc.api).list_limits(limit, offset));
  return json_list(200, rows, write_limit);
}

}  // namespace

void register_concurrency_limit_v2_routes(Router& router) {
  register_concurrency_limit_v2_slot_routes(router);
  router.add("POST", "/v2/concurrency_limits/", create_limit);
  router.add("POST", "/v2/concurrency_limits/filter", filter_limits);
  router.add("GET", "/v2/concurrency_limits/{id_or_name}", read_limit);
  router.add("PATCH", "/v2/concurrency_limits/{id_or_name}", update_limit);
  router.add("DELETE", "/v2/concurrency_limits/{id_or_name}", delete_limit);
}

}  // namespace prefectcore::api
