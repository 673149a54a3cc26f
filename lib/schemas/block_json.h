#pragma once

// A small mutable JSON tree for block data and block schema fields. Blocks need what the
// read-only simdjson DOM cannot do: obfuscate secret leaves, splice referenced documents
// into their parent's data, merge updates, and serialise schema fields the way Python's
// json.dumps(sort_keys=True) does for checksums. Object members keep their input order.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"

namespace prefectcore::schemas {

class JsonValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  using Member = std::pair<std::string, JsonValue>;

  JsonValue() = default;
  static JsonValue string(std::string s);
  static JsonValue boolean(bool b);
  static JsonValue object();
  static JsonValue array();
  static JsonValue from(core::JsonElement e);
  // kInternal when `text` (stored JSON) does not parse.
  static Result<JsonValue> parse(std::string_view text);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_object() const { return kind_ == Kind::kObject; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_string() const { return kind_ == Kind::kString; }
  const std::string& str() const { return text_; }  // string value (or number text)
  bool as_bool() const { return bool_; }

  std::vector<Member>& members() { return members_; }
  const std::vector<Member>& members() const { return members_; }
  std::vector<JsonValue>& items() { return items_; }
  const std::vector<JsonValue>& items() const { return items_; }

  const JsonValue* find(std::string_view key) const;
  JsonValue* find(std::string_view key);
  // Replaces the member `key` or appends it.
  JsonValue& set(std::string_view key, JsonValue value);
  bool erase(std::string_view key);
  void push_back(JsonValue v) { items_.push_back(std::move(v)); }

  void write(core::JsonWriter& w) const;
  // Compact JSON.
  std::string dump() const;
  // Python's json.dumps(value, sort_keys=True): ", " and ": " separators, non-ASCII escaped.
  std::string python_dumps() const;

  bool operator==(const JsonValue& other) const;

 private:
  void python_dumps_to(std::string& out) const;
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  std::string text_;
  std::vector<JsonValue> items_;
  std::vector<Member> members_;
};

}  // namespace prefectcore::schemas
