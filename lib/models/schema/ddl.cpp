// Translation of the dialect-neutral schema DDL (see ddl.h for the tokens).

#include "lib/models/schema/ddl.h"

#include <cctype>

#include <fmt/format.h>

namespace prefectcore::models::schema {
namespace {

constexpr std::string_view kSqliteNow = "(strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z')";
// NOW() is the transaction start time, as upstream's server default.
constexpr std::string_view kPostgresNow =
    R"((TO_CHAR(NOW() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')))";
constexpr std::string_view kCreateTable = "CREATE TABLE ";
constexpr std::string_view kLateRef = "{LATE_REF ";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

// The identifier at the start of `s`.
std::string_view leading_word(std::string_view s) {
  s = trim(s);
  std::size_t n = 0;
  while (n < s.size() && (std::isalnum(static_cast<unsigned char>(s[n])) || s[n] == '_')) {
    ++n;
  }
  return s.substr(0, n);
}

std::string_view table_of(std::string_view statement) {
  statement = trim(statement);
  if (statement.substr(0, kCreateTable.size()) != kCreateTable) {
    return {};
  }
  return leading_word(statement.substr(kCreateTable.size()));
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t pos = s.find(from); pos != std::string::npos;
       pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

struct ParsedLateRef {
  std::string column;
  std::string clause;  // "work_queue(id) ON DELETE RESTRICT"
};

// Removes every {LATE_REF ...} from `s`; inline REFERENCES when `keep_inline`.
std::vector<ParsedLateRef> take_late_refs(std::string& s, bool keep_inline) {
  std::vector<ParsedLateRef> refs;
  for (std::size_t pos = s.find(kLateRef); pos != std::string::npos; pos = s.find(kLateRef)) {
    std::size_t close = s.find('}', pos);
    PC_ASSERT(close != std::string::npos);
    std::string clause(
        trim(std::string_view(s).substr(pos + kLateRef.size(), close - pos - kLateRef.size())));
    std::size_t line_start = s.rfind('\n', pos);
    line_start = line_start == std::string::npos ? 0 : line_start + 1;
    std::string column(leading_word(std::string_view(s).substr(line_start, pos - line_start)));
    std::size_t erase_from = pos;
    while (erase_from > line_start && s[erase_from - 1] == ' ') {
      --erase_from;
    }
    s.replace(erase_from, close + 1 - erase_from, keep_inline ? " REFERENCES " + clause : "");
    refs.push_back({std::move(column), std::move(clause)});
  }
  return refs;
}

// True if `s` still holds a `{TOKEN`; JSON defaults such as '{}' are not tokens.
bool has_token(std::string_view s) {
  for (std::size_t pos = s.find('{'); pos != std::string_view::npos; pos = s.find('{', pos + 1)) {
    if (pos + 1 < s.size() && std::isupper(static_cast<unsigned char>(s[pos + 1]))) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view now_expression(Backend backend) {
  return backend == Backend::kPostgres ? kPostgresNow : kSqliteNow;
}

std::vector<std::string> translate(std::span<const std::string_view> statements, Backend backend) {
  const bool pg = backend == Backend::kPostgres;
  const std::string base = fmt::format(
      "id TEXT PRIMARY KEY NOT NULL,\n  created TEXT NOT NULL DEFAULT {0},\n"
      "  updated TEXT NOT NULL DEFAULT {0}",
      now_expression(backend));
  std::vector<std::string> out;
  std::vector<std::string> alters;
  for (std::string_view neutral : statements) {
    std::string s(neutral);
    replace_all(s, "{BASE}", base);
    replace_all(s, "{NOW}", now_expression(backend));
    replace_all(s, "{TS}", "TEXT");
    replace_all(s, "{JSON}", "TEXT");
    replace_all(s, "{BOOL}", "INTEGER");
    replace_all(s, "{UUID}", "TEXT");
    replace_all(s, "{REAL}", pg ? "DOUBLE PRECISION" : "REAL");
    const std::string table(table_of(s));
    for (ParsedLateRef& ref : take_late_refs(s, !pg)) {
      if (!pg) {
        continue;  // kept inline
      }
      alters.push_back(fmt::format(
          "ALTER TABLE {0} ADD CONSTRAINT fk_{0}__{1}__{2} FOREIGN KEY ({1}) REFERENCES {3}", table,
          ref.column, leading_word(ref.clause), ref.clause));
    }
    PC_ASSERT(!has_token(s));  // a misspelt token
    out.push_back(std::move(s));
    if (!table.empty()) {
      out.push_back(fmt::format("CREATE INDEX ix_{0}__updated ON {0} (updated)", table));
    }
  }
  out.insert(out.end(), alters.begin(), alters.end());
  return out;
}

std::vector<std::string> created_tables(std::span<const std::string_view> statements) {
  std::vector<std::string> tables;
  for (std::string_view s : statements) {
    if (std::string_view t = table_of(s); !t.empty()) {
      tables.emplace_back(t);
    }
  }
  return tables;
}

std::vector<LateRef> late_refs(std::span<const std::string_view> statements) {
  std::vector<LateRef> out;
  for (std::string_view neutral : statements) {
    std::string s(neutral);
    const std::string table(table_of(s));
    for (ParsedLateRef& ref : take_late_refs(s, false)) {
      out.push_back({table, std::move(ref.column)});
    }
  }
  return out;
}

}  // namespace prefectcore::models::schema
