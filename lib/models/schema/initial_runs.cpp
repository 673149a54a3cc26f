// Migration 0001, part 2: artifacts, flow runs, task runs, their states, the task cache,
// run inputs and logs. Columns, constraints and indexes follow upstream's orm_models.py;
// see ddl.h for the tokens.
//
// The "Run" columns shared by flow_run and task_run: name, state_type, state_name,
// state_timestamp, run_count, expected_start_time, next_scheduled_start_time, start_time,
// end_time, total_run_time (REAL seconds; upstream stores an interval) and state_id.

#include "lib/models/schema/ddl.h"

namespace prefectcore::models::schema {
namespace {

constexpr std::string_view kStatements[] = {
    // Artifacts have no foreign keys: upstream leaves them orphaned on run deletion.
    R"(CREATE TABLE artifact (
  {BASE},
  key TEXT,
  task_run_id {UUID},
  flow_run_id {UUID},
  type TEXT,
  data {JSON},
  description TEXT,
  metadata_ {JSON}
))",
    "CREATE INDEX ix_artifact__key ON artifact (key)",
    "CREATE INDEX ix_artifact__key_created_desc ON artifact (key, created DESC)",
    "CREATE INDEX ix_artifact__task_run_id ON artifact (task_run_id)",
    "CREATE INDEX ix_artifact__flow_run_id ON artifact (flow_run_id)",

    R"(CREATE TABLE artifact_collection (
  {BASE},
  key TEXT NOT NULL,
  latest_id {UUID} NOT NULL,
  task_run_id {UUID},
  flow_run_id {UUID},
  type TEXT,
  data {JSON},
  description TEXT,
  metadata_ {JSON},
  CONSTRAINT uq_artifact_collection__key UNIQUE (key)
))",
    "CREATE INDEX ix_artifact_collection__key_latest_id ON artifact_collection (key, latest_id)",

    // state_id and parent_task_run_id point at tables that reference flow_run back.
    R"(CREATE TABLE flow_run (
  {BASE},
  name TEXT NOT NULL,
  state_type TEXT,
  state_name TEXT,
  state_timestamp {TS},
  run_count INTEGER NOT NULL DEFAULT 0,
  expected_start_time {TS},
  next_scheduled_start_time {TS},
  start_time {TS},
  end_time {TS},
  total_run_time {REAL} NOT NULL DEFAULT 0,
  flow_id {UUID} NOT NULL REFERENCES flow(id) ON DELETE CASCADE,
  deployment_id {UUID},
  deployment_version TEXT,
  work_queue_name TEXT,
  flow_version TEXT,
  parameters {JSON} NOT NULL DEFAULT '{}',
  idempotency_key TEXT,
  context {JSON} NOT NULL DEFAULT '{}',
  empirical_policy {JSON} NOT NULL DEFAULT '{}',
  tags {JSON} NOT NULL DEFAULT '[]',
  labels {JSON},
  created_by {JSON},
  infrastructure_pid TEXT,
  job_variables {JSON} DEFAULT '{}',
  infrastructure_document_id {UUID} REFERENCES block_document(id) ON DELETE CASCADE,
  parent_task_run_id {UUID} {LATE_REF task_run(id) ON DELETE SET NULL},
  auto_scheduled {BOOL} NOT NULL DEFAULT 0,
  state_id {UUID} {LATE_REF flow_run_state(id) ON DELETE SET NULL},
  work_queue_id {UUID} REFERENCES work_queue(id) ON DELETE SET NULL
))",
    "CREATE UNIQUE INDEX uq_flow_run__flow_id_idempotency_key ON flow_run "
    "(flow_id, idempotency_key)",
    "CREATE INDEX ix_flow_run__flow_id ON flow_run (flow_id)",
    "CREATE INDEX ix_flow_run__deployment_id ON flow_run (deployment_id)",
    "CREATE INDEX ix_flow_run__work_queue_id ON flow_run (work_queue_id)",
    "CREATE INDEX ix_flow_run__work_queue_name ON flow_run (work_queue_name)",
    "CREATE INDEX ix_flow_run__flow_version ON flow_run (flow_version)",
    "CREATE INDEX ix_flow_run__deployment_version ON flow_run (deployment_version)",
    "CREATE INDEX ix_flow_run__parent_task_run_id ON flow_run (parent_task_run_id)",
    "CREATE INDEX ix_flow_run__state_id ON flow_run (state_id)",
    "CREATE INDEX ix_flow_run__infrastructure_document_id ON flow_run "
    "(infrastructure_document_id)",
    "CREATE INDEX ix_flow_run__name ON flow_run (name)",
    "CREATE INDEX ix_flow_run__coalesce_start_time_expected_start_time_desc ON flow_run "
    "((COALESCE(start_time, expected_start_time)) DESC)",
    "CREATE INDEX ix_flow_run__coalesce_start_time_expected_start_time_asc ON flow_run "
    "((COALESCE(start_time, expected_start_time)) ASC)",
    "CREATE INDEX ix_flow_run__expected_start_time_desc ON flow_run (expected_start_time DESC)",
    "CREATE INDEX ix_flow_run__next_scheduled_start_time_asc ON flow_run "
    "(next_scheduled_start_time ASC)",
    "CREATE INDEX ix_flow_run__end_time_desc ON flow_run (end_time DESC)",
    "CREATE INDEX ix_flow_run__start_time ON flow_run (start_time)",
    "CREATE INDEX ix_flow_run__state_type ON flow_run (state_type)",
    "CREATE INDEX ix_flow_run__state_name ON flow_run (state_name)",
    "CREATE INDEX ix_flow_run__state_timestamp ON flow_run (state_timestamp)",
    // Upstream's name for this one is cut at PostgreSQL's 63-character limit.
    "CREATE INDEX ix_flow_run__scheduler_deployment_id_auto_scheduled_next_schedu ON flow_run "
    "(deployment_id, auto_scheduled, next_scheduled_start_time) "
    "WHERE state_type = 'SCHEDULED'",

    // `data` is the legacy inline result; new results live in artifacts.
    R"(CREATE TABLE flow_run_state (
  {BASE},
  flow_run_id {UUID} NOT NULL REFERENCES flow_run(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  timestamp {TS} NOT NULL DEFAULT {NOW},
  name TEXT NOT NULL,
  message TEXT,
  state_details {JSON} NOT NULL DEFAULT '{}',
  data {JSON},
  result_artifact_id {UUID} REFERENCES artifact(id) ON DELETE SET NULL
))",
    "CREATE UNIQUE INDEX uq_flow_run_state__flow_run_id_timestamp_desc ON flow_run_state "
    "(flow_run_id, timestamp DESC)",
    "CREATE INDEX ix_flow_run_state__type ON flow_run_state (type)",
    "CREATE INDEX ix_flow_run_state__name ON flow_run_state (name)",
    "CREATE INDEX ix_flow_run_state__result_artifact_id ON flow_run_state (result_artifact_id)",

    // No foreign key on state_id: upstream dropped it for delete performance.
    R"(CREATE TABLE task_run (
  {BASE},
  name TEXT NOT NULL,
  state_type TEXT,
  state_name TEXT,
  state_timestamp {TS},
  run_count INTEGER NOT NULL DEFAULT 0,
  expected_start_time {TS},
  next_scheduled_start_time {TS},
  start_time {TS},
  end_time {TS},
  total_run_time {REAL} NOT NULL DEFAULT 0,
  flow_run_id {UUID} REFERENCES flow_run(id) ON DELETE CASCADE,
  task_key TEXT NOT NULL,
  dynamic_key TEXT NOT NULL,
  cache_key TEXT,
  cache_expiration {TS},
  task_version TEXT,
  flow_run_run_count INTEGER NOT NULL DEFAULT 0,
  empirical_policy {JSON} NOT NULL DEFAULT '{}',
  task_inputs {JSON} NOT NULL DEFAULT '{}',
  tags {JSON} NOT NULL DEFAULT '[]',
  labels {JSON},
  state_id {UUID}
))",
    "CREATE UNIQUE INDEX uq_task_run__flow_run_id_task_key_dynamic_key ON task_run "
    "(flow_run_id, task_key, dynamic_key)",
    "CREATE INDEX ix_task_run__flow_run_id ON task_run (flow_run_id)",
    "CREATE INDEX ix_task_run__name ON task_run (name)",
    "CREATE INDEX ix_task_run__state_id ON task_run (state_id)",
    "CREATE INDEX ix_task_run__expected_start_time_desc ON task_run (expected_start_time DESC)",
    "CREATE INDEX ix_task_run__next_scheduled_start_time_asc ON task_run "
    "(next_scheduled_start_time ASC)",
    "CREATE INDEX ix_task_run__end_time_desc ON task_run (end_time DESC)",
    "CREATE INDEX ix_task_run__start_time ON task_run (start_time)",
    "CREATE INDEX ix_task_run__state_type ON task_run (state_type)",
    "CREATE INDEX ix_task_run__state_type_start_time ON task_run (state_type, start_time)",
    "CREATE INDEX ix_task_run__state_name ON task_run (state_name)",
    "CREATE INDEX ix_task_run__state_timestamp ON task_run (state_timestamp)",

    R"(CREATE TABLE task_run_state (
  {BASE},
  task_run_id {UUID} NOT NULL REFERENCES task_run(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  timestamp {TS} NOT NULL DEFAULT {NOW},
  name TEXT NOT NULL,
  message TEXT,
  state_details {JSON} NOT NULL DEFAULT '{}',
  data {JSON},
  result_artifact_id {UUID} REFERENCES artifact(id) ON DELETE SET NULL
))",
    "CREATE UNIQUE INDEX uq_task_run_state__task_run_id_timestamp_desc ON task_run_state "
    "(task_run_id, timestamp DESC)",
    "CREATE INDEX ix_task_run_state__type ON task_run_state (type)",
    "CREATE INDEX ix_task_run_state__name ON task_run_state (name)",
    "CREATE INDEX ix_task_run_state__result_artifact_id ON task_run_state (result_artifact_id)",

    R"(CREATE TABLE task_run_state_cache (
  {BASE},
  cache_key TEXT NOT NULL,
  cache_expiration {TS},
  task_run_state_id {UUID} NOT NULL
))",
    "CREATE INDEX ix_task_run_state_cache__cache_key_created_desc ON task_run_state_cache "
    "(cache_key, created DESC)",

    R"(CREATE TABLE flow_run_input (
  {BASE},
  flow_run_id {UUID} NOT NULL REFERENCES flow_run(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  sender TEXT,
  CONSTRAINT uq_flow_run_input__flow_run_id_key UNIQUE (flow_run_id, key)
))",

    // Logs have no foreign keys: the vacuum service removes orphans.
    R"(CREATE TABLE log (
  {BASE},
  name TEXT NOT NULL,
  level INTEGER NOT NULL,
  flow_run_id {UUID},
  task_run_id {UUID},
  message TEXT NOT NULL,
  timestamp {TS} NOT NULL
))",
    "CREATE INDEX ix_log__flow_run_id_timestamp ON log (flow_run_id, timestamp)",
    "CREATE INDEX ix_log__level ON log (level)",
    "CREATE INDEX ix_log__flow_run_id ON log (flow_run_id)",
    "CREATE INDEX ix_log__task_run_id ON log (task_run_id)",
    "CREATE INDEX ix_log__timestamp ON log (timestamp)",
};

}  // namespace

std::span<const std::string_view> initial_runs() { return kStatements; }

}  // namespace prefectcore::models::schema
