#include "lib/models/filters.h"

#include <fmt/format.h>

#include "lib/core/json_writer.h"
#include "lib/core/time.h"
#include "lib/core/uuid.h"

namespace prefectcore::models {

void SqlCondition::and_with(SqlCondition other) {
  if (other.empty()) {
    return;
  }
  if (empty()) {
    *this = std::move(other);
    return;
  }
  sql = "(" + sql + ") AND (" + other.sql + ")";
  for (auto& p : other.params) {
    params.push_back(std::move(p));
  }
}

namespace {

using core::JsonElement;
using core::Loc;
using simdjson::dom::element_type;

constexpr std::string_view kStateTypes[] = {"SCHEDULED", "PENDING", "RUNNING",
                                            "COMPLETED", "FAILED",  "CANCELLED",
                                            "CRASHED",   "PAUSED",  "CANCELLING"};

// A like_/startswith_ operand as upstream uses it: `%` and `_` stay wildcards (upstream
// interpolates the text into ilike unescaped). Backslashes are made literal, so a stray one
// cannot end the pattern in an escape (a PostgreSQL error upstream) on either backend.
std::string user_pattern(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

Loc child(const Loc& loc, std::string_view key) {
  Loc out = loc;
  out.emplace_back(std::string(key));
  return out;
}

Loc child(const Loc& loc, std::int64_t index) {
  Loc out = loc;
  out.emplace_back(index);
  return out;
}

bool is_list_op(std::string_view op) {
  return op == "any_" || op == "not_any_" || op == "all_" || op == "startswith_" || op == "id_" ||
         op == "type_";
}

bool is_bool_op(std::string_view op) { return op == "is_null_" || op == "exists_" || op == "eq_"; }

class Compiler {
 public:
  Compiler(const Dialect& dialect, core::ValidationErrors& errors)
      : dialect_(dialect), errors_(errors) {}

  // The condition for a filter object (a group of fields), or "" if it sets nothing.
  std::string object(const FilterSpec& spec, JsonElement value, const Loc& loc,
                     std::vector<SqlValue>& params) {
    core::JsonObject obj;
    if (value.get_object().get(obj)) {
      errors_.add("model_type", loc,
                  fmt::format("Input should be a valid dictionary or instance of {}", spec.name),
                  core::to_json(value));
      return {};
    }
    std::string_view join = " AND ";
    std::vector<std::string> parts;
    for (auto [key, v] : obj) {
      if (key == "operator") {
        join = parse_operator(v, child(loc, key));
        continue;
      }
      const FieldSpec* field = find(spec, key);
      if (!field) {
        extra(child(loc, key), v);
        continue;
      }
      if (v.is_null()) {
        continue;
      }
      std::string part = field->nested ? object(*field->nested, v, child(loc, key), params)
                                       : field_object(*field, v, child(loc, key), params);
      if (!part.empty()) {
        parts.push_back(std::move(part));
      }
    }
    return combine(parts, join);
  }

 private:
  static const FieldSpec* find(const FilterSpec& spec, std::string_view key) {
    for (const auto& f : spec.fields) {
      if (f.name == key) {
        return &f;
      }
    }
    return nullptr;
  }

  static std::string combine(const std::vector<std::string>& parts, std::string_view join) {
    if (parts.empty()) {
      return {};
    }
    if (parts.size() == 1) {
      return parts[0];
    }
    std::string out = "(";
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) {
        out.append(join);
      }
      out.append("(").append(parts[i]).append(")");
    }
    out.append(")");
    return out;
  }

  void extra(const Loc& loc, JsonElement v) {
    errors_.add("extra_forbidden", loc, "Extra inputs are not permitted", core::to_json(v));
  }

  std::string_view parse_operator(JsonElement v, const Loc& loc) {
    std::string_view s;
    if (!v.get_string().get(s) && (s == "and_" || s == "or_")) {
      return s == "or_" ? " OR " : " AND ";
    }
    errors_.add("enum", loc, "Input should be 'and_' or 'or_'", core::to_json(v),
                R"({"expected":"'and_' or 'or_'"})");
    return " AND ";
  }

  std::string column(const FieldSpec& f, const OpSpec& op) const {
    std::string_view col = op.column.empty() ? f.column : op.column;
    if (col.substr(0, 5) == "json:") {
      const auto rest = col.substr(5);
      const auto colon = rest.rfind(':');
      return dialect_.json_text(rest.substr(0, colon), rest.substr(colon + 1));
    }
    return std::string(col);
  }

  std::string contains(const std::string& col) const {
    if (dialect_.backend == Backend::kPostgres) {
      return fmt::format("jsonb_exists(({})::jsonb, ?)", col);
    }
    return fmt::format("EXISTS (SELECT 1 FROM json_each({}) WHERE json_each.value = ?)", col);
  }

  std::string field_object(const FieldSpec& f, JsonElement value, const Loc& loc,
                           std::vector<SqlValue>& params) {
    core::JsonObject obj;
    if (value.get_object().get(obj)) {
      errors_.add("model_type", loc,
                  fmt::format("Input should be a valid dictionary or instance of {}", f.name),
                  core::to_json(value));
      return {};
    }
    std::string_view join = " AND ";
    std::vector<std::string> parts;
    for (auto [key, v] : obj) {
      if (key == "operator" && f.has_operator) {
        join = parse_operator(v, child(loc, key));
        continue;
      }
      const OpSpec* op = nullptr;
      for (const auto& candidate : f.ops) {
        if (candidate.op == key) {
          op = &candidate;
        }
      }
      if (!op) {
        extra(child(loc, key), v);
        continue;
      }
      if (v.is_null()) {
        continue;
      }
      std::string part = operation(f, *op, v, child(loc, key), params);
      if (!part.empty()) {
        parts.push_back(std::move(part));
      }
    }
    return combine(parts, join);
  }

  // Validates one scalar value of the field's kind and converts it to a bound parameter.
  bool scalar(ValueKind kind, JsonElement v, const Loc& loc, SqlValue& out) {
    std::string_view s;
    switch (kind) {
      case ValueKind::kString:
        if (!v.get_string().get(s)) {
          out = std::string(s);
          return true;
        }
        errors_.add("string_type", loc, "Input should be a valid string", core::to_json(v));
        return false;
      case ValueKind::kUuid:
        if (!v.get_string().get(s)) {
          if (auto id = core::normalize_uuid(s)) {
            out = std::move(*id);
            return true;
          }
        }
        errors_.add("uuid_parsing", loc, "Input should be a valid UUID", core::to_json(v));
        return false;
      case ValueKind::kTime:
        if (!v.get_string().get(s)) {
          if (auto t = core::parse_time(s)) {
            out = core::format_storage_time(*t);
            return true;
          }
        }
        errors_.add("datetime_parsing", loc, "Input should be a valid datetime", core::to_json(v));
        return false;
      case ValueKind::kInt: {
        std::int64_t i;
        if (!v.get_int64().get(i)) {
          out = i;
          return true;
        }
        errors_.add("int_type", loc, "Input should be a valid integer", core::to_json(v));
        return false;
      }
      case ValueKind::kBool: {
        bool b;
        if (!v.get_bool().get(b)) {
          out = b;
          return true;
        }
        errors_.add("bool_type", loc, "Input should be a valid boolean", core::to_json(v));
        return false;
      }
      case ValueKind::kStateType:
        if (!v.get_string().get(s)) {
          for (auto t : kStateTypes) {
            if (t == s) {
              out = std::string(s);
              return true;
            }
          }
        }
        errors_.add("enum", loc,
                    "Input should be 'SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', "
                    "'CANCELLED', 'CRASHED', 'PAUSED' or 'CANCELLING'",
                    core::to_json(v));
        return false;
    }
    return false;
  }

  std::string operation(const FieldSpec& f, const OpSpec& op, JsonElement v, const Loc& loc,
                        std::vector<SqlValue>& params) {
    const std::string col = column(f, op);
    if (is_bool_op(op.op)) {
      bool b;
      if (v.get_bool().get(b)) {
        errors_.add("bool_type", loc, "Input should be a valid boolean", core::to_json(v));
        return {};
      }
      if (!op.sql.empty()) {
        return fmt::format(fmt::runtime(b ? op.sql : op.sql_false), fmt::arg("col", col));
      }
      if (op.op == "eq_") {
        params.emplace_back(b);
        return col + " = ?";
      }
      if (f.json_array) {  // tags: null or empty list
        return b ? fmt::format("({0} IS NULL OR {0} = '[]')", col)
                 : fmt::format("({0} IS NOT NULL AND {0} <> '[]')", col);
      }
      return col + (b ? " IS NULL" : " IS NOT NULL");
    }
    if (is_list_op(op.op)) {
      return list_operation(f, op, col, v, loc, params);
    }
    SqlValue value;
    const ValueKind kind = (op.op == "like_") ? ValueKind::kString : f.kind;
    if (!scalar(kind, v, loc, value)) {
      return {};
    }
    if (op.op == "like_") {
      params.emplace_back("%" + user_pattern(std::get<std::string>(value)) + "%");
      return fmt::format("{} {} ? ESCAPE '\\'", col, dialect_.ilike());
    }
    params.push_back(std::move(value));
    if (op.op == "before_" || op.op == "le_") {
      return col + " <= ?";
    }
    if (op.op == "after_" || op.op == "ge_") {
      return col + " >= ?";
    }
    return col + " = ?";
  }

  std::string list_operation(const FieldSpec& f, const OpSpec& op, const std::string& col,
                             JsonElement v, const Loc& loc, std::vector<SqlValue>& params) {
    core::JsonArray arr;
    if (v.get_array().get(arr)) {
      errors_.add("list_type", loc, "Input should be a valid list", core::to_json(v));
      return {};
    }
    std::vector<SqlValue> values;
    std::int64_t i = 0;
    for (JsonElement item : arr) {
      SqlValue value;
      if (scalar(f.kind, item, child(loc, i++), value)) {
        values.push_back(std::move(value));
      }
    }
    if (op.op == "all_") {
      std::vector<std::string> parts;
      for (auto& value : values) {
        parts.push_back(contains(col));
        params.push_back(std::move(value));
      }
      return combine(parts, " AND ");
    }
    if (values.empty()) {
      // Upstream quirk: an empty any_ matches nothing; an empty not_any_ excludes nothing.
      return op.op == "not_any_" ? std::string() : std::string("1=0");
    }
    if (op.op == "startswith_" || (op.op == "any_" && f.json_array)) {
      std::vector<std::string> parts;
      for (auto& value : values) {
        if (op.op == "startswith_") {
          parts.push_back(fmt::format("{} LIKE ? ESCAPE '\\'", col));
          params.emplace_back(user_pattern(std::get<std::string>(value)) + "%");
        } else {
          parts.push_back(contains(col));
          params.push_back(std::move(value));
        }
      }
      return combine(parts, " OR ");
    }
    std::string placeholders;
    for (std::size_t k = 0; k < values.size(); ++k) {
      placeholders.append(k ? ",?" : "?");
      params.push_back(std::move(values[k]));
    }
    if (!op.sql.empty()) {
      return fmt::format(fmt::runtime(op.sql), fmt::arg("col", col),
                         fmt::arg("values", placeholders));
    }
    return fmt::format("{} {}IN ({})", col, op.op == "not_any_" ? "NOT " : "", placeholders);
  }

  const Dialect& dialect_;
  core::ValidationErrors& errors_;
};

}  // namespace

Result<SqlCondition> compile_filter(const FilterSpec& spec, core::JsonElement value,
                                    const core::Loc& loc, const Dialect& dialect) {
  SqlCondition out;
  if (value.is_null()) {
    out.sql = "1=1";
    return out;
  }
  core::ValidationErrors errors;
  Compiler compiler(dialect, errors);
  out.sql = compiler.object(spec, value, loc, out.params);
  if (!errors.empty()) {
    return errors.to_status();
  }
  if (out.sql.empty()) {
    out.sql = "1=1";
  }
  return out;
}

}  // namespace prefectcore::models
