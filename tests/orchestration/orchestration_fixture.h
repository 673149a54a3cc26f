#pragma once

// Fixtures for the orchestration suites: a storage-free harness for rule tests (suite
// "pure") and an engine harness over a fresh database on the backend under test.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>
#include <prefectcore/settings.h>

#include "lib/core/uuid.h"
#include "lib/orchestration/engine.h"
#include "tests/storage/backend.h"

namespace prefectcore::testing {

using orchestration::OrchestrationContext;
using orchestration::Rule;
using schemas::State;
using schemas::StateType;

Timestamp at(std::string_view iso);
// A state of `type` at `ts` with a name defaulting to the capitalised type.
State make_state(StateType type, Timestamp ts, std::string name = {});

// A Transaction that fails every statement: rules under test must not touch storage.
class NoStorage final : public Transaction {
 public:
  Result<std::int64_t> exec(std::string_view sql, std::span<const SqlValue>) override;
  Result<Rows> query(std::string_view sql, std::span<const SqlValue>) override;
  Status commit() override { return {}; }
  const Dialect& dialect() const override { return dialect_; }

 private:
  Dialect dialect_;
};

// Rule tests without storage: contexts for a transition and a validate that accepts the
// proposal as is (or keeps the current state when it was nullified).
struct RuleHarness {
  Settings settings = Settings::defaults();
  core::SequentialIds ids;
  NoStorage tx;
  Timestamp now = at("2026-01-01T00:00:00Z");

  // A flow-run context going from `from` (none: no state) to `to`.
  OrchestrationContext context(std::optional<StateType> from, StateType to);
  // run_rules with the storage-free validate.
  Status run(OrchestrationContext& ctx, const std::vector<const Rule*>& rules,
             const std::vector<const Rule*>& globals = {});
};

struct FlowRunOptions {
  std::optional<std::string> deployment_id{};
  std::optional<std::string> parent_task_run_id{};
  std::optional<std::string> infrastructure_pid{};
  std::optional<std::string> work_queue_id{};
  std::string empirical_policy = "{}";
  std::string tags = "[]";
  std::optional<std::string> created_by{};
};

// The engine over a fresh database on the backend under test, with a manual clock.
class EngineHarness {
 public:
  EngineHarness();

  Database& db() { return database_.db(); }
  const std::string& flow_id() const { return flow_id_; }

  std::string create_flow_run(const FlowRunOptions& options = {});
  std::string create_task_run(const std::optional<std::string>& flow_run_id,
                              const std::string& task_key = "task-key");
  // A v2 concurrency limit; returns its id.
  std::string create_limit(const std::string& name, std::int64_t limit,
                           std::int64_t active_slots = 0, bool active = true);
  // A deployment of the harness flow; `options` is the concurrency_options JSON.
  std::string create_deployment(const std::optional<std::string>& limit_id,
                                const std::optional<std::string>& options = std::nullopt);
  // A work pool of `type` with one queue; returns the queue id.
  std::string create_work_queue(const std::string& pool_name, const std::string& type);

  // One write transaction around set_flow_run_state / set_task_run_state, committed.
  Result<schemas::OrchestrationResult> set_flow_state(
      const std::string& run_id, const schemas::StateCreate& state, bool force = false,
      orchestration::Policy policy = orchestration::Policy::kCoreFlow);
  Result<schemas::OrchestrationResult> set_task_state(const std::string& run_id,
                                                      const schemas::StateCreate& state,
                                                      bool force = false);

  // The run's row as the engine sees it.
  models::RunRecord run(models::RunKind kind, const std::string& id);
  // (type, name, timestamp text) of the run's state rows, oldest first.
  std::vector<std::vector<std::string>> state_rows(models::RunKind kind, const std::string& id);
  Rows query(std::string_view sql, std::initializer_list<SqlValue> params = {});
  void exec(std::string_view sql, std::initializer_list<SqlValue> params);

  ManualClock clock{at("2026-01-01T00:00:00Z")};
  Settings settings = Settings::defaults();
  core::SequentialIds ids;
  std::optional<orchestration::Version> api_version;
  std::optional<orchestration::Version> client_version;
  std::vector<std::string> events;

 private:
  TestDatabase database_;
  std::string flow_id_;
};

// A proposal of `type`, optionally named.
schemas::StateCreate proposal(StateType type, std::optional<std::string> name = std::nullopt);

}  // namespace prefectcore::testing
