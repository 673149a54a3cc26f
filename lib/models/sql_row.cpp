// Row accessors and the Dialect: the backend-neutral half of the storage seam.

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include <prefectcore/database.h>

namespace prefectcore {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::int64_t parse_int(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && end == s.data() + s.size()) {
    return v;
  }
  // "3.0" from a REAL-typed expression, or PostgreSQL numeric text.
  return static_cast<std::int64_t>(std::strtod(std::string(s).c_str(), nullptr));
}

double parse_real(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc()) {
    return v;
  }
  // from_chars rejects "Infinity" and a leading '+'; strtod accepts both.
  return std::strtod(std::string(s).c_str(), nullptr);
}

const SqlValue& checked_cell(const std::vector<SqlValue>& cells, std::size_t i) {
  PC_ASSERT(i < cells.size());
  return cells[i];
}

}  // namespace

bool Row::is_null(std::size_t i) const {
  return std::holds_alternative<SqlNull>(checked_cell(cells_, i));
}

std::string Row::text(std::size_t i) const {
  return std::visit(Overloaded{
                        [](SqlNull) { return std::string(); },
                        [](std::int64_t v) { return std::to_string(v); },
                        [](double v) { return fmt::format("{}", v); },
                        [](bool v) { return std::string(v ? "true" : "false"); },
                        [](const std::string& v) { return v; },
                        [](const JsonText& v) { return v.text; },
                    },
                    checked_cell(cells_, i));
}

std::optional<std::string> Row::opt_text(std::size_t i) const {
  if (is_null(i)) {
    return std::nullopt;
  }
  return text(i);
}

std::int64_t Row::int64(std::size_t i) const {
  return std::visit(Overloaded{
                        [](SqlNull) -> std::int64_t { return 0; },
                        [](std::int64_t v) { return v; },
                        [](double v) { return static_cast<std::int64_t>(v); },
                        [](bool v) -> std::int64_t { return v ? 1 : 0; },
                        [](const std::string& v) { return parse_int(v); },
                        [](const JsonText& v) { return parse_int(v.text); },
                    },
                    checked_cell(cells_, i));
}

double Row::real(std::size_t i) const {
  return std::visit(Overloaded{
                        [](SqlNull) { return 0.0; },
                        [](std::int64_t v) { return static_cast<double>(v); },
                        [](double v) { return v; },
                        [](bool v) { return v ? 1.0 : 0.0; },
                        [](const std::string& v) { return parse_real(v); },
                        [](const JsonText& v) { return parse_real(v.text); },
                    },
                    checked_cell(cells_, i));
}

bool Row::boolean(std::size_t i) const {
  return std::visit(
      Overloaded{
          [](SqlNull) { return false; },
          [](std::int64_t v) { return v != 0; },
          [](double v) { return v != 0.0; },
          [](bool v) { return v; },
          [](const std::string& v) { return v == "1" || iequals(v, "t") || iequals(v, "true"); },
          [](const JsonText& v) { return v.text == "true"; },
      },
      checked_cell(cells_, i));
}

std::string_view Dialect::for_update() const {
  return backend == Backend::kPostgres ? " FOR UPDATE" : "";
}

std::string_view Dialect::skip_locked() const {
  return backend == Backend::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
}

std::string_view Dialect::ilike() const { return backend == Backend::kPostgres ? "ILIKE" : "LIKE"; }

std::string Dialect::json_text(std::string_view column, std::string_view key) const {
  // `key` comes from model code, never from requests; quotes are doubled anyway so a
  // stray one cannot end the literal.
  std::string quoted;
  for (char c : key) {
    quoted += c;
    if (c == '\'') {
      quoted += '\'';
    }
  }
  if (backend == Backend::kPostgres) {
    // JSON columns are TEXT on PostgreSQL too (docs/storage.md), hence the cast.
    return fmt::format("({}::jsonb ->> '{}')", column, quoted);
  }
  bool plain = !key.empty();
  for (char c : key) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  }
  // The plain form is what upstream's indexes use, so expression indexes match.
  return plain ? fmt::format("json_extract({}, '$.{}')", column, quoted)
               : fmt::format("json_extract({}, '$.\"{}\"')", column, quoted);
}

std::string Dialect::escape_like(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '%' || c == '_' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

}  // namespace prefectcore
