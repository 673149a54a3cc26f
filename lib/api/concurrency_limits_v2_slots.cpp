// /v2/concurrency_limits/{increment,decrement}[-with-lease] and lease renewal (upstream
// api/concurrency_limits_v2.py). Unknown limit names are skipped, as upstream: the client
// caches an empty answer and stops asking.

#include <algorithm>

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

using models::ConcurrencyLimitRow;
using models::ConcurrencyStore;

struct SlotRequest {
  std::int64_t slots = 0;
  std::vector<std::string> names;
  bool rate_limit = false;
  double lease_duration = 300;
  std::optional<double> occupancy_seconds;
  std::optional<models::LeaseHolder> holder;
};

// MinimalConcurrencyLimitResponse.
void write_minimal(core::JsonWriter& w, const ConcurrencyLimitRow& l) {
  w.begin_object().key("id").string(l.id).key("name").string(l.name);
  w.key("limit").integer(l.limit).end_object();
}

enum class Kind { kIncrement, kIncrementWithLease, kDecrement };

// A lease duration in seconds, 60..86400 (upstream Body(300, ge=60, le=86400)).
void check_lease_duration(schemas::ObjectDecoder& d, double& out) {
  auto v = d.number("lease_duration");
  if (!v) {
    return;
  }
  const std::string input = core::to_json(*d.member("lease_duration"));
  if (*v < 60) {
    d.errors().add("greater_than_equal", d.loc_of("lease_duration"),
                   "Input should be greater than or equal to 60", input, R"({"ge":60})");
  } else if (*v > 86400) {
    d.errors().add("less_than_equal", d.loc_of("lease_duration"),
                   "Input should be less than or equal to 86400", input, R"({"le":86400})");
  }
  out = *v;
}

std::optional<models::LeaseHolder> decode_holder(schemas::ObjectDecoder& parent) {
  auto m = parent.member("holder");
  if (!m || m->is_null()) {
    return std::nullopt;
  }
  schemas::ObjectDecoder d(*m, parent.loc_of("holder"), parent.errors(), "ConcurrencyLeaseHolder");
  d.forbid_extra({"type", "id"});
  auto type = d.required_string("type");
  auto id = d.uuid("id");
  if (d.is_object() && !d.has("id")) {
    parent.errors().add("missing", d.loc_of("id"), "Field required", core::to_json(*m));
  }
  if (type && *type != "flow_run" && *type != "task_run" && *type != "deployment") {
    parent.errors().add("literal_error", d.loc_of("type"),
                        "Input should be 'flow_run', 'task_run' or 'deployment'",
                        core::to_json(*d.member("type")),
                        R"({"expected":"'flow_run', 'task_run' or 'deployment'"})");
    return std::nullopt;
  }
  if (!type || !id) {
    return std::nullopt;
  }
  return models::LeaseHolder{*type, *id};
}

// The embedded body of the increment/decrement routes; unknown keys are ignored.
Result<SlotRequest> decode_slot_request(core::JsonElement root, Kind kind) {
  core::ValidationErrors errors;
  schemas::ObjectDecoder d(root, {std::string("body")}, errors, "Body");
  SlotRequest r;
  if (d.is_object() && !d.has("slots")) {
    errors.add("missing", d.loc_of("slots"), "Field required", "null");
  } else if (auto slots = d.integer("slots")) {
    if (*slots <= 0) {
      errors.add("greater_than", d.loc_of("slots"), "Input should be greater than 0",
                 std::to_string(*slots), R"({"gt":0})");
    }
    r.slots = *slots;
  }
  core::JsonArray names;
  if (auto m = d.member("names"); !m) {
    if (d.is_object()) {
      errors.add("missing", d.loc_of("names"), "Field required", "null");
    }
  } else if (m->get_array().get(names) != simdjson::SUCCESS) {
    errors.add("list_type", d.loc_of("names"), "Input should be a valid list", core::to_json(*m));
  } else {
    std::int64_t i = 0;
    for (auto e : names) {
      std::string_view name;
      if (e.get_string().get(name) == simdjson::SUCCESS) {
        r.names.emplace_back(name);
      } else {
        core::Loc loc = d.loc_of("names");
        loc.emplace_back(i);
        errors.add("string_type", loc, "Input should be a valid string", core::to_json(e));
      }
      ++i;
    }
    if (i == 0) {
      errors.add("too_short", d.loc_of("names"),
                 "List should have at least 1 item after validation, not 0", "[]",
                 R"({"field_type":"List","min_length":1,"actual_length":0})");
    }
  }
  if (kind == Kind::kDecrement) {
    r.occupancy_seconds = d.number("occupancy_seconds");
    if (r.occupancy_seconds && *r.occupancy_seconds <= 0) {
      errors.add("greater_than", d.loc_of("occupancy_seconds"), "Input should be greater than 0",
                 core::to_json(*d.member("occupancy_seconds")), R"({"gt":0.0})");
    }
  } else if (auto mode = d.string("mode")) {
    if (*mode != "concurrency" && *mode != "rate_limit") {
      errors.add("literal_error", d.loc_of("mode"), "Input should be 'concurrency' or 'rate_limit'",
                 core::to_json(*d.member("mode")),
                 R"({"expected":"'concurrency' or 'rate_limit'"})");
    }
    r.rate_limit = *mode == "rate_limit";
  }
  if (kind == Kind::kIncrementWithLease) {
    check_lease_duration(d, r.lease_duration);
    r.holder = decode_holder(d);
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return r;
}

// Python's str(float) of the wait, the text of the Retry-After header.
std::string retry_after_text(double seconds) {
  std::string out;
  core::append_json_double(out, seconds);
  return out;
}

// Takes the slots on every active named limit, all or none. On failure records the denied
// slots and answers 423 with upstream's Retry-After estimate; 422 for impossible requests.
Result<std::vector<ConcurrencyLimitRow>> acquire(ConcurrencyStore& store, const SlotRequest& r,
                                                 Timestamp now) {
  PC_ASSIGN_OR_RETURN(auto limits, store.read_limits_by_names(r.names));
  std::vector<ConcurrencyLimitRow> active;
  std::copy_if(limits.begin(), limits.end(), std::back_inserter(active),
               [](const ConcurrencyLimitRow& l) { return l.active; });
  for (const ConcurrencyLimitRow& l : active) {
    if (l.limit < r.slots) {
      return Status::unprocessable("Slots requested is greater than the limit");
    }
  }
  if (r.rate_limit) {
    std::string non_decaying;
    for (const ConcurrencyLimitRow& l : active) {
      if (l.slot_decay_per_second == 0.0) {
        non_decaying += (non_decaying.empty() ? "" : ",") + l.name;
      }
    }
    if (!non_decaying.empty()) {
      return Status::unprocessable(
          "Only concurrency limits with slot decay can be used for rate limiting. The following "
          "limits do not have a decay configured: '" +
          non_decaying + "'");
    }
  }
  std::vector<std::string> ids;
  for (const ConcurrencyLimitRow& l : active) {
    ids.push_back(l.id);
  }
  PC_ASSIGN_OR_RETURN(bool acquired, store.bulk_increment_active_slots(ids, r.slots, now));
  if (acquired) {
    return limits;
  }
  PC_RETURN_IF_ERROR(store.bulk_update_denied_slots(ids, r.slots, now));
  // The limit that would keep the caller waiting longest, from the rows read before.
  auto blocking = [&](const ConcurrencyLimitRow& l) {
    const double waiting = static_cast<double>(r.slots + l.denied_slots);
    return l.slot_decay_per_second > 0 ? waiting : waiting / static_cast<double>(l.limit);
  };
  const ConcurrencyLimitRow& worst =
      *std::max_element(active.begin(), active.end(),
                        [&](const auto& a, const auto& b) { return blocking(a) < blocking(b); });
  const double per_slot = worst.slot_decay_per_second == 0.0 ? worst.avg_slot_occupancy_seconds
                                                             : 1.0 / worst.slot_decay_per_second;
  return Status(ErrorCode::kLocked, "Locked", retry_after_text(per_slot * blocking(worst)));
}

// A locked answer still commits the denied slots, as upstream does in its own transaction.
Result<std::vector<ConcurrencyLimitRow>> acquire_committing_denials(Transaction& tx,
                                                                    ConcurrencyStore& store,
                                                                    const SlotRequest& r,
                                                                    Timestamp now) {
  auto limits = acquire(store, r, now);
  if (!limits && limits.error().code() == ErrorCode::kLocked) {
    PC_RETURN_IF_ERROR(tx.commit());
  }
  return limits;
}

Result<HttpResponse> increment(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(SlotRequest r, decode_slot_request(body.root(), Kind::kIncrement));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  ConcurrencyStore store(*tx, slot_waits(rc.api.settings));
  PC_ASSIGN_OR_RETURN(auto limits, acquire_committing_denials(*tx, store, r, rc.api.clock.now()));
  PC_RETURN_IF_ERROR(tx->commit());
  return json_list(200, limits, write_minimal);
}

Result<HttpResponse> increment_with_lease(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(SlotRequest r, decode_slot_request(body.root(), Kind::kIncrementWithLease));
  const Timestamp now = rc.api.clock.now();
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  ConcurrencyStore store(*tx, slot_waits(rc.api.settings));
  PC_ASSIGN_OR_RETURN(auto limits, acquire_committing_denials(*tx, store, r, now));
  std::vector<std::string> ids;
  for (const ConcurrencyLimitRow& l : limits) {
    ids.push_back(l.id);
  }
  const Micros ttl = core::from_seconds(r.lease_duration).value_or(std::chrono::minutes(5));
  PC_ASSIGN_OR_RETURN(auto lease, store.create_lease(rc.api.ids.random_id(), std::move(ids), ttl,
                                                     r.slots, r.holder, now));
  PC_RETURN_IF_ERROR(tx->commit());
  std::string out;
  core::JsonWriter w(out);
  w.begin_object().key("lease_id").string(lease.id).key("limits").begin_array();
  for (const ConcurrencyLimitRow& l : limits) {
    write_minimal(w, l);
  }
  w.end_array().end_object();
  return HttpResponse::json(200, std::move(out));
}

Result<HttpResponse> decrement(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  PC_ASSIGN_OR_RETURN(SlotRequest r, decode_slot_request(body.root(), Kind::kDecrement));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  ConcurrencyStore store(*tx, slot_waits(rc.api.settings));
  PC_ASSIGN_OR_RETURN(auto limits, store.read_limits_by_names(r.names));
  std::vector<std::string> ids;
  for (const ConcurrencyLimitRow& l : limits) {
    if (l.active) {
      ids.push_back(l.id);
    }
  }
  PC_ASSIGN_OR_RETURN(bool ignored, store.bulk_decrement_active_slots(
                                        ids, r.slots, rc.api.clock.now(), r.occupancy_seconds));
  (void)ignored;  // upstream answers with the limits whether or not every row changed
  PC_RETURN_IF_ERROR(tx->commit());
  return json_list(200, limits, write_minimal);
}

Result<HttpResponse> decrement_with_lease(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  core::ValidationErrors errors;
  schemas::ObjectDecoder d(body.root(), {std::string("body")}, errors, "Body");
  auto lease_id = d.uuid("lease_id");
  if (d.is_object() && !d.has("lease_id")) {
    errors.add("missing", d.loc_of("lease_id"), "Field required", "null");
  }
  if (!errors.empty() || !lease_id) {
    return errors.empty() ? Status::unprocessable("lease_id is required") : errors.to_status();
  }
  const Timestamp now = rc.api.clock.now();
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  ConcurrencyStore store(*tx, slot_waits(rc.api.settings));
  PC_ASSIGN_OR_RETURN(auto lease, store.read_lease(*lease_id));
  if (!lease) {
    return HttpResponse::empty(204);  // already released or expired and reaped: a no-op
  }
  const double occupancy = std::max(0.0, core::to_seconds(now - lease->created));
  PC_ASSIGN_OR_RETURN(bool ignored, store.bulk_decrement_active_slots(
                                        lease->resource_ids, lease->slots, now, occupancy));
  (void)ignored;  // a deleted or deactivated limit has nothing to give back
  PC_RETURN_IF_ERROR(store.revoke_lease(lease->id));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

Result<HttpResponse> renew_lease(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  core::ValidationErrors errors;
  schemas::ObjectDecoder d(body.root(), {std::string("body")}, errors, "Body");
  double duration = 300;
  check_lease_duration(d, duration);
  if (!errors.empty()) {
    return errors.to_status();
  }
  const std::string lease_id = core::normalize_uuid(rc.param("lease_id")).value_or("");
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  ConcurrencyStore store(*tx, slot_waits(rc.api.settings));
  const Micros ttl = core::from_seconds(duration).value_or(std::chrono::minutes(5));
  PC_ASSIGN_OR_RETURN(bool renewed, store.renew_lease(lease_id, ttl, rc.api.clock.now()));
  if (!renewed) {
    return Status(ErrorCode::kGone, "Lease not found");
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

}  // namespace

void register_concurrency_limit_v2_slot_routes(Router& router) {
  router.add("POST", "/v2/concurrency_limits/increment", increment);
  router.add("POST", "/v2/concurrency_limits/increment-with-lease", increment_with_lease);
  router.add("POST", "/v2/concurrency_limits/decrement", decrement);
  router.add("POST", "/v2/concurrency_limits/decrement-with-lease", decrement_with_lease);
  router.add("POST", "/v2/concurrency_limits/leases/{lease_id:uuid}/renew", renew_lease);
}

}  // namespace prefectcore::api
