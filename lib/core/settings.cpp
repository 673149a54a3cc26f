#include <cctype>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <prefectcore/settings.h>

#include "lib/core/settings_table.h"

namespace prefectcore {
namespace {

constexpr std::string_view kPostgresDriver = "postgresql+asyncpg";

// Percent-encodes everything but RFC 3986 unreserved characters, so a user or password
// with ':', '@' or '/' survives inside a URL.
std::string url_escape(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

// Upstream's root Settings validator and default_database_connection_url: PostgreSQL parts
// need host, user and name; a URL may reference the password as
// ${PREFECT_SERVER_DATABASE_PASSWORD} (or the PREFECT_API_ spelling).
Status finish_database_settings(DatabaseSettings& db) {
  if (db.connection_url.empty() && db.driver == kPostgresDriver) {
    std::vector<std::string_view> missing;
    for (const auto& [name, value] :
         {std::pair{"host", &db.host}, std::pair{"user", &db.user}, std::pair{"name", &db.name}}) {
      if (!*value) {
        missing.push_back(name);
      }
    }
    if (!missing.empty()) {
      return Status::invalid_argument(
          fmt::format("Missing required database connection settings: {} (set "
                      "PREFECT_SERVER_DATABASE_HOST, _USER and _NAME with "
                      "PREFECT_SERVER_DATABASE_DRIVER=postgresql+asyncpg)",
                      fmt::join(missing, ", ")));
    }
  }
  std::string& url = db.connection_url;
  if (url.find("PREFECT_API_DATABASE_PASSWORD") != std::string::npos ||
      url.find("PREFECT_SERVER_DATABASE_PASSWORD") != std::string::npos) {
    if (!db.password) {
      return Status::invalid_argument(
          "PREFECT_SERVER_DATABASE_CONNECTION_URL refers to the database password but "
          "PREFECT_SERVER_DATABASE_PASSWORD is not set");
    }
    replace_all(url, "${PREFECT_API_DATABASE_PASSWORD}", *db.password);
    replace_all(url, "${PREFECT_SERVER_DATABASE_PASSWORD}", *db.password);
  }
  return {};
}

// pydantic's Path(x).expanduser() for PREFECT_HOME.
std::string expand_user(std::string path, const Settings::EnvLookup& env) {
  if (path == "~" || path.rfind("~/", 0) == 0) {
    if (auto home = env("HOME")) {
      path.replace(0, 1, *home);
    }
  }
  return path;
}

}  // namespace

std::string Settings::effective_database_url() const {
  if (!database.connection_url.empty()) {
    return database.connection_url;
  }
  if (database.driver == kPostgresDriver) {
    std::string url = std::string(kPostgresDriver) + "://" + url_escape(database.user.value_or(""));
    if (database.password) {
      url += ":" + url_escape(*database.password);
    }
    return url + fmt::format("@{}:{}/{}", database.host.value_or(""), database.port.value_or(5432),
                             database.name.value_or(""));
  }
  if (database.driver && database.name && !database.name->empty()) {
    return *database.driver + ":///" + *database.name;
  }
  return "sqlite+aiosqlite:///" + home + "/prefect.db";
}

Settings Settings::defaults() {
  Settings s;
  const char* home_env = std::getenv("HOME");
  s.home = std::string(home_env ? home_env : ".") + "/.prefect";
  return s;
}

Result<Settings> Settings::from_process_env() {
  return from_env([](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  });
}

Result<Settings> Settings::from_env(const EnvLookup& env) {
  Settings s = defaults();
  if (auto h = env("HOME")) {
    s.home = *h + "/.prefect";
  }
  PC_RETURN_IF_ERROR(core::apply_settings_table(s, env));  // PREFECT_HOME among them
  s.home = expand_user(std::move(s.home), env);
  PC_RETURN_IF_ERROR(finish_database_settings(s.database));
  return s;
}

std::vector<std::pair<std::string, std::string>> describe_settings(const Settings& s) {
  return core::describe_settings_table(s);
}

}  // namespace prefectcore
