// A libpq connection: placeholder rewriting, prepared statements, typed rows and the
// SQLSTATE -> Status mapping.

#include "lib/storage/postgres/pg_connection.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include "lib/core/logging.h"

namespace prefectcore::storage {
namespace {

// Type OIDs from pg_type.h (not shipped with libpq's headers).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// Distinct SQL texts are bounded in practice, but dynamic filters could make many; past
// this many named statements the rest run as unnamed (re-parsed) statements.
constexpr std::size_t kMaxPreparedStatements = 512;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string trimmed(const char* s) {
  std::string out = s ? s : "";
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) {
    out.pop_back();
  }
  return out;
}

// Server notices (DROP ... IF EXISTS "skipping", the FATAL of a terminated idle connection)
// go to the debug log instead of libpq's default stderr.
void on_notice(void*, const char* message) { PC_LOG_DEBUG("postgres: {}", trimmed(message)); }

// Copies from sql[i] up to and including the first `close` after it.
void copy_until(std::string_view sql, std::size_t& i, std::string_view close, std::string& out) {
  const std::size_t end = sql.find(close, i);
  const std::size_t stop = end == std::string_view::npos ? sql.size() : end + close.size();
  out.append(sql.substr(i, stop - i));
  i = stop;
}

void copy_string_literal(std::string_view sql, std::size_t& i, std::string& out) {
  const bool escapes =
      i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !is_ident_char(sql[i - 2]));
  out += sql[i++];
  while (i < sql.size()) {
    const char d = sql[i++];
    out += d;
    if (escapes && d == '\\' && i < sql.size()) {
      out += sql[i++];
    } else if (d == '\'') {
      if (i < sql.size() && sql[i] == '\'') {
        out += sql[i++];  // '' inside a literal
      } else {
        return;
      }
    }
  }
}

Result<std::string> encode(const SqlValue& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v)) {
    return std::to_string(*n);
  }
  if (const auto* d = std::get_if<double>(&v)) {
    if (std::isnan(*d)) {
      return std::string("NaN");
    }
    if (std::isinf(*d)) {
      return std::string(*d > 0 ? "Infinity" : "-Infinity");
    }
    return fmt::format("{}", *d);
  }
  if (const auto* b = std::get_if<bool>(&v)) {
    return std::string(*b ? "1" : "0");  // INTEGER 0/1 columns; also valid boolean input
  }
  const std::string& s = std::holds_alternative<std::string>(v) ? std::get<std::string>(v)
                                                                : std::get<JsonText>(v).text;
  if (s.find('\0') != std::string::npos) {
    return Status::invalid_argument("text values cannot contain NUL characters");
  }
  return s;
}

SqlValue decode(Oid type, const char* value, int length) {
  std::string_view text(value, static_cast<std::size_t>(length));
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      std::int64_t n = 0;
      std::from_chars(text.data(), text.data() + text.size(), n);
      return n;
    }
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
      return std::strtod(value, nullptr);  // also reads NaN and Infinity
    case kBoolOid:
      return text == "t";
    default:
      return std::string(text);
  }
}

std::int64_t changed_rows(PGresult* res) {
  const std::string_view tag = PQcmdStatus(res);
  for (std::string_view dml : {"INSERT", "UPDATE", "DELETE", "MERGE"}) {
    if (tag.starts_with(dml)) {
      return std::strtoll(PQcmdTuples(res), nullptr, 10);
    }
  }
  return 0;
}

}  // namespace

std::string rewrite_placeholders(std::string_view sql, int& count) {
  std::string out;
  out.reserve(sql.size() + 16);
  count = 0;
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    if (c == '\'') {
      copy_string_literal(sql, i, out);
    } else if (c == '"') {
      out += sql[i++];
      copy_until(sql, i, "\"", out);
    } else if (c == '-' && next == '-') {
      copy_until(sql, i, "\n", out);
    } else if (c == '/' && next == '*') {
      copy_until(sql, i, "*/", out);
    } else if (c == '$' && (i == 0 || !is_ident_char(sql[i - 1])) && !std::isdigit(next)) {
      // $tag$ ... $tag$ (a bare $ that starts no tag is copied as is).
      std::size_t j = i + 1;
      while (j < sql.size() && is_ident_char(sql[j])) {
        ++j;
      }
      if (j < sql.size() && sql[j] == '$') {
        const std::string tag(sql.substr(i, j + 1 - i));
        out += tag;
        i = j + 1;
        copy_until(sql, i, tag, out);
      } else {
        out += sql[i++];
      }
    } else if (c == '?') {
      out += fmt::format("${}", ++count);
      ++i;
    } else {
      out += sql[i++];
    }
  }
  return out;
}

Status postgres_status(std::string_view sqlstate, std::string_view message) {
  if (sqlstate == "23505" || sqlstate == "23503") {
    return Status::conflict(std::string(message));
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "57014" ||
      sqlstate == "53300" || sqlstate.starts_with("08") || sqlstate.starts_with("57P0")) {
    return Status::unavailable(std::string(message));
  }
  if (sqlstate == "22021") {
    return Status::invalid_argument(std::string(message));
  }
  return Status::internal(fmt::format("{} ({})", message, sqlstate));
}

Result<std::unique_ptr<PgConnection>> PgConnection::connect(const PgTarget& target,
                                                            StatsCounters& stats) {
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [k, v] : target.keywords) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* pg = PQconnectdbParams(keys.data(), values.data(), 0);
  if (pg == nullptr) {
    return Status::unavailable("cannot allocate a PostgreSQL connection");
  }
  if (PQstatus(pg) != CONNECTION_OK) {
    std::string message = trimmed(PQerrorMessage(pg));
    PQfinish(pg);
    return Status::unavailable(
        fmt::format("cannot connect to {}: {}", target.description, message));
  }
  PQsetNoticeProcessor(pg, &on_notice, nullptr);
  stats.connections_opened++;
  return std::unique_ptr<PgConnection>(new PgConnection(pg, stats));
}

PgConnection::~PgConnection() { PQfinish(pg_); }

bool PgConnection::check_alive() {
  if (broken()) {
    return false;
  }
  return PQconsumeInput(pg_) == 1 && !broken();
}

Status PgConnection::lost_connection(std::string_view what) const {
  return Status::unavailable(
      fmt::format("lost the PostgreSQL connection: {} {}", what, trimmed(PQerrorMessage(pg_))));
}

Result<std::string> PgConnection::prepared_name(std::string_view sql, std::size_t param_count) {
  if (auto it = prepared_.find(sql); it != prepared_.end()) {
    stats_.statement_cache_hits++;
    return it->second;
  }
  int placeholders = 0;
  const std::string rewritten = rewrite_placeholders(sql, placeholders);
  if (static_cast<std::size_t>(placeholders) != param_count) {
    return Status::internal(fmt::format("statement has {} placeholders but {} parameters: {}",
                                        placeholders, param_count, sql));
  }
  std::string name;
  if (prepared_.size() < kMaxPreparedStatements) {
    name = fmt::format("pc_{}", next_statement_++);
  }
  ResultPtr res(PQprepare(pg_, name.c_str(), rewritten.c_str(), 0, nullptr));
  if (!res) {
    return lost_connection("prepare");
  }
  if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
    const char* state = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE);
    std::string message = trimmed(PQresultErrorMessage(res.get()));
    return state && !broken() ? postgres_status(state, message) : lost_connection(message);
  }
  stats_.statements_prepared++;
  if (!name.empty()) {
    prepared_.emplace(std::string(sql), name);
  }
  return name;
}

Result<std::int64_t> PgConnection::run(std::string_view sql, std::span<const SqlValue> params,
                                       Rows* rows) {
  ResultPtr res;
  if (params.empty()) {
    res.reset(PQexec(pg_, std::string(sql).c_str()));
  } else {
    PC_ASSIGN_OR_RETURN(std::string name, prepared_name(sql, params.size()));
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (!std::holds_alternative<SqlNull>(params[i])) {
        PC_ASSIGN_OR_RETURN(text[i], encode(params[i]));
        values[i] = text[i].c_str();
      }
    }
    res.reset(PQexecPrepared(pg_, name.c_str(), static_cast<int>(params.size()), values.data(),
                             nullptr, nullptr, 0));
  }
  if (!res) {
    return lost_connection("query");
  }
  switch (PQresultStatus(res.get())) {
    case PGRES_COMMAND_OK:
      return changed_rows(res.get());
    case PGRES_TUPLES_OK:
      break;
    case PGRES_EMPTY_QUERY:
      return 0;
    default: {
      const char* state = PQresultErrorField(res.get(), PG_DIAG_SQLSTATE);
      std::string message = trimmed(PQresultErrorMessage(res.get()));
      return state && !broken() ? postgres_status(state, message) : lost_connection(message);
    }
  }
  if (rows) {
    const int n = PQntuples(res.get());
    const int columns = PQnfields(res.get());
    rows->reserve(rows->size() + static_cast<std::size_t>(n));
    for (int r = 0; r < n; ++r) {
      std::vector<SqlValue> cells;
      cells.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          cells.emplace_back(SqlNull{});
        } else {
          cells.push_back(decode(PQftype(res.get(), c), PQgetvalue(res.get(), r, c),
                                 PQgetlength(res.get(), r, c)));
        }
      }
      rows->emplace_back(std::move(cells));
    }
  }
  return changed_rows(res.get());
}

}  // namespace prefectcore::storage
