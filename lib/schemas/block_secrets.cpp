#include "lib/schemas/block_secrets.h"

#include <string>
#include <vector>

namespace prefectcore::schemas {
namespace {

using Path = std::vector<std::string>;
using Flat = std::vector<std::pair<Path, JsonValue>>;

void flatten(const JsonValue& v, Path& prefix, Flat& out) {
  for (const auto& [key, value] : v.members()) {
    prefix.push_back(key);
    if (value.is_object() && !value.members().empty()) {
      flatten(value, prefix, out);
    } else {
      out.emplace_back(prefix, value);
    }
    prefix.pop_back();
  }
}

Flat flatten(const JsonValue& v) {
  Flat out;
  Path prefix;
  if (v.is_object()) {
    flatten(v, prefix, out);
  }
  return out;
}

JsonValue unflatten(const Flat& flat) {
  JsonValue root = JsonValue::object();
  for (const auto& [path, value] : flat) {
    JsonValue* node = &root;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
      JsonValue* next = node->find(path[i]);
      if (!next || !next->is_object()) {
        next = &node->set(path[i], JsonValue::object());
      }
      node = next;
    }
    node->set(path.back(), value);
  }
  return root;
}

std::vector<Path> secret_paths(const JsonValue& schema_fields) {
  std::vector<Path> out;
  const JsonValue* secrets = schema_fields.find("secret_fields");
  if (!secrets || !secrets->is_array()) {
    return out;
  }
  for (const JsonValue& s : secrets->items()) {
    if (!s.is_string()) {
      continue;
    }
    Path p;
    std::size_t start = 0;
    const std::string& text = s.str();
    while (true) {
      const auto dot = text.find('.', start);
      p.push_back(text.substr(start, dot == std::string::npos ? dot : dot - start));
      if (dot == std::string::npos) {
        break;
      }
      start = dot + 1;
    }
    out.push_back(std::move(p));
  }
  return out;
}

JsonValue* lookup(Flat& flat, const Path& path) {
  for (auto& [p, v] : flat) {
    if (p == path) {
      return &v;
    }
  }
  return nullptr;
}

// The index of the first "*" in `path`, or npos.
std::size_t wildcard(const Path& path) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == "*") {
      return i;
    }
  }
  return std::string::npos;
}

bool has_prefix(const Path& path, const Path& secret, std::size_t n) {
  if (path.size() < n) {
    return false;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (path[i] != secret[i]) {
      return false;
    }
  }
  return true;
}

bool is_placeholder(const JsonValue& v) { return v.is_string() && v.str() == kObfuscatedSecret; }

}  // namespace

JsonValue obfuscate_secrets(const JsonValue& data, const JsonValue& schema_fields) {
  const std::vector<Path> secrets = secret_paths(schema_fields);
  if (secrets.empty() || !data.is_object()) {
    return data;
  }
  Flat flat = flatten(data);
  for (const Path& secret : secrets) {
    JsonValue* leaf = lookup(flat, secret);
    if (leaf && !leaf->is_null()) {
      *leaf = JsonValue::string(kObfuscatedSecret);
    } else if (const auto star = wildcard(secret); star != std::string::npos) {
      for (auto& [path, value] : flat) {
        if (has_prefix(path, secret, star)) {
          value = JsonValue::string(kObfuscatedSecret);
        }
      }
    }
  }
  return unflatten(flat);
}

JsonValue restore_obfuscated_secrets(const JsonValue& update, const JsonValue& current,
                                     const JsonValue& schema_fields) {
  const std::vector<Path> secrets = secret_paths(schema_fields);
  if (secrets.empty() || !update.is_object()) {
    return update;
  }
  Flat flat_update = flatten(update);
  Flat flat_current = flatten(current);
  for (const Path& secret : secrets) {
    const JsonValue* stored = lookup(flat_current, secret);
    if (stored && !stored->is_null()) {
      if (JsonValue* sent = lookup(flat_update, secret); sent && is_placeholder(*sent)) {
        *sent = *stored;
      }
    } else if (const auto star = wildcard(secret); star != std::string::npos) {
      for (auto& [path, value] : flat_update) {
        if (has_prefix(path, secret, star) && is_placeholder(value)) {
          // Upstream fails on a placeholder with no stored value; keeping it is safer.
          if (const JsonValue* old = lookup(flat_current, path)) {
            value = *old;
          }
        }
      }
    }
  }
  return unflatten(flat_update);
}

}  // namespace prefectcore::schemas
