#include "lib/schemas/block_json.h"

#include <algorithm>

namespace prefectcore::schemas {
namespace {

// Python's json encoder with ensure_ascii: everything outside printable ASCII becomes
// \uXXXX (lower-case hex, UTF-16 surrogate pairs above the BMP).
void append_python_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto u16 = [&](unsigned v) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) {
      out += kHex[(v >> shift) & 0xF];
    }
  };
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f') {
      out += '\\';
      out += c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : c == '\b' ? 'b' : 'f';
      ++i;
    } else if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x80) {
      u16(c);
      ++i;
    } else {
      // Decode one UTF-8 sequence (simdjson validated the input).
      int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      unsigned cp = c & (len == 4 ? 0x07 : len == 3 ? 0x0F : 0x1F);
      for (int k = 1; k < len && i + k < s.size(); ++k) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      }
      i += len;
      if (cp >= 0x10000) {
        cp -= 0x10000;
        u16(0xD800 + (cp >> 10));
        u16(0xDC00 + (cp & 0x3FF));
      } else {
        u16(cp);
      }
    }
  }
  out += '"';
}

}  // namespace

JsonValue JsonValue::string(std::string s) {
  JsonValue v;
  v.kind_ = Kind::kString;
  v.text_ = std::move(s);
  return v;
}

JsonValue JsonValue::boolean(bool b) {
  JsonValue v;
  v.kind_ = Kind::kBool;
  v.bool_ = b;
  return v;
}

JsonValue JsonValue::object() {
  JsonValue v;
  v.kind_ = Kind::kObject;
  return v;
}

JsonValue JsonValue::array() {
  JsonValue v;
  v.kind_ = Kind::kArray;
  return v;
}

JsonValue JsonValue::from(core::JsonElement e) {
  JsonValue v;
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      v.kind_ = Kind::kObject;
      core::JsonObject obj;
      if (!e.get_object().get(obj)) {
        for (auto [key, value] : obj) {
          v.set(key, from(value));  // a repeated key keeps the last value, as Python does
        }
      }
      return v;
    }
    case simdjson::dom::element_type::ARRAY: {
      v.kind_ = Kind::kArray;
      core::JsonArray arr;
      if (!e.get_array().get(arr)) {
        for (core::JsonElement item : arr) {
          v.items_.push_back(from(item));
        }
      }
      return v;
    }
    case simdjson::dom::element_type::STRING: {
      std::string_view s;
      return e.get_string().get(s) ? JsonValue() : string(std::string(s));
    }
    case simdjson::dom::element_type::BOOL: {
      bool b = false;
      return e.get_bool().get(b) ? JsonValue() : boolean(b);
    }
    case simdjson::dom::element_type::NULL_VALUE:
      return v;
    default:
      // Numbers keep the text Python would print for them (ints exact, floats repr-like).
      v.kind_ = Kind::kNumber;
      v.text_ = core::to_json(e);
      return v;
  }
}

Result<JsonValue> JsonValue::parse(std::string_view text) {
  auto doc = core::JsonDocument::parse(text);
  if (!doc) {
    return Status::internal("stored block JSON does not parse");
  }
  return from(doc->root());
}

const JsonValue* JsonValue::find(std::string_view key) const {
  for (const auto& m : members_) {
    if (m.first == key) {
      return &m.second;
    }
  }
  return nullptr;
}

JsonValue* JsonValue::find(std::string_view key) {
  for (auto& m : members_) {
    if (m.first == key) {
      return &m.second;
    }
  }
  return nullptr;
}

JsonValue& JsonValue::set(std::string_view key, JsonValue value) {
  if (JsonValue* existing = find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  members_.emplace_back(std::string(key), std::move(value));
  return members_.back().second;
}

bool JsonValue::erase(std::string_view key) {
  auto it = std::find_if(members_.begin(), members_.end(),
                         [&](const Member& m) { return m.first == key; });
  if (it == members_.end()) {
    return false;
  }
  members_.erase(it);
  return true;
}

void JsonValue::write(core::JsonWriter& w) const {
  switch (kind_) {
    case Kind::kNull:
      w.null();
      return;
    case Kind::kBool:
      w.boolean(bool_);
      return;
    case Kind::kNumber:
      w.raw(text_);
      return;
    case Kind::kString:
      w.string(text_);
      return;
    case Kind::kArray:
      w.begin_array();
      for (const auto& item : items_) {
        item.write(w);
      }
      w.end_array();
      return;
    case Kind::kObject:
      w.begin_object();
      for (const auto& [key, value] : members_) {
        w.key(key);
        value.write(w);
      }
      w.end_object();
      return;
  }
}

std::string JsonValue::dump() const {
  std::string out;
  core::JsonWriter w(out);
  write(w);
  return out;
}

std::string JsonValue::python_dumps() const {
  std::string out;
  python_dumps_to(out);
  return out;
}

void JsonValue::python_dumps_to(std::string& out) const {
  switch (kind_) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
      out += bool_ ? "true" : "false";
      return;
    case Kind::kNumber:
      out += text_;
      return;
    case Kind::kString:
      append_python_string(out, text_);
      return;
    case Kind::kArray:
      out += '[';
      for (std::size_t i = 0; i < items_.size(); ++i) {
        out += i ? ", " : "";
        items_[i].python_dumps_to(out);
      }
      out += ']';
      return;
    case Kind::kObject: {
      // sort_keys: Python compares str by code point, which is UTF-8 byte order.
      std::vector<const Member*> sorted;
      for (const auto& m : members_) {
        sorted.push_back(&m);
      }
      std::sort(sorted.begin(), sorted.end(),
                [](const Member* a, const Member* b) { return a->first < b->first; });
      out += '{';
      for (std::size_t i = 0; i < sorted.size(); ++i) {
        out += i ? ", " : "";
        append_python_string(out, sorted[i]->first);
        out += ": ";
        sorted[i]->second.python_dumps_to(out);
      }
      out += '}';
      return;
    }
  }
}

bool JsonValue::operator==(const JsonValue& other) const {
  if (kind_ != other.kind_) {
    return false;
  }
  switch (kind_) {
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return bool_ == other.bool_;
    case Kind::kNumber:
    case Kind::kString:
      return text_ == other.text_;
    case Kind::kArray:
      return items_ == other.items_;
    case Kind::kObject:
      if (members_.size() != other.members_.size()) {
        return false;
      }
      for (const auto& [key, value] : members_) {
        const JsonValue* o = other.find(key);
        if (!o || !(*o == value)) {
          return false;
        }
      }
      return true;
  }
  return false;
}

}  // namespace prefectcore::schemas
