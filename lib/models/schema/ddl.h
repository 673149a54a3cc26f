#pragma once

// The schema is written once, in a dialect-neutral DDL with a few tokens, and translated
// per backend, so the SQLite and PostgreSQL schemas cannot drift apart:
//
//   {BASE}  id TEXT primary key, created and updated timestamps with defaults
//   {TS}    a timestamp: TEXT "2025-01-21T12:34:56.123456Z" on both backends
//   {NOW}   the current time in that format (a column default)
//   {JSON}  a JSON document: TEXT on both backends
//   {BOOL}  INTEGER 0/1 on both backends
//   {REAL}  REAL on SQLite, DOUBLE PRECISION on PostgreSQL
//   {UUID}  TEXT
//   {LATE_REF table(col) ON DELETE ...}
//           a foreign key to a table created later (a cycle): inline on SQLite, which
//           accepts forward references; an ALTER TABLE after the migration's tables on
//           PostgreSQL, which does not.
//
// Every CREATE TABLE also gets the upstream `ix_<table>__updated` index.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/database.h>

#include "lib/core/internal.h"

namespace prefectcore::models::schema {

// The SQL expression for "now" as a storage timestamp (microseconds, `Z`).
std::string_view now_expression(Backend backend);

// Translates neutral statements for `backend`, in order, late foreign keys last.
std::vector<std::string> translate(std::span<const std::string_view> statements, Backend backend);

// Names of the tables the statements create, in creation order.
std::vector<std::string> created_tables(std::span<const std::string_view> statements);

struct LateRef {
  std::string table;
  std::string column;
};
// The columns declared with {LATE_REF ...}.
std::vector<LateRef> late_refs(std::span<const std::string_view> statements);

// Migration 0001, one group of tables per file (schema/initial_*.cpp).
std::span<const std::string_view> initial_blocks_and_work();
std::span<const std::string_view> initial_runs();
std::span<const std::string_view> initial_events_and_misc();

}  // namespace prefectcore::models::schema
