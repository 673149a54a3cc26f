#include "lib/schemas/block_models.h"

#include <fmt/format.h>

#include "lib/schemas/decoder.h"

namespace prefectcore::schemas {
namespace {

// upstream raise_on_name_alphanumeric_dashes_only: ^[a-z0-9-]*$.
bool lowercase_dashes_only(std::string_view s) {
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> dashes_only(ObjectDecoder& d, std::string_view key,
                                       std::optional<std::string> value,
                                       std::string_view field_name) {
  if (value && !lowercase_dashes_only(*value)) {
    d.errors().add("value_error", d.loc_of(key),
                   fmt::format("Value error, {} must only contain lowercase letters, numbers, "
                               "and dashes.",
                               field_name),
                   core::json_quote(*value));
    return std::nullopt;
  }
  return value;
}

// A required field that must not be null: pydantic reports the type error for null.
void null_is_type_error(ObjectDecoder& d, std::string_view key, std::string_view type,
                        std::string_view msg) {
  if (auto m = d.member(key); m && m->is_null()) {
    d.errors().add(type, d.loc_of(key), msg, "null");
  }
}

std::optional<JsonValue> dict_member(ObjectDecoder& d, std::string_view key) {
  auto m = d.member(key);
  if (!m) {
    return std::nullopt;
  }
  if (!m->is_object()) {
    d.errors().add("dict_type", d.loc_of(key), "Input should be a valid dictionary",
                   core::to_json(*m));
    return std::nullopt;
  }
  return JsonValue::from(*m);
}

std::optional<std::optional<std::string>> set_string(ObjectDecoder& d, std::string_view key) {
  auto m = d.member(key);
  if (!m) {
    return std::nullopt;
  }
  if (m->is_null()) {
    return std::optional<std::string>();
  }
  auto s = d.string(key);
  if (!s) {
    return std::nullopt;
  }
  return std::optional<std::string>(std::move(*s));
}

}  // namespace

void write_block_type(core::JsonWriter& w, const BlockType& t) {
  w.begin_object();
  w.key("id").string(t.id);
  w.key("created").time(t.created);
  w.key("updated").time(t.updated);
  w.key("name").string(t.name);
  w.key("slug").string(t.slug);
  w.key("logo_url").opt_string(t.logo_url);
  w.key("documentation_url").opt_string(t.documentation_url);
  w.key("description").opt_string(t.description);
  w.key("code_example").opt_string(t.code_example);
  w.key("is_protected").boolean(t.is_protected);
  w.end_object();
}

void write_block_schema(core::JsonWriter& w, const BlockSchema& s) {
  w.begin_object();
  w.key("id").string(s.id);
  w.key("created").time(s.created);
  w.key("updated").time(s.updated);
  w.key("checksum").string(s.checksum);
  w.key("fields");
  s.fields.write(w);
  w.key("block_type_id").string(s.block_type_id);
  w.key("block_type");
  if (s.block_type) {
    write_block_type(w, *s.block_type);
  } else {
    w.null();
  }
  w.key("capabilities").string_array(s.capabilities);
  w.key("version").string(s.version);
  w.end_object();
}

void write_block_document(core::JsonWriter& w, const BlockDocument& d) {
  w.begin_object();
  w.key("id").string(d.id);
  w.key("created").time(d.created);
  w.key("updated").time(d.updated);
  w.key("name").opt_string(d.name);
  w.key("data");
  d.data.write(w);
  w.key("block_schema_id").string(d.block_schema_id);
  w.key("block_schema");
  if (d.block_schema) {
    write_block_schema(w, *d.block_schema);
  } else {
    w.null();
  }
  w.key("block_type_id").string(d.block_type_id);
  w.key("block_type_name").opt_string(d.block_type_name);
  w.key("block_type");
  if (d.block_type) {
    write_block_type(w, *d.block_type);
  } else {
    w.null();
  }
  w.key("block_document_references");
  d.block_document_references.write(w);
  w.key("is_anonymous").boolean(d.is_anonymous);
  w.end_object();
}

std::string encode_block_type(const BlockType& t) {
  std::string out;
  core::JsonWriter w(out);
  write_block_type(w, t);
  return out;
}

std::string encode_block_schema(const BlockSchema& s) {
  std::string out;
  core::JsonWriter w(out);
  write_block_schema(w, s);
  return out;
}

std::string encode_block_document(const BlockDocument& d) {
  std::string out;
  core::JsonWriter w(out);
  write_block_document(w, d);
  return out;
}

Result<BlockTypeCreate> decode_block_type_create(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "BlockTypeCreate");
  d.forbid_extra({"name", "slug", "logo_url", "documentation_url", "description", "code_example"});
  BlockTypeCreate out;
  if (auto name = d.required_name("name")) {
    out.name = std::move(*name);
  }
  null_is_type_error(d, "name", "string_type", "Input should be a valid string");
  if (auto slug = dashes_only(d, "slug", d.required_string("slug"), "Block type slug")) {
    out.slug = std::move(*slug);
  }
  null_is_type_error(d, "slug", "string_type", "Input should be a valid string");
  out.logo_url = d.string("logo_url");
  out.documentation_url = d.string("documentation_url");
  out.description = d.string("description");
  out.code_example = d.string("code_example");
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

Result<BlockTypeUpdate> decode_block_type_update(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "BlockTypeUpdate");
  d.forbid_extra({"logo_url", "documentation_url", "description", "code_example"});
  BlockTypeUpdate out;
  out.logo_url = set_string(d, "logo_url");
  out.documentation_url = set_string(d, "documentation_url");
  out.description = set_string(d, "description");
  out.code_example = set_string(d, "code_example");
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

Result<BlockSchemaCreate> decode_block_schema_create(core::JsonElement value,
                                                     const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "BlockSchemaCreate");
  d.forbid_extra({"fields", "block_type_id", "capabilities", "version"});
  BlockSchemaCreate out;
  if (auto fields = dict_member(d, "fields")) {
    out.fields = std::move(*fields);
  }
  if (d.is_object() && !d.has("block_type_id")) {
    errors.add("missing", d.loc_of("block_type_id"), "Field required", core::to_json(value));
  } else if (auto id = d.uuid("block_type_id")) {
    out.block_type_id = std::move(*id);
  } else {
    null_is_type_error(d, "block_type_id", "uuid_type",
                       "UUID input should be a string, bytes or UUID object");
  }
  if (auto caps = d.member("capabilities")) {
    if (auto json = d.string_list_json("capabilities")) {
      auto doc = core::JsonDocument::parse(*json);
      core::JsonArray arr;
      if (doc && !doc->root().get_array().get(arr)) {
        for (core::JsonElement item : arr) {
          std::string_view s;
          if (!item.get_string().get(s)) {
            out.capabilities.emplace_back(s);
          }
        }
      }
    } else {
      null_is_type_error(d, "capabilities", "list_type", "Input should be a valid list");
    }
  }
  if (auto version = d.string("version")) {
    out.version = std::move(*version);
  } else {
    null_is_type_error(d, "version", "string_type", "Input should be a valid string");
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

Result<BlockDocumentCreate> decode_block_document_create(core::JsonElement value,
                                                         const core::Loc& loc) {
  core::ValidationErrors errors;
  // upstream validate_name_present_on_nonanonymous_blocks runs before field validation
  // and, when it fails, is the only error reported.
  core::JsonObject obj;
  if (!value.get_object().get(obj)) {
    bool anonymous = false;
    std::string_view name;
    core::JsonElement e;
    if (!obj.at_key("is_anonymous").get(e)) {
      bool b = false;
      anonymous = !e.get_bool().get(b) ? b : !e.is_null();  // Python truthiness, roughly
    }
    const bool has_name =
        !obj.at_key("name").get(e) && !e.is_null() && (e.get_string().get(name) || !name.empty());
    if (!anonymous && !has_name) {
      errors.add("value_error", loc, "Value error, Names must be provided for block documents.",
                 core::to_json(value));
      return errors.to_status();
    }
  }
  ObjectDecoder d(value, loc, errors, "BlockDocumentCreate");
  d.forbid_extra({"name", "data", "block_schema_id", "block_type_id", "is_anonymous"});
  BlockDocumentCreate out;
  auto name = d.string("name");
  if (name && !is_valid_name(*name)) {
    errors.add("string_pattern_mismatch", d.loc_of("name"),
               "String should match pattern '^[^/%&><]+$'", core::json_quote(*name),
               R"({"pattern":"^[^/%&><]+$"})");
  } else {
    out.name = dashes_only(d, "name", name, "Block document name");
  }
  if (auto data = dict_member(d, "data")) {
    out.data = std::move(*data);
  }
  for (std::string_view key : {"block_schema_id", "block_type_id"}) {
    std::string& target = key == "block_schema_id" ? out.block_schema_id : out.block_type_id;
    if (d.is_object() && !d.has(key)) {
      errors.add("missing", d.loc_of(key), "Field required", core::to_json(value));
    } else if (auto id = d.uuid(key)) {
      target = std::move(*id);
    } else {
      null_is_type_error(d, key, "uuid_type",
                         "UUID input should be a string, bytes or UUID object");
    }
  }
  if (auto anonymous = d.boolean("is_anonymous")) {
    out.is_anonymous = *anonymous;
  } else {
    null_is_type_error(d, "is_anonymous", "bool_type", "Input should be a valid boolean");
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

Result<BlockDocumentUpdate> decode_block_document_update(core::JsonElement value,
                                                         const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "BlockDocumentUpdate");
  d.forbid_extra({"block_schema_id", "data", "merge_existing_data"});
  BlockDocumentUpdate out;
  out.block_schema_id = d.uuid("block_schema_id");
  if (auto data = dict_member(d, "data")) {
    out.data = std::move(*data);
    out.data_set = true;
  }
  if (auto merge = d.boolean("merge_existing_data")) {
    out.merge_existing_data = *merge;
  } else {
    null_is_type_error(d, "merge_existing_data", "bool_type", "Input should be a valid boolean");
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string html_unescape(std::string_view s) {
  static constexpr std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&amp;", "&"}, {"&lt;", "<"},   {"&gt;", ">"},   {"&quot;", "\""},
      {"&#39;", "'"}, {"&#x27;", "'"}, {"&#34;", "\""}, {"&#x22;", "\""}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (s[i] == '&') {
      for (auto [entity, text] : kEntities) {
        if (s.substr(i, entity.size()) == entity) {
          out += text;
          i += entity.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) {
      out += s[i++];
    }
  }
  return out;
}

}  // namespace prefectcore::schemas
