#include <cstdlib>

#include <fmt/format.h>

#include <prefectcore/settings.h>

#include "lib/core/settings_table.h"

namespace prefectcore {

std::string Settings::effective_database_url() const {
  if (!database.connection_url.empty()) {
    return database.connection_url;
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
  if (auto home = env("PREFECT_HOME")) {
    s.home = *home;
  } else if (auto h = env("HOME")) {
    s.home = *h + "/.prefect";
  }
  PC_RETURN_IF_ERROR(core::apply_settings_table(s, env));
  return s;
}

std::vector<std::pair<std::string, std::string>> describe_settings(const Settings& s) {
  return core::describe_settings_table(s);
}

}  // namespace prefectcore
