#include <map>
#include <string>

#include <doctest/doctest.h>

#include <prefectcore/settings.h>

#include "lib/core/logging.h"
#include "lib/core/settings_values.h"
#include "tests/support/test_server.h"

using namespace prefectcore;

namespace {

using Vars = std::map<std::string, std::string>;

Settings::EnvLookup env_of(Vars vars) {
  vars.emplace("HOME", "/home/u");
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

Settings load(const Vars& vars) {
  auto s = Settings::from_env(env_of(vars));
  REQUIRE_MESSAGE(s.has_value(), s.status().to_string());
  return std::move(s).value();
}

Status load_error(const Vars& vars) {
  auto s = Settings::from_env(env_of(vars));
  REQUIRE_FALSE(s.has_value());
  return s.error();
}

}  // namespace

TEST_CASE("with no variables set, settings carry upstream's defaults") {
  Settings s = load({});
  CHECK(s.home == "/home/u/.prefect");
  CHECK(s.effective_database_url() == "sqlite+aiosqlite:////home/u/.prefect/prefect.db");
  CHECK(s.api.host == "127.0.0.1");
  CHECK(s.api.port == 4200);
  CHECK(s.api.default_limit == 200);
  CHECK(s.api.csrf_token_expiration == 3600);
  CHECK_FALSE(s.api.auth_string.has_value());
  CHECK(s.database.timeout == 10);
  CHECK(s.database.pool_size == 5);
  CHECK(s.database.max_overflow == 10);
  CHECK(s.events.retention_period == 7 * 86400);
  CHECK(s.events.maximum_size_bytes == 1500000);
  CHECK(s.logging_level == "WARNING");
  CHECK(s.services.scheduler.loop_seconds == 60);
  CHECK(s.services.scheduler.max_scheduled_time == 100 * 86400);
  CHECK(s.services.late_runs.after_seconds == 15);
  CHECK(s.services.event_persister.batch_size == 20);
  CHECK(s.services.event_persister.queue_max_size == 50000);
  CHECK(s.services.task_run_recorder.batch_size == 1);
  CHECK_FALSE(s.services.event_logger.enabled);
  CHECK(s.services.db_vacuum.events_enabled);
  CHECK_FALSE(s.services.db_vacuum.flow_runs_enabled);
  CHECK(s.services.db_vacuum.event_retention_overrides.at("prefect.flow-run.heartbeat") ==
        7 * 86400);
}

TEST_CASE("each setting type parses its environment text like pydantic") {
  Settings s = load({
      {"PREFECT_SERVER_API_HOST", "0.0.0.0"},
      {"PREFECT_SERVER_API_PORT", " 8080 "},
      {"PREFECT_SERVER_API_CSRF_PROTECTION_ENABLED", "Yes"},
      {"PREFECT_SERVER_DATABASE_ECHO", "on"},
      {"PREFECT_SERVER_DATABASE_MIGRATE_ON_START", "OFF"},
      {"PREFECT_SERVER_EVENTS_MAXIMUM_SIZE_BYTES", "2_000_000"},
      {"PREFECT_SERVER_API_WEBSOCKET_PING_INTERVAL", "2.5"},
      {"PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS", "7.0"},
      {"PREFECT_SERVER_API_CSRF_TOKEN_EXPIRATION", "PT2H"},
      {"PREFECT_SERVER_EVENTS_RETENTION_PERIOD", "P14D"},
      {"PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS", "30"},
      {"PREFECT_SERVER_API_CORS_ALLOWED_ORIGINS", "http://a.test,http://b.test"},
      {"PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_TIMEOUT", "12.5"},
      {"PREFECT_SERVER_DATABASE_PORT", "5433"},
      {"PREFECT_SERVER_LOGGING_LEVEL", "debug"},
      {"PREFECT_SERVER_API_AUTH_STRING", "admin:pass"},
  });
  CHECK(s.api.host == "0.0.0.0");
  CHECK(s.api.port == 8080);
  CHECK(s.api.csrf_protection_enabled);
  CHECK(s.database.echo);
  CHECK_FALSE(s.database.migrate_on_start);
  CHECK(s.events.maximum_size_bytes == 2000000);
  CHECK(s.api.websocket_ping_interval == 2.5);
  CHECK(s.services.scheduler.max_runs == 7);
  CHECK(s.api.csrf_token_expiration == 7200);
  CHECK(s.events.retention_period == 14 * 86400);
  CHECK(s.services.late_runs.after_seconds == 30);
  CHECK(s.api.cors_allowed_origins == "http://a.test,http://b.test");
  CHECK(s.database.pool_timeout == 12.5);
  CHECK(s.database.port == 5433);
  CHECK(s.logging_level == "DEBUG");
  CHECK(s.api.auth_string == "admin:pass");
}

TEST_CASE("legacy aliases from upstream's validation_alias lists are accepted") {
  Settings s = load({
      {"PREFECT_API_DEFAULT_LIMIT", "50"},
      {"PREFECT_API_DATABASE_CONNECTION_URL", "sqlite:///x.db"},
      {"PREFECT_API_DATABASE_TIMEOUT", "3"},
      {"PREFECT_SQLALCHEMY_POOL_SIZE", "9"},
      {"PREFECT_SERVER_CSRF_PROTECTION_ENABLED", "true"},
      {"PREFECT_SERVER_CORS_ALLOWED_METHODS", "GET"},
      {"PREFECT_API_SERVICES_SCHEDULER_ENABLED", "false"},
      {"PREFECT_API_SERVICES_LATE_RUNS_LOOP_SECONDS", "11"},
      {"PREFECT_API_SERVICES_FOREMAN_INACTIVITY_HEARTBEAT_MULTIPLE", "4"},
      {"PREFECT_EVENTS_MAXIMUM_RELATED_RESOURCES", "12"},
      {"PREFECT_API_EVENTS_STREAM_OUT_ENABLED", "0"},
      {"PREFECT_LOGGING_SERVER_LEVEL", "ERROR"},
      {"PREFECT_DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS", "20"},
      {"PREFECT_TASK_RUN_TAG_CONCURRENCY_SLOT_WAIT_SECONDS", "4"},
      {"PREFECT_API_TASK_CACHE_KEY_MAX_LENGTH", "100"},
      {"PREFECT_UI_ENABLED", "true"},
      {"PREFECT_TEST_MODE", "1"},
  });
  CHECK(s.api.default_limit == 50);
  CHECK(s.effective_database_url() == "sqlite:///x.db");
  CHECK(s.database.timeout == 3);
  CHECK(s.database.pool_size == 9);
  CHECK(s.api.csrf_protection_enabled);
  CHECK(s.api.cors_allowed_methods == "GET");
  CHECK_FALSE(s.services.scheduler.enabled);
  CHECK(s.services.late_runs.loop_seconds == 11);
  CHECK(s.services.foreman.inactivity_heartbeat_multiple == 4);
  CHECK(s.events.maximum_related_resources == 12);
  CHECK_FALSE(s.events.stream_out_enabled);
  CHECK(s.logging_level == "ERROR");
  CHECK(s.deployment_schedule_max_scheduled_runs == 20);
  CHECK(s.tasks_tag_concurrency_slot_wait_seconds == 4);
  CHECK(s.tasks_max_cache_key_length == 100);
  CHECK(s.ui_enabled);
  CHECK(s.testing_test_mode);
}

TEST_CASE("the canonical PREFECT_SERVER_* name wins over an alias set alongside it") {
  Settings s = load({
      {"PREFECT_SERVER_API_DEFAULT_LIMIT", "10"},
      {"PREFECT_API_DEFAULT_LIMIT", "99"},
      {"PREFECT_SERVER_LOGGING_LEVEL", "INFO"},
      {"PREFECT_LOGGING_SERVER_LEVEL", "CRITICAL"},
  });
  CHECK(s.api.default_limit == 10);
  CHECK(s.logging_level == "INFO");
  SUBCASE("an invalid alias is not even read when the canonical name is set") {
    CHECK(load({{"PREFECT_SERVER_API_DEFAULT_LIMIT", "10"}, {"PREFECT_API_DEFAULT_LIMIT", "x"}})
              .api.default_limit == 10);
  }
}

TEST_CASE("invalid values are rejected with the variable and the value in the message") {
  auto check_rejects = [](const std::string& var, const std::string& value) {
    Status st = load_error({{var, value}});
    CHECK(st.code() == ErrorCode::kInvalidArgument);
    CHECK_MESSAGE(st.message().find(var) != std::string::npos, st.message());
    CHECK_MESSAGE(st.message().find("'" + value + "'") != std::string::npos, st.message());
  };
  check_rejects("PREFECT_SERVER_API_PORT", "http");
  check_rejects("PREFECT_SERVER_API_PORT", "70000");
  check_rejects("PREFECT_SERVER_API_PORT", "");
  check_rejects("PREFECT_SERVER_API_CSRF_PROTECTION_ENABLED", "maybe");
  check_rejects("PREFECT_API_DEFAULT_LIMIT", "0");  // the alias actually used is named
  check_rejects("PREFECT_SERVER_EVENTS_WEBSOCKET_BACKFILL_PAGE_SIZE", "0");
  check_rejects("PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS", "-1");
  check_rejects("PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS", "nan");
  check_rejects("PREFECT_SERVER_EVENTS_RETENTION_PERIOD", "one week");
  check_rejects("PREFECT_SERVER_LOGGING_LEVEL", "LOUD");
  check_rejects("PREFECT_SERVER_DATABASE_DRIVER", "mysql");
  check_rejects("PREFECT_SERVER_CONCURRENCY_INITIAL_DEPLOYMENT_LEASE_DURATION", "10");
  check_rejects("PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD", "60");
  check_rejects("PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED", "events,logs");
  check_rejects("PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES", "{\"a\": -1}");
  check_rejects("PREFECT_SERVER_API_MAX_PARAMETER_SIZE", "99999999999999999999");
}

TEST_CASE("durations accept seconds, ISO 8601 durations and clock forms") {
  using core::parse_duration_seconds;
  CHECK(parse_duration_seconds("3600") == 3600);
  CHECK(parse_duration_seconds("1.5") == 1.5);
  CHECK(parse_duration_seconds("PT1H") == 3600);
  CHECK(parse_duration_seconds("P7D") == 7 * 86400);
  CHECK(parse_duration_seconds("P1W") == 7 * 86400);
  CHECK(parse_duration_seconds("P1DT2H30M") == 86400 + 2 * 3600 + 30 * 60);
  CHECK(parse_duration_seconds("PT0.5S") == 0.5);
  CHECK(parse_duration_seconds("PT1.5H") == 5400);
  CHECK(parse_duration_seconds("P1Y") == 365 * 86400);
  CHECK(parse_duration_seconds("P1M") == 30 * 86400);
  CHECK(parse_duration_seconds("-PT1M") == -60);
  CHECK(parse_duration_seconds("01:30:00") == 5400);
  CHECK(parse_duration_seconds("00:00:01.25") == 1.25);
  CHECK(parse_duration_seconds("1 day, 01:00:00") == 90000);
  CHECK(parse_duration_seconds("2 days") == 2 * 86400);
  CHECK(parse_duration_seconds("3d") == 3 * 86400);
  for (const char* bad : {"", "P", "PT", "P1H", "PT1D", "1h", "P1.5DT1H", "PTT1H", "25:00:00",
                          "01:60:00", "abc", "inf"}) {
    CHECK_MESSAGE(!parse_duration_seconds(bad).has_value(), bad);
  }
}

TEST_CASE("durations are dumped as pydantic's ISO 8601 text") {
  using core::format_iso_duration;
  CHECK(format_iso_duration(3600) == "PT3600S");
  CHECK(format_iso_duration(7 * 86400) == "P7D");
  CHECK(format_iso_duration(100 * 86400) == "P100D");
  CHECK(format_iso_duration(0) == "PT0S");
  CHECK(format_iso_duration(400 * 86400 + 0.5) == "P1Y35DT0.5S");
  CHECK(format_iso_duration(-60) == "-PT60S");
}

TEST_CASE("booleans follow pydantic's accepted spellings") {
  for (const char* t : {"true", "TRUE", "1", "yes", "on", "t", "y", " True "}) {
    CHECK_MESSAGE(core::parse_setting_bool(t) == true, t);
  }
  for (const char* f : {"false", "0", "no", "off", "f", "N"}) {
    CHECK_MESSAGE(core::parse_setting_bool(f) == false, f);
  }
  for (const char* bad : {"", "2", "enabled", "truthy"}) {
    CHECK_FALSE(core::parse_setting_bool(bad).has_value());
  }
}

TEST_CASE("database parts build the connection URL when no URL is given") {
  SUBCASE("postgres parts, with user and password percent-encoded and the default port") {
    Settings s = load({{"PREFECT_SERVER_DATABASE_DRIVER", "postgresql+asyncpg"},
                       {"PREFECT_SERVER_DATABASE_HOST", "db.internal"},
                       {"PREFECT_SERVER_DATABASE_USER", "app@corp"},
                       {"PREFECT_SERVER_DATABASE_PASSWORD", "p:ss/w@rd"},
                       {"PREFECT_SERVER_DATABASE_NAME", "prefect"}});
    CHECK(s.effective_database_url() ==
          "postgresql+asyncpg://app%40corp:p%3Ass%2Fw%40rd@db.internal:5432/prefect");
  }
  SUBCASE("legacy PREFECT_API_DATABASE_* parts and an explicit port") {
    Settings s = load({{"PREFECT_API_DATABASE_DRIVER", "postgresql+asyncpg"},
                       {"PREFECT_API_DATABASE_HOST", "h"},
                       {"PREFECT_API_DATABASE_PORT", "6543"},
                       {"PREFECT_API_DATABASE_USER", "u"},
                       {"PREFECT_API_DATABASE_NAME", "n"}});
    CHECK(s.effective_database_url() == "postgresql+asyncpg://u@h:6543/n");
  }
  SUBCASE("postgres without host, user or name is refused at start-up") {
    Status st = load_error({{"PREFECT_SERVER_DATABASE_DRIVER", "postgresql+asyncpg"},
                            {"PREFECT_SERVER_DATABASE_HOST", "h"}});
    CHECK(st.code() == ErrorCode::kInvalidArgument);
    CHECK(st.message().find("user, name") != std::string::npos);
  }
  SUBCASE("a sqlite driver with a name is a file path") {
    Settings s = load({{"PREFECT_SERVER_DATABASE_DRIVER", "sqlite+aiosqlite"},
                       {"PREFECT_SERVER_DATABASE_NAME", "/data/p.db"}});
    CHECK(s.effective_database_url() == "sqlite+aiosqlite:////data/p.db");
  }
  SUBCASE("an explicit URL wins over the parts, and may reference the password") {
    Settings s = load({{"PREFECT_SERVER_DATABASE_CONNECTION_URL",
                        "postgresql+asyncpg://u:${PREFECT_SERVER_DATABASE_PASSWORD}@h/db"},
                       {"PREFECT_SERVER_DATABASE_DRIVER", "postgresql+asyncpg"},
                       {"PREFECT_SERVER_DATABASE_PASSWORD", "s3cret"}});
    CHECK(s.effective_database_url() == "postgresql+asyncpg://u:s3cret@h/db");
  }
  SUBCASE("a URL referencing an unset password is refused") {
    Status st = load_error({{"PREFECT_SERVER_DATABASE_CONNECTION_URL",
                             "postgresql://u:${PREFECT_API_DATABASE_PASSWORD}@h/db"}});
    CHECK(st.message().find("PREFECT_SERVER_DATABASE_PASSWORD") != std::string::npos);
  }
}

TEST_CASE("PREFECT_HOME moves the default database and expands ~") {
  CHECK(load({{"PREFECT_HOME", "/srv/prefect"}}).effective_database_url() ==
        "sqlite+aiosqlite:////srv/prefect/prefect.db");
  CHECK(load({{"PREFECT_HOME", "~/p"}}).home == "/home/u/p");
}

TEST_CASE("db vacuum enabled takes a legacy bool, a JSON list or a comma-separated set") {
  auto vacuum = [](const std::string& value) {
    return load({{"PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED", value}}).services.db_vacuum;
  };
  auto v = vacuum("true");
  CHECK((v.enabled && v.events_enabled && v.flow_runs_enabled));
  v = vacuum("False");  // upstream keeps the old default: events only
  CHECK((v.enabled && v.events_enabled && !v.flow_runs_enabled));
  v = vacuum(R"(["events", "flow_runs"])");
  CHECK((v.events_enabled && v.flow_runs_enabled));
  v = vacuum("flow_runs");
  CHECK((v.enabled && !v.events_enabled && v.flow_runs_enabled));
  v = vacuum(" events , flow_runs ");
  CHECK((v.events_enabled && v.flow_runs_enabled));
  v = vacuum("[]");
  CHECK((!v.enabled && !v.events_enabled && !v.flow_runs_enabled));
  CHECK(load_error({{"PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED", "[1]"}}).code() ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("event retention overrides replace the default map") {
  Settings s = load({{"PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES",
                      R"({"prefect.log.write": 3600, "x.y": "P2D"})"}});
  const auto& o = s.services.db_vacuum.event_retention_overrides;
  CHECK(o.size() == 2);
  CHECK(o.at("prefect.log.write") == 3600);
  CHECK(o.at("x.y") == 2 * 86400);
}

TEST_CASE("describe_settings lists variables by name and hides secrets") {
  Settings s = load({{"PREFECT_SERVER_API_AUTH_STRING", "admin:hunter2"},
                     {"PREFECT_SERVER_DATABASE_CONNECTION_URL", "postgresql://u:pw@h/db"},
                     {"PREFECT_SERVER_DATABASE_PASSWORD", "pw"}});
  std::map<std::string, std::string> named;
  for (const auto& [name, value] : describe_settings(s)) {
    CHECK(value.find("hunter2") == std::string::npos);
    CHECK(value.find("pw") == std::string::npos);
    named[name] = value;
  }
  CHECK(named.at("PREFECT_SERVER_API_PORT") == "4200");
  CHECK(named.at("PREFECT_SERVER_API_AUTH_STRING") == "**********");
  CHECK(named.at("PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED") == "true");
  CHECK(named.count("PREFECT_SERVER_DATABASE_SQLALCHEMY_POOL_SIZE") == 1);
}

TEST_CASE("the logging level is parsed case-insensitively and applied when a server starts") {
  CHECK(core::parse_log_level("warning").value() == core::LogLevel::kWarning);
  CHECK_FALSE(core::parse_log_level("verbose").has_value());
  const core::LogLevel before = core::log_level();
  {
    auto server = testing::make_server(load({{"PREFECT_SERVER_LOGGING_LEVEL", "debug"}}));
    CHECK(core::log_level() == core::LogLevel::kDebug);
  }
  core::set_log_level(before);
}
