// Versioned, forward-only schema migrations over the Database interface.
//
// Concurrency: every step runs in a write transaction that first takes the migration lock
// (a transaction-scoped advisory lock on PostgreSQL; on SQLite the write transaction itself
// is the lock), then re-reads the recorded version. Two processes starting at once therefore
// apply each migration exactly once; the second sees the first's work and does nothing.

#include "lib/models/migrations.h"

#include <algorithm>

#include <fmt/format.h>

#include "lib/models/schema/ddl.h"
#include "lib/models/schema/events_replication.h"
#include "lib/models/schema/redundant_indexes.h"
#include "lib/models/schema/work_pools_poll_index.h"

namespace prefectcore {
namespace models {
namespace {

// pg_advisory_xact_lock key: "prefcore" in ASCII.
constexpr std::int64_t kMigrationLockKey = 0x70726566636f7265;

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS prefectcore_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)";

std::vector<std::string_view> v0001_initial() {
  std::vector<std::string_view> all;
  for (auto part : {schema::initial_blocks_and_work(), schema::initial_runs(),
                    schema::initial_events_and_misc()}) {
    all.insert(all.end(), part.begin(), part.end());
  }
  return all;
}

// The scheduler looks up the runs it already made per (deployment, schedule id); upstream
// added this partial expression index in 2026 (`add_scheduler_schedule_id_index`). Built with
// Dialect::json_text so that the models' queries match the indexed expression.
std::vector<std::string> v0002_scheduler_schedule_index(const Dialect& dialect) {
  return {
      fmt::format("CREATE INDEX IF NOT EXISTS ix_flow_run__schedule_id_scheduler ON flow_run "
                  "(deployment_id, {}, next_scheduled_start_time) "
                  "WHERE state_type = 'SCHEDULED' AND auto_scheduled = 1",
                  dialect.json_text("created_by", "id"))};
}

// Concurrency leases (upstream keeps them in a lease storage, in memory by default): in a
// table so that replicas sharing one database see the same leases. Written by orchestration
// (deployment concurrency) and the lease endpoints; metadata is {"slots", "holder"}.
std::vector<std::string_view> v0003_concurrency_leases() {
  return {R"(CREATE TABLE concurrency_lease (
  {BASE},
  resource_ids {JSON} NOT NULL DEFAULT '[]',
  expiration {TS} NOT NULL,
  metadata {JSON}
))",
          "CREATE INDEX ix_concurrency_lease__expiration ON concurrency_lease (expiration)"};
}

const Migration kMigrations[] = {
    {1, "initial schema", &v0001_initial, nullptr},
    {2, "scheduler schedule-id index", nullptr, &v0002_scheduler_schedule_index},
    {3, "concurrency leases", &v0003_concurrency_leases, nullptr},
    {4, "event replicas", &schema::events_replication, nullptr},
    {5, "work queue poll index", &schema::work_queue_poll_index, nullptr},
    {6, "drop redundant indexes", &schema::drop_redundant_indexes, nullptr},
};

std::string describe(int version, std::string_view name) {
  return fmt::format("{:04} {}", version, name);
}

Status with_context(const Status& s, std::string_view context) {
  return {s.code(), fmt::format("{}: {}", context, s.message())};
}

Result<bool> table_exists(Transaction& tx, std::string_view table) {
  const bool pg = tx.dialect().backend == Backend::kPostgres;
  const std::string_view sql =
      pg ? "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
           "AND tablename = ?"
         : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?";
  PC_ASSIGN_OR_RETURN(Rows rows, tx.query(sql, {std::string(table)}));
  return !rows.empty();
}

Status take_migration_lock(Transaction& tx) {
  if (tx.dialect().backend != Backend::kPostgres) {
    return {};  // the SQLite write transaction (BEGIN IMMEDIATE) is already exclusive
  }
  return tx.query(fmt::format("SELECT pg_advisory_xact_lock({})", kMigrationLockKey)).status();
}

struct Applied {
  int version;
  std::string name;
};

Result<std::vector<Applied>> read_applied(Transaction& tx) {
  PC_ASSIGN_OR_RETURN(bool exists, table_exists(tx, "prefectcore_migrations"));
  std::vector<Applied> applied;
  if (!exists) {
    return applied;
  }
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx.query("SELECT version, name FROM prefectcore_migrations ORDER BY version"));
  for (const Row& row : rows) {
    applied.push_back({static_cast<int>(row.int64(0)), row.text(1)});
  }
  return applied;
}

Status apply(Transaction& tx, const Migration& m) {
  const std::string context = "migration " + describe(m.version, m.name);
  for (const std::string& sql : migration_statements(m, tx.dialect())) {
    if (auto r = tx.exec(sql); !r) {
      return with_context(r.error(), context);
    }
  }
  const std::string record =
      fmt::format("INSERT INTO prefectcore_migrations (version, name, applied) VALUES (?, ?, {})",
                  schema::now_expression(tx.dialect().backend));
  return tx.exec(record, {std::int64_t{m.version}, std::string(m.name)}).status();
}

// One step: applies the next pending migration. Returns true when nothing was left to do.
Result<bool> upgrade_step(Database& db, int target_version) {
  PC_ASSIGN_OR_RETURN(auto tx, db.begin(TxMode::kWrite));
  PC_RETURN_IF_ERROR(take_migration_lock(*tx));
  PC_RETURN_IF_ERROR(tx->exec(kCreateMigrationsTable));
  PC_ASSIGN_OR_RETURN(auto applied, read_applied(*tx));
  const int current = applied.empty() ? 0 : applied.back().version;
  if (current > latest_schema_version()) {
    return Status::internal(
        fmt::format("the database schema is at version {}, newer than this build's latest ({})",
                    current, latest_schema_version()));
  }
  if (current >= target_version) {
    PC_RETURN_IF_ERROR(tx->commit());
    return true;
  }
  PC_RETURN_IF_ERROR(apply(*tx, kMigrations[current]));
  PC_RETURN_IF_ERROR(tx->commit());
  return false;
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latest_schema_version() { return static_cast<int>(std::size(kMigrations)); }

std::vector<std::string> migration_statements(const Migration& migration, const Dialect& dialect) {
  std::vector<std::string> out;
  if (migration.neutral_ddl) {
    out = schema::translate(migration.neutral_ddl(), dialect.backend);
  }
  if (migration.dialect_ddl) {
    for (std::string& s : migration.dialect_ddl(dialect)) {
      out.push_back(std::move(s));
    }
  }
  return out;
}

Status upgrade_schema_to(Database& db, int target_version) {
  if (target_version < 0 || target_version > latest_schema_version()) {
    return Status::invalid_argument(fmt::format("no schema version {}", target_version));
  }
  for (;;) {
    PC_ASSIGN_OR_RETURN(bool done, upgrade_step(db, target_version));
    if (done) {
      return {};
    }
  }
}

std::vector<std::string> schema_tables() {
  std::vector<std::string> tables;
  for (const Migration& m : kMigrations) {
    if (m.neutral_ddl) {
      for (std::string& t : schema::created_tables(m.neutral_ddl())) {
        tables.push_back(std::move(t));
      }
    }
  }
  return tables;
}

}  // namespace models

Status upgrade_schema(Database& db) {
  return models::upgrade_schema_to(db, models::latest_schema_version());
}

Status reset_schema(Database& db) {
  {
    PC_ASSIGN_OR_RETURN(auto tx, db.begin(TxMode::kWrite));
    PC_RETURN_IF_ERROR(models::take_migration_lock(*tx));
    const bool pg = tx->dialect().backend == Backend::kPostgres;
    if (!pg) {
      // SQLite cannot drop constraints and checks foreign keys while dropping: clearing the
      // columns that close reference cycles lets the tables go children-first.
      for (const models::Migration& m : models::migrations()) {
        for (const auto& ref : m.neutral_ddl ? models::schema::late_refs(m.neutral_ddl())
                                             : std::vector<models::schema::LateRef>{}) {
          PC_ASSIGN_OR_RETURN(bool exists, models::table_exists(*tx, ref.table));
          if (exists) {
            PC_RETURN_IF_ERROR(
                tx->exec(fmt::format("UPDATE {} SET {} = NULL", ref.table, ref.column)));
          }
        }
      }
    }
    std::vector<std::string> tables = models::schema_tables();
    std::reverse(tables.begin(), tables.end());
    tables.emplace_back("prefectcore_migrations");
    for (const std::string& table : tables) {
      PC_RETURN_IF_ERROR(
          tx->exec(fmt::format("DROP TABLE IF EXISTS {}{}", table, pg ? " CASCADE" : "")));
    }
    PC_RETURN_IF_ERROR(tx->commit());
  }
  return upgrade_schema(db);
}

Result<SchemaStatus> schema_status(Database& db) {
  PC_ASSIGN_OR_RETURN(auto tx, db.begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto applied, models::read_applied(*tx));
  SchemaStatus status;
  status.latest_version = models::latest_schema_version();
  for (const auto& a : applied) {
    status.applied.push_back(models::describe(a.version, a.name));
    status.current_version = std::max(status.current_version, a.version);
  }
  for (const models::Migration& m : models::migrations()) {
    if (m.version > status.current_version) {
      status.pending.push_back(models::describe(m.version, m.name));
    }
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return status;
}

}  // namespace prefectcore
