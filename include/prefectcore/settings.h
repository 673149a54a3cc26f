#pragma once

// Server settings, loaded from the environment with the upstream names: every
// PREFECT_SERVER_* variable and its legacy alias (PREFECT_API_* and friends). Durations are
// seconds. Defaults are upstream's (Prefect 3.8, src/prefect/settings/models/server/).
//
// Thread-safety: a plain value; share it read-only.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/status.h>

namespace prefectcore {

struct ApiSettings {
  std::string host = "127.0.0.1";
  int port = 4200;
  std::string base_path = "/api";
  int default_limit = 200;                 // default and maximum `limit` on list endpoints
  double keepalive_timeout = 5;            // seconds
  std::optional<std::string> auth_string;  // "user:pass" enables basic auth
  bool csrf_protection_enabled = false;
  double csrf_token_expiration = 3600;
  std::string cors_allowed_origins = "*";
  std::string cors_allowed_methods = "*";
  std::string cors_allowed_headers = "*";
  double websocket_ping_interval = 20;
  double websocket_ping_timeout = 20;
  std::int64_t max_parameter_size = 524288;  // bytes; 0 disables
  // prefectcore's own transport limits (no upstream equivalent).
  std::int64_t max_request_body_bytes = 16 * 1024 * 1024;  // 413 above
  int max_clients = 1000;                                  // concurrent connections
  std::int64_t websocket_max_message_bytes = 16 * 1024 * 1024;
};

// TLS for PostgreSQL connections (server.database.sqlalchemy.connect_args.tls).
struct DatabaseTlsSettings {
  bool enabled = false;
  std::optional<std::string> ca_file;
  std::optional<std::string> cert_file;
  std::optional<std::string> key_file;
  bool check_hostname = true;
};

struct DatabaseSettings {
  // Empty: built from driver/host/port/user/name/password when driver is set, else SQLite
  // under $PREFECT_HOME/prefect.db (see Settings::effective_database_url()).
  std::string connection_url;
  // The alternative to connection_url (upstream builds the URL from these).
  std::optional<std::string> driver;  // "postgresql+asyncpg" or "sqlite+aiosqlite"
  std::optional<std::string> host;
  std::optional<int> port;
  std::optional<std::string> user;
  std::optional<std::string> name;  // database name, or the file path for SQLite
  std::optional<std::string> password;
  double timeout = 10;  // statement timeout
  double connection_timeout = 5;
  std::optional<double> migration_timeout;  // statement timeout for migrations; none: unbounded
  bool migrate_on_start = true;
  bool echo = false;
  int pool_size = 5;
  int max_overflow = 10;
  double pool_recycle = 3600;
  double pool_timeout = 30;
  // PostgreSQL connection arguments (server.database.sqlalchemy.connect_args).
  std::optional<std::string> application_name;
  std::optional<std::string> search_path;
  std::optional<int> statement_cache_size;
  std::optional<int> prepared_statement_cache_size;
  DatabaseTlsSettings tls;
};

struct EventsSettings {
  double retention_period = 7 * 86400;
  std::int64_t maximum_size_bytes = 1500000;
  int maximum_related_resources = 100;
  int maximum_labels_per_resource = 500;
  int maximum_event_name_length = 1024;
  double maximum_websocket_backfill = 15 * 60;
  int websocket_backfill_page_size = 250;
  bool stream_out_enabled = true;
  double related_resource_cache_ttl = 5 * 60;
  double proactive_granularity = 5;   // how often proactive triggers are evaluated
  double expired_bucket_buffer = 60;  // how long expired automation buckets are kept
};

struct LogsSettings {
  bool stream_out_enabled = false;
  bool stream_publishing_enabled = false;
};

// One background service: its enable flag and loop interval.
struct ServiceSettings {
  bool enabled = true;
  double loop_seconds = 60;
};

struct SchedulerSettings : ServiceSettings {
  double recent_deployments_loop_seconds = 5;
  int deployment_batch_size = 100;
  int max_runs = 100;
  int min_runs = 3;
  double max_scheduled_time = 100 * 86400;
  double min_scheduled_time = 3600;
  int insert_batch_size = 500;
};

struct LateRunsSettings : ServiceSettings {
  double after_seconds = 15;
};

struct ForemanSettings : ServiceSettings {
  int inactivity_heartbeat_multiple = 3;
  double fallback_heartbeat_interval_seconds = 30;
  double deployment_last_polled_timeout_seconds = 60;
  double work_queue_last_polled_timeout_seconds = 60;
};

struct CancellationCleanupSettings : ServiceSettings {
  double cancelling_timeout_seconds = 300;
};

struct BatchedServiceSettings : ServiceSettings {
  int batch_size = 20;
  double flush_interval = 5;
  int read_batch_size = 1;
};

struct EventPersisterSettings : BatchedServiceSettings {
  int queue_max_size = 50000;
  int max_flush_retries = 5;  // consecutive failures before a batch is dropped
};

struct TriggersSettings : ServiceSettings {
  int read_batch_size = 1;
  double pg_notify_reconnect_interval_seconds = 10;
  double pg_notify_heartbeat_interval_seconds = 5;
};

struct CleanupReconcilerSettings : ServiceSettings {
  int batch_size = 100;
};

// `enabled` is true when either vacuum type is on. PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED
// takes a set ("events,flow_runs", ["events"]) or a legacy bool: true means both types,
// false means events only (upstream keeps the old default).
struct DbVacuumSettings : ServiceSettings {
  bool flow_runs_enabled = false;
  bool events_enabled = true;
  double retention_period = 90 * 86400;
  int batch_size = 200;
  // Event type -> retention seconds, each capped by events.retention_period.
  std::map<std::string, double> event_retention_overrides = {
      {"prefect.flow-run.heartbeat", 7 * 86400}};
};

struct ServicesSettings {
  SchedulerSettings scheduler{{true, 60}};
  LateRunsSettings late_runs{{true, 5}};
  ForemanSettings foreman{{true, 15}};
  CancellationCleanupSettings cancellation_cleanup{{true, 20}};
  ServiceSettings pause_expirations{true, 5};
  ServiceSettings repossessor{true, 15};
  EventPersisterSettings event_persister{{{true, 5}, 20, 5}};
  BatchedServiceSettings task_run_recorder{{true, 5}, 1, 5};
  TriggersSettings triggers{{true, 5}};
  ServiceSettings event_logger{false, 5};
  DbVacuumSettings db_vacuum{{true, 3600}};
  CleanupReconcilerSettings cleanup_reconciler{{true, 5}};
};

struct Settings {
  ApiSettings api;
  DatabaseSettings database;
  EventsSettings events;
  LogsSettings logs;
  ServicesSettings services;
  std::string home;                       // PREFECT_HOME, default ~/.prefect
  std::string logging_level = "WARNING";  // DEBUG, INFO, WARNING, ERROR, CRITICAL
  bool register_blocks_on_start = true;
  int deployment_schedule_max_scheduled_runs = 50;
  double deployments_concurrency_slot_wait_seconds = 30;
  double concurrency_initial_deployment_lease_duration = 300;
  double concurrency_maximum_slot_wait_seconds = 30;
  double tasks_tag_concurrency_slot_wait_seconds = 10;
  int tasks_max_cache_key_length = 2000;
  int tasks_scheduling_max_scheduled_queue_size = 1000;
  int tasks_scheduling_max_retry_queue_size = 100;
  double tasks_scheduling_pending_task_timeout = 0;
  int flow_run_graph_max_nodes = 10000;
  int flow_run_graph_max_artifacts = 10000;
  bool metrics_enabled = false;
  bool log_retryable_errors = false;
  bool ui_enabled = false;  // prefectcore serves no UI
  // Test hooks off by default.
  bool testing_test_mode = false;

  // The database URL in force: database.connection_url; else one built from the database
  // parts when database.driver is set (postgresql+asyncpg://user:password@host:port/name,
  // user and password percent-encoded; sqlite+aiosqlite:///name); else the SQLite default
  // under home. from_env has already rejected a PostgreSQL driver without host, user or name.
  std::string effective_database_url() const;

  using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
  // Reads every setting from `env`: the canonical PREFECT_SERVER_* name wins over its legacy
  // aliases. kInvalidArgument names the variable and the bad value.
  static Result<Settings> from_env(const EnvLookup& env);
  // Reads from the process environment.
  static Result<Settings> from_process_env();
  // Defaults only (home defaults to $HOME/.prefect).
  static Settings defaults();
};

// Environment variable name and value of every setting, for diagnostics; secrets
// (auth_string, the database URL and password) are obfuscated.
std::vector<std::pair<std::string, std::string>> describe_settings(const Settings& s);

}  // namespace prefectcore
