#include "tests/api/trace_replay.h"

#include <cstdlib>
#include <fstream>

#include <doctest/doctest.h>

namespace prefectcore::testing {
namespace {

using simdjson::dom::element_type;

bool is_number(element_type t) {
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

std::string trace_path(const std::string& name) {
  const char* root = std::getenv("PREFECTCORE_REFERENCE");
  return std::string(root ? root : "../shared/reference") + "/traces/" + name;
}

}  // namespace

std::vector<std::string> load_records(const std::string& name) {
  std::vector<std::string> out;
  std::ifstream in(trace_path(name));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) {
      out.push_back(line);
    }
  }
  return out;
}

// The records of one trace file by sequence number, as compact JSON text.
std::map<std::int64_t, std::string> load_trace(const std::string& name) {
  std::map<std::int64_t, std::string> out;
  std::ifstream in(trace_path(name));
  std::string line;
  while (std::getline(in, line)) {
    auto doc = core::JsonDocument::parse(line);
    std::int64_t seq = 0;
    if (doc && !doc->root()["seq"].get_int64().get(seq) && !doc->root()["method"].error()) {
      out[seq] = line;
    }
  }
  return out;
}

std::string replace_all(std::string s, const std::map<std::string, std::string>& ids) {
  for (const auto& [from, to] : ids) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
      s.replace(at, from.size(), to);
    }
  }
  return s;
}

// Records where `actual` differs from `expected` in keys or value types.
void compare_shape(core::JsonElement expected, core::JsonElement actual, const std::string& path,
                   std::vector<std::string>& diffs) {
  const auto et = expected.type();
  const auto at = actual.type();
  if (et != at && !(is_number(et) && is_number(at))) {
    diffs.push_back(path + ": expected " + core::to_json(expected) + ", got " +
                    core::to_json(actual));
    return;
  }
  if (et == element_type::OBJECT) {
    core::JsonObject e = expected.get_object().value_unsafe();
    core::JsonObject a = actual.get_object().value_unsafe();
    for (auto [key, value] : e) {
      core::JsonElement mine;
      if (a.at_key(key).get(mine)) {
        diffs.push_back(path + "." + std::string(key) + ": missing");
      } else {
        compare_shape(value, mine, path + "." + std::string(key), diffs);
      }
    }
    for (auto [key, value] : a) {
      core::JsonElement theirs;
      if (e.at_key(key).get(theirs)) {
        diffs.push_back(path + "." + std::string(key) + ": unexpected");
      }
    }
  } else if (et == element_type::ARRAY) {
    auto e = items(expected);
    auto a = items(actual);
    for (std::size_t i = 0; i < std::min(e.size(), a.size()); ++i) {
      compare_shape(e[i], a[i], path + "[" + std::to_string(i) + "]", diffs);
    }
  }
}

HttpResponse Replayer::replay(std::int64_t seq, const std::string& extra_body_members) {
  REQUIRE(trace.count(seq) == 1);
  auto doc = core::JsonDocument::parse(trace[seq]);
  REQUIRE(doc.has_value());
  auto rec = doc->root();
  const std::string method = str(rec, "method");
  const std::string path = replace_all(str(rec, "path"), ids);
  std::string body;
  if (!member(rec, "req_body").is_null()) {
    body = replace_all(core::to_json(member(rec, "req_body")), ids);
    if (!extra_body_members.empty()) {
      body.insert(body.size() - 1, "," + extra_body_members);
    }
  }
  auto headers = member(rec, "req_headers");
  // The client's identifying headers, when the record has them (the trace checker's own
  // reads at the end of a trace do not).
  std::vector<std::pair<std::string, std::string>> sent;
  for (auto [name, recorded] : {std::pair{"User-Agent", "user-agent"},
                                std::pair{"X-Prefect-API-Version", "x-prefect-api-version"}}) {
    std::string_view value;
    if (!headers[recorded].get_string().get(value)) {
      sent.emplace_back(name, std::string(value));
    }
  }
  auto r = call_with_headers(api, method, path, body, sent);
  INFO("seq ", seq, ": ", method, " ", path, " -> ", r.body);
  CHECK(r.status == int64(rec, "status"));
  auto expected = member(rec, "resp_body");
  if (!expected.is_null()) {
    auto ours = parse_json(r);
    std::vector<std::string> diffs;
    compare_shape(expected, ours.root(), "$", diffs);
    std::string all;
    for (const auto& d : diffs) {
      all += d + "\n";
    }
    CHECK_MESSAGE(diffs.empty(), all);
  } else {
    CHECK((r.body.empty() || r.body == "null"));  // no body, or JSON null
  }
  return r;
}

}  // namespace prefectcore::testing
