#include "lib/models/concurrency_limits_v1.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>

#include "lib/core/json_writer.h"
#include "lib/core/time.h"
#include "lib/models/run_store.h"
#include "lib/models/task_orchestration.h"

namespace prefectcore::models {
namespace {

using schemas::MinimalConcurrencyLimit;
using schemas::TagConcurrencyLimit;

// Upstream V1_LEASE_TTL: v1 clients never renew, so their leases must outlive the run.
constexpr Micros kV1LeaseTtl = std::chrono::hours(24 * 365 * 100);

constexpr std::string_view kTagPrefix = "tag:";

std::string v2_name(std::string_view tag) { return std::string(kTagPrefix) + std::string(tag); }

bool is_tag_limit(std::string_view name) { return name.rfind(kTagPrefix, 0) == 0; }

std::string zero_limit_message(std::string_view tag) {
  return fmt::format(
      "The concurrency limit on tag \"{}\" is 0 and will deadlock if the task tries to run "
      "again.",
      tag);
}

}  // namespace

Result<TagConcurrencyLimit> TagLimitAdapter::from_v2(const ConcurrencyLimitRow& row) {
  TagConcurrencyLimit out;
  out.id = row.id;
  out.created = row.created;
  out.updated = row.updated;
  out.tag = row.name.substr(is_tag_limit(row.name) ? kTagPrefix.size() : 0);
  out.concurrency_limit = row.limit;
  PC_ASSIGN_OR_RETURN(auto holders, store_.list_holders_for_limit(row.id, now_));
  for (const auto& [lease_id, holder] : holders) {
    if (holder.type == "task_run") {
      out.active_slots.push_back(holder.id);
    }
  }
  return out;
}

Result<std::vector<TagConcurrencyLimit>> TagLimitAdapter::read_v1(
    std::string_view where, const std::vector<SqlValue>& params, std::string_view tail) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query(fmt::format("SELECT id, created, updated, tag, concurrency_limit, active_slots "
                            "FROM concurrency_limit WHERE {}{}",
                            where, tail),
                params));
  std::vector<TagConcurrencyLimit> out;
  for (const Row& row : rows) {
    TagConcurrencyLimit l;
    l.id = row.text(0);
    PC_ASSIGN_OR_RETURN(l.created, core::parse_time(row.text(1)));
    PC_ASSIGN_OR_RETURN(l.updated, core::parse_time(row.text(2)));
    l.tag = row.text(3);
    l.concurrency_limit = row.int64(4);
    l.active_slots = json_strings(row.is_null(5) ? "[]" : row.text(5));
    out.push_back(std::move(l));
  }
  return out;
}

Result<std::pair<TagConcurrencyLimit, bool>> TagLimitAdapter::upsert(
    const schemas::TagConcurrencyLimitCreate& create, const std::string& new_id) {
  const std::string name = v2_name(create.tag);
  ConcurrencyLimitFields fields;
  fields.limit = create.concurrency_limit;
  bool created = false;
  PC_ASSIGN_OR_RETURN(auto existing, store_.read_limit_by_name(name));
  if (!existing) {
    fields.name = name;
    fields.active = true;
    auto inserted = store_.create_limit(new_id, fields, now_);
    if (inserted) {
      existing = std::move(*inserted);
      created = true;
    } else if (inserted.error().code() != ErrorCode::kConflict) {
      return inserted.error();
    } else {
      // Another request created it since the read: update it as upstream's upsert would.
      fields.name.reset();
      fields.active.reset();
      PC_ASSIGN_OR_RETURN(existing, store_.read_limit_by_name(name));
    }
  }
  if (!existing) {
    return Status::internal("the tag concurrency limit vanished during its upsert");
  }
  if (!created) {
    PC_ASSIGN_OR_RETURN(bool updated, store_.update_limit(existing->id, fields, now_));
    (void)updated;
    PC_ASSIGN_OR_RETURN(existing, store_.read_limit(existing->id));
    if (!existing) {
      return Status::internal("the tag concurrency limit vanished during its update");
    }
  }
  PC_ASSIGN_OR_RETURN(TagConcurrencyLimit out, from_v2(*existing));
  return std::make_pair(std::move(out), created);
}

Result<std::optional<TagConcurrencyLimit>> TagLimitAdapter::read(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto v2, store_.read_limit(id));
  if (v2 && is_tag_limit(v2->name)) {
    PC_ASSIGN_OR_RETURN(TagConcurrencyLimit out, from_v2(*v2));
    return std::optional<TagConcurrencyLimit>(std::move(out));
  }
  PC_ASSIGN_OR_RETURN(auto v1, read_v1("id = ?", {id}));
  return v1.empty() ? std::nullopt : std::optional<TagConcurrencyLimit>(std::move(v1.front()));
}

Result<std::optional<TagConcurrencyLimit>> TagLimitAdapter::read_by_tag(const std::string& tag) {
  PC_ASSIGN_OR_RETURN(auto v2, store_.read_limit_by_name(v2_name(tag)));
  if (v2) {
    PC_ASSIGN_OR_RETURN(TagConcurrencyLimit out, from_v2(*v2));
    return std::optional<TagConcurrencyLimit>(std::move(out));
  }
  PC_ASSIGN_OR_RETURN(auto v1, read_v1("tag = ?", {tag}));
  return v1.empty() ? std::nullopt : std::optional<TagConcurrencyLimit>(std::move(v1.front()));
}

// As upstream: the first limit + offset rows of each table (v2 ordered by name, so other
// limit kinds take up room in the window), v2 tag limits first, v1 rows of other tags after.
Result<std::vector<TagConcurrencyLimit>> TagLimitAdapter::list(std::int64_t limit,
                                                               std::int64_t offset) {
  // Saturates: limit + offset of a hostile offset near INT64_MAX would overflow to a
  // negative LIMIT (a 500 on PostgreSQL).
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  const std::int64_t window = offset > kMax - limit ? kMax : limit + offset;
  PC_ASSIGN_OR_RETURN(auto v2, store_.list_limits(window, 0));
  PC_ASSIGN_OR_RETURN(auto v1, read_v1("1=1", {window}, " ORDER BY tag LIMIT ?"));
  std::vector<TagConcurrencyLimit> merged;
  std::set<std::string> seen;
  for (const ConcurrencyLimitRow& row : v2) {
    if (is_tag_limit(row.name)) {
      PC_ASSIGN_OR_RETURN(TagConcurrencyLimit l, from_v2(row));
      seen.insert(l.tag);
      merged.push_back(std::move(l));
    }
  }
  for (TagConcurrencyLimit& l : v1) {
    if (!seen.count(l.tag)) {
      merged.push_back(std::move(l));
    }
  }
  const auto begin = std::min<std::size_t>(static_cast<std::size_t>(offset), merged.size());
  const auto end = std::min<std::size_t>(begin + static_cast<std::size_t>(limit), merged.size());
  return std::vector<TagConcurrencyLimit>(std::make_move_iterator(merged.begin() + begin),
                                          std::make_move_iterator(merged.begin() + end));
}

// Upstream revokes the leases without giving their slots back, which leaks the slots of a
// reset limit (and of other limits a revoked lease also held) for good; this gives them back.
Status TagLimitAdapter::release_leases_on(const std::string& limit_id) {
  const std::string pattern = "%\"" + Dialect::escape_like(limit_id) + "\"%";
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT id FROM concurrency_lease WHERE expiration > ? "
                                           "AND resource_ids LIKE ? ESCAPE '\\' ORDER BY id",
                                           {core::format_storage_time(now_), pattern}));
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(auto lease, store_.read_lease(row.text(0)));
    if (!lease || std::find(lease->resource_ids.begin(), lease->resource_ids.end(), limit_id) ==
                      lease->resource_ids.end()) {
      continue;
    }
    PC_ASSIGN_OR_RETURN(
        bool ignored, store_.bulk_decrement_active_slots(lease->resource_ids, lease->slots, now_));
    (void)ignored;  // a deleted or inactive limit has nothing to give back
    PC_RETURN_IF_ERROR(store_.revoke_lease(lease->id));
  }
  return {};
}

Result<bool> TagLimitAdapter::remove(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto v2, store_.read_limit(id));
  if (v2) {
    PC_RETURN_IF_ERROR(release_leases_on(v2->id));
    return store_.delete_limit(v2->id);
  }
  PC_ASSIGN_OR_RETURN(std::int64_t n, tx_.exec("DELETE FROM concurrency_limit WHERE id = ?", {id}));
  return n > 0;
}

Result<bool> TagLimitAdapter::remove_by_tag(const std::string& tag) {
  PC_ASSIGN_OR_RETURN(auto v2, store_.read_limit_by_name(v2_name(tag)));
  if (v2) {
    PC_RETURN_IF_ERROR(release_leases_on(v2->id));
    return store_.delete_limit(v2->id);
  }
  PC_ASSIGN_OR_RETURN(std::int64_t n,
                      tx_.exec("DELETE FROM concurrency_limit WHERE tag = ?", {tag}));
  return n > 0;
}

Result<bool> TagLimitAdapter::reset(const std::string& tag,
                                    const std::optional<std::vector<std::string>>& slot_override,
                                    core::IdGenerator& ids) {
  PC_ASSIGN_OR_RETURN(auto v2, store_.read_limit_by_name(v2_name(tag)));
  if (v2) {
    PC_RETURN_IF_ERROR(release_leases_on(v2->id));
    for (const std::string& run_id : slot_override.value_or(std::vector<std::string>{})) {
      // Upstream grants the override slots whether or not the limit has room for them.
      PC_ASSIGN_OR_RETURN(bool ignored, store_.bulk_increment_active_slots({v2->id}, 1, now_));
      (void)ignored;
      PC_RETURN_IF_ERROR(store_
                             .create_lease(ids.random_id(), {v2->id}, kV1LeaseTtl, 1,
                                           LeaseHolder{"task_run", run_id}, now_)
                             .status());
    }
    return true;
  }
  std::string slots;
  core::JsonWriter(slots).string_array(slot_override.value_or(std::vector<std::string>{}));
  PC_ASSIGN_OR_RETURN(
      std::int64_t n,
      tx_.exec("UPDATE concurrency_limit SET active_slots = ?, updated = ? WHERE tag = ?",
               {JsonText{slots}, core::format_storage_time(now_), tag}));
  return n > 0;
}

Result<std::vector<MinimalConcurrencyLimit>> TagLimitAdapter::increment(
    const std::vector<std::string>& tags, const std::string& task_run_id,
    const std::string& lease_id) {
  std::vector<std::string> names;
  for (const std::string& tag : tags) {
    names.push_back(v2_name(tag));
  }
  PC_ASSIGN_OR_RETURN(auto v2_rows, store_.read_limits_by_names(names));
  std::map<std::string, ConcurrencyLimitRow> v2;
  for (auto& row : v2_rows) {
    v2.emplace(row.name, std::move(row));
  }
  PC_ASSIGN_OR_RETURN(auto v1_rows, TaskOrchestrationStore(tx_).lock_tag_limits(tags));
  std::map<std::string, TagLimit> v1;
  for (auto& row : v1_rows) {
    v1.emplace(row.tag, std::move(row));
  }
  // Every zero limit is refused before anything is taken; no Retry-After, waiting won't help.
  for (const std::string& tag : tags) {
    auto a = v2.find(v2_name(tag));
    auto b = v1.find(tag);
    if ((a != v2.end() && a->second.limit == 0) ||
        (b != v1.end() && b->second.concurrency_limit == 0)) {
      return Status(ErrorCode::kLocked, zero_limit_message(tag));
    }
  }
  std::string retry_after;
  core::append_json_double(retry_after, waits_.tag_seconds);
  auto reached = [&](std::string_view tag) {
    return Status(ErrorCode::kLocked,
                  fmt::format("Concurrency limit for the {} tag has been reached", tag),
                  retry_after);
  };
  std::vector<const ConcurrencyLimitRow*> v2_take;
  std::vector<TagLimit*> v1_take;
  for (const std::string& tag : tags) {
    auto a = v2.find(v2_name(tag));
    auto b = v1.find(tag);
    if (a != v2.end() && a->second.active) {
      v2_take.push_back(&a->second);
    } else if (b != v1.end()) {
      if (static_cast<std::int64_t>(b->second.active_slots.size()) >= b->second.concurrency_limit) {
        return reached(tag);
      }
      v1_take.push_back(&b->second);
    }
  }
  std::vector<MinimalConcurrencyLimit> out;
  if (!v2_take.empty()) {
    std::vector<std::string> ids;
    for (const auto* row : v2_take) {
      ids.push_back(row->id);
    }
    PC_ASSIGN_OR_RETURN(bool acquired, store_.bulk_increment_active_slots(ids, 1, now_));
    if (!acquired) {
      return reached(v2_take.front()->name.substr(kTagPrefix.size()));
    }
    for (const auto* row : v2_take) {
      out.push_back({row->id, row->name.substr(kTagPrefix.size()), row->limit});
    }
    PC_RETURN_IF_ERROR(store_
                           .create_lease(lease_id, std::move(ids), kV1LeaseTtl, 1,
                                         LeaseHolder{"task_run", task_run_id}, now_)
                           .status());
  }
  for (TagLimit* limit : v1_take) {
    auto& slots = limit->active_slots;
    if (std::find(slots.begin(), slots.end(), task_run_id) == slots.end()) {
      slots.push_back(task_run_id);
      PC_RETURN_IF_ERROR(TaskOrchestrationStore(tx_).set_active_slots(*limit, now_));
    }
    out.push_back({limit->id, limit->tag, limit->concurrency_limit});
  }
  return out;
}

Result<std::vector<MinimalConcurrencyLimit>> TagLimitAdapter::decrement(
    const std::vector<std::string>& tags, const std::string& task_run_id) {
  std::vector<std::string> names;
  for (const std::string& tag : tags) {
    names.push_back(v2_name(tag));
  }
  PC_ASSIGN_OR_RETURN(auto v2, store_.read_limits_by_names(names));
  std::set<std::string> leases;
  std::set<std::string> v2_names;
  for (const ConcurrencyLimitRow& limit : v2) {
    v2_names.insert(limit.name);
    PC_ASSIGN_OR_RETURN(auto holders, store_.list_holders_for_limit(limit.id, now_));
    for (const auto& [lease_id, holder] : holders) {
      if (holder.id == task_run_id) {
        leases.insert(lease_id);
      }
    }
  }
  for (const std::string& lease_id : leases) {
    PC_ASSIGN_OR_RETURN(auto lease, store_.read_lease(lease_id));
    if (lease) {
      PC_ASSIGN_OR_RETURN(bool ignored, store_.bulk_decrement_active_slots(lease->resource_ids,
                                                                           lease->slots, now_));
      (void)ignored;
      PC_RETURN_IF_ERROR(store_.revoke_lease(lease->id));
    }
  }
  std::vector<MinimalConcurrencyLimit> out;
  // Upstream names v2 limits in full here (`tag:<tag>`), unlike increment.
  for (const ConcurrencyLimitRow& limit : v2) {
    out.push_back({limit.id, limit.name, limit.limit});
  }
  PC_ASSIGN_OR_RETURN(auto v1, TaskOrchestrationStore(tx_).lock_tag_limits(tags));
  for (TagLimit& limit : v1) {
    auto& slots = limit.active_slots;
    auto it = std::find(slots.begin(), slots.end(), task_run_id);
    if (v2_names.count(v2_name(limit.tag)) || it == slots.end()) {
      continue;
    }
    slots.erase(it);
    PC_RETURN_IF_ERROR(TaskOrchestrationStore(tx_).set_active_slots(limit, now_));
    out.push_back({limit.id, limit.tag, limit.concurrency_limit});
  }
  return out;
}

}  // namespace prefectcore::models
