#include "lib/models/block_documents.h"

#include <fmt/format.h>

#include "lib/core/time.h"
#include "lib/models/block_schemas.h"
#include "lib/models/block_types.h"
#include "lib/schemas/block_secrets.h"

namespace prefectcore::models {
namespace {

using schemas::JsonValue;

// upstream _BLOCK_DOCUMENT_REFERENCE_MAX_DEPTH.
constexpr int kMaxDepth = 50;

constexpr std::string_view kSelect =
    "SELECT block_document.id, block_document.created, block_document.updated, "
    "block_document.name, block_document.data, block_document.block_schema_id, "
    "block_document.block_type_id, block_document.block_type_name, block_document.is_anonymous, "
    "{} FROM block_document LEFT JOIN block_type ON block_type.id = block_document.block_type_id "
    "WHERE {}";

std::string_view order_by(BlockDocumentSort sort) {
  switch (sort) {
    case BlockDocumentSort::kNameDesc:
      return "block_document.name DESC";
    case BlockDocumentSort::kBlockTypeAndNameAsc:
      return "block_document.block_type_name ASC, block_document.name ASC";
    case BlockDocumentSort::kNameAsc:
      break;
  }
  return "block_document.name ASC";
}

SqlCondition document_where(const BlockDocumentFilters& f) {
  SqlCondition where = f.documents;
  if (where.sql.empty()) {
    where.sql = "1=1";
  }
  if (!f.types.empty()) {
    SqlCondition c;
    c.sql =
        "EXISTS (SELECT 1 FROM block_type WHERE block_type.id = block_document.block_type_id "
        "AND " +
        f.types.sql + ")";
    c.params = f.types.params;
    where.and_with(std::move(c));
  }
  if (!f.schemas.empty()) {
    SqlCondition c;
    c.sql =
        "EXISTS (SELECT 1 FROM block_schema WHERE block_schema.id = "
        "block_document.block_schema_id AND " +
        f.schemas.sql + ")";
    c.params = f.schemas.params;
    where.and_with(std::move(c));
  }
  return where;
}

// upstream _separate_block_references_from_data: top-level {"$ref": {...}} values name
// another document.
Result<std::pair<JsonValue, std::vector<std::pair<std::string, std::string>>>> split_references(
    const JsonValue& data) {
  JsonValue plain = JsonValue::object();
  std::vector<std::pair<std::string, std::string>> refs;
  for (const auto& [key, value] : data.members()) {
    const JsonValue* ref = value.is_object() ? value.find("$ref") : nullptr;
    if (!ref) {
      plain.members().emplace_back(key, value);
      continue;
    }
    const JsonValue* id = ref->is_object() ? ref->find("block_document_id") : nullptr;
    if (!id || id->is_null()) {
      return Status::bad_request(
          fmt::format("Received block reference without a block_document_id in key {}", key));
    }
    auto normalized = id->is_string() ? core::normalize_uuid(id->str()) : std::nullopt;
    if (!normalized) {
      return Status::bad_request(fmt::format("Invalid block_document_id in key {}", key));
    }
    refs.emplace_back(key, *normalized);
  }
  return std::make_pair(std::move(plain), std::move(refs));
}

}  // namespace

Result<schemas::BlockDocument> BlockDocumentRepository::hydrate(const Row& row,
                                                                bool include_secrets, int depth) {
  if (depth > kMaxDepth) {
    return Status::internal("Block document reference graph exceeds max depth");
  }
  schemas::BlockDocument d;
  d.id = row.text(0);
  auto created = core::parse_time(row.text(1));
  auto updated = core::parse_time(row.text(2));
  if (!created || !updated) {
    return Status::internal("block document " + d.id + " has an unreadable timestamp");
  }
  d.created = *created;
  d.updated = *updated;
  d.name = row.opt_text(3);
  PC_ASSIGN_OR_RETURN(d.data, JsonValue::parse(row.is_null(4) ? "{}" : row.text(4)));
  d.block_schema_id = row.text(5);
  d.block_type_id = row.text(6);
  d.block_type_name = row.opt_text(7);
  d.is_anonymous = row.boolean(8);
  if (!row.is_null(9)) {
    PC_ASSIGN_OR_RETURN(auto t, block_type_from_row(row, 9));
    d.block_type = std::move(t);
  }
  if (!include_secrets) {
    PC_ASSIGN_OR_RETURN(JsonValue fields,
                        BlockSchemaRepository(tx_, ids_).stored_fields(d.block_schema_id));
    d.data = schemas::obfuscate_secrets(d.data, fields);
  }
  PC_ASSIGN_OR_RETURN(
      Rows refs,
      tx_.query(fmt::format(fmt::runtime(kSelect), kBlockTypeColumns,
                            "block_document.id IN (SELECT reference_block_document_id FROM "
                            "block_document_reference WHERE parent_block_document_id = ?) "
                            "ORDER BY block_document.name"),
                {d.id}));
  PC_ASSIGN_OR_RETURN(Rows names, tx_.query("SELECT name, reference_block_document_id FROM "
                                            "block_document_reference WHERE "
                                            "parent_block_document_id = ?",
                                            {d.id}));
  for (const Row& child_row : refs) {
    PC_ASSIGN_OR_RETURN(auto child, hydrate(child_row, include_secrets, depth + 1));
    for (const Row& n : names) {
      if (n.text(1) != child.id) {
        continue;
      }
      d.data.set(n.text(0), child.data);
      JsonValue info = JsonValue::object();
      info.set("id", JsonValue::string(child.id));
      info.set("name", child.name ? JsonValue::string(*child.name) : JsonValue());
      if (child.block_type) {
        auto parsed = JsonValue::parse(schemas::encode_block_type(*child.block_type));
        info.set("block_type", parsed ? *parsed : JsonValue());
      } else {
        info.set("block_type", JsonValue());
      }
      info.set("is_anonymous", JsonValue::boolean(child.is_anonymous));
      info.set("block_document_references", child.block_document_references);
      JsonValue wrapper = JsonValue::object();
      wrapper.set("block_document", std::move(info));
      d.block_document_references.set(n.text(0), std::move(wrapper));
    }
  }
  if (depth == 0) {
    PC_ASSIGN_OR_RETURN(auto schema, BlockSchemaRepository(tx_, ids_).get(d.block_schema_id));
    d.block_schema = std::move(schema);
  }
  return d;
}

Result<std::vector<schemas::BlockDocument>> BlockDocumentRepository::list(
    const BlockDocumentFilters& filters, bool include_secrets, BlockDocumentSort sort,
    std::int64_t limit, std::int64_t offset) {
  SqlCondition where = document_where(filters);
  std::string tail = fmt::format(" ORDER BY {}, block_document.id", order_by(sort));
  if (limit >= 0) {
    tail += " LIMIT ? OFFSET ?";
    where.params.emplace_back(limit);
    where.params.emplace_back(offset);
  }
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx_.query(fmt::format(fmt::runtime(kSelect), kBlockTypeColumns, where.sql + tail),
                           where.params));
  std::vector<schemas::BlockDocument> out;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(auto d, hydrate(row, include_secrets, 0));
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::int64_t> BlockDocumentRepository::count(const BlockDocumentFilters& filters) {
  const SqlCondition where = document_where(filters);
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx_.query("SELECT COUNT(*) FROM block_document WHERE " + where.sql, where.params));
  return rows.empty() ? 0 : rows.front().int64(0);
}

Result<std::optional<schemas::BlockDocument>> BlockDocumentRepository::get(const std::string& id,
                                                                           bool include_secrets) {
  BlockDocumentFilters f;
  f.documents.sql = "block_document.id = ?";
  f.documents.params = {id};
  PC_ASSIGN_OR_RETURN(auto docs, list(f, include_secrets, BlockDocumentSort::kNameAsc, 1, 0));
  if (docs.empty()) {
    return std::optional<schemas::BlockDocument>();
  }
  return std::optional<schemas::BlockDocument>(std::move(docs.front()));
}

Result<std::optional<schemas::BlockDocument>> BlockDocumentRepository::get_by_name(
    const std::string& type_slug, const std::string& name, bool include_secrets) {
  BlockDocumentFilters f;
  f.documents.sql = "block_document.name = ?";
  f.documents.params = {name};
  f.types.sql = "block_type.slug = ?";
  f.types.params = {type_slug};
  PC_ASSIGN_OR_RETURN(auto docs, list(f, include_secrets, BlockDocumentSort::kNameAsc, 1, 0));
  if (docs.empty()) {
    return std::optional<schemas::BlockDocument>();
  }
  return std::optional<schemas::BlockDocument>(std::move(docs.front()));
}

// upstream create_block_document_reference, with its cycle check; a missing document is
// the foreign-key conflict upstream's database reports.
Status BlockDocumentRepository::add_references(
    const std::string& parent_id, const std::vector<std::pair<std::string, std::string>>& refs,
    Timestamp now) {
  const std::string ts = core::format_storage_time(now);
  for (const auto& [name, ref_id] : refs) {
    PC_ASSIGN_OR_RETURN(Rows exists,
                        tx_.query("SELECT 1 FROM block_document WHERE id = ?", {ref_id}));
    if (exists.empty()) {
      return Status::conflict("");
    }
    std::vector<std::string> stack = {ref_id};
    std::vector<std::string> seen;
    while (!stack.empty()) {
      std::string current = stack.back();
      stack.pop_back();
      if (current == parent_id) {
        return Status::bad_request(fmt::format(
            "Cannot create block document reference: it would introduce a cycle into the "
            "block_document_reference graph (parent={}, reference={}).",
            parent_id, ref_id));
      }
      if (std::find(seen.begin(), seen.end(), current) != seen.end()) {
        continue;
      }
      seen.push_back(current);
      PC_ASSIGN_OR_RETURN(Rows next, tx_.query("SELECT reference_block_document_id FROM "
                                               "block_document_reference WHERE "
                                               "parent_block_document_id = ?",
                                               {current}));
      for (const Row& r : next) {
        stack.push_back(r.text(0));
      }
    }
    PC_RETURN_IF_ERROR(tx_.exec("INSERT INTO block_document_reference (id, created, updated, "
                                "name, parent_block_document_id, reference_block_document_id) "
                                "VALUES (?, ?, ?, ?, ?, ?)",
                                {ids_.random_id(), ts, ts, name, parent_id, ref_id})
                           .status());
  }
  return Status::ok_status();
}

Result<schemas::BlockDocument> BlockDocumentRepository::create(
    const schemas::BlockDocumentCreate& create, Timestamp now) {
  if (create.name) {
    PC_ASSIGN_OR_RETURN(Rows taken,
                        tx_.query("SELECT 1 FROM block_document WHERE block_type_id = ? AND "
                                  "name = ?",
                                  {create.block_type_id, *create.name}));
    if (!taken.empty()) {
      return Status::conflict("Block already exists");
    }
  }
  PC_ASSIGN_OR_RETURN(
      Rows type, tx_.query("SELECT name FROM block_type WHERE id = ?", {create.block_type_id}));
  PC_ASSIGN_OR_RETURN(
      Rows schema, tx_.query("SELECT 1 FROM block_schema WHERE id = ?", {create.block_schema_id}));
  if (type.empty() || schema.empty()) {
    return Status::conflict("");  // the foreign keys upstream's insert would violate
  }
  const std::string name = create.is_anonymous && (!create.name || create.name->empty())
                               ? "anonymous-" + ids_.random_id()
                               : create.name.value_or("");
  PC_ASSIGN_OR_RETURN(auto split, split_references(create.data));
  const std::string id = ids_.random_id();
  const std::string ts = core::format_storage_time(now);
  PC_RETURN_IF_ERROR(
      tx_.exec("INSERT INTO block_document (id, created, updated, name, data, is_anonymous, "
               "block_type_name, block_type_id, block_schema_id) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               {id, ts, ts, name, JsonText{split.first.dump()},
                std::int64_t{create.is_anonymous ? 1 : 0}, type.front().text(0),
                create.block_type_id, create.block_schema_id})
          .status());
  PC_RETURN_IF_ERROR(add_references(id, split.second, now));
  PC_ASSIGN_OR_RETURN(auto stored, get(id, /*include_secrets=*/false));
  if (!stored) {
    return Status::internal("created block document vanished");
  }
  return std::move(*stored);
}

Result<bool> BlockDocumentRepository::update(const std::string& id,
                                             const schemas::BlockDocumentUpdate& update,
                                             Timestamp now) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT data, block_schema_id, block_type_id FROM "
                                           "block_document WHERE id = ?" +
                                               std::string(tx_.dialect().for_update()),
                                           {id}));
  if (rows.empty()) {
    return false;
  }
  const std::string ts = core::format_storage_time(now);
  // upstream: with merge_existing_data only the keys sent apply, so no "data" means no
  // change at all; without it the (default, empty) data replaces the stored data.
  if (update.data_set || !update.merge_existing_data) {
    PC_ASSIGN_OR_RETURN(JsonValue current,
                        JsonValue::parse(rows.front().is_null(0) ? "{}" : rows.front().text(0)));
    const std::string current_schema = rows.front().text(1);
    PC_ASSIGN_OR_RETURN(JsonValue fields,
                        BlockSchemaRepository(tx_, ids_).stored_fields(current_schema));
    JsonValue data = schemas::restore_obfuscated_secrets(update.data, current, fields);
    if (update.merge_existing_data) {
      for (auto& [key, value] : data.members()) {
        current.set(key, std::move(value));
      }
      data = std::move(current);
    }
    PC_ASSIGN_OR_RETURN(auto split, split_references(data));
    PC_RETURN_IF_ERROR(tx_.exec("UPDATE block_document SET data = ?, updated = ? WHERE id = ?",
                                {JsonText{split.first.dump()}, ts, id})
                           .status());
    if (update.block_schema_id && *update.block_schema_id != current_schema) {
      PC_ASSIGN_OR_RETURN(Rows proposed,
                          tx_.query("SELECT block_type_id FROM block_schema WHERE id = ?",
                                    {*update.block_schema_id}));
      if (proposed.empty()) {
        return Status::not_found("Block schema not found");
      }
      if (proposed.front().text(0) != rows.front().text(2)) {
        return Status::bad_request(
            "Must migrate block document to a block schema of the same block type.");
      }
      PC_RETURN_IF_ERROR(tx_.exec("UPDATE block_document SET block_schema_id = ? WHERE id = ?",
                                  {*update.block_schema_id, id})
                             .status());
    }
    PC_ASSIGN_OR_RETURN(Rows existing, tx_.query("SELECT id, name, reference_block_document_id "
                                                 "FROM block_document_reference WHERE "
                                                 "parent_block_document_id = ?",
                                                 {id}));
    std::vector<std::pair<std::string, std::string>> added;
    std::vector<std::string> kept;
    for (const auto& ref : split.second) {
      bool found = false;
      for (const Row& r : existing) {
        if (r.text(1) == ref.first && r.text(2) == ref.second) {
          kept.push_back(r.text(0));
          found = true;
        }
      }
      if (!found) {
        added.push_back(ref);
      }
    }
    for (const Row& r : existing) {
      if (std::find(kept.begin(), kept.end(), r.text(0)) == kept.end()) {
        PC_RETURN_IF_ERROR(
            tx_.exec("DELETE FROM block_document_reference WHERE id = ?", {r.text(0)}).status());
      }
    }
    PC_RETURN_IF_ERROR(add_references(id, added, now));
  }
  return true;
}

Result<bool> BlockDocumentRepository::remove(const std::string& id) {
  PC_RETURN_IF_ERROR(clear_default_storage_if(tx_, "block_document.id = ?", {id}));
  PC_ASSIGN_OR_RETURN(std::int64_t changed,
                      tx_.exec("DELETE FROM block_document WHERE id = ?", {id}));
  return changed > 0;
}

}  // namespace prefectcore::models
