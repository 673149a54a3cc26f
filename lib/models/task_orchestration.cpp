#include "lib/models/task_orchestration.h"

#include <fmt/format.h>

#include "lib/core/json_writer.h"
#include "lib/core/time.h"
#include "lib/models/run_store.h"

namespace prefectcore::models {
namespace {

// "?, ?, ?" for `n` values.
std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out.append(i ? ", ?" : "?");
  }
  return out;
}

}  // namespace

Result<std::optional<std::string>> TaskOrchestrationStore::cached_state_id(
    const std::string& cache_key, Timestamp now) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query("SELECT task_run_state_id FROM task_run_state_cache WHERE cache_key = ? AND "
                "(cache_expiration IS NULL OR cache_expiration > ?) "
                "ORDER BY created DESC, id DESC LIMIT 1",
                {cache_key, core::format_storage_time(now)}));
  if (rows.empty()) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(rows.front().text(0));
}

Status TaskOrchestrationStore::insert_cache(const std::string& id, const std::string& cache_key,
                                            const std::optional<Timestamp>& cache_expiration,
                                            const std::string& state_id, Timestamp now) {
  const std::string ts = core::format_storage_time(now);
  return tx_
      .exec(
          "INSERT INTO task_run_state_cache (id, created, updated, cache_key, cache_expiration, "
          "task_run_state_id) VALUES (?, ?, ?, ?, ?, ?)",
          {id, ts, ts, cache_key,
           cache_expiration ? SqlValue(core::format_storage_time(*cache_expiration))
                            : SqlValue(SqlNull{}),
           state_id})
      .status();
}

Result<std::vector<std::string>> TaskOrchestrationStore::tag_limit_ids(
    const std::vector<std::string>& tags) {
  std::vector<std::string> ids;
  if (tags.empty()) {
    return ids;
  }
  std::vector<SqlValue> names;
  for (const std::string& tag : tags) {
    names.emplace_back("tag:" + tag);
  }
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(fmt::format("SELECT id FROM concurrency_limit_v2 "
                                                       "WHERE name IN ({}) ORDER BY name",
                                                       placeholders(names.size())),
                                           names));
  for (const Row& row : rows) {
    ids.push_back(row.text(0));
  }
  return ids;
}

Result<std::vector<TagLimit>> TaskOrchestrationStore::lock_tag_limits(
    const std::vector<std::string>& tags) {
  std::vector<TagLimit> out;
  if (tags.empty()) {
    return out;
  }
  std::vector<SqlValue> params(tags.begin(), tags.end());
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx_.query(fmt::format("SELECT id, tag, concurrency_limit, active_slots FROM "
                                       "concurrency_limit WHERE tag IN ({}) ORDER BY tag{}",
                                       placeholders(params.size()), tx_.dialect().for_update()),
                           params));
  for (const Row& row : rows) {
    out.push_back({row.text(0), row.text(1), row.int64(2),
                   json_strings(row.is_null(3) ? "[]" : row.text(3))});
  }
  return out;
}

Status TaskOrchestrationStore::set_active_slots(const TagLimit& limit, Timestamp now) {
  std::string slots;
  core::JsonWriter(slots).string_array(limit.active_slots);
  return tx_
      .exec("UPDATE concurrency_limit SET active_slots = ?, updated = ? WHERE id = ?",
            {JsonText{slots}, core::format_storage_time(now), limit.id})
      .status();
}

}  // namespace prefectcore::models
