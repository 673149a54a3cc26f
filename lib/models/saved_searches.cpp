#include "lib/models/saved_searches.h"

#include <fmt/format.h>

#include "lib/core/time.h"

namespace prefectcore::models {
namespace {

constexpr std::string_view kColumns =
    "saved_search.id, saved_search.created, saved_search.updated, saved_search.name, "
    "saved_search.filters";

Result<schemas::SavedSearch> row_to_saved_search(const Row& row) {
  schemas::SavedSearch s;
  s.id = row.text(0);
  auto created = core::parse_time(row.text(1));
  auto updated = core::parse_time(row.text(2));
  if (!created || !updated) {
    return Status::internal("saved search " + s.id + " has an unreadable timestamp");
  }
  s.created = *created;
  s.updated = *updated;
  s.name = row.text(3);
  s.filters = row.is_null(4) ? "[]" : row.text(4);
  return s;
}

}  // namespace

Result<std::pair<schemas::SavedSearch, bool>> SavedSearchRepository::upsert(
    const schemas::SavedSearchCreate& search, const std::string& new_id, Timestamp now) {
  const std::string ts = core::format_storage_time(now);
  PC_ASSIGN_OR_RETURN(std::int64_t inserted,
                      tx_.exec("INSERT INTO saved_search (id, created, updated, name, filters) "
                               "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                               {new_id, ts, ts, search.name, JsonText{search.filters}}));
  if (inserted == 0) {
    PC_RETURN_IF_ERROR(tx_.exec("UPDATE saved_search SET filters = ? WHERE name = ?",
                                {JsonText{search.filters}, search.name}));
  }
  PC_ASSIGN_OR_RETURN(auto found, select("saved_search.name = ?", {search.name}, ""));
  if (found.empty()) {
    return Status::internal("saved search vanished during its upsert");
  }
  return std::make_pair(std::move(found.front()), inserted > 0);
}

Result<std::vector<schemas::SavedSearch>> SavedSearchRepository::select(
    std::string_view where_sql, std::vector<SqlValue> params, std::string_view tail) {
  const std::string sql =
      fmt::format("SELECT {} FROM saved_search WHERE {}{}", kColumns, where_sql, tail);
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, params));
  std::vector<schemas::SavedSearch> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(schemas::SavedSearch s, row_to_saved_search(row));
    out.push_back(std::move(s));
  }
  return out;
}

Result<schemas::SavedSearch> SavedSearchRepository::get(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto found, select("saved_search.id = ?", {id}, ""));
  if (found.empty()) {
    return Status::not_found("Saved search not found");
  }
  return std::move(found.front());
}

Result<std::vector<schemas::SavedSearch>> SavedSearchRepository::list(std::int64_t limit,
                                                                      std::int64_t offset) {
  return select("1=1", {limit, offset},
                " ORDER BY saved_search.name, saved_search.id LIMIT ? OFFSET ?");
}

Result<bool> SavedSearchRepository::remove(const std::string& id) {
  PC_ASSIGN_OR_RETURN(std::int64_t changed,
                      tx_.exec("DELETE FROM saved_search WHERE id = ?", {id}));
  return changed > 0;
}

}  // namespace prefectcore::models
