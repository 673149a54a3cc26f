#include "lib/models/block_types.h"

#include <fmt/format.h>

#include "lib/core/time.h"
#include "lib/models/configuration.h"

namespace prefectcore::models {

const char* const kBlockTypeColumns =
    "block_type.id, block_type.created, block_type.updated, block_type.name, block_type.slug, "
    "block_type.logo_url, block_type.documentation_url, block_type.description, "
    "block_type.code_example, block_type.is_protected";

Result<schemas::BlockType> block_type_from_row(const Row& row, std::size_t first) {
  schemas::BlockType t;
  t.id = row.text(first);
  auto created = core::parse_time(row.text(first + 1));
  auto updated = core::parse_time(row.text(first + 2));
  if (!created || !updated) {
    return Status::internal("block type " + t.id + " has an unreadable timestamp");
  }
  t.created = *created;
  t.updated = *updated;
  t.name = row.text(first + 3);
  t.slug = row.text(first + 4);
  t.logo_url = row.opt_text(first + 5);
  t.documentation_url = row.opt_text(first + 6);
  t.description = row.opt_text(first + 7);
  t.code_example = row.opt_text(first + 8);
  t.is_protected = row.boolean(first + 9);
  return t;
}

Status clear_default_storage_if(Transaction& tx, const std::string& document_where,
                                const std::vector<SqlValue>& params) {
  PC_ASSIGN_OR_RETURN(auto configured, read_default_result_storage(tx));
  if (!configured) {
    return Status::ok_status();
  }
  std::vector<SqlValue> p = params;
  p.emplace_back(*configured);
  PC_ASSIGN_OR_RETURN(Rows rows, tx.query("SELECT 1 FROM block_document WHERE (" + document_where +
                                              ") AND block_document.id = ?",
                                          p));
  if (!rows.empty()) {
    PC_RETURN_IF_ERROR(clear_default_result_storage(tx).status());
  }
  return Status::ok_status();
}

Result<std::vector<schemas::BlockType>> BlockTypeRepository::select(
    const std::string& where, const std::vector<SqlValue>& params) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(fmt::format("SELECT {} FROM block_type WHERE {}",
                                                       kBlockTypeColumns, where),
                                           params));
  std::vector<schemas::BlockType> out;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(auto t, block_type_from_row(row, 0));
    out.push_back(std::move(t));
  }
  return out;
}

Result<schemas::BlockType> BlockTypeRepository::create(const schemas::BlockTypeCreate& create,
                                                       const std::string& new_id, Timestamp now,
                                                       bool is_protected) {
  PC_ASSIGN_OR_RETURN(auto existing, find_by_slug(create.slug));
  if (existing) {
    return Status::conflict(fmt::format("Block type with name \"{}\" already exists", create.name));
  }
  const std::string ts = core::format_storage_time(now);
  auto escaped = [](const std::optional<std::string>& s) -> SqlValue {
    return s ? SqlValue(schemas::html_escape(*s)) : SqlValue(SqlNull{});
  };
  auto opt = [](const std::optional<std::string>& s) -> SqlValue {
    return s ? SqlValue(*s) : SqlValue(SqlNull{});
  };
  PC_RETURN_IF_ERROR(tx_.exec("INSERT INTO block_type (id, created, updated, name, slug, logo_url, "
                              "documentation_url, description, code_example, is_protected) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              {new_id, ts, ts, create.name, create.slug, opt(create.logo_url),
                               opt(create.documentation_url), escaped(create.description),
                               escaped(create.code_example), std::int64_t{is_protected ? 1 : 0}})
                         .status());
  return get(new_id);
}

Result<schemas::BlockType> BlockTypeRepository::upsert_protected(
    const schemas::BlockTypeCreate& create, const std::string& new_id, Timestamp now) {
  PC_ASSIGN_OR_RETURN(auto existing, find_by_slug(create.slug));
  if (!existing) {
    return this->create(create, new_id, now, /*is_protected=*/true);
  }
  auto opt = [](const std::optional<std::string>& s) -> SqlValue {
    return s ? SqlValue(*s) : SqlValue(SqlNull{});
  };
  auto escaped = [](const std::optional<std::string>& s) -> SqlValue {
    return s ? SqlValue(schemas::html_escape(*s)) : SqlValue(SqlNull{});
  };
  // upstream's ON CONFLICT (slug) DO UPDATE rewrites every inserted column (updated
  // keeps its value: it is not among them).
  PC_RETURN_IF_ERROR(
      tx_.exec("UPDATE block_type SET name = ?, logo_url = ?, "
               "documentation_url = ?, description = ?, code_example = ?, "
               "is_protected = 1 WHERE id = ?",
               {create.name, opt(create.logo_url), opt(create.documentation_url),
                escaped(create.description), escaped(create.code_example), existing->id})
          .status());
  return get(existing->id);
}

Result<schemas::BlockType> BlockTypeRepository::get(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto types, select("block_type.id = ?", {id}));
  if (types.empty()) {
    return Status::not_found("Block type not found");
  }
  return std::move(types.front());
}

Result<std::optional<schemas::BlockType>> BlockTypeRepository::find_by_slug(
    const std::string& slug) {
  PC_ASSIGN_OR_RETURN(auto types, select("block_type.slug = ?", {slug}));
  if (types.empty()) {
    return std::optional<schemas::BlockType>();
  }
  return std::optional<schemas::BlockType>(std::move(types.front()));
}

Result<std::vector<schemas::BlockType>> BlockTypeRepository::list(const SqlCondition& types,
                                                                  const SqlCondition& schemas,
                                                                  std::int64_t limit,
                                                                  std::int64_t offset) {
  SqlCondition where = types;
  if (where.sql.empty()) {
    where.sql = "1=1";
  }
  if (!schemas.empty()) {
    SqlCondition exists;
    exists.sql =
        "EXISTS (SELECT 1 FROM block_schema WHERE block_schema.block_type_id = block_type.id "
        "AND " +
        schemas.sql + ")";
    exists.params = schemas.params;
    where.and_with(std::move(exists));
  }
  std::vector<SqlValue> params = where.params;
  params.emplace_back(limit);
  params.emplace_back(offset);
  return select(where.sql + " ORDER BY block_type.name LIMIT ? OFFSET ?", params);
}

Result<bool> BlockTypeRepository::update(const std::string& id,
                                         const schemas::BlockTypeUpdate& update, Timestamp now) {
  std::string sets;
  std::vector<SqlValue> params;
  auto add = [&](std::string_view column, const std::optional<std::optional<std::string>>& v) {
    if (v) {
      sets += fmt::format(", {} = ?", column);
      params.push_back(*v ? SqlValue(**v) : SqlValue(SqlNull{}));
    }
  };
  add("logo_url", update.logo_url);
  add("documentation_url", update.documentation_url);
  add("description", update.description);
  add("code_example", update.code_example);
  params.insert(params.begin(), core::format_storage_time(now));
  params.emplace_back(id);
  PC_ASSIGN_OR_RETURN(
      std::int64_t changed,
      tx_.exec("UPDATE block_type SET updated = ?" + sets + " WHERE id = ?", params));
  return changed > 0;
}

Result<bool> BlockTypeRepository::remove(const std::string& id) {
  PC_RETURN_IF_ERROR(clear_default_storage_if(tx_, "block_document.block_type_id = ?", {id}));
  PC_ASSIGN_OR_RETURN(std::int64_t changed, tx_.exec("DELETE FROM block_type WHERE id = ?", {id}));
  return changed > 0;
}

}  // namespace prefectcore::models
