#pragma once

// States of flow and task runs (upstream schemas/states.py, schemas/responses.py).

#include <optional>
#include <string>
#include <string_view>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"

namespace prefectcore::schemas {

enum class StateType {
  kScheduled,
  kPending,
  kRunning,
  kCompleted,
  kFailed,
  kCancelled,
  kCrashed,
  kPaused,
  kCancelling,
};

std::string_view to_string(StateType type);
std::optional<StateType> parse_state_type(std::string_view text);
// COMPLETED, FAILED, CANCELLED, CRASHED.
bool is_terminal(StateType type);
// The default state name: the capitalised type ("Running", "Cancelling").
std::string default_state_name(StateType type);

// StateDetails: every field upstream has, with its defaults. Unknown keys are dropped (a
// core model, extra ignored).
struct StateDetails {
  std::optional<std::string> flow_run_id;
  std::optional<std::string> task_run_id;
  std::optional<std::string> child_flow_run_id;
  std::optional<Timestamp> scheduled_time;
  std::optional<std::string> cache_key;
  std::optional<Timestamp> cache_expiration;
  std::optional<bool> deferred = false;
  bool untrackable_result = false;
  std::optional<Timestamp> pause_timeout;
  bool pause_reschedule = false;
  std::optional<std::string> pause_key;
  std::optional<std::string> run_input_keyset;  // JSON object
  std::optional<bool> refresh_cache;
  std::optional<bool> retriable;
  std::optional<std::string> transition_id;
  std::optional<std::string> task_parameters_id;
  std::optional<std::string> traceparent;
  std::optional<std::string> deployment_concurrency_lease_id;
};

struct State {
  std::string id;
  StateType type = StateType::kPending;
  std::string name;
  Timestamp timestamp;
  std::optional<std::string> message;
  std::string data = "null";  // JSON
  StateDetails details;
};

// StateCreate (extra="forbid"): what a client proposes. The server mints id and timestamp.
struct StateCreate {
  StateType type = StateType::kPending;
  std::optional<std::string> name;
  std::optional<std::string> message;
  std::string data = "null";
  StateDetails details;
};

void write_state_details(core::JsonWriter& w, const StateDetails& d);
void write_state(core::JsonWriter& w, const State& s);
std::string encode_state_details(const StateDetails& d);

// Decodes StateDetails leniently (unknown keys ignored; wrong types are 422 at `loc`).
Result<StateDetails> decode_state_details(core::JsonElement value, const core::Loc& loc);
// Decodes stored state_details JSON text (kInternal if unreadable).
Result<StateDetails> parse_state_details(std::string_view json);
Result<StateCreate> decode_state_create(core::JsonElement value, const core::Loc& loc);

// The outcome of an orchestration (upstream OrchestrationResult).
enum class SetStateStatus { kAccept, kReject, kWait, kAbort };
std::string_view to_string(SetStateStatus status);

struct OrchestrationResult {
  std::optional<State> state;  // the validated state, or the current one (or none)
  SetStateStatus status = SetStateStatus::kAccept;
  std::optional<std::string> reason;
  std::int64_t delay_seconds = 0;  // WAIT only
  bool wrote_state = false;        // a state row was written: HTTP 201, else 200
};

std::string encode_orchestration_result(const OrchestrationResult& result);

}  // namespace prefectcore::schemas
