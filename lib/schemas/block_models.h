#pragma once

// Block types, schemas and documents (upstream schemas/core.py BlockType, BlockSchema,
// BlockDocument; schemas/actions.py Block*Create/Update) and their JSON codecs.

#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"
#include "lib/schemas/block_json.h"

namespace prefectcore::schemas {

// upstream DEFAULT_BLOCK_SCHEMA_VERSION.
inline constexpr const char* kDefaultBlockSchemaVersion = "non-versioned";

struct BlockType {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::string name;
  std::string slug;
  std::optional<std::string> logo_url;
  std::optional<std::string> documentation_url;
  std::optional<std::string> description;
  std::optional<std::string> code_example;
  bool is_protected = false;
};

struct BlockSchema {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::string checksum;
  JsonValue fields = JsonValue::object();
  std::string block_type_id;
  std::optional<BlockType> block_type;
  std::vector<std::string> capabilities;
  std::string version = kDefaultBlockSchemaVersion;
};

struct BlockDocument {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::optional<std::string> name;
  JsonValue data = JsonValue::object();
  std::string block_schema_id;
  std::optional<BlockSchema> block_schema;
  std::string block_type_id;
  std::optional<std::string> block_type_name;
  std::optional<BlockType> block_type;
  JsonValue block_document_references = JsonValue::object();
  bool is_anonymous = false;
};

// BlockTypeCreate (extra="forbid").
struct BlockTypeCreate {
  std::string name;
  std::string slug;
  std::optional<std::string> logo_url;
  std::optional<std::string> documentation_url;
  std::optional<std::string> description;
  std::optional<std::string> code_example;
};

// BlockTypeUpdate (extra="forbid"): only the keys that were sent (outer optional) are
// applied; the inner optional is the value, null included.
struct BlockTypeUpdate {
  std::optional<std::optional<std::string>> logo_url;
  std::optional<std::optional<std::string>> documentation_url;
  std::optional<std::optional<std::string>> description;
  std::optional<std::optional<std::string>> code_example;
};

struct BlockSchemaCreate {
  JsonValue fields = JsonValue::object();
  std::string block_type_id;
  std::vector<std::string> capabilities;
  std::string version = kDefaultBlockSchemaVersion;
};

struct BlockDocumentCreate {
  std::optional<std::string> name;
  JsonValue data = JsonValue::object();
  std::string block_schema_id;
  std::string block_type_id;
  bool is_anonymous = false;
};

struct BlockDocumentUpdate {
  std::optional<std::string> block_schema_id;
  JsonValue data = JsonValue::object();
  bool data_set = false;  // the request sent "data"
  bool merge_existing_data = true;
};

void write_block_type(core::JsonWriter& w, const BlockType& t);
void write_block_schema(core::JsonWriter& w, const BlockSchema& s);
void write_block_document(core::JsonWriter& w, const BlockDocument& d);
std::string encode_block_type(const BlockType& t);
std::string encode_block_schema(const BlockSchema& s);
std::string encode_block_document(const BlockDocument& d);

Result<BlockTypeCreate> decode_block_type_create(core::JsonElement value, const core::Loc& loc);
Result<BlockTypeUpdate> decode_block_type_update(core::JsonElement value, const core::Loc& loc);
Result<BlockSchemaCreate> decode_block_schema_create(core::JsonElement value, const core::Loc& loc);
Result<BlockDocumentCreate> decode_block_document_create(core::JsonElement value,
                                                         const core::Loc& loc);
Result<BlockDocumentUpdate> decode_block_document_update(core::JsonElement value,
                                                         const core::Loc& loc);

// html.escape(s, quote=False) / a reading of html.unescape for the entities escape emits
// and the common numeric ones (upstream escapes block type descriptions and examples).
std::string html_escape(std::string_view s);
std::string html_unescape(std::string_view s);

}  // namespace prefectcore::schemas
