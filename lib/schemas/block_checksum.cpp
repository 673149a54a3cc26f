#include "lib/schemas/block_checksum.h"

#include <cstring>

namespace prefectcore::schemas {
namespace {

constexpr std::array<std::uint32_t, 64> kK = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void compress(std::array<std::uint32_t, 8>& h, const unsigned char* block) {
  std::uint32_t w[64];
  for (int i = 0; i < 16; ++i) {
    w[i] = (std::uint32_t{block[4 * i]} << 24) | (std::uint32_t{block[4 * i + 1]} << 16) |
           (std::uint32_t{block[4 * i + 2]} << 8) | std::uint32_t{block[4 * i + 3]};
  }
  for (int i = 16; i < 64; ++i) {
    const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; ++i) {
    const std::uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    const std::uint32_t ch = (e & f) ^ (~e & g);
    const std::uint32_t t1 = hh + s1 + ch + kK[i] + w[i];
    const std::uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
    const std::uint32_t t2 = s0 + maj;
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += hh;
}

// upstream remove_nested_keys: recurses through objects only (lists are left as they are).
JsonValue without_secret_fields(const JsonValue& v) {
  if (!v.is_object()) {
    return v;
  }
  JsonValue out = JsonValue::object();
  for (const auto& [key, value] : v.members()) {
    if (key != "secret_fields") {
      out.members().emplace_back(key, without_secret_fields(value));
    }
  }
  return out;
}

void collect_refs(const JsonValue& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    if (const JsonValue* ref = v.find("$ref"); ref && ref->is_string() && !ref->str().empty()) {
      out.push_back(ref->str());
    }
    for (const auto& m : v.members()) {
      collect_refs(m.second, out);
    }
  } else if (v.is_array()) {
    for (const auto& item : v.items()) {
      collect_refs(item, out);
    }
  }
}

void add_non_block(const JsonValue& object, const JsonValue& definitions, JsonValue& out,
                   int depth) {
  if (depth > 64) {  // a definition cycle; upstream would recurse forever
    return;
  }
  constexpr std::string_view kPrefix = "#/definitions/";
  for (const std::string& ref : collect_reference_strings(object)) {
    std::string key = ref;
    if (auto pos = key.find(kPrefix); pos != std::string::npos) {
      key.erase(pos, kPrefix.size());
    }
    const JsonValue* def = definitions.find(key);
    const bool is_block = def && def->is_object() && def->find("block_type_slug") &&
                          !def->find("block_type_slug")->is_null();
    // Python truthiness: an empty definition is skipped.
    const bool truthy = def && ((def->is_object() && !def->members().empty()) ||
                                (!def->is_object() && !def->is_null()));
    if (truthy && !is_block) {
      out.set(key, *def);
      add_non_block(*def, definitions, out, depth + 1);
    }
  }
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t full = data.size() / 64;
  for (std::size_t i = 0; i < full; ++i) {
    compress(h, bytes + 64 * i);
  }
  unsigned char tail[128] = {};
  const std::size_t rest = data.size() - 64 * full;
  if (rest > 0) {
    std::memcpy(tail, bytes + 64 * full, rest);
  }
  tail[rest] = 0x80;
  const std::size_t tail_len = rest + 9 <= 64 ? 64 : 128;
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  for (int i = 0; i < 8; ++i) {
    tail[tail_len - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  }
  compress(h, tail);
  if (tail_len == 128) {
    compress(h, tail + 64);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::uint32_t word : h) {
    for (int shift = 28; shift >= 0; shift -= 4) {
      out += kHex[(word >> shift) & 0xF];
    }
  }
  return out;
}

std::vector<std::string> collect_reference_strings(const JsonValue& value) {
  std::vector<std::string> out;
  collect_refs(value, out);
  return out;
}

JsonValue non_block_definitions(const JsonValue& object, const JsonValue& definitions) {
  JsonValue out = JsonValue::object();
  add_non_block(object, definitions, out, 0);
  return out;
}

std::string block_schema_checksum(const JsonValue& fields) {
  JsonValue f = without_secret_fields(fields);
  if (const JsonValue* defs = f.find("definitions");
      defs &&
      ((defs->is_object() && !defs->members().empty()) ||
       (defs->is_array() && !defs->items().empty()) ||
       (defs->is_string() && !defs->str().empty()) || defs->kind() == JsonValue::Kind::kNumber ||
       (defs->kind() == JsonValue::Kind::kBool && defs->as_bool()))) {
    JsonValue kept = defs->is_object() ? non_block_definitions(f, *defs) : JsonValue::object();
    if (!kept.members().empty()) {
      f.set("definitions", std::move(kept));
    } else {
      f.erase("definitions");
    }
  }
  // hash_objects hashes the (args, kwargs) pair: ((fields,), {}).
  const std::string text = "[[" + f.python_dumps() + "], {}]";
  return "sha256:" + sha256_hex(text);
}

}  // namespace prefectcore::schemas
