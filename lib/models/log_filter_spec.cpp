// LogFilter (upstream schemas/filters.py): the spec-table fields, plus `text`, whose search
// language (text_search.h) compiles to SQL here.

#include <fmt/format.h>

#include "lib/core/json_writer.h"
#include "lib/models/logs.h"
#include "lib/models/text_search.h"

namespace prefectcore::models {
namespace {

using K = ValueKind;

constexpr std::size_t kMaxQueryLength = 200;
constexpr std::string_view kSearchable = "lower(log.message || ' ' || log.name)";

core::Loc child(const core::Loc& loc, std::string_view key) {
  core::Loc out = loc;
  out.emplace_back(std::string(key));
  return out;
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

// Validates LogFilterTextSearch (extra forbidden, `query` a string of at most 200
// characters) and returns its query.
std::optional<std::string> read_text_query(core::JsonElement text, const core::Loc& loc,
                                           core::ValidationErrors& errors) {
  core::JsonObject obj;
  if (text.get_object().get(obj) != simdjson::SUCCESS) {
    errors.add("model_type", loc,
               "Input should be a valid dictionary or instance of LogFilterTextSearch",
               core::to_json(text));
    return std::nullopt;
  }
  std::optional<std::string> query;
  bool seen = false;
  for (auto [key, value] : obj) {
    if (key != "query") {
      errors.add("extra_forbidden", child(loc, key), "Extra inputs are not permitted",
                 core::to_json(value));
      continue;
    }
    seen = true;
    std::string_view s;
    if (value.get_string().get(s) != simdjson::SUCCESS) {
      errors.add("string_type", child(loc, key), "Input should be a valid string",
                 core::to_json(value));
    } else if (code_points(s) > kMaxQueryLength) {
      errors.add("string_too_long", child(loc, key), "String should have at most 200 characters",
                 core::to_json(value), R"({"max_length":200})");
    } else {
      query = std::string(s);
    }
  }
  if (!seen) {
    errors.add("missing", child(loc, "query"), "Field required", core::to_json(text));
  }
  return query;
}

// The filter object without its `text` member, for the spec compiler.
Result<core::JsonDocument> without_text(core::JsonObject obj) {
  std::string json;
  core::JsonWriter w(json);
  w.begin_object();
  for (auto [key, value] : obj) {
    if (key != "text") {
      w.key(key).raw(core::to_json(value));
    }
  }
  w.end_object();
  return core::JsonDocument::parse(json);
}

std::string like(std::vector<SqlValue>& params, const std::string& term) {
  params.emplace_back("%" + Dialect::escape_like(ascii_lower(term)) + "%");
  return fmt::format("{} LIKE ? ESCAPE '\\'", kSearchable);
}

// upstream LogFilterTextSearch._get_filter_list: one condition per kind of term.
std::vector<std::string> text_conditions(const TextSearchQuery& q, std::vector<SqlValue>& params) {
  std::vector<std::string> out;
  if (!q.include.empty()) {
    std::string any;
    for (const auto& term : q.include) {
      any += (any.empty() ? "" : " OR ") + like(params, term);
    }
    out.push_back("(" + any + ")");
  }
  for (const auto* terms : {&q.exclude, &q.required}) {
    if (terms->empty()) {
      continue;
    }
    std::string all;
    for (const auto& term : *terms) {
      const std::string cond = like(params, term);
      all += (all.empty() ? "" : " AND ") +
             (terms == &q.exclude ? "NOT (" + cond + ")" : "(" + cond + ")");
    }
    out.push_back("(" + all + ")");
  }
  return out;
}

}  // namespace

const FilterSpec& log_filter_spec() {
  static const FilterSpec spec{
      "LogFilter",
      {
          {"level", "log.level", K::kInt, {{"ge_"}, {"le_"}}},
          {"timestamp", "log.timestamp", K::kTime, {{"before_"}, {"after_"}}},
          {"flow_run_id", "log.flow_run_id", K::kUuid, {{"any_"}}},
          {"task_run_id", "log.task_run_id", K::kUuid, {{"any_"}, {"is_null_"}}},
      }};
  return spec;
}

Result<SqlCondition> compile_log_filter(core::JsonElement value, const core::Loc& loc,
                                        const Dialect& dialect) {
  core::JsonObject obj;
  if (value.get_object().get(obj) != simdjson::SUCCESS) {
    return compile_filter(log_filter_spec(), value, loc, dialect);  // null, or a type error
  }
  PC_ASSIGN_OR_RETURN(core::JsonDocument rest, without_text(obj));
  PC_ASSIGN_OR_RETURN(SqlCondition spec_part,
                      compile_filter(log_filter_spec(), rest.root(), loc, dialect));
  core::JsonElement text;
  if (obj.at_key("text").get(text) != simdjson::SUCCESS || text.is_null()) {
    return spec_part;
  }
  core::ValidationErrors errors;
  const auto query = read_text_query(text, child(loc, "text"), errors);
  if (!errors.empty()) {
    return errors.to_status();
  }
  std::string_view op;
  const bool any = obj["operator"].get_string().get(op) == simdjson::SUCCESS && op == "or_";
  SqlCondition out;
  std::vector<std::string> parts;
  if (!spec_part.empty()) {
    parts.push_back(spec_part.sql);
    out.params = std::move(spec_part.params);
  }
  for (auto& cond : text_conditions(parse_text_search_query(*query), out.params)) {
    parts.push_back(std::move(cond));
  }
  for (const auto& part : parts) {
    out.sql += (out.sql.empty() ? "(" : (any ? ") OR (" : ") AND (")) + part;
  }
  out.sql = out.sql.empty() ? "1=1" : out.sql + ")";
  return out;
}

}  // namespace prefectcore::models
