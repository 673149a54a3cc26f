#include "lib/core/settings_table.h"

#include <charconv>
#include <functional>

#include <fmt/format.h>

#include "lib/core/logging.h"

namespace prefectcore::core {
namespace {

// One setting: its canonical name, legacy aliases, and how to read and print it.
struct Entry {
  std::string name;
  std::vector<std::string> aliases;
  std::function<Status(Settings&, const std::string&)> parse;
  std::function<std::string(const Settings&)> print;
  bool secret = false;
};

Status bad(const std::string& name, const std::string& value, std::string_view expected) {
  return Status::invalid_argument(
      fmt::format("invalid value for {}: '{}' ({} expected)", name, value, expected));
}

template <typename T>
Entry int_entry(std::string name, std::vector<std::string> aliases, T Settings::*group,
                int T::*field, int min_value = 0) {
  return {name, std::move(aliases),
          [=](Settings& s, const std::string& v) -> Status {
            int out = 0;
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
            if (ec != std::errc() || p != v.data() + v.size() || out < min_value) {
              return bad(name, v, fmt::format("an integer >= {}", min_value));
            }
            (s.*group).*field = out;
            return {};
          },
          [=](const Settings& s) { return std::to_string((s.*group).*field); }};
}

Entry string_entry(std::string name, std::vector<std::string> aliases,
                   std::function<std::string&(Settings&)> field, bool secret = false) {
  return {name, std::move(aliases),
          [=](Settings& s, const std::string& v) -> Status {
            field(s) = v;
            return {};
          },
          [=](const Settings& s) { return field(const_cast<Settings&>(s)); }, secret};
}

std::vector<Entry> build_table() {
  std::vector<Entry> t;
  t.push_back(string_entry("PREFECT_SERVER_API_HOST", {},
                           [](Settings& s) -> std::string& { return s.api.host; }));
  t.push_back(int_entry("PREFECT_SERVER_API_PORT", {}, &Settings::api, &ApiSettings::port, 0));
  t.push_back(int_entry("PREFECT_SERVER_API_DEFAULT_LIMIT", {"PREFECT_API_DEFAULT_LIMIT"},
                        &Settings::api, &ApiSettings::default_limit, 1));
  t.push_back(string_entry(
      "PREFECT_SERVER_DATABASE_CONNECTION_URL", {"PREFECT_API_DATABASE_CONNECTION_URL"},
      [](Settings& s) -> std::string& { return s.database.connection_url; }, true));
  t.push_back({"PREFECT_SERVER_LOGGING_LEVEL",
               {"PREFECT_LOGGING_SERVER_LEVEL"},
               [](Settings& s, const std::string& v) -> Status {
                 auto level = parse_log_level(v);
                 if (!level) {
                   return bad("PREFECT_SERVER_LOGGING_LEVEL", v,
                              "DEBUG, INFO, WARNING, ERROR or CRITICAL");
                 }
                 s.logging_level = v;
                 return {};
               },
               [](const Settings& s) { return s.logging_level; }});
  return t;
}

const std::vector<Entry>& table() {
  static const std::vector<Entry> t = build_table();
  return t;
}

}  // namespace

Status apply_settings_table(Settings& s, const Settings::EnvLookup& env) {
  for (const auto& e : table()) {
    std::optional<std::string> v = env(e.name);
    std::string used = e.name;
    for (std::size_t i = 0; !v && i < e.aliases.size(); ++i) {
      v = env(e.aliases[i]);
      used = e.aliases[i];
    }
    if (v) {
      if (Status st = e.parse(s, *v); !st.ok()) {
        return Status::invalid_argument(fmt::format("{} (from {})", st.message(), used));
      }
    }
  }
  return {};
}

std::vector<std::pair<std::string, std::string>> describe_settings_table(const Settings& s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : table()) {
    out.emplace_back(e.name, e.secret ? std::string("********") : e.print(s));
  }
  return out;
}

}  // namespace prefectcore::core
