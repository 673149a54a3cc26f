#pragma once

// What rules see and change during one orchestrated transition (upstream
// orchestration/rules.py OrchestrationContext). Rules never write SQL for the run row: they
// change `run` and `proposed`, and the engine persists both. Rules that need other rows
// (concurrency limits, the parent flow run, the cache) use `tx` through lib/models.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>
#include <prefectcore/settings.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"
#include "lib/models/run_store.h"
#include "lib/schemas/state.h"

namespace prefectcore::orchestration {

using schemas::State;
using schemas::StateType;

// The run row's orchestration-relevant columns, loaded FOR UPDATE and saved by the engine
// (defined with its repository, lib/models/run_store.h).
using models::RunKind;
using models::RunRecord;

// A parsed API version ("0.8.4") or client version ("3.8.4" from the User-Agent).
using Version = std::tuple<int, int, int>;

struct OrchestrationContext {
  Transaction& tx;
  const Settings& settings;
  core::IdGenerator& ids;
  Timestamp now;

  RunRecord run{};
  std::optional<State> initial{};    // the run's current state (with data), if any
  std::optional<State> proposed{};   // null once a rule nullified the transition
  std::optional<State> validated{};  // set by the engine when the transition is validated

  schemas::SetStateStatus status = schemas::SetStateStatus::kAccept;
  std::optional<std::string> reason{};
  std::int64_t delay_seconds = 0;

  std::optional<Version> api_version{};     // X-Prefect-API-Version; none means latest
  std::optional<Version> client_version{};  // from `prefect/x.y.z (API …)` User-Agent

  // Events the transition emitted (upstream Event JSON: occurred, event, resource, related,
  // payload, id, follows), in order, for the caller to publish once the transaction commits.
  std::vector<std::string> events{};
  // What a rule remembers between its before hook and its after hook or cleanup (upstream
  // keeps it on the rule instance), keyed by the rule's name.
  std::map<std::string, std::string, std::less<>> rule_memory{};
  // Bookkeeping for the engine: the decision helpers (rule.h) bump `decisions`, so the
  // engine knows which rule changed the transition, and record a misuse in `decision_error`.
  int decisions = 0;
  Status decision_error{};

  std::optional<StateType> initial_type() const {
    return initial ? std::optional<StateType>(initial->type) : std::nullopt;
  }
  std::optional<StateType> proposed_type() const {
    return proposed ? std::optional<StateType>(proposed->type) : std::nullopt;
  }
  // True unless the API version header is below `v` (a missing header means latest).
  bool api_at_least(Version v) const { return !api_version || *api_version >= v; }
};

// Parses "x.y.z" (a suffix after the patch number is ignored: "3.8.4.dev6").
std::optional<Version> parse_version(std::string_view text);
// The client version from a User-Agent "prefect/3.8.4 (API 0.8.4)", if it is one.
std::optional<Version> client_version_from_user_agent(std::string_view user_agent);

}  // namespace prefectcore::orchestration
