// Migration 0001, part 3: variables, saved searches, CSRF tokens, automations and their
// trigger state, events. Columns, constraints and indexes follow upstream's orm_models.py
// (its PostgreSQL-only GIN and trigram indexes are left out: JSON is TEXT here, see
// docs/storage.md); see ddl.h for the tokens.

#include "lib/models/schema/ddl.h"

namespace prefectcore::models::schema {
namespace {

constexpr std::string_view kStatements[] = {
    R"(CREATE TABLE variable (
  {BASE},
  name TEXT NOT NULL,
  value {JSON},
  tags {JSON} NOT NULL DEFAULT '[]',
  CONSTRAINT uq_variable__name UNIQUE (name)
))",

    R"(CREATE TABLE saved_search (
  {BASE},
  name TEXT NOT NULL,
  filters {JSON} NOT NULL DEFAULT '[]',
  CONSTRAINT uq_saved_search__name UNIQUE (name)
))",

    R"(CREATE TABLE csrf_token (
  {BASE},
  token TEXT NOT NULL,
  client TEXT NOT NULL,
  expiration {TS} NOT NULL,
  CONSTRAINT uq_csrf_token__client UNIQUE (client)
))",

    R"(CREATE TABLE automation (
  {BASE},
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  enabled {BOOL} NOT NULL DEFAULT 1,
  tags {JSON} NOT NULL DEFAULT '[]',
  trigger {JSON} NOT NULL,
  actions {JSON} NOT NULL,
  actions_on_trigger {JSON} NOT NULL DEFAULT '[]',
  actions_on_resolve {JSON} NOT NULL DEFAULT '[]'
))",

    // "end" is a reserved word in PostgreSQL: models must quote it.
    R"(CREATE TABLE automation_bucket (
  {BASE},
  automation_id {UUID} NOT NULL REFERENCES automation(id) ON DELETE CASCADE,
  trigger_id {UUID} NOT NULL,
  bucketing_key {JSON} NOT NULL DEFAULT '[]',
  last_event {JSON},
  start {TS} NOT NULL,
  "end" {TS} NOT NULL,
  count INTEGER NOT NULL,
  last_operation TEXT,
  triggered_at {TS}
))",
    "CREATE UNIQUE INDEX uq_automation_bucket__automation_id__trigger_id__bucketing_key "
    "ON automation_bucket (automation_id, trigger_id, bucketing_key)",
    R"(CREATE INDEX ix_automation_bucket__automation_id__end ON automation_bucket
  (automation_id, "end"))",

    R"(CREATE TABLE automation_related_resource (
  {BASE},
  automation_id {UUID} NOT NULL REFERENCES automation(id) ON DELETE CASCADE,
  resource_id TEXT,
  automation_owned_by_resource {BOOL} NOT NULL DEFAULT 0
))",
    "CREATE UNIQUE INDEX uq_automation_related_resource__automation_id__resource_id "
    "ON automation_related_resource (automation_id, resource_id)",
    "CREATE INDEX ix_automation_related_resource__resource_id "
    "ON automation_related_resource (resource_id)",

    R"(CREATE TABLE composite_trigger_child_firing (
  {BASE},
  automation_id {UUID} NOT NULL REFERENCES automation(id) ON DELETE CASCADE,
  parent_trigger_id {UUID} NOT NULL,
  child_trigger_id {UUID} NOT NULL,
  child_firing_id {UUID} NOT NULL,
  child_fired_at {TS},
  child_firing {JSON} NOT NULL
))",
    "CREATE UNIQUE INDEX uq_composite_trigger_child_firing__a_id__pt_id__ct__id "
    "ON composite_trigger_child_firing (automation_id, parent_trigger_id, child_trigger_id)",

    R"(CREATE TABLE automation_event_follower (
  {BASE},
  scope TEXT NOT NULL DEFAULT '',
  leader_event_id {UUID} NOT NULL,
  follower_event_id {UUID} NOT NULL,
  received {TS} NOT NULL,
  follower {JSON} NOT NULL
))",
    "CREATE UNIQUE INDEX uq_follower_for_scope ON automation_event_follower "
    "(scope, follower_event_id)",
    "CREATE INDEX ix_ae_follower_scope_leader ON automation_event_follower "
    "(scope, leader_event_id)",
    "CREATE INDEX ix_automation_event_follower__scope ON automation_event_follower (scope)",
    "CREATE INDEX ix_automation_event_follower__leader_event_id ON automation_event_follower "
    "(leader_event_id)",
    "CREATE INDEX ix_automation_event_follower__received ON automation_event_follower "
    "(received)",

    R"(CREATE TABLE events (
  {BASE},
  occurred {TS} NOT NULL,
  event TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  resource {JSON} NOT NULL,
  related_resource_ids {JSON} NOT NULL DEFAULT '[]',
  related {JSON} NOT NULL DEFAULT '[]',
  payload {JSON} NOT NULL,
  received {TS} NOT NULL,
  recorded {TS} NOT NULL,
  follows {UUID}
))",
    "CREATE INDEX ix_events__occurred ON events (occurred)",
    "CREATE INDEX ix_events__event__id ON events (event, id)",
    "CREATE INDEX ix_events__event_resource_id_occurred ON events (event, resource_id, occurred)",
    "CREATE INDEX ix_events__occurred_id ON events (occurred, id)",
    "CREATE INDEX ix_events__event_occurred_id ON events (event, occurred, id)",
    "CREATE INDEX ix_events__event_occurred ON events (event, occurred)",

    // resource_role is "" for the event's primary resource.
    R"(CREATE TABLE event_resources (
  {BASE},
  occurred {TS} NOT NULL,
  resource_id TEXT NOT NULL,
  resource_role TEXT NOT NULL,
  resource {JSON} NOT NULL,
  event_id {UUID} NOT NULL
))",
    "CREATE INDEX ix_event_resources__resource_id__occurred ON event_resources "
    "(resource_id, occurred)",
    "CREATE INDEX ix_event_resources__occurred ON event_resources (occurred)",
    "CREATE INDEX ix_event_resources__event_id ON event_resources (event_id)",
};

}  // namespace

std::span<const std::string_view> initial_events_and_misc() { return kStatements; }

}  // namespace prefectcore::models::schema
