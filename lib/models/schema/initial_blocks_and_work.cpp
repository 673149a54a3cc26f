// Migration 0001, part 1: flows, blocks, configuration, concurrency limits, work pools,
// queues, workers and deployments. Columns, constraints and indexes follow upstream's
// orm_models.py (names use its ix_/uq_ convention); see ddl.h for the tokens.

#include "lib/models/schema/ddl.h"

namespace prefectcore::models::schema {
namespace {

constexpr std::string_view kStatements[] = {
    R"(CREATE TABLE flow (
  {BASE},
  name TEXT NOT NULL,
  tags {JSON} NOT NULL DEFAULT '[]',
  labels {JSON},
  CONSTRAINT uq_flow__name UNIQUE (name)
))",
    "CREATE INDEX ix_flow__created ON flow (created)",

    R"(CREATE TABLE block_type (
  {BASE},
  name TEXT NOT NULL,
  slug TEXT NOT NULL,
  logo_url TEXT,
  documentation_url TEXT,
  description TEXT,
  code_example TEXT,
  is_protected {BOOL} NOT NULL DEFAULT 0
))",
    "CREATE UNIQUE INDEX uq_block_type__slug ON block_type (slug)",

    R"(CREATE TABLE block_schema (
  {BASE},
  checksum TEXT NOT NULL,
  fields {JSON} NOT NULL DEFAULT '{}',
  capabilities {JSON} NOT NULL DEFAULT '[]',
  version TEXT NOT NULL DEFAULT 'non-versioned',
  block_type_id {UUID} NOT NULL REFERENCES block_type(id) ON DELETE CASCADE
))",
    "CREATE UNIQUE INDEX uq_block_schema__checksum_version ON block_schema (checksum, version)",
    "CREATE INDEX ix_block_schema__created ON block_schema (created)",
    "CREATE INDEX ix_block_schema__block_type_id ON block_schema (block_type_id)",

    R"(CREATE TABLE block_schema_reference (
  {BASE},
  name TEXT NOT NULL,
  parent_block_schema_id {UUID} NOT NULL REFERENCES block_schema(id) ON DELETE CASCADE,
  reference_block_schema_id {UUID} NOT NULL REFERENCES block_schema(id) ON DELETE CASCADE
))",

    R"(CREATE TABLE block_document (
  {BASE},
  name TEXT NOT NULL,
  data {JSON} NOT NULL DEFAULT '{}',
  is_anonymous {BOOL} NOT NULL DEFAULT 0,
  block_type_name TEXT,
  block_type_id {UUID} NOT NULL REFERENCES block_type(id) ON DELETE CASCADE,
  block_schema_id {UUID} NOT NULL REFERENCES block_schema(id) ON DELETE CASCADE
))",
    "CREATE UNIQUE INDEX uq_block__type_id_name ON block_document (block_type_id, name)",
    "CREATE INDEX ix_block_document__block_type_name__name ON block_document "
    "(block_type_name, name)",
    "CREATE INDEX ix_block_document__is_anonymous ON block_document (is_anonymous)",
    "CREATE INDEX ix_block_document__name ON block_document (name)",

    R"(CREATE TABLE block_document_reference (
  {BASE},
  name TEXT NOT NULL,
  parent_block_document_id {UUID} NOT NULL REFERENCES block_document(id) ON DELETE CASCADE,
  reference_block_document_id {UUID} NOT NULL
      REFERENCES block_document(id) ON DELETE CASCADE,
  CONSTRAINT ck_block_document_reference__no_self_reference
      CHECK (parent_block_document_id != reference_block_document_id)
))",

    R"(CREATE TABLE configuration (
  {BASE},
  key TEXT NOT NULL,
  value {JSON} NOT NULL,
  CONSTRAINT uq_configuration__key UNIQUE (key)
))",
    "CREATE INDEX ix_configuration__key ON configuration (key)",

    R"(CREATE TABLE concurrency_limit (
  {BASE},
  tag TEXT NOT NULL,
  concurrency_limit INTEGER NOT NULL,
  active_slots {JSON} NOT NULL DEFAULT '[]'
))",
    "CREATE UNIQUE INDEX uq_concurrency_limit__tag ON concurrency_limit (tag)",

    R"(CREATE TABLE concurrency_limit_v2 (
  {BASE},
  active {BOOL} NOT NULL DEFAULT 1,
  name TEXT NOT NULL,
  "limit" INTEGER NOT NULL,
  active_slots INTEGER NOT NULL DEFAULT 0,
  denied_slots INTEGER NOT NULL DEFAULT 0,
  slot_decay_per_second {REAL} NOT NULL DEFAULT 0,
  avg_slot_occupancy_seconds {REAL} NOT NULL DEFAULT 2,
  CONSTRAINT uq_concurrency_limit_v2__name UNIQUE (name)
))",

    // default_queue_id and work_queue.work_pool_id reference each other.
    R"(CREATE TABLE work_pool (
  {BASE},
  name TEXT NOT NULL,
  description TEXT,
  type TEXT NOT NULL,
  base_job_template {JSON} NOT NULL DEFAULT '{}',
  is_paused {BOOL} NOT NULL DEFAULT 0,
  default_queue_id {UUID} {LATE_REF work_queue(id) ON DELETE RESTRICT},
  concurrency_limit INTEGER,
  status TEXT NOT NULL DEFAULT 'NOT_READY',
  last_transitioned_status_at {TS},
  last_status_event_id {UUID},
  storage_configuration {JSON} NOT NULL DEFAULT '{}',
  CONSTRAINT uq_work_pool__name UNIQUE (name)
))",
    "CREATE INDEX ix_work_pool__type ON work_pool (type)",

    R"(CREATE TABLE work_queue (
  {BASE},
  name TEXT NOT NULL,
  filter {JSON},
  description TEXT NOT NULL DEFAULT '',
  is_paused {BOOL} NOT NULL DEFAULT 0,
  concurrency_limit INTEGER,
  priority INTEGER NOT NULL,
  last_polled {TS},
  status TEXT NOT NULL DEFAULT 'NOT_READY',
  work_pool_id {UUID} NOT NULL REFERENCES work_pool(id) ON DELETE CASCADE,
  CONSTRAINT uq_work_queue__work_pool_id_name UNIQUE (work_pool_id, name)
))",
    "CREATE INDEX ix_work_queue__work_pool_id ON work_queue (work_pool_id)",
    "CREATE INDEX ix_work_queue__work_pool_id_priority ON work_queue (work_pool_id, priority)",

    R"(CREATE TABLE worker (
  {BASE},
  work_pool_id {UUID} NOT NULL REFERENCES work_pool(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  last_heartbeat_time {TS} NOT NULL DEFAULT {NOW},
  heartbeat_interval_seconds INTEGER,
  status TEXT NOT NULL DEFAULT 'OFFLINE',
  CONSTRAINT uq_worker__work_pool_id_name UNIQUE (work_pool_id, name)
))",
    "CREATE INDEX ix_worker__work_pool_id ON worker (work_pool_id)",
    "CREATE INDEX ix_worker__work_pool_id_last_heartbeat_time ON worker "
    "(work_pool_id, last_heartbeat_time)",

    R"(CREATE TABLE agent (
  {BASE},
  name TEXT NOT NULL,
  work_queue_id {UUID} NOT NULL REFERENCES work_queue(id),
  last_activity_time {TS} NOT NULL DEFAULT {NOW},
  CONSTRAINT uq_agent__name UNIQUE (name)
))",
    "CREATE INDEX ix_agent__work_queue_id ON agent (work_queue_id)",

    // infra_overrides is the API's job_variables; concurrency_limit is the legacy integer.
    R"(CREATE TABLE deployment (
  {BASE},
  name TEXT NOT NULL,
  version TEXT,
  description TEXT,
  work_queue_name TEXT,
  infra_overrides {JSON} NOT NULL DEFAULT '{}',
  path TEXT,
  entrypoint TEXT,
  last_polled {TS},
  status TEXT NOT NULL DEFAULT 'NOT_READY',
  flow_id {UUID} NOT NULL REFERENCES flow(id) ON DELETE CASCADE,
  work_queue_id {UUID} REFERENCES work_queue(id) ON DELETE SET NULL,
  paused {BOOL} NOT NULL DEFAULT 0,
  concurrency_limit INTEGER,
  concurrency_limit_id {UUID} REFERENCES concurrency_limit_v2(id) ON DELETE SET NULL,
  concurrency_options {JSON},
  tags {JSON} NOT NULL DEFAULT '[]',
  labels {JSON},
  parameters {JSON} NOT NULL DEFAULT '{}',
  pull_steps {JSON},
  parameter_openapi_schema {JSON},
  enforce_parameter_schema {BOOL} NOT NULL DEFAULT 0,
  created_by {JSON},
  updated_by {JSON},
  infrastructure_document_id {UUID} REFERENCES block_document(id) ON DELETE CASCADE,
  storage_document_id {UUID} REFERENCES block_document(id) ON DELETE CASCADE
))",
    "CREATE UNIQUE INDEX uq_deployment__flow_id_name ON deployment (flow_id, name)",
    "CREATE INDEX ix_deployment__created ON deployment (created)",
    "CREATE INDEX ix_deployment__paused ON deployment (paused)",
    "CREATE INDEX ix_deployment__work_queue_name ON deployment (work_queue_name)",
    "CREATE INDEX ix_deployment__flow_id ON deployment (flow_id)",
    "CREATE INDEX ix_deployment__work_queue_id ON deployment (work_queue_id)",

    R"(CREATE TABLE deployment_schedule (
  {BASE},
  deployment_id {UUID} NOT NULL REFERENCES deployment(id) ON DELETE CASCADE,
  schedule {JSON} NOT NULL,
  active {BOOL} NOT NULL DEFAULT 1,
  max_scheduled_runs INTEGER,
  parameters {JSON} NOT NULL DEFAULT '{}',
  slug TEXT
))",
    "CREATE INDEX ix_deployment_schedule__deployment_id ON deployment_schedule (deployment_id)",
    "CREATE UNIQUE INDEX ix_deployment_schedule__deployment_id__slug ON deployment_schedule "
    "(deployment_id, slug)",
    "CREATE INDEX ix_deployment_schedule__slug ON deployment_schedule (slug)",
};

}  // namespace

std::span<const std::string_view> initial_blocks_and_work() { return kStatements; }

}  // namespace prefectcore::models::schema
