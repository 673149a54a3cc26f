#include "lib/models/block_schemas.h"

#include <algorithm>

#include <fmt/format.h>

#include "lib/core/time.h"
#include "lib/models/block_types.h"
#include "lib/schemas/block_checksum.h"

namespace prefectcore::models {
namespace {

using schemas::JsonValue;

// Nesting deeper than this is refused (upstream would recurse until Python's limit).
constexpr int kMaxDepth = 50;

constexpr std::string_view kSelect =
    "SELECT block_schema.id, block_schema.created, block_schema.updated, block_schema.checksum, "
    "block_schema.fields, block_schema.block_type_id, block_schema.capabilities, "
    "block_schema.version, {} FROM block_schema "
    "LEFT JOIN block_type ON block_type.id = block_schema.block_type_id WHERE {}";

Result<schemas::BlockSchema> row_to_schema(const Row& row) {
  schemas::BlockSchema s;
  s.id = row.text(0);
  auto created = core::parse_time(row.text(1));
  auto updated = core::parse_time(row.text(2));
  if (!created || !updated) {
    return Status::internal("block schema " + s.id + " has an unreadable timestamp");
  }
  s.created = *created;
  s.updated = *updated;
  s.checksum = row.text(3);
  PC_ASSIGN_OR_RETURN(s.fields, JsonValue::parse(row.is_null(4) ? "{}" : row.text(4)));
  s.block_type_id = row.text(5);
  PC_ASSIGN_OR_RETURN(JsonValue caps, JsonValue::parse(row.is_null(6) ? "[]" : row.text(6)));
  for (const JsonValue& c : caps.items()) {
    if (c.is_string()) {
      s.capabilities.push_back(c.str());
    }
  }
  s.version = row.text(7);
  if (!row.is_null(8)) {
    PC_ASSIGN_OR_RETURN(auto t, block_type_from_row(row, 8));
    s.block_type = std::move(t);
  }
  return s;
}

JsonValue reference_entry(const schemas::BlockSchema& child) {
  JsonValue entry = JsonValue::object();
  entry.set("block_schema_checksum", JsonValue::string(child.checksum));
  entry.set("block_type_slug", JsonValue::string(child.block_type ? child.block_type->slug : ""));
  return entry;
}

// upstream _construct_block_schema_fields_with_block_references: one entry per name, a
// list once a second distinct schema appears under the same name.
void add_reference(JsonValue& refs, const std::string& name, JsonValue entry) {
  JsonValue* existing = refs.find(name);
  if (!existing) {
    refs.set(name, std::move(entry));
  } else if (existing->is_array()) {
    for (const JsonValue& e : existing->items()) {
      if (e == entry) {
        return;
      }
    }
    existing->push_back(std::move(entry));
  } else if (!(*existing == entry)) {
    JsonValue list = JsonValue::array();
    list.push_back(*existing);
    list.push_back(std::move(entry));
    *existing = std::move(list);
  }
}

std::string strip_definitions_prefix(std::string ref) {
  constexpr std::string_view kPrefix = "#/definitions/";
  if (auto pos = ref.find(kPrefix); pos != std::string::npos) {
    ref.erase(pos, kPrefix.size());
  }
  return ref;
}

// upstream _get_fields_for_child_schema.
const JsonValue* child_fields(const JsonValue& definitions, const JsonValue& base_fields,
                              const std::string& name, const std::string& type_slug) {
  const JsonValue* props = base_fields.find("properties");
  const JsonValue* spec = props ? props->find(name) : nullptr;
  if (!spec) {
    return nullptr;
  }
  const auto refs = schemas::collect_reference_strings(*spec);
  if (refs.size() == 1) {
    return definitions.find(strip_definitions_prefix(refs[0]));
  }
  for (const auto& ref : refs) {
    const JsonValue* def = definitions.find(strip_definitions_prefix(ref));
    const JsonValue* slug = def ? def->find("block_type_slug") : nullptr;
    if (slug && slug->is_string() && slug->str() == type_slug) {
      return def;
    }
  }
  return nullptr;
}

bool truthy(const JsonValue* v) {
  return v && !v->is_null() && !(v->is_object() && v->members().empty()) &&
         !(v->is_array() && v->items().empty());
}

}  // namespace

Result<std::vector<schemas::BlockSchema>> BlockSchemaRepository::select(
    const std::string& where_and_tail, const std::vector<SqlValue>& params) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query(fmt::format(fmt::runtime(kSelect), kBlockTypeColumns, where_and_tail), params));
  std::vector<schemas::BlockSchema> out;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(auto s, row_to_schema(row));
    PC_ASSIGN_OR_RETURN(auto full, rebuild(std::move(s), 0));
    out.push_back(std::move(full));
  }
  return out;
}

// upstream _construct_full_block_schema: block_schema_references and the definitions of
// the referenced (block) schemas are rebuilt from the reference rows.
Result<schemas::BlockSchema> BlockSchemaRepository::rebuild(schemas::BlockSchema schema,
                                                            int depth) {
  if (depth > kMaxDepth) {
    return Status::internal("block schema references nest too deeply");
  }
  PC_ASSIGN_OR_RETURN(
      Rows refs, tx_.query("SELECT block_schema_reference.name, "
                           "block_schema_reference.reference_block_schema_id "
                           "FROM block_schema_reference WHERE parent_block_schema_id = ? "
                           "ORDER BY block_schema_reference.created, block_schema_reference.id",
                           {schema.id}));
  JsonValue references = JsonValue::object();
  JsonValue definitions = JsonValue::object();
  for (const Row& ref : refs) {
    PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(fmt::format(fmt::runtime(kSelect), kBlockTypeColumns,
                                                         "block_schema.id = ?"),
                                             {ref.text(1)}));
    if (rows.empty()) {
      continue;
    }
    PC_ASSIGN_OR_RETURN(auto child, row_to_schema(rows.front()));
    PC_ASSIGN_OR_RETURN(child, rebuild(std::move(child), depth + 1));
    add_reference(references, ref.text(0), reference_entry(child));
    if (const JsonValue* title = child.fields.find("title"); title && !title->is_null()) {
      JsonValue child_defs = JsonValue::object();
      if (JsonValue* d = child.fields.find("definitions")) {
        child_defs = std::move(*d);
        child.fields.erase("definitions");
      }
      definitions.set(title->is_string() ? title->str() : title->dump(), child.fields);
      for (auto& [key, value] : child_defs.members()) {
        definitions.set(key, std::move(value));
      }
    }
  }
  schema.fields.set("block_schema_references", std::move(references));
  JsonValue* own = schema.fields.find("definitions");
  if (!definitions.members().empty() || truthy(own)) {
    JsonValue merged = own && own->is_object() ? *own : JsonValue::object();
    for (auto& [key, value] : definitions.members()) {
      merged.set(key, std::move(value));
    }
    schema.fields.set("definitions", std::move(merged));
  }
  return schema;
}

Result<schemas::BlockSchema> BlockSchemaRepository::create(const schemas::BlockSchemaCreate& create,
                                                           Timestamp now, bool override,
                                                           const JsonValue* definitions) {
  JsonValue fields = create.fields;
  const JsonValue* own_defs = create.fields.find("definitions");
  const JsonValue* defs = truthy(definitions) ? definitions : own_defs;
  std::optional<JsonValue> defs_copy;
  if (truthy(defs)) {
    defs_copy = *defs;
    fields.set("definitions", *defs_copy);
  }
  const std::string checksum = schemas::block_schema_checksum(fields);
  PC_ASSIGN_OR_RETURN(auto existing, find_by_checksum(checksum, create.version));
  if (existing && !override) {
    return std::move(*existing);
  }
  if (defs_copy) {
    JsonValue kept = defs_copy->is_object() ? schemas::non_block_definitions(fields, *defs_copy)
                                            : JsonValue::object();
    if (!kept.members().empty()) {
      fields.set("definitions", std::move(kept));
    } else {
      fields.erase("definitions");
    }
  }
  JsonValue references = JsonValue::object();
  if (JsonValue* r = fields.find("block_schema_references")) {
    references = std::move(*r);
    fields.erase("block_schema_references");
  }
  std::string caps;
  {
    JsonValue list = JsonValue::array();
    for (const auto& c : create.capabilities) {
      list.push_back(JsonValue::string(c));
    }
    caps = list.dump();
  }
  const std::string ts = core::format_storage_time(now);
  std::string id;
  if (existing) {
    id = existing->id;
    PC_RETURN_IF_ERROR(tx_.exec("UPDATE block_schema SET fields = ?, capabilities = ?, "
                                "block_type_id = ? WHERE id = ?",
                                {JsonText{fields.dump()}, JsonText{caps}, create.block_type_id, id})
                           .status());
  } else {
    id = ids_.random_id();
    PC_RETURN_IF_ERROR(tx_.exec("INSERT INTO block_schema (id, created, updated, checksum, fields, "
                                "capabilities, version, block_type_id) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                {id, ts, ts, checksum, JsonText{fields.dump()}, JsonText{caps},
                                 create.version, create.block_type_id})
                           .status());
  }
  if (references.is_object()) {
    PC_RETURN_IF_ERROR(
        register_nested(id, references, fields, defs_copy ? &*defs_copy : nullptr, now, override));
  }
  return get(id);
}

// upstream _register_nested_block_schemas.
Status BlockSchemaRepository::register_nested(const std::string& parent_id,
                                              const JsonValue& references,
                                              const JsonValue& base_fields,
                                              const JsonValue* definitions, Timestamp now,
                                              bool override) {
  BlockTypeRepository types(tx_);
  for (const auto& [name, value] : references.members()) {
    std::vector<const JsonValue*> entries;
    if (value.is_array()) {
      for (const JsonValue& item : value.items()) {
        entries.push_back(&item);
      }
    } else {
      entries.push_back(&value);
    }
    for (const JsonValue* entry : entries) {
      const JsonValue* slug = entry->find("block_type_slug");
      const JsonValue* checksum = entry->find("block_schema_checksum");
      const std::string slug_text = slug && slug->is_string() ? slug->str() : "";
      PC_ASSIGN_OR_RETURN(auto type, types.find_by_slug(slug_text));
      if (!type) {
        return Status::conflict(fmt::format(
            "Cannot create block schema because block type '{}' was not found.Did you forget "
            "to register the block type?",
            slug_text));
      }
      PC_ASSIGN_OR_RETURN(
          auto child,
          find_by_checksum(checksum && checksum->is_string() ? checksum->str() : "", {}));
      if (!child) {
        if (!definitions) {
          return Status::unprocessable(
              "Unable to create nested block schema due to missing definitions in root block "
              "schema fields");
        }
        const JsonValue* sub = child_fields(*definitions, base_fields, name, type->slug);
        if (!sub || !sub->is_object()) {
          return Status::unprocessable(
              fmt::format("Unable to create nested block schema for block type '{}' due to missing "
                          "definition.",
                          type->name));
        }
        schemas::BlockSchemaCreate nested;
        nested.fields = *sub;
        nested.block_type_id = type->id;
        PC_ASSIGN_OR_RETURN(auto created, create(nested, now, override, definitions));
        child = std::move(created);
      }
      PC_ASSIGN_OR_RETURN(Rows same,
                          tx_.query("SELECT 1 FROM block_schema_reference WHERE name = ? AND "
                                    "parent_block_schema_id = ? AND reference_block_schema_id = ?",
                                    {name, parent_id, child->id}));
      if (same.empty()) {
        const std::string ts = core::format_storage_time(now);
        PC_RETURN_IF_ERROR(
            tx_.exec("INSERT INTO block_schema_reference (id, created, updated, name, "
                     "parent_block_schema_id, reference_block_schema_id) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     {ids_.random_id(), ts, ts, name, parent_id, child->id})
                .status());
      }
    }
  }
  return Status::ok_status();
}

Result<schemas::BlockSchema> BlockSchemaRepository::get(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto found, select("block_schema.id = ?", {id}));
  if (found.empty()) {
    return Status::not_found("Block schema not found");
  }
  return std::move(found.front());
}

Result<std::optional<schemas::BlockSchema>> BlockSchemaRepository::find_by_checksum(
    const std::string& checksum, const std::optional<std::string>& version) {
  std::vector<SqlValue> params = {checksum};
  std::string where = "block_schema.checksum = ?";
  if (version) {
    where += " AND block_schema.version = ?";
    params.emplace_back(*version);
  }
  PC_ASSIGN_OR_RETURN(
      auto found,
      select(where + " ORDER BY block_schema.created DESC, block_schema.id LIMIT 1", params));
  if (found.empty()) {
    return std::optional<schemas::BlockSchema>();
  }
  return std::optional<schemas::BlockSchema>(std::move(found.front()));
}

Result<std::vector<schemas::BlockSchema>> BlockSchemaRepository::list(const SqlCondition& filter,
                                                                      std::int64_t limit,
                                                                      std::int64_t offset) {
  std::vector<SqlValue> params = filter.params;
  params.emplace_back(limit);
  params.emplace_back(offset);
  return select((filter.sql.empty() ? std::string("1=1") : filter.sql) +
                    " ORDER BY block_schema.created DESC, block_schema.id LIMIT ? OFFSET ?",
                params);
}

Result<bool> BlockSchemaRepository::remove(const std::string& id) {
  PC_RETURN_IF_ERROR(clear_default_storage_if(tx_, "block_document.block_schema_id = ?", {id}));
  PC_ASSIGN_OR_RETURN(std::int64_t changed,
                      tx_.exec("DELETE FROM block_schema WHERE id = ?", {id}));
  return changed > 0;
}

Result<std::vector<std::string>> BlockSchemaRepository::capabilities() {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT DISTINCT capabilities FROM block_schema", {}));
  std::vector<std::string> out;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(JsonValue caps, JsonValue::parse(row.is_null(0) ? "[]" : row.text(0)));
    for (const JsonValue& c : caps.items()) {
      if (c.is_string() && std::find(out.begin(), out.end(), c.str()) == out.end()) {
        out.push_back(c.str());
      }
    }
  }
  return out;
}

Result<JsonValue> BlockSchemaRepository::stored_fields(const std::string& id) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT fields FROM block_schema WHERE id = ?", {id}));
  if (rows.empty() || rows.front().is_null(0)) {
    return JsonValue::object();
  }
  return JsonValue::parse(rows.front().text(0));
}

}  // namespace prefectcore::models
