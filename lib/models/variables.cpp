#include "lib/models/variables.h"

#include <fmt/format.h>

#include "lib/core/time.h"

namespace prefectcore::models {
namespace {

constexpr std::string_view kColumns =
    "variable.id, variable.created, variable.updated, variable.name, variable.value, "
    "variable.tags";

Result<schemas::Variable> row_to_variable(const Row& row) {
  schemas::Variable v;
  v.id = row.text(0);
  auto created = core::parse_time(row.text(1));
  auto updated = core::parse_time(row.text(2));
  if (!created || !updated) {
    return Status::internal("variable " + v.id + " has an unreadable timestamp");
  }
  v.created = *created;
  v.updated = *updated;
  v.name = row.text(3);
  v.value = row.is_null(4) ? "null" : row.text(4);
  v.tags = row.is_null(5) ? "[]" : row.text(5);
  return v;
}

std::string_view order_by(VariableSort sort) {
  switch (sort) {
    case VariableSort::kCreatedDesc:
      return "variable.created DESC";
    case VariableSort::kUpdatedDesc:
      return "variable.updated DESC";
    case VariableSort::kNameDesc:
      return "variable.name DESC";
    case VariableSort::kNameAsc:
      return "variable.name ASC";
  }
  return "variable.name ASC";
}

std::string where_or_all(const SqlCondition& filter) {
  return filter.sql.empty() ? std::string("1=1") : filter.sql;
}

}  // namespace

Result<schemas::Variable> VariableRepository::create(const schemas::VariableCreate& variable,
                                                     const std::string& new_id, Timestamp now) {
  const std::string ts = core::format_storage_time(now);
  PC_ASSIGN_OR_RETURN(
      std::int64_t inserted,
      tx_.exec("INSERT INTO variable (id, created, updated, name, value, tags) "
               "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
               {new_id, ts, ts, variable.name, JsonText{variable.value}, JsonText{variable.tags}}));
  if (inserted == 0) {
    // Upstream turns the IntegrityError into this 409; names are [a-z0-9-_] only, so
    // Python's repr() of the name is the name in single quotes.
    return Status::conflict(
        fmt::format("A variable with the name '{}' already exists.", variable.name));
  }
  return get(new_id);
}

Result<std::vector<schemas::Variable>> VariableRepository::select(
    std::string_view where_sql, const std::vector<SqlValue>& params, std::string_view tail) {
  const std::string sql =
      fmt::format("SELECT {} FROM variable WHERE {}{}", kColumns, where_sql, tail);
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, params));
  std::vector<schemas::Variable> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(schemas::Variable v, row_to_variable(row));
    out.push_back(std::move(v));
  }
  return out;
}

Result<schemas::Variable> VariableRepository::get(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto found, select("variable.id = ?", {id}, ""));
  if (found.empty()) {
    return Status::not_found("Variable not found.");
  }
  return std::move(found.front());
}

Result<schemas::Variable> VariableRepository::get_by_name(const std::string& name) {
  PC_ASSIGN_OR_RETURN(auto found, select("variable.name = ?", {name}, ""));
  if (found.empty()) {
    return Status::not_found("Variable not found.");
  }
  return std::move(found.front());
}

Result<bool> VariableRepository::update_where(std::string_view column, const std::string& key,
                                              const schemas::VariableUpdate& update,
                                              Timestamp now) {
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx_.query(fmt::format("SELECT id FROM variable WHERE {} = ?", column), {key}));
  if (rows.empty()) {
    return false;
  }
  if (update.name_is_null || update.tags_is_null) {
    // Upstream writes the nulls and the NOT NULL columns refuse them (IntegrityError, 409).
    return Status::conflict("");
  }
  std::string sets = "updated = ?";
  std::vector<SqlValue> params = {core::format_storage_time(now)};
  if (update.name) {
    sets += ", name = ?";
    params.emplace_back(*update.name);
  }
  if (update.value) {
    sets += ", value = ?";
    params.emplace_back(JsonText{*update.value});
  }
  if (update.tags) {
    sets += ", tags = ?";
    params.emplace_back(JsonText{*update.tags});
  }
  const std::string id = rows.front().text(0);
  params.emplace_back(id);
  if (update.name) {
    // A rename onto a taken name is upstream's generic integrity 409; checked first so the
    // answer does not depend on the backend's constraint message.
    PC_ASSIGN_OR_RETURN(Rows taken, tx_.query("SELECT 1 FROM variable WHERE name = ? AND id <> ?",
                                              {*update.name, id}));
    if (!taken.empty()) {
      return Status::conflict("");
    }
  }
  PC_RETURN_IF_ERROR(tx_.exec("UPDATE variable SET " + sets + " WHERE id = ?", params));
  return true;
}

Result<bool> VariableRepository::update(const std::string& id,
                                        const schemas::VariableUpdate& update, Timestamp now) {
  return update_where("id", id, update, now);
}

Result<bool> VariableRepository::update_by_name(const std::string& name,
                                                const schemas::VariableUpdate& update,
                                                Timestamp now) {
  return update_where("name", name, update, now);
}

Result<bool> VariableRepository::remove(const std::string& id) {
  PC_ASSIGN_OR_RETURN(std::int64_t changed, tx_.exec("DELETE FROM variable WHERE id = ?", {id}));
  return changed > 0;
}

Result<bool> VariableRepository::remove_by_name(const std::string& name) {
  PC_ASSIGN_OR_RETURN(std::int64_t changed,
                      tx_.exec("DELETE FROM variable WHERE name = ?", {name}));
  return changed > 0;
}

Result<std::vector<schemas::Variable>> VariableRepository::list(const SqlCondition& filter,
                                                                VariableSort sort,
                                                                std::int64_t limit,
                                                                std::int64_t offset) {
  std::vector<SqlValue> params = filter.params;
  params.emplace_back(limit);
  params.emplace_back(offset);
  // The id tie-break keeps pages stable when sort keys repeat (created/updated).
  return select(where_or_all(filter), params,
                fmt::format(" ORDER BY {}, variable.id LIMIT ? OFFSET ?", order_by(sort)));
}

Result<std::int64_t> VariableRepository::count(const SqlCondition& filter) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query("SELECT COUNT(*) FROM variable WHERE " + where_or_all(filter), filter.params));
  return rows.empty() ? 0 : rows.front().int64(0);
}

}  // namespace prefectcore::models
