// The action union of upstream events/actions.py (ServerActionTypes), decoded into
// canonical JSON. As with triggers, the union is not discriminated upstream: `type` picks
// the member, and without one we pick the member whose fields best cover the keys sent
// (pydantic's smart mode prefers the valid member with the most fields set).
//
// Not reproduced: the Jinja syntax checks of SendNotification.subject/body and
// CallWebhook.payload, and RunDeployment.parameters hydration checks.

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "lib/schemas/automation.h"
#include "lib/schemas/decoder.h"
#include "lib/schemas/state.h"

namespace prefectcore::schemas {
namespace {

using core::JsonElement;
using core::JsonWriter;
using core::Loc;
using core::ValidationErrors;

enum class Shape { kPlain, kSourced, kRunDeployment, kChangeState, kNotification, kWebhook };

struct ActionKind {
  std::string_view type;
  std::string_view model;
  Shape shape;
  std::string_view id_field;  // kSourced / kRunDeployment: the selected object's id
  std::array<std::string_view, 5> fields;
};

// In upstream's union order.
constexpr std::array<ActionKind, 17> kKinds = {{
    {"do-nothing", "DoNothing", Shape::kPlain, {}, {}},
    {"run-deployment",
     "RunDeployment",
     Shape::kRunDeployment,
     "deployment_id",
     {"source", "deployment_id", "parameters", "job_variables", "schedule_after"}},
    {"pause-deployment",
     "PauseDeployment",
     Shape::kSourced,
     "deployment_id",
     {"source", "deployment_id"}},
    {"resume-deployment",
     "ResumeDeployment",
     Shape::kSourced,
     "deployment_id",
     {"source", "deployment_id"}},
    {"cancel-flow-run", "CancelFlowRun", Shape::kPlain, {}, {}},
    {"delete-flow-run", "DeleteFlowRun", Shape::kPlain, {}, {}},
    {"change-flow-run-state",
     "ChangeFlowRunState",
     Shape::kChangeState,
     {},
     {"name", "state", "message", "force"}},
    {"pause-work-queue",
     "PauseWorkQueue",
     Shape::kSourced,
     "work_queue_id",
     {"source", "work_queue_id"}},
    {"resume-work-queue",
     "ResumeWorkQueue",
     Shape::kSourced,
     "work_queue_id",
     {"source", "work_queue_id"}},
    {"send-notification",
     "SendNotification",
     Shape::kNotification,
     {},
     {"block_document_id", "subject", "body"}},
    {"call-webhook", "CallWebhook", Shape::kWebhook, {}, {"block_document_id", "payload"}},
    {"pause-automation",
     "PauseAutomation",
     Shape::kSourced,
     "automation_id",
     {"source", "automation_id"}},
    {"resume-automation",
     "ResumeAutomation",
     Shape::kSourced,
     "automation_id",
     {"source", "automation_id"}},
    {"suspend-flow-run", "SuspendFlowRun", Shape::kPlain, {}, {}},
    {"resume-flow-run", "ResumeFlowRun", Shape::kPlain, {}, {}},
    {"pause-work-pool",
     "PauseWorkPool",
     Shape::kSourced,
     "work_pool_id",
     {"source", "work_pool_id"}},
    {"resume-work-pool",
     "ResumeWorkPool",
     Shape::kSourced,
     "work_pool_id",
     {"source", "work_pool_id"}},
}};

const ActionKind* kind_by_type(std::string_view type) {
  for (const auto& k : kKinds) {
    if (k.type == type) {
      return &k;
    }
  }
  return nullptr;
}

const ActionKind& kind_by_keys(core::JsonObject obj) {
  const ActionKind* best = &kKinds[0];
  int best_score = 0;
  for (const auto& k : kKinds) {
    int score = 0;
    for (auto [key, unused] : obj) {
      score += std::count(k.fields.begin(), k.fields.end(), key) > 0 ? 1 : 0;
    }
    if (score > best_score) {
      best = &k;
      best_score = score;
    }
  }
  return *best;
}

// A str field that may be absent (fallback) but not null.
std::string text_field(ObjectDecoder& d, std::string_view key, std::string_view fallback) {
  if (auto m = d.member(key); m && m->is_null()) {
    d.errors().add("string_type", d.loc_of(key), "Input should be a valid string", "null");
    return std::string(fallback);
  }
  return d.string(key).value_or(std::string(fallback));
}

// upstream DeploymentAction / WorkQueueAction / WorkPoolAction / AutomationAction: `source`
// "selected" needs the id and "inferred" forbids it. Writes source and the id.
std::optional<std::string> sourced(ObjectDecoder& d, const Loc& model_loc, const ActionKind& k,
                                   JsonWriter& out, bool* selected) {
  std::string source = "selected";
  if (auto m = d.member("source")) {
    std::string_view s;
    if (m->get_string().get(s) || (s != "selected" && s != "inferred")) {
      d.errors().add("literal_error", d.loc_of("source"),
                     "Input should be 'selected' or 'inferred'", core::to_json(*m),
                     R"({"expected":"'selected' or 'inferred'"})");
    } else {
      source = std::string(s);
    }
  }
  std::optional<std::string> id = d.uuid(k.id_field);
  const bool has_id = d.member(k.id_field) && !d.member(k.id_field)->is_null();
  if ((source == "selected") != has_id) {
    d.errors().add(
        "value_error", model_loc,
        fmt::format("Value error, {} is {}", k.id_field, has_id ? "not allowed" : "required"),
        "null");
  }
  out.key("source").string(source);
  out.key(k.id_field).opt_string(id);
  *selected = source == "selected";
  return id;
}

// A dict[str, Any] | None member, written as given (default null).
std::optional<std::string> optional_dict(ObjectDecoder& d, std::string_view key, JsonWriter& out) {
  out.key(key);
  auto m = d.member(key);
  if (!m || m->is_null()) {
    out.null();
    return std::nullopt;
  }
  if (!m->is_object()) {
    d.errors().add("dict_type", d.loc_of(key), "Input should be a valid dictionary",
                   core::to_json(*m));
    out.null();
    return std::nullopt;
  }
  std::string json = core::to_json(*m);
  out.raw(json);
  return json;
}

void run_deployment(ObjectDecoder& d, const Loc& model_loc, const ActionKind& k, JsonWriter& out,
                    ActionFacts* facts) {
  bool selected = false;
  std::optional<std::string> id = sourced(d, model_loc, k, out, &selected);
  optional_dict(d, "parameters", out);
  std::optional<std::string> job_variables = optional_dict(d, "job_variables", out);
  double after = 0;
  if (auto m = d.member("schedule_after")) {
    auto seconds = m->is_null() ? std::nullopt : timedelta_seconds(*m);
    if (!seconds) {
      d.errors().add("time_delta_parsing", d.loc_of("schedule_after"),
                     "Input should be a valid timedelta", core::to_json(*m));
    } else if (*seconds < 0) {
      d.errors().add("value_error", d.loc_of("schedule_after"),
                     "Value error, timedelta must be non-negative", core::to_json(*m));
    } else {
      after = *seconds;
    }
  }
  out.key("schedule_after").number(after);
  if (facts && id) {
    if (selected &&
        std::find(facts->selected_deployment_ids.begin(), facts->selected_deployment_ids.end(),
                  *id) == facts->selected_deployment_ids.end()) {
      facts->selected_deployment_ids.push_back(*id);
    }
    if (job_variables) {
      facts->job_variables.emplace_back(*id, *job_variables != "{}");
    }
  }
}

void change_state(ObjectDecoder& d, JsonWriter& out) {
  out.key("name").opt_string(d.string("name"));
  std::optional<std::string> state = d.required_string("state");
  if (state && !parse_state_type(*state)) {
    d.errors().add("enum", d.loc_of("state"),
                   "Input should be 'SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', "
                   "'CANCELLED', 'CRASHED', 'PAUSED' or 'CANCELLING'",
                   core::json_quote(*state));
  }
  out.key("state").string(state.value_or("SCHEDULED"));
  out.key("message").opt_string(d.string("message"));
  bool force = false;
  if (auto m = d.member("force"); m && m->is_null()) {
    d.errors().add("bool_type", d.loc_of("force"), "Input should be a valid boolean", "null");
  } else {
    force = d.boolean("force").value_or(false);
  }
  out.key("force").boolean(force);
}

std::string required_uuid(ObjectDecoder& d, std::string_view key) {
  if (!d.member(key)) {
    d.errors().add("missing", d.loc_of(key), "Field required", "null");
    return {};
  }
  if (d.member(key)->is_null()) {
    d.errors().add("uuid_type", d.loc_of(key),
                   "UUID input should be a string, bytes or UUID object", "null");
    return {};
  }
  return d.uuid(key).value_or("");
}

void decode_action(JsonElement value, const Loc& loc, ValidationErrors& errors, JsonWriter& out,
                   ActionFacts* facts) {
  core::JsonObject obj;
  if (value.get_object().get(obj)) {
    errors.add("model_attributes_type", loc,
               "Input should be a valid dictionary or object to extract fields from",
               core::to_json(value));
    return;
  }
  const ActionKind* kind = nullptr;
  JsonElement type_element;
  if (!obj.at_key("type").get(type_element)) {
    std::string_view type;
    kind = type_element.get_string().get(type) ? nullptr : kind_by_type(type);
    if (!kind) {
      const std::string input = core::to_json(type_element);
      for (const auto& k : kKinds) {
        Loc l = loc;
        l.emplace_back(std::string(k.model));
        l.emplace_back(std::string("type"));
        errors.add("literal_error", l, fmt::format("Input should be '{}'", k.type), input,
                   fmt::format(R"({{"expected":"'{}'"}})", k.type));
      }
      return;
    }
  } else {
    kind = &kind_by_keys(obj);
  }
  Loc member_loc = loc;
  member_loc.emplace_back(std::string(kind->model));
  ObjectDecoder d(value, member_loc, errors, kind->model);
  out.begin_object().key("type").string(kind->type);
  bool selected = false;
  switch (kind->shape) {
    case Shape::kPlain:
      break;
    case Shape::kSourced:
      (void)sourced(d, member_loc, *kind, out, &selected);
      break;
    case Shape::kRunDeployment:
      run_deployment(d, member_loc, *kind, out, facts);
      break;
    case Shape::kChangeState:
      change_state(d, out);
      break;
    case Shape::kNotification:
      out.key("block_document_id").string(required_uuid(d, "block_document_id"));
      out.key("subject").string(text_field(d, "subject", "Prefect automated notification"));
      if (!d.member("body")) {
        errors.add("missing", d.loc_of("body"), "Field required", core::to_json(value));
      }
      out.key("body").string(text_field(d, "body", ""));
      break;
    case Shape::kWebhook: {
      out.key("block_document_id").string(required_uuid(d, "block_document_id"));
      // upstream ensure_payload_is_a_string: older clients send a JSON object.
      auto payload = d.member("payload");
      if (payload && payload->is_object()) {
        out.key("payload").string(core::to_json(*payload));
      } else {
        out.key("payload").string(text_field(d, "payload", ""));
      }
      break;
    }
  }
  out.end_object();
}

}  // namespace

void decode_actions(JsonElement value, const Loc& loc, ValidationErrors& errors, JsonWriter& out,
                    ActionFacts* facts) {
  core::JsonArray arr;
  if (value.get_array().get(arr)) {
    errors.add("list_type", loc, "Input should be a valid list", core::to_json(value));
    return;
  }
  out.begin_array();
  std::int64_t i = 0;
  for (JsonElement item : arr) {
    Loc l = loc;
    l.emplace_back(i++);
    decode_action(item, l, errors, out, facts);
  }
  out.end_array();
}

}  // namespace prefectcore::schemas
