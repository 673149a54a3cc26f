#include "lib/models/orchestration_concurrency.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "lib/core/json.h"
#include "lib/core/json_writer.h"
#include "lib/core/time.h"

namespace prefectcore::models {
namespace {

// Upstream MINIMUM_OCCUPANCY_SECONDS_PER_SLOT: keeps the denied-slot decay rate finite.
constexpr double kMinimumOccupancySecondsPerSlot = 0.1;

constexpr std::string_view kLimitColumns =
    "id, name, active, \"limit\", active_slots, denied_slots, slot_decay_per_second, "
    "avg_slot_occupancy_seconds, updated, created";

// Upstream OCCUPANCY_SAMPLES_MULTIPLIER.
constexpr double kOccupancySamplesMultiplier = 2;

Result<ConcurrencyLimitRow> row_to_limit(const Row& row) {
  ConcurrencyLimitRow l;
  l.id = row.text(0);
  l.name = row.text(1);
  l.active = row.boolean(2);
  l.limit = row.int64(3);
  l.active_slots = row.int64(4);
  l.denied_slots = row.int64(5);
  l.slot_decay_per_second = row.real(6);
  l.avg_slot_occupancy_seconds = row.real(7);
  PC_ASSIGN_OR_RETURN(l.updated, core::parse_time(row.text(8)));
  PC_ASSIGN_OR_RETURN(l.created, core::parse_time(row.text(9)));
  return l;
}

// deployment.concurrency_options: {"collision_strategy": "ENQUEUE"|"CANCEL_NEW",
// "grace_period_seconds": int|null}.
void parse_options(std::string_view json, DeploymentConcurrency& out) {
  auto doc = core::JsonDocument::parse(json);
  core::JsonObject obj;
  if (!doc || doc->root().get_object().get(obj) != simdjson::SUCCESS) {
    return;
  }
  std::string_view strategy;
  out.collision_strategy = CollisionStrategy::kEnqueue;
  if (obj["collision_strategy"].get_string().get(strategy) == simdjson::SUCCESS &&
      strategy == "CANCEL_NEW") {
    out.collision_strategy = CollisionStrategy::kCancelNew;
  }
  double grace = 0;
  if (obj["grace_period_seconds"].get_double().get(grace) == simdjson::SUCCESS) {
    out.grace_period_seconds = grace;
  }
}

std::string lease_metadata(std::int64_t slots, const std::optional<LeaseHolder>& holder) {
  std::string out;
  core::JsonWriter w(out);
  w.begin_object().key("slots").integer(slots).key("holder");
  if (holder) {
    w.begin_object().key("type").string(holder->type).key("id").string(holder->id).end_object();
  } else {
    w.null();
  }
  w.end_object();
  return out;
}

void parse_metadata(std::string_view json, ConcurrencyLease& lease) {
  auto doc = core::JsonDocument::parse(json);
  core::JsonObject obj;
  if (!doc || doc->root().get_object().get(obj) != simdjson::SUCCESS) {
    return;
  }
  std::int64_t slots = 1;
  if (obj["slots"].get_int64().get(slots) == simdjson::SUCCESS) {
    lease.slots = slots;
  }
  core::JsonObject holder;
  if (obj["holder"].get_object().get(holder) == simdjson::SUCCESS) {
    std::string_view type, id;
    if (holder["type"].get_string().get(type) == simdjson::SUCCESS &&
        holder["id"].get_string().get(id) == simdjson::SUCCESS) {
      lease.holder = LeaseHolder{std::string(type), std::string(id)};
    }
  }
}

std::vector<std::string> parse_ids(std::string_view json) {
  std::vector<std::string> ids;
  auto doc = core::JsonDocument::parse(json);
  core::JsonArray arr;
  if (!doc || doc->root().get_array().get(arr) != simdjson::SUCCESS) {
    return ids;
  }
  for (auto e : arr) {
    std::string_view id;
    if (e.get_string().get(id) == simdjson::SUCCESS) {
      ids.emplace_back(id);
    }
  }
  return ids;
}

Result<ConcurrencyLease> row_to_lease(const Row& row) {
  ConcurrencyLease lease;
  lease.id = row.text(0);
  lease.resource_ids = parse_ids(row.text(1));
  PC_ASSIGN_OR_RETURN(lease.expiration, core::parse_time(row.text(2)));
  parse_metadata(row.is_null(3) ? "null" : row.text(3), lease);
  PC_ASSIGN_OR_RETURN(lease.created, core::parse_time(row.text(4)));
  return lease;
}

}  // namespace

Result<std::optional<DeploymentConcurrency>> ConcurrencyStore::read_deployment(
    const std::string& id) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query("SELECT id, concurrency_limit_id, concurrency_options FROM deployment WHERE id = ?",
                {id}));
  if (rows.empty()) {
    return std::optional<DeploymentConcurrency>();
  }
  DeploymentConcurrency d;
  d.deployment_id = rows.front().text(0);
  d.concurrency_limit_id = rows.front().opt_text(1);
  if (auto options = rows.front().opt_text(2); options && *options != "null") {
    parse_options(*options, d);
  }
  if (d.concurrency_limit_id) {
    PC_ASSIGN_OR_RETURN(d.limit, read_limit(*d.concurrency_limit_id));
  }
  return std::optional<DeploymentConcurrency>(std::move(d));
}

Result<std::optional<ConcurrencyLimitRow>> ConcurrencyStore::read_limit(const std::string& id) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query(fmt::format("SELECT {} FROM concurrency_limit_v2 WHERE id = ?", kLimitColumns),
                {id}));
  if (rows.empty()) {
    return std::optional<ConcurrencyLimitRow>();
  }
  PC_ASSIGN_OR_RETURN(ConcurrencyLimitRow row, row_to_limit(rows.front()));
  return std::optional<ConcurrencyLimitRow>(std::move(row));
}

Result<std::optional<ConcurrencyLimitRow>> ConcurrencyStore::read_limit_by_name(
    const std::string& name) {
  PC_ASSIGN_OR_RETURN(auto rows, read_limits_by_names({name}));
  if (rows.empty()) {
    return std::optional<ConcurrencyLimitRow>();
  }
  return std::optional<ConcurrencyLimitRow>(std::move(rows.front()));
}

Result<std::vector<ConcurrencyLimitRow>> ConcurrencyStore::read_limits_by_names(
    const std::vector<std::string>& names) {
  std::vector<ConcurrencyLimitRow> out;
  if (names.empty()) {
    return out;
  }
  std::string placeholders;
  std::vector<SqlValue> params;
  for (const std::string& name : names) {
    placeholders += placeholders.empty() ? "?" : ", ?";
    params.emplace_back(name);
  }
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(fmt::format("SELECT {} FROM concurrency_limit_v2 "
                                                       "WHERE name IN ({}) ORDER BY name",
                                                       kLimitColumns, placeholders),
                                           params));
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(ConcurrencyLimitRow l, row_to_limit(row));
    out.push_back(std::move(l));
  }
  return out;
}

Result<std::vector<ConcurrencyLimitRow>> ConcurrencyStore::list_limits(std::int64_t limit,
                                                                       std::int64_t offset) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query(fmt::format("SELECT {} FROM concurrency_limit_v2 ORDER BY name LIMIT ? OFFSET ?",
                            kLimitColumns),
                {limit, offset}));
  std::vector<ConcurrencyLimitRow> out;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(ConcurrencyLimitRow l, row_to_limit(row));
    out.push_back(std::move(l));
  }
  return out;
}

Result<ConcurrencyLimitRow> ConcurrencyStore::create_limit(const std::string& id,
                                                           const ConcurrencyLimitFields& f,
                                                           Timestamp now) {
  const std::string ts = core::format_storage_time(now);
  PC_ASSIGN_OR_RETURN(
      std::int64_t inserted,
      tx_.exec("INSERT INTO concurrency_limit_v2 (id, created, updated, active, name, \"limit\", "
               "active_slots, denied_slots, slot_decay_per_second) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
               "?) ON CONFLICT (name) DO NOTHING",
               {id, ts, ts, f.active.value_or(true), f.name.value_or(""), f.limit.value_or(0),
                f.active_slots.value_or(0), f.denied_slots.value_or(0),
                f.slot_decay_per_second.value_or(0.0)}));
  if (inserted == 0) {
    return Status::conflict("");  // upstream's generic integrity-error 409
  }
  PC_ASSIGN_OR_RETURN(auto row, read_limit(id));
  if (!row) {
    return Status::internal("concurrency limit vanished after insert");
  }
  return std::move(*row);
}

Result<bool> ConcurrencyStore::update_limit(const std::string& id, const ConcurrencyLimitFields& f,
                                            Timestamp now) {
  std::string sets = "updated = ?";
  std::vector<SqlValue> params{core::format_storage_time(now)};
  auto set = [&](std::string_view column, SqlValue value) {
    sets += fmt::format(", {} = ?", column);
    params.push_back(std::move(value));
  };
  if (f.active) set("active", *f.active);
  if (f.name) set("name", *f.name);
  if (f.limit) set("\"limit\"", *f.limit);
  if (f.active_slots) set("active_slots", *f.active_slots);
  if (f.denied_slots) set("denied_slots", *f.denied_slots);
  if (f.slot_decay_per_second) set("slot_decay_per_second", *f.slot_decay_per_second);
  if (f.name) {
    PC_ASSIGN_OR_RETURN(auto taken, read_limit_by_name(*f.name));
    if (taken && taken->id != id) {
      return Status::conflict("");
    }
  }
  params.emplace_back(id);
  PC_ASSIGN_OR_RETURN(
      std::int64_t changed,
      tx_.exec(fmt::format("UPDATE concurrency_limit_v2 SET {} WHERE id = ?", sets), params));
  return changed > 0;
}

Result<bool> ConcurrencyStore::delete_limit(const std::string& id) {
  PC_ASSIGN_OR_RETURN(std::int64_t n,
                      tx_.exec("DELETE FROM concurrency_limit_v2 WHERE id = ?", {id}));
  return n > 0;
}

Status ConcurrencyStore::bulk_update_denied_slots(const std::vector<std::string>& ids,
                                                  std::int64_t slots, Timestamp now) {
  PC_ASSIGN_OR_RETURN(auto rows, lock_limits(ids));
  for (const ConcurrencyLimitRow& row : rows) {
    if (row.active) {
      PC_RETURN_IF_ERROR(store_slots(row, active_after_decay(row, now),
                                     denied_after_decay(row, now) + slots, now));
    }
  }
  return Status();
}

Result<std::vector<ConcurrencyLimitRow>> ConcurrencyStore::lock_limits(
    const std::vector<std::string>& ids) {
  std::vector<ConcurrencyLimitRow> out;
  // One id at a time, in sorted order, so two transactions lock rows in the same order.
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (const std::string& id : sorted) {
    PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(fmt::format("SELECT {} FROM concurrency_limit_v2 "
                                                         "WHERE id = ?{}",
                                                         kLimitColumns, tx_.dialect().for_update()),
                                             {id}));
    if (!rows.empty()) {
      PC_ASSIGN_OR_RETURN(ConcurrencyLimitRow row, row_to_limit(rows.front()));
      out.push_back(std::move(row));
    }
  }
  return out;
}

double ConcurrencyStore::decay_rate(const ConcurrencyLimitRow& row) const {
  if (row.slot_decay_per_second > 0) {
    return row.slot_decay_per_second;  // a rate limit
  }
  const double max_wait =
      row.name.rfind("tag:", 0) == 0 ? waits_.tag_seconds : waits_.other_seconds;
  const double occupancy =
      std::max(kMinimumOccupancySecondsPerSlot, std::min(row.avg_slot_occupancy_seconds, max_wait));
  return 1.0 / occupancy;
}

// `updated` may be ahead of `now` (written by a replica whose clock runs ahead, or by a
// test clock): no time has passed then, rather than negative decay.
std::int64_t ConcurrencyStore::active_after_decay(const ConcurrencyLimitRow& row,
                                                  Timestamp now) const {
  const double elapsed = std::max(0.0, core::to_seconds(now - row.updated));
  const auto decayed = static_cast<std::int64_t>(std::floor(row.slot_decay_per_second * elapsed));
  return std::max<std::int64_t>(0, row.active_slots - decayed);
}

std::int64_t ConcurrencyStore::denied_after_decay(const ConcurrencyLimitRow& row,
                                                  Timestamp now) const {
  const double elapsed = std::max(0.0, core::to_seconds(now - row.updated));
  const auto decayed = static_cast<std::int64_t>(std::floor(decay_rate(row) * elapsed));
  return std::max<std::int64_t>(0, row.denied_slots - decayed);
}

Status ConcurrencyStore::store_slots(const ConcurrencyLimitRow& row, std::int64_t active,
                                     std::int64_t denied, Timestamp now) {
  return tx_
      .exec(
          "UPDATE concurrency_limit_v2 SET active_slots = ?, denied_slots = ?, updated = ? "
          "WHERE id = ?",
          {active, denied, core::format_storage_time(now), row.id})
      .status();
}

Result<bool> ConcurrencyStore::bulk_increment_active_slots(const std::vector<std::string>& ids,
                                                           std::int64_t slots, Timestamp now) {
  PC_ASSIGN_OR_RETURN(auto rows, lock_limits(ids));
  if (rows.size() != ids.size()) {
    return false;
  }
  for (const ConcurrencyLimitRow& row : rows) {
    if (!row.active || active_after_decay(row, now) + slots > row.limit) {
      return false;
    }
  }
  for (const ConcurrencyLimitRow& row : rows) {
    PC_RETURN_IF_ERROR(
        store_slots(row, active_after_decay(row, now) + slots, denied_after_decay(row, now), now));
  }
  return true;
}

Result<bool> ConcurrencyStore::bulk_decrement_active_slots(
    const std::vector<std::string>& ids, std::int64_t slots, Timestamp now,
    std::optional<double> occupancy_seconds) {
  PC_ASSIGN_OR_RETURN(auto rows, lock_limits(ids));
  std::size_t updated = 0;
  for (const ConcurrencyLimitRow& row : rows) {
    if (!row.active) {
      continue;
    }
    const std::int64_t active = std::max<std::int64_t>(0, active_after_decay(row, now) - slots);
    PC_RETURN_IF_ERROR(store_slots(row, active, denied_after_decay(row, now), now));
    if (occupancy_seconds && *occupancy_seconds > 0 && slots > 0 && row.limit > 0) {
      const double per_slot = std::max(*occupancy_seconds / static_cast<double>(slots),
                                       kMinimumOccupancySecondsPerSlot);
      const double samples = static_cast<double>(row.limit) * kOccupancySamplesMultiplier;
      const double avg = row.avg_slot_occupancy_seconds + per_slot / samples -
                         row.avg_slot_occupancy_seconds / samples;
      PC_RETURN_IF_ERROR(
          tx_.exec("UPDATE concurrency_limit_v2 SET avg_slot_occupancy_seconds = ? WHERE id = ?",
                   {avg, row.id})
              .status());
    }
    ++updated;
  }
  return updated == ids.size();
}

Result<ConcurrencyLease> ConcurrencyStore::create_lease(std::string id,
                                                        std::vector<std::string> resource_ids,
                                                        Micros ttl, std::int64_t slots,
                                                        std::optional<LeaseHolder> holder,
                                                        Timestamp now) {
  ConcurrencyLease lease{std::move(id), std::move(resource_ids), now + ttl,
                         slots,         std::move(holder),       now};
  std::string ids_json;
  core::JsonWriter w(ids_json);
  w.string_array(lease.resource_ids);
  const std::string ts = core::format_storage_time(now);
  PC_RETURN_IF_ERROR(tx_.exec(
      "INSERT INTO concurrency_lease (id, created, updated, resource_ids, expiration, metadata) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {lease.id, ts, ts, JsonText{ids_json}, core::format_storage_time(lease.expiration),
       JsonText{lease_metadata(slots, lease.holder)}}));
  return lease;
}

Result<std::optional<ConcurrencyLease>> ConcurrencyStore::read_lease(const std::string& id) {
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx_.query("SELECT id, resource_ids, expiration, metadata, created FROM "
                                "concurrency_lease WHERE id = ?",
                                {id}));
  if (rows.empty()) {
    return std::optional<ConcurrencyLease>();
  }
  PC_ASSIGN_OR_RETURN(ConcurrencyLease lease, row_to_lease(rows.front()));
  return std::optional<ConcurrencyLease>(std::move(lease));
}

Result<bool> ConcurrencyStore::renew_lease(const std::string& id, Micros ttl, Timestamp now) {
  PC_ASSIGN_OR_RETURN(
      std::int64_t changed,
      tx_.exec("UPDATE concurrency_lease SET expiration = ?, updated = ? WHERE id = ?",
               {core::format_storage_time(now + ttl), core::format_storage_time(now), id}));
  return changed > 0;
}

Status ConcurrencyStore::revoke_lease(const std::string& id) {
  return tx_.exec("DELETE FROM concurrency_lease WHERE id = ?", {id}).status();
}

Result<std::vector<std::pair<std::string, LeaseHolder>>> ConcurrencyStore::list_holders_for_limit(
    const std::string& limit_id, Timestamp now) {
  const std::string pattern = "%\"" + Dialect::escape_like(limit_id) + "\"%";
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query(
          "SELECT id, resource_ids, expiration, metadata, created FROM concurrency_lease WHERE "
          "expiration > ? AND resource_ids LIKE ? ESCAPE '\\' ORDER BY id",
          {core::format_storage_time(now), pattern}));
  std::vector<std::pair<std::string, LeaseHolder>> out;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(ConcurrencyLease lease, row_to_lease(row));
    const bool names_limit = std::find(lease.resource_ids.begin(), lease.resource_ids.end(),
                                       limit_id) != lease.resource_ids.end();
    if (names_limit && lease.holder) {
      out.emplace_back(lease.id, *lease.holder);
    }
  }
  return out;
}

}  // namespace prefectcore::models
