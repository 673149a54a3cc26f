// The settings parity table: one entry per upstream setting (src/prefect/settings/models/
// server/*.py), keyed by its path in the settings model. The environment variable is
// PREFECT_ + the path upper-cased with '.' -> '_' (upstream's build_settings_config), and the
// aliases are the legacy names in upstream's validation_alias lists, in their order.

#include "lib/core/settings_table.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "lib/core/json.h"
#include "lib/core/settings_codecs.h"

namespace prefectcore::core {
namespace {

using namespace setting;  // NOLINT(google-build-using-namespace): the table reads better

// Upstream's _parse_vacuum_enabled: a JSON list, "true"/"1" (both types), "false"/"0"/""
// (events only, the old default), "null" (none) or a comma-separated set.
Err parse_vacuum_types(Settings& s, std::string_view text) {
  constexpr std::string_view kExpected =
      "true, false, or a set of 'events' and 'flow_runs' such as events,flow_runs";
  const std::string_view v = trim_setting(text);
  const std::string low = lower_setting(v);
  std::vector<std::string> types;
  if (low == "true" || low == "1") {
    types = {"events", "flow_runs"};
  } else if (low == "false" || low == "0" || low.empty()) {
    types = {"events"};
  } else if (low == "null") {
    types = {};
  } else if (v.front() == '[') {
    auto doc = JsonDocument::parse(v);
    JsonArray items;
    if (!doc || doc->root().get_array().get(items)) {
      return std::string(kExpected);
    }
    for (auto item : items) {
      std::string_view name;
      if (item.get_string().get(name)) {
        return std::string(kExpected);
      }
      types.emplace_back(trim_setting(name));
    }
  } else {
    std::size_t start = 0;
    while (start <= v.size()) {
      const auto comma = std::min(v.find(',', start), v.size());
      if (auto item = trim_setting(v.substr(start, comma - start)); !item.empty()) {
        types.emplace_back(item);
      }
      start = comma + 1;
    }
  }
  auto& vac = s.services.db_vacuum;
  vac.events_enabled = vac.flow_runs_enabled = false;
  for (const auto& t : types) {
    if (t == "events") {
      vac.events_enabled = true;
    } else if (t == "flow_runs") {
      vac.flow_runs_enabled = true;
    } else {
      return std::string(kExpected);
    }
  }
  vac.enabled = vac.events_enabled || vac.flow_runs_enabled;
  return std::nullopt;
}

Codec vacuum_types() {
  return {parse_vacuum_types, [](const Settings& s, JsonWriter& w) {
            w.begin_array();
            if (s.services.db_vacuum.events_enabled) {
              w.string("events");
            }
            if (s.services.db_vacuum.flow_runs_enabled) {
              w.string("flow_runs");
            }
            w.end_array();
          }};
}

// A JSON object of event type -> positive retention (seconds or an ISO 8601 duration).
Err parse_retention_overrides(Settings& s, std::string_view text) {
  const std::string expected =
      "a JSON object of event type to a positive duration, such as "
      "{\"prefect.flow-run.heartbeat\": 604800}";
  auto doc = JsonDocument::parse(trim_setting(text));
  JsonObject obj;
  if (!doc || doc->root().get_object().get(obj)) {
    return expected;
  }
  std::map<std::string, double> out;
  for (auto field : obj) {
    double seconds = 0;
    std::string_view str;
    if (field.value.is_number()) {
      seconds = field.value.get_double().value_unsafe();
    } else if (!field.value.get_string().get(str)) {
      seconds = parse_duration_seconds(str).value_or(0);
    }
    if (!(seconds > 0)) {
      return expected;
    }
    out[std::string(field.key)] = seconds;
  }
  s.services.db_vacuum.event_retention_overrides = std::move(out);
  return std::nullopt;
}

Codec retention_overrides() {
  return {parse_retention_overrides, [](const Settings& s, JsonWriter& w) {
            w.begin_object();
            for (const auto& [type, seconds] : s.services.db_vacuum.event_retention_overrides) {
              w.key(type).string(format_iso_duration(seconds));
            }
            w.end_object();
          }};
}

std::vector<Entry> settings_entries() {
  const Bound kPort = between(0, 65535);
  const Bound kPositive = gt(0);
  // Every loop interval must be positive: a zero interval would spin a service runner.
  const Bound kLoop = gt(0);
  return {
      {"home", text(PC_SETTING(home))},
      // server/root.py
      {"server.logging_level",
       log_level(PC_SETTING(logging_level)),
       {"PREFECT_LOGGING_SERVER_LEVEL"}},
      {"server.metrics_enabled", flag(PC_SETTING(metrics_enabled)), {"PREFECT_API_ENABLE_METRICS"}},
      {"server.log_retryable_errors",
       flag(PC_SETTING(log_retryable_errors)),
       {"PREFECT_API_LOG_RETRYABLE_ERRORS"}},
      {"server.register_blocks_on_start",
       flag(PC_SETTING(register_blocks_on_start)),
       {"PREFECT_API_BLOCKS_REGISTER_ON_START"}},
      {"server.deployment_schedule_max_scheduled_runs",
       integer(PC_SETTING(deployment_schedule_max_scheduled_runs)),
       {"PREFECT_DEPLOYMENT_SCHEDULE_MAX_SCHEDULED_RUNS"}},
      // server/api.py
      {"server.api.auth_string", secret(PC_SETTING(api.auth_string))},
      {"server.api.host", text(PC_SETTING(api.host))},
      {"server.api.port", integer(PC_SETTING(api.port), kPort)},
      {"server.api.base_path", text(PC_SETTING(api.base_path))},
      {"server.api.default_limit",
       integer(PC_SETTING(api.default_limit), ge(1)),
       {"PREFECT_API_DEFAULT_LIMIT"}},
      {"server.api.keepalive_timeout", integer(PC_SETTING(api.keepalive_timeout), ge(0))},
      {"server.api.csrf_protection_enabled",
       flag(PC_SETTING(api.csrf_protection_enabled)),
       {"PREFECT_SERVER_CSRF_PROTECTION_ENABLED"}},
      {"server.api.csrf_token_expiration",
       duration(PC_SETTING(api.csrf_token_expiration)),
       {"PREFECT_SERVER_CSRF_TOKEN_EXPIRATION"}},
      {"server.api.cors_allowed_origins",
       text(PC_SETTING(api.cors_allowed_origins)),
       {"PREFECT_SERVER_CORS_ALLOWED_ORIGINS"}},
      {"server.api.cors_allowed_methods",
       text(PC_SETTING(api.cors_allowed_methods)),
       {"PREFECT_SERVER_CORS_ALLOWED_METHODS"}},
      {"server.api.cors_allowed_headers",
       text(PC_SETTING(api.cors_allowed_headers)),
       {"PREFECT_SERVER_CORS_ALLOWED_HEADERS"}},
      {"server.api.websocket_ping_interval", number(PC_SETTING(api.websocket_ping_interval))},
      {"server.api.websocket_ping_timeout", number(PC_SETTING(api.websocket_ping_timeout))},
      {"server.api.max_parameter_size", integer(PC_SETTING(api.max_parameter_size), ge(0))},
      // prefectcore's own transport limits, named like the rest.
      {"server.api.max_request_body_bytes",
       integer(PC_SETTING(api.max_request_body_bytes), kPositive)},
      {"server.api.max_clients", integer(PC_SETTING(api.max_clients), kPositive)},
      {"server.api.websocket_max_message_bytes",
       integer(PC_SETTING(api.websocket_max_message_bytes), kPositive)},
      // server/concurrency.py
      {"server.concurrency.initial_deployment_lease_duration",
       number(PC_SETTING(concurrency_initial_deployment_lease_duration), ge(30))},
      {"server.concurrency.maximum_concurrency_slot_wait_seconds",
       number(PC_SETTING(concurrency_maximum_slot_wait_seconds), ge(0))},
      // server/database.py
      {"server.database.connection_url",
       secret(PC_SETTING(database.connection_url)),
       {"PREFECT_API_DATABASE_CONNECTION_URL"}},
      {"server.database.driver",
       choice(PC_SETTING(database.driver), {"postgresql+asyncpg", "sqlite+aiosqlite"}),
       {"PREFECT_API_DATABASE_DRIVER"}},
      {"server.database.host", text(PC_SETTING(database.host)), {"PREFECT_API_DATABASE_HOST"}},
      {"server.database.port",
       integer(PC_SETTING(database.port), kPort),
       {"PREFECT_API_DATABASE_PORT"}},
      {"server.database.user", text(PC_SETTING(database.user)), {"PREFECT_API_DATABASE_USER"}},
      {"server.database.name", text(PC_SETTING(database.name)), {"PREFECT_API_DATABASE_NAME"}},
      {"server.database.password",
       secret(PC_SETTING(database.password)),
       {"PREFECT_API_DATABASE_PASSWORD"}},
      {"server.database.echo", flag(PC_SETTING(database.echo)), {"PREFECT_API_DATABASE_ECHO"}},
      {"server.database.migrate_on_start",
       flag(PC_SETTING(database.migrate_on_start)),
       {"PREFECT_API_DATABASE_MIGRATE_ON_START"}},
      {"server.database.timeout",
       number(PC_SETTING(database.timeout), kPositive),
       {"PREFECT_API_DATABASE_TIMEOUT"}},
      {"server.database.connection_timeout",
       number(PC_SETTING(database.connection_timeout), kPositive),
       {"PREFECT_API_DATABASE_CONNECTION_TIMEOUT"}},
      {"server.database.migration_timeout",
       number(PC_SETTING(database.migration_timeout), kPositive)},
      {"server.database.sqlalchemy.pool_size",
       integer(PC_SETTING(database.pool_size), ge(1)),
       {"PREFECT_SQLALCHEMY_POOL_SIZE"}},
      {"server.database.sqlalchemy.max_overflow",
       integer(PC_SETTING(database.max_overflow)),
       {"PREFECT_SQLALCHEMY_MAX_OVERFLOW"}},
      {"server.database.sqlalchemy.pool_recycle", integer(PC_SETTING(database.pool_recycle))},
      {"server.database.sqlalchemy.pool_timeout", number(PC_SETTING(database.pool_timeout), ge(0))},
      {"server.database.sqlalchemy.connect_args.application_name",
       text(PC_SETTING(database.application_name))},
      {"server.database.sqlalchemy.connect_args.search_path",
       text(PC_SETTING(database.search_path))},
      {"server.database.sqlalchemy.connect_args.statement_cache_size",
       integer(PC_SETTING(database.statement_cache_size), ge(0))},
      {"server.database.sqlalchemy.connect_args.prepared_statement_cache_size",
       integer(PC_SETTING(database.prepared_statement_cache_size), ge(0))},
      {"server.database.sqlalchemy.connect_args.tls.enabled",
       flag(PC_SETTING(database.tls.enabled))},
      {"server.database.sqlalchemy.connect_args.tls.ca_file",
       text(PC_SETTING(database.tls.ca_file))},
      {"server.database.sqlalchemy.connect_args.tls.cert_file",
       text(PC_SETTING(database.tls.cert_file))},
      {"server.database.sqlalchemy.connect_args.tls.key_file",
       text(PC_SETTING(database.tls.key_file))},
      {"server.database.sqlalchemy.connect_args.tls.check_hostname",
       flag(PC_SETTING(database.tls.check_hostname))},
      // server/deployments.py
      {"server.deployments.concurrency_slot_wait_seconds",
       number(PC_SETTING(deployments_concurrency_slot_wait_seconds), ge(0)),
       {"PREFECT_DEPLOYMENT_CONCURRENCY_SLOT_WAIT_SECONDS"}},
      // server/events.py
      {"server.events.stream_out_enabled",
       flag(PC_SETTING(events.stream_out_enabled)),
       {"PREFECT_API_EVENTS_STREAM_OUT_ENABLED"}},
      {"server.events.related_resource_cache_ttl",
       duration(PC_SETTING(events.related_resource_cache_ttl)),
       {"PREFECT_API_EVENTS_RELATED_RESOURCE_CACHE_TTL"}},
      {"server.events.maximum_labels_per_resource",
       integer(PC_SETTING(events.maximum_labels_per_resource), ge(0)),
       {"PREFECT_EVENTS_MAXIMUM_LABELS_PER_RESOURCE"}},
      {"server.events.maximum_related_resources",
       integer(PC_SETTING(events.maximum_related_resources), ge(0)),
       {"PREFECT_EVENTS_MAXIMUM_RELATED_RESOURCES"}},
      {"server.events.maximum_size_bytes",
       integer(PC_SETTING(events.maximum_size_bytes), ge(0)),
       {"PREFECT_EVENTS_MAXIMUM_SIZE_BYTES"}},
      {"server.events.expired_bucket_buffer",
       duration(PC_SETTING(events.expired_bucket_buffer)),
       {"PREFECT_EVENTS_EXPIRED_BUCKET_BUFFER"}},
      {"server.events.proactive_granularity",
       duration(PC_SETTING(events.proactive_granularity), kPositive),
       {"PREFECT_EVENTS_PROACTIVE_GRANULARITY"}},
      {"server.events.retention_period",
       duration(PC_SETTING(events.retention_period)),
       {"PREFECT_EVENTS_RETENTION_PERIOD"}},
      {"server.events.maximum_websocket_backfill",
       duration(PC_SETTING(events.maximum_websocket_backfill)),
       {"PREFECT_EVENTS_MAXIMUM_WEBSOCKET_BACKFILL"}},
      {"server.events.websocket_backfill_page_size",
       integer(PC_SETTING(events.websocket_backfill_page_size), kPositive),
       {"PREFECT_EVENTS_WEBSOCKET_BACKFILL_PAGE_SIZE"}},
      {"server.events.maximum_event_name_length",
       integer(PC_SETTING(events.maximum_event_name_length), kPositive)},
      // server/flow_run_graph.py
      {"server.flow_run_graph.max_nodes",
       integer(PC_SETTING(flow_run_graph_max_nodes), ge(0)),
       {"PREFECT_API_MAX_FLOW_RUN_GRAPH_NODES"}},
      {"server.flow_run_graph.max_artifacts",
       integer(PC_SETTING(flow_run_graph_max_artifacts), ge(0)),
       {"PREFECT_API_MAX_FLOW_RUN_GRAPH_ARTIFACTS"}},
      // server/logs.py
      {"server.logs.stream_out_enabled", flag(PC_SETTING(logs.stream_out_enabled))},
      {"server.logs.stream_publishing_enabled", flag(PC_SETTING(logs.stream_publishing_enabled))},
      // server/services.py
      {"server.services.cancellation_cleanup.enabled",
       flag(PC_SETTING(services.cancellation_cleanup.enabled)),
       {"PREFECT_API_SERVICES_CANCELLATION_CLEANUP_ENABLED"}},
      {"server.services.cancellation_cleanup.loop_seconds",
       number(PC_SETTING(services.cancellation_cleanup.loop_seconds), kLoop),
       {"PREFECT_API_SERVICES_CANCELLATION_CLEANUP_LOOP_SECONDS"}},
      {"server.services.cancellation_cleanup.cancelling_timeout_seconds",
       number(PC_SETTING(services.cancellation_cleanup.cancelling_timeout_seconds), kPositive)},
      {"server.services.cleanup_reconciler.enabled",
       flag(PC_SETTING(services.cleanup_reconciler.enabled))},
      {"server.services.cleanup_reconciler.loop_seconds",
       number(PC_SETTING(services.cleanup_reconciler.loop_seconds), kLoop)},
      {"server.services.cleanup_reconciler.batch_size",
       integer(PC_SETTING(services.cleanup_reconciler.batch_size), kPositive)},
      {"server.services.db_vacuum.enabled", vacuum_types()},
      {"server.services.db_vacuum.loop_seconds",
       number(PC_SETTING(services.db_vacuum.loop_seconds), kLoop)},
      {"server.services.db_vacuum.retention_period",
       duration(PC_SETTING(services.db_vacuum.retention_period), gt(3600))},
      {"server.services.db_vacuum.batch_size",
       integer(PC_SETTING(services.db_vacuum.batch_size), kPositive)},
      {"server.services.db_vacuum.event_retention_overrides", retention_overrides()},
      {"server.services.event_persister.enabled",
       flag(PC_SETTING(services.event_persister.enabled)),
       {"PREFECT_API_SERVICES_EVENT_PERSISTER_ENABLED"}},
      {"server.services.event_persister.batch_size",
       integer(PC_SETTING(services.event_persister.batch_size), kPositive),
       {"PREFECT_API_SERVICES_EVENT_PERSISTER_BATCH_SIZE"}},
      {"server.services.event_persister.read_batch_size",
       integer(PC_SETTING(services.event_persister.read_batch_size), kPositive),
       {"PREFECT_API_SERVICES_EVENT_PERSISTER_READ_BATCH_SIZE"}},
      {"server.services.event_persister.flush_interval",
       number(PC_SETTING(services.event_persister.flush_interval), kPositive),
       {"PREFECT_API_SERVICES_EVENT_PERSISTER_FLUSH_INTERVAL"}},
      {"server.services.event_persister.queue_max_size",
       integer(PC_SETTING(services.event_persister.queue_max_size), kPositive)},
      {"server.services.event_persister.max_flush_retries",
       integer(PC_SETTING(services.event_persister.max_flush_retries), kPositive)},
      {"server.services.event_logger.enabled",
       flag(PC_SETTING(services.event_logger.enabled)),
       {"PREFECT_API_SERVICES_EVENT_LOGGER_ENABLED"}},
      {"server.services.foreman.enabled",
       flag(PC_SETTING(services.foreman.enabled)),
       {"PREFECT_API_SERVICES_FOREMAN_ENABLED"}},
      {"server.services.foreman.loop_seconds",
       number(PC_SETTING(services.foreman.loop_seconds), kLoop),
       {"PREFECT_API_SERVICES_FOREMAN_LOOP_SECONDS"}},
      {"server.services.foreman.inactivity_heartbeat_multiple",
       integer(PC_SETTING(services.foreman.inactivity_heartbeat_multiple), kPositive),
       {"PREFECT_API_SERVICES_FOREMAN_INACTIVITY_HEARTBEAT_MULTIPLE"}},
      {"server.services.foreman.fallback_heartbeat_interval_seconds",
       integer(PC_SETTING(services.foreman.fallback_heartbeat_interval_seconds), kPositive),
       {"PREFECT_API_SERVICES_FOREMAN_FALLBACK_HEARTBEAT_INTERVAL_SECONDS"}},
      {"server.services.foreman.deployment_last_polled_timeout_seconds",
       integer(PC_SETTING(services.foreman.deployment_last_polled_timeout_seconds), kPositive),
       {"PREFECT_API_SERVICES_FOREMAN_DEPLOYMENT_LAST_POLLED_TIMEOUT_SECONDS"}},
      {"server.services.foreman.work_queue_last_polled_timeout_seconds",
       integer(PC_SETTING(services.foreman.work_queue_last_polled_timeout_seconds), kPositive),
       {"PREFECT_API_SERVICES_FOREMAN_WORK_QUEUE_LAST_POLLED_TIMEOUT_SECONDS"}},
      {"server.services.late_runs.enabled",
       flag(PC_SETTING(services.late_runs.enabled)),
       {"PREFECT_API_SERVICES_LATE_RUNS_ENABLED"}},
      {"server.services.late_runs.loop_seconds",
       number(PC_SETTING(services.late_runs.loop_seconds), kLoop),
       {"PREFECT_API_SERVICES_LATE_RUNS_LOOP_SECONDS"}},
      {"server.services.late_runs.after_seconds",
       duration(PC_SETTING(services.late_runs.after_seconds)),
       {"PREFECT_API_SERVICES_LATE_RUNS_AFTER_SECONDS"}},
      {"server.services.scheduler.enabled",
       flag(PC_SETTING(services.scheduler.enabled)),
       {"PREFECT_API_SERVICES_SCHEDULER_ENABLED"}},
      {"server.services.scheduler.loop_seconds",
       number(PC_SETTING(services.scheduler.loop_seconds), kLoop),
       {"PREFECT_API_SERVICES_SCHEDULER_LOOP_SECONDS"}},
      {"server.services.scheduler.deployment_batch_size",
       integer(PC_SETTING(services.scheduler.deployment_batch_size), kPositive),
       {"PREFECT_API_SERVICES_SCHEDULER_DEPLOYMENT_BATCH_SIZE"}},
      {"server.services.scheduler.max_runs",
       integer(PC_SETTING(services.scheduler.max_runs), ge(0)),
       {"PREFECT_API_SERVICES_SCHEDULER_MAX_RUNS"}},
      {"server.services.scheduler.min_runs",
       integer(PC_SETTING(services.scheduler.min_runs), ge(0)),
       {"PREFECT_API_SERVICES_SCHEDULER_MIN_RUNS"}},
      {"server.services.scheduler.max_scheduled_time",
       duration(PC_SETTING(services.scheduler.max_scheduled_time)),
       {"PREFECT_API_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME"}},
      {"server.services.scheduler.min_scheduled_time",
       duration(PC_SETTING(services.scheduler.min_scheduled_time)),
       {"PREFECT_API_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME"}},
      {"server.services.scheduler.insert_batch_size",
       integer(PC_SETTING(services.scheduler.insert_batch_size), kPositive),
       {"PREFECT_API_SERVICES_SCHEDULER_INSERT_BATCH_SIZE"}},
      {"server.services.scheduler.recent_deployments_loop_seconds",
       number(PC_SETTING(services.scheduler.recent_deployments_loop_seconds), kLoop)},
      {"server.services.pause_expirations.enabled",
       flag(PC_SETTING(services.pause_expirations.enabled)),
       {"PREFECT_API_SERVICES_PAUSE_EXPIRATIONS_ENABLED"}},
      {"server.services.pause_expirations.loop_seconds",
       number(PC_SETTING(services.pause_expirations.loop_seconds), kLoop),
       {"PREFECT_API_SERVICES_PAUSE_EXPIRATIONS_LOOP_SECONDS"}},
      {"server.services.repossessor.enabled", flag(PC_SETTING(services.repossessor.enabled))},
      {"server.services.repossessor.loop_seconds",
       number(PC_SETTING(services.repossessor.loop_seconds), kLoop)},
      {"server.services.task_run_recorder.enabled",
       flag(PC_SETTING(services.task_run_recorder.enabled)),
       {"PREFECT_API_SERVICES_TASK_RUN_RECORDER_ENABLED"}},
      {"server.services.task_run_recorder.read_batch_size",
       integer(PC_SETTING(services.task_run_recorder.read_batch_size), kPositive)},
      {"server.services.task_run_recorder.batch_size",
       integer(PC_SETTING(services.task_run_recorder.batch_size), kPositive)},
      {"server.services.task_run_recorder.flush_interval",
       number(PC_SETTING(services.task_run_recorder.flush_interval), kPositive)},
      {"server.services.triggers.enabled",
       flag(PC_SETTING(services.triggers.enabled)),
       {"PREFECT_API_SERVICES_TRIGGERS_ENABLED"}},
      {"server.services.triggers.read_batch_size",
       integer(PC_SETTING(services.triggers.read_batch_size), kPositive)},
      {"server.services.triggers.pg_notify_reconnect_interval_seconds",
       integer(PC_SETTING(services.triggers.pg_notify_reconnect_interval_seconds), kPositive)},
      {"server.services.triggers.pg_notify_heartbeat_interval_seconds",
       integer(PC_SETTING(services.triggers.pg_notify_heartbeat_interval_seconds), kPositive)},
      // server/tasks.py
      {"server.tasks.tag_concurrency_slot_wait_seconds",
       number(PC_SETTING(tasks_tag_concurrency_slot_wait_seconds), ge(0)),
       {"PREFECT_TASK_RUN_TAG_CONCURRENCY_SLOT_WAIT_SECONDS"}},
      {"server.tasks.max_cache_key_length",
       integer(PC_SETTING(tasks_max_cache_key_length), ge(1)),
       {"PREFECT_API_TASK_CACHE_KEY_MAX_LENGTH"}},
      {"server.tasks.scheduling.max_scheduled_queue_size",
       integer(PC_SETTING(tasks_scheduling_max_scheduled_queue_size), ge(0)),
       {"PREFECT_TASK_SCHEDULING_MAX_SCHEDULED_QUEUE_SIZE"}},
      {"server.tasks.scheduling.max_retry_queue_size",
       integer(PC_SETTING(tasks_scheduling_max_retry_queue_size), ge(0)),
       {"PREFECT_TASK_SCHEDULING_MAX_RETRY_QUEUE_SIZE"}},
      {"server.tasks.scheduling.pending_task_timeout",
       duration(PC_SETTING(tasks_scheduling_pending_task_timeout)),
       {"PREFECT_TASK_SCHEDULING_PENDING_TASK_TIMEOUT"}},
      // server/ui.py
      {"server.ui.enabled", flag(PC_SETTING(ui_enabled)), {"PREFECT_UI_ENABLED"}},
      // testing.py
      {"testing.test_mode", flag(PC_SETTING(testing_test_mode)), {"PREFECT_TEST_MODE"}},
  };
}

std::string env_name(std::string_view path) {
  std::string name = "PREFECT_";
  for (char c : path) {
    name.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return name;
}

// The dump nests entries by path, so each group's entries must be contiguous in the table.
void check_groups_contiguous(const std::vector<Entry>& t) {
  std::set<std::string_view> closed;
  std::string_view open;
  for (const auto& e : t) {
    std::string_view group = e.path.substr(0, e.path.rfind('.') + 1);
    if (group != open) {
      PC_ASSERT(closed.count(group) == 0);
      closed.insert(open);
      open = group;
    }
  }
}

const std::vector<Entry>& table() {
  static const std::vector<Entry> t = [] {
    auto entries = settings_entries();
    check_groups_contiguous(entries);
    return entries;
  }();
  return t;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (auto dot = path.find('.'); dot != std::string_view::npos; dot = path.find('.', start)) {
    parts.push_back(path.substr(start, dot - start));
    start = dot + 1;
  }
  parts.push_back(path.substr(start));
  return parts;
}

}  // namespace

Status apply_settings_table(Settings& s, const Settings::EnvLookup& env) {
  for (const auto& e : table()) {
    std::string used = env_name(e.path);
    std::optional<std::string> v = env(used);
    for (std::size_t i = 0; !v && i < e.aliases.size(); ++i) {
      used = std::string(e.aliases[i]);
      v = env(used);
    }
    if (!v) {
      continue;
    }
    if (Err expected = e.codec.parse(s, *v)) {
      return Status::invalid_argument(
          fmt::format("{}: invalid value '{}' (expected {})", used, *v, *expected));
    }
  }
  return {};
}

std::vector<std::pair<std::string, std::string>> describe_settings_table(const Settings& s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : table()) {
    std::string value;
    JsonWriter w(value);
    e.codec.write(s, w);
    if (value.size() >= 2 && value.front() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    out.emplace_back(env_name(e.path), std::move(value));
  }
  return out;
}

std::string settings_to_json(const Settings& s) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  std::vector<std::string_view> open;  // the groups currently open, outermost first
  for (const auto& e : table()) {
    auto parts = split_path(e.path);
    const std::string_view leaf = parts.back();
    parts.pop_back();
    std::size_t common = 0;
    while (common < open.size() && common < parts.size() && open[common] == parts[common]) {
      ++common;
    }
    for (; open.size() > common; open.pop_back()) {
      w.end_object();
    }
    for (std::size_t i = common; i < parts.size(); ++i) {
      w.key(parts[i]).begin_object();
      open.push_back(parts[i]);
    }
    w.key(leaf);
    e.codec.write(s, w);
  }
  for (; !open.empty(); open.pop_back()) {
    w.end_object();
  }
  w.end_object();
  return out;
}

}  // namespace prefectcore::core
