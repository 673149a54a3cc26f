// PostgreSQL URL parsing (SQLAlchemy/asyncpg style) into libpq keywords.

#include "lib/storage/postgres/pg_url.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "lib/core/hex.h"
#include "lib/core/logging.h"

namespace prefectcore::storage {
namespace {

// Query keys handed to libpq unchanged.
constexpr std::string_view kPassThrough[] = {
    "host",
    "hostaddr",
    "port",
    "sslmode",
    "sslcert",
    "sslkey",
    "sslrootcert",
    "sslcrl",
    "sslpassword",
    "passfile",
    "gssencmode",
    "channel_binding",
    "target_session_attrs",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "application_name",
    "options",
    "connect_timeout",
    "client_encoding",
};

Result<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || core::hex_digit_value(s[i + 1]) < 0 ||
        core::hex_digit_value(s[i + 2]) < 0) {
      return Status::invalid_argument("bad percent-encoding in database URL");
    }
    out +=
        static_cast<char>(core::hex_digit_value(s[i + 1]) * 16 + core::hex_digit_value(s[i + 2]));
    i += 2;
  }
  return out;
}

// The part after "scheme://", or nullopt if the scheme is not PostgreSQL.
std::optional<std::string_view> strip_scheme(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view scheme = url.substr(0, sep);
  if (scheme == "postgres" || scheme == "postgresql" || scheme.starts_with("postgresql+")) {
    return url.substr(sep + 3);
  }
  return std::nullopt;
}

void set(std::vector<std::pair<std::string, std::string>>& kw, std::string key, std::string value) {
  for (auto& [k, v] : kw) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  kw.emplace_back(std::move(key), std::move(value));
}

// asyncpg's ssl=<mode> spelling.
std::string sslmode_from_asyncpg(std::string_view v) {
  if (v == "true" || v == "True" || v == "1") {
    return "require";
  }
  if (v == "false" || v == "False" || v == "0") {
    return "disable";
  }
  return std::string(v);
}

Status parse_query(std::string_view query, PgTarget& target, std::string& options) {
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    if (pair.empty()) {
      continue;
    }
    const auto eq = pair.find('=');
    PC_ASSIGN_OR_RETURN(std::string key, percent_decode(pair.substr(0, eq)));
    PC_ASSIGN_OR_RETURN(
        std::string value,
        percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1)));
    if (key == "ssl") {
      set(target.keywords, "sslmode", sslmode_from_asyncpg(value));
    } else if (key == "options") {
      options += " " + value;
    } else if (std::find(std::begin(kPassThrough), std::end(kPassThrough), key) !=
               std::end(kPassThrough)) {
      set(target.keywords, key, value);
    } else {
      PC_LOG_WARNING("postgres: ignoring URL parameter {}", key);
    }
  }
  return {};
}

}  // namespace

Result<PgTarget> parse_postgres_url(std::string_view url, const DatabaseSettings& settings) {
  auto rest = strip_scheme(url);
  if (!rest) {
    return Status::invalid_argument(fmt::format("not a PostgreSQL URL: {}", url.substr(0, 40)));
  }
  std::string_view query;
  if (auto q = rest->find('?'); q != std::string_view::npos) {
    query = rest->substr(q + 1);
    *rest = rest->substr(0, q);
  }
  std::string_view authority = rest->substr(0, rest->find('/'));
  std::string_view path = rest->substr(authority.size());
  PgTarget target;
  std::string user, host, port;
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = userinfo.find(':');
    PC_ASSIGN_OR_RETURN(user, percent_decode(userinfo.substr(0, colon)));
    if (colon != std::string_view::npos) {
      PC_ASSIGN_OR_RETURN(std::string password, percent_decode(userinfo.substr(colon + 1)));
      set(target.keywords, "password", std::move(password));
    }
  }
  if (authority.starts_with("[")) {  // [::1]:5432
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return Status::invalid_argument("bad IPv6 host in database URL");
    }
    host = std::string(authority.substr(1, close - 1));
    authority = authority.substr(close + 1);
    if (authority.starts_with(":")) {
      port = std::string(authority.substr(1));
    }
  } else {
    const auto colon = authority.find(':');
    PC_ASSIGN_OR_RETURN(host, percent_decode(authority.substr(0, colon)));
    if (colon != std::string_view::npos) {
      port = std::string(authority.substr(colon + 1));
    }
  }
  if (!port.empty() &&
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::invalid_argument("bad port in database URL");
  }
  PC_ASSIGN_OR_RETURN(std::string dbname, percent_decode(path.empty() ? path : path.substr(1)));
  for (auto& [k, v] : {std::pair<const char*, std::string&>{"user", user},
                       {"host", host},
                       {"port", port},
                       {"dbname", dbname}}) {
    if (!v.empty()) {
      set(target.keywords, k, v);
    }
  }
  std::string options;
  PC_RETURN_IF_ERROR(parse_query(query, target, options));
  const long timeout_ms = std::lround(std::max(0.0, settings.timeout) * 1000);
  set(target.keywords, "options", fmt::format("-c statement_timeout={}{}", timeout_ms, options));
  // libpq waits at least 2 s whatever is asked; 0 would mean forever.
  set(target.keywords, "connect_timeout",
      std::to_string(std::max(1L, std::lround(std::ceil(settings.connection_timeout)))));
  bool has_app = false;
  for (const auto& [k, v] : target.keywords) {
    has_app = has_app || k == "application_name";
  }
  if (!has_app) {
    set(target.keywords, "application_name", "prefectcore");
  }
  set(target.keywords, "client_encoding", "UTF8");
  target.description = fmt::format("postgresql://{}{}{}{}/{}", user, user.empty() ? "" : "@", host,
                                   port.empty() ? "" : ":" + port, dbname);
  return target;
}

}  // namespace prefectcore::storage
