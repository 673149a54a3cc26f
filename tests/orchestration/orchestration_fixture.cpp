#include "tests/orchestration/orchestration_fixture.h"

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "lib/models/run_store.h"

namespace prefectcore::testing {

Timestamp at(std::string_view iso) { return core::parse_time(iso).value(); }

State make_state(StateType type, Timestamp ts, std::string name) {
  State s;
  s.id = core::uuid4();
  s.type = type;
  s.name = name.empty() ? schemas::default_state_name(type) : std::move(name);
  s.timestamp = ts;
  return s;
}

Result<std::int64_t> NoStorage::exec(std::string_view sql, std::span<const SqlValue>) {
  return Status::internal("rule touched storage: " + std::string(sql));
}

Result<Rows> NoStorage::query(std::string_view sql, std::span<const SqlValue>) {
  return Status::internal("rule touched storage: " + std::string(sql));
}

OrchestrationContext RuleHarness::context(std::optional<StateType> from, StateType to) {
  OrchestrationContext ctx{tx, settings, ids, now};
  ctx.run.id = "00000000-0000-4000-8000-00000000aaaa";
  ctx.run.name = "test-run";
  ctx.run.flow_id = "00000000-0000-4000-8000-00000000bbbb";
  if (from) {
    ctx.initial = make_state(*from, now - std::chrono::seconds(10));
  }
  ctx.proposed = make_state(to, now);
  return ctx;
}

Status RuleHarness::run(OrchestrationContext& ctx, const std::vector<const Rule*>& rules,
                        const std::vector<const Rule*>& globals) {
  return orchestration::run_rules(ctx, rules, globals, [](OrchestrationContext& c) {
    c.validated = c.proposed ? c.proposed : c.initial;
    return Status();
  });
}

namespace {

SqlValue opt(const std::optional<std::string>& s) { return s ? SqlValue(*s) : SqlValue(SqlNull{}); }

}  // namespace

EngineHarness::EngineHarness() : flow_id_(ids.random_id()) {
  exec("INSERT INTO flow (id, created, updated, name) VALUES (?, ?, ?, ?)",
       {flow_id_, core::format_storage_time(clock.now()), core::format_storage_time(clock.now()),
        std::string("orchestrated-flow")});
}

std::string EngineHarness::create_flow_run(const FlowRunOptions& o) {
  const std::string id = ids.random_id();
  const std::string ts = core::format_storage_time(clock.now());
  exec(
      "INSERT INTO flow_run (id, created, updated, name, flow_id, deployment_id, "
      "parent_task_run_id, infrastructure_pid, work_queue_id, empirical_policy, tags, "
      "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {id, ts, ts, std::string("run-") + id.substr(30), flow_id_, opt(o.deployment_id),
       opt(o.parent_task_run_id), opt(o.infrastructure_pid), opt(o.work_queue_id),
       JsonText{o.empirical_policy}, JsonText{o.tags},
       o.created_by ? SqlValue(JsonText{*o.created_by}) : SqlValue(SqlNull{})});
  return id;
}

std::string EngineHarness::create_task_run(const std::optional<std::string>& flow_run_id,
                                           const std::string& task_key) {
  const std::string id = ids.random_id();
  const std::string ts = core::format_storage_time(clock.now());
  exec(
      "INSERT INTO task_run (id, created, updated, name, flow_run_id, task_key, dynamic_key, "
      "tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {id, ts, ts, std::string("task-") + id.substr(30), opt(flow_run_id), task_key, id,
       JsonText{"[\"task-tag\"]"}});
  return id;
}

std::string EngineHarness::create_limit(const std::string& name, std::int64_t limit,
                                        std::int64_t active_slots, bool active) {
  const std::string id = ids.random_id();
  const std::string ts = core::format_storage_time(clock.now());
  exec(
      "INSERT INTO concurrency_limit_v2 (id, created, updated, name, \"limit\", active_slots, "
      "active) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {id, ts, ts, name, limit, active_slots, std::int64_t{active ? 1 : 0}});
  return id;
}

std::string EngineHarness::create_deployment(const std::optional<std::string>& limit_id,
                                             const std::optional<std::string>& options) {
  const std::string id = ids.random_id();
  const std::string ts = core::format_storage_time(clock.now());
  exec(
      "INSERT INTO deployment (id, created, updated, name, flow_id, concurrency_limit_id, "
      "concurrency_options, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {id, ts, ts, std::string("deployment-") + id.substr(30), flow_id_, opt(limit_id),
       options ? SqlValue(JsonText{*options}) : SqlValue(SqlNull{}),
       JsonText{"[\"deployment-tag\"]"}});
  return id;
}

std::string EngineHarness::create_work_queue(const std::string& pool_name,
                                             const std::string& type) {
  const std::string pool = ids.random_id();
  const std::string queue = ids.random_id();
  const std::string ts = core::format_storage_time(clock.now());
  exec("INSERT INTO work_pool (id, created, updated, name, type) VALUES (?, ?, ?, ?, ?)",
       {pool, ts, ts, pool_name, type});
  exec(
      "INSERT INTO work_queue (id, created, updated, name, priority, work_pool_id) VALUES (?, "
      "?, ?, ?, ?, ?)",
      {queue, ts, ts, std::string("default"), std::int64_t{1}, pool});
  return queue;
}

Result<schemas::OrchestrationResult> EngineHarness::set_flow_state(
    const std::string& run_id, const schemas::StateCreate& state, bool force,
    orchestration::Policy policy) {
  PC_ASSIGN_OR_RETURN(auto tx, db().begin(TxMode::kWrite));
  const orchestration::Environment env{*tx,         settings,       ids,    clock.now(),
                                       api_version, client_version, &events};
  PC_ASSIGN_OR_RETURN(auto result,
                      orchestration::set_flow_run_state(env, run_id, state, force, policy));
  PC_RETURN_IF_ERROR(tx->commit());
  return result;
}

Result<schemas::OrchestrationResult> EngineHarness::set_task_state(
    const std::string& run_id, const schemas::StateCreate& state, bool force) {
  PC_ASSIGN_OR_RETURN(auto tx, db().begin(TxMode::kWrite));
  const orchestration::Environment env{*tx,         settings,    ids,
                                       clock.now(), api_version, client_version};
  PC_ASSIGN_OR_RETURN(auto result, orchestration::set_task_run_state(env, run_id, state, force));
  PC_RETURN_IF_ERROR(tx->commit());
  return result;
}

models::RunRecord EngineHarness::run(models::RunKind kind, const std::string& id) {
  auto tx = db().begin(TxMode::kRead);
  REQUIRE(tx.has_value());
  auto loaded = models::RunStore(**tx).load(kind, id, false);
  REQUIRE_MESSAGE(loaded.has_value(), loaded.status().to_string());
  REQUIRE(loaded->has_value());
  return **loaded;
}

std::vector<std::vector<std::string>> EngineHarness::state_rows(models::RunKind kind,
                                                                const std::string& id) {
  const bool flow = kind == models::RunKind::kFlow;
  const std::string sql = flow ? "SELECT type, name, timestamp, id FROM flow_run_state WHERE "
                                 "flow_run_id = ? ORDER BY timestamp"
                               : "SELECT type, name, timestamp, id FROM task_run_state WHERE "
                                 "task_run_id = ? ORDER BY timestamp";
  std::vector<std::vector<std::string>> out;
  for (const Row& row : query(sql, {id})) {
    out.push_back({row.text(0), row.text(1), row.text(2), row.text(3)});
  }
  return out;
}

Rows EngineHarness::query(std::string_view sql, std::initializer_list<SqlValue> params) {
  auto tx = db().begin(TxMode::kRead);
  REQUIRE(tx.has_value());
  auto rows = (*tx)->query(sql, params);
  REQUIRE_MESSAGE(rows.has_value(), rows.status().to_string());
  return *rows;
}

void EngineHarness::exec(std::string_view sql, std::initializer_list<SqlValue> params) {
  auto tx = db().begin(TxMode::kWrite);
  REQUIRE(tx.has_value());
  auto r = (*tx)->exec(sql, params);
  REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
  REQUIRE((*tx)->commit().ok());
}

schemas::StateCreate proposal(StateType type, std::optional<std::string> name) {
  schemas::StateCreate s;
  s.type = type;
  s.name = std::move(name);
  return s;
}

}  // namespace prefectcore::testing
