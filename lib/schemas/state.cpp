#include "lib/schemas/state.h"

#include "lib/core/time.h"
#include "lib/schemas/decoder.h"

namespace prefectcore::schemas {
namespace {

constexpr std::string_view kTypeNames[] = {"SCHEDULED", "PENDING", "RUNNING", "COMPLETED", "FAILED",
                                           "CANCELLED", "CRASHED", "PAUSED",  "CANCELLING"};

}  // namespace

std::string_view to_string(StateType type) { return kTypeNames[static_cast<int>(type)]; }

std::optional<StateType> parse_state_type(std::string_view text) {
  for (int i = 0; i < 9; ++i) {
    if (kTypeNames[i] == text) {
      return static_cast<StateType>(i);
    }
  }
  return std::nullopt;
}

bool is_terminal(StateType type) {
  return type == StateType::kCompleted || type == StateType::kFailed ||
         type == StateType::kCancelled || type == StateType::kCrashed;
}

std::string default_state_name(StateType type) {
  std::string name(to_string(type));
  for (std::size_t i = 1; i < name.size(); ++i) {
    name[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  }
  return name;
}

std::string_view to_string(SetStateStatus status) {
  switch (status) {
    case SetStateStatus::kAccept:
      return "ACCEPT";
    case SetStateStatus::kReject:
      return "REJECT";
    case SetStateStatus::kWait:
      return "WAIT";
    case SetStateStatus::kAbort:
      return "ABORT";
  }
  return "ACCEPT";
}

void write_state_details(core::JsonWriter& w, const StateDetails& d) {
  w.begin_object();
  w.key("flow_run_id").opt_string(d.flow_run_id);
  w.key("task_run_id").opt_string(d.task_run_id);
  w.key("child_flow_run_id").opt_string(d.child_flow_run_id);
  w.key("scheduled_time").opt_time(d.scheduled_time);
  w.key("cache_key").opt_string(d.cache_key);
  w.key("cache_expiration").opt_time(d.cache_expiration);
  d.deferred ? w.key("deferred").boolean(*d.deferred) : w.key("deferred").null();
  w.key("untrackable_result").boolean(d.untrackable_result);
  w.key("pause_timeout").opt_time(d.pause_timeout);
  w.key("pause_reschedule").boolean(d.pause_reschedule);
  w.key("pause_key").opt_string(d.pause_key);
  w.key("run_input_keyset").opt_raw(d.run_input_keyset);
  d.refresh_cache ? w.key("refresh_cache").boolean(*d.refresh_cache)
                  : w.key("refresh_cache").null();
  d.retriable ? w.key("retriable").boolean(*d.retriable) : w.key("retriable").null();
  w.key("transition_id").opt_string(d.transition_id);
  w.key("task_parameters_id").opt_string(d.task_parameters_id);
  w.key("traceparent").opt_string(d.traceparent);
  w.key("deployment_concurrency_lease_id").opt_string(d.deployment_concurrency_lease_id);
  w.end_object();
}

std::string encode_state_details(const StateDetails& d) {
  std::string out;
  core::JsonWriter w(out);
  write_state_details(w, d);
  return out;
}

void write_state(core::JsonWriter& w, const State& s) {
  w.begin_object();
  w.key("id").string(s.id);
  w.key("type").string(to_string(s.type));
  w.key("name").string(s.name);
  w.key("timestamp").time(s.timestamp);
  w.key("message").opt_string(s.message);
  w.key("data").raw(s.data);
  w.key("state_details");
  write_state_details(w, s.details);
  w.end_object();
}

Result<StateDetails> decode_state_details(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "StateDetails");
  StateDetails out;
  out.flow_run_id = d.uuid("flow_run_id");
  out.task_run_id = d.uuid("task_run_id");
  out.child_flow_run_id = d.uuid("child_flow_run_id");
  out.scheduled_time = d.time("scheduled_time");
  out.cache_key = d.string("cache_key");
  out.cache_expiration = d.time("cache_expiration");
  if (d.has("deferred")) {
    out.deferred = d.boolean("deferred");
  }
  out.untrackable_result = d.boolean("untrackable_result").value_or(false);
  out.pause_timeout = d.time("pause_timeout");
  out.pause_reschedule = d.boolean("pause_reschedule").value_or(false);
  out.pause_key = d.string("pause_key");
  out.run_input_keyset = d.object_json("run_input_keyset");
  out.refresh_cache = d.boolean("refresh_cache");
  out.retriable = d.boolean("retriable");
  out.transition_id = d.uuid("transition_id");
  out.task_parameters_id = d.uuid("task_parameters_id");
  out.traceparent = d.string("traceparent");
  out.deployment_concurrency_lease_id = d.uuid("deployment_concurrency_lease_id");
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

Result<StateDetails> parse_state_details(std::string_view json) {
  if (json.empty() || json == "null") {
    return StateDetails{};
  }
  auto doc = core::JsonDocument::parse(json);
  if (!doc) {
    return Status::internal("unreadable state_details");
  }
  auto details = decode_state_details(doc->root(), {});
  if (!details) {
    return Status::internal("unreadable state_details: " + details.error().detail_json());
  }
  return details;
}

Result<StateCreate> decode_state_create(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "StateCreate");
  d.forbid_extra({"type", "name", "message", "data", "state_details"});
  StateCreate out;
  if (auto type = d.required_string("type")) {
    if (auto t = parse_state_type(*type)) {
      out.type = *t;
    } else {
      errors.add("enum", d.loc_of("type"),
                 "Input should be 'SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', "
                 "'CANCELLED', 'CRASHED', 'PAUSED' or 'CANCELLING'",
                 core::json_quote(*type));
    }
  }
  out.name = d.string("name");
  out.message = d.string("message");
  if (auto data = d.any_json("data")) {
    out.data = std::move(*data);
  }
  if (auto details = d.member("state_details"); details && !details->is_null()) {
    auto decoded = decode_state_details(*details, d.loc_of("state_details"));
    if (!decoded) {
      return decoded.error();
    }
    out.details = std::move(*decoded);
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

std::string encode_orchestration_result(const OrchestrationResult& r) {
  std::string out;
  core::JsonWriter w(out);
  w.begin_object().key("state");
  if (r.state) {
    write_state(w, *r.state);
  } else {
    w.null();
  }
  w.key("status").string(to_string(r.status));
  w.key("details").begin_object();
  switch (r.status) {
    case SetStateStatus::kAccept:
      w.key("type").string("accept_details");
      break;
    case SetStateStatus::kReject:
      w.key("type").string("reject_details").key("reason").opt_string(r.reason);
      break;
    case SetStateStatus::kWait:
      w.key("type").string("wait_details").key("delay_seconds").integer(r.delay_seconds);
      w.key("reason").opt_string(r.reason);
      break;
    case SetStateStatus::kAbort:
      w.key("type").string("abort_details").key("reason").opt_string(r.reason);
      break;
  }
  w.end_object().end_object();
  return out;
}

}  // namespace prefectcore::schemas
