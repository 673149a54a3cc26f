#include "lib/schemas/automation.h"

#include <algorithm>
#include <array>

#include "lib/schemas/decoder.h"

namespace prefectcore::schemas {
namespace {

using core::JsonElement;

// A str | list field that may be absent but not null.
bool null_refused(ObjectDecoder& d, std::string_view key, std::string_view type,
                  std::string_view msg) {
  if (auto m = d.member(key); m && m->is_null()) {
    d.errors().add(type, d.loc_of(key), msg, "null");
    return true;
  }
  return false;
}

// Decodes an action list member into `out`; absent lists stay "[]".
bool action_list(ObjectDecoder& d, std::string_view key, bool required, std::string& out,
                 ActionFacts* facts) {
  auto m = d.member(key);
  if (!m) {
    if (required) {
      d.errors().add("missing", d.loc_of(key), "Field required", "null");
    }
    return false;
  }
  out.clear();
  core::JsonWriter w(out);
  decode_actions(*m, d.loc_of(key), d.errors(), w, facts);
  return true;
}

// upstream ResourceSpecification.matches_every_resource_of_kind.
bool matches_every_resource_of_kind(JsonElement spec, std::string_view prefix) {
  core::JsonObject obj;
  if (spec.get_object().get(obj)) {
    return false;
  }
  if (obj.size() == 0) {
    return true;
  }
  JsonElement id;
  if (obj.size() != 1 || obj.at_key("prefect.resource.id").get(id)) {
    return false;
  }
  const std::string wildcard = std::string(prefix) + ".*";
  std::string_view s;
  if (!id.get_string().get(s)) {
    return s == wildcard;
  }
  core::JsonArray arr;
  if (!id.get_array().get(arr)) {
    for (JsonElement v : arr) {
      if (!v.get_string().get(s) && s == wildcard) {
        return true;
      }
    }
  }
  return false;
}

bool any_related_matches_every_flow_run(JsonElement match_related) {
  core::JsonArray arr;
  if (match_related.get_array().get(arr)) {
    return matches_every_resource_of_kind(match_related, "prefect.flow-run");
  }
  for (JsonElement spec : arr) {
    if (matches_every_resource_of_kind(spec, "prefect.flow-run")) {
      return true;
    }
  }
  return false;
}

void check_run_deployment_loops(const AutomationCore& core, const core::Loc& loc,
                                core::ValidationErrors& errors) {
  auto trigger = core::JsonDocument::parse(core.trigger);
  auto actions = core::JsonDocument::parse(core.actions);
  if (!trigger || !actions) {
    return;
  }
  if (auto message = run_deployment_loop_error(trigger->root(), actions->root())) {
    errors.add("value_error", loc, "Value error, " + *message, "null");
  }
}

}  // namespace

std::optional<std::string> run_deployment_loop_error(JsonElement trigger, JsonElement actions) {
  std::string_view type;
  std::string_view posture;
  if (trigger["type"].get_string().get(type) || type != "event" ||
      trigger["posture"].get_string().get(posture) || posture != "Reactive") {
    return std::nullopt;
  }
  static constexpr std::array<std::string_view, 4> kProblematic = {
      "prefect.flow-run.Scheduled", "prefect.flow-run.Pending", "prefect.flow-run.Running",
      "prefect.flow-run.*"};
  core::JsonArray expect;
  if (trigger["expect"].get_array().get(expect)) {
    return std::nullopt;
  }
  bool problematic = false;
  for (JsonElement e : expect) {
    std::string_view s;
    if (!e.get_string().get(s)) {
      problematic = problematic ||
                    std::find(kProblematic.begin(), kProblematic.end(), s) != kProblematic.end();
    }
  }
  core::JsonArray list;
  if (!problematic || actions.get_array().get(list)) {
    return std::nullopt;
  }
  for (JsonElement action : list) {
    std::string_view action_type;
    std::string_view source;
    if (action["type"].get_string().get(action_type) || action_type != "run-deployment" ||
        action["source"].get_string().get(source)) {
      continue;
    }
    if (source == "inferred") {
      return "Running an inferred deployment from a flow run state change event will lead to "
             "an infinite loop of flow runs.  Please choose a specific deployment and add "
             "additional filtering labels to the match or match_related for this automation's "
             "trigger.";
    }
    JsonElement match;
    JsonElement related;
    if (!trigger["match"].get(match) && !trigger["match_related"].get(related) &&
        matches_every_resource_of_kind(match, "prefect.flow-run") &&
        any_related_matches_every_flow_run(related)) {
      return "Running a selected deployment from a flow run state change event may lead to an "
             "infinite loop of flow runs.  Please include additional filtering labels on either "
             "match or match_related to narrow down which flow runs will trigger this "
             "automation to exclude flow runs from the deployment you've selected.";
    }
  }
  return std::nullopt;
}

Result<AutomationWrite> decode_automation_write(JsonElement value, const core::Loc& loc,
                                                AutomationWriteKind kind, core::IdGenerator& ids) {
  core::ValidationErrors errors;
  const bool create = kind == AutomationWriteKind::kCreate;
  ObjectDecoder d(value, loc, errors, create ? "AutomationCreate" : "AutomationUpdate");
  if (!d.is_object()) {
    return errors.to_status();
  }
  if (create) {
    d.forbid_extra({"name", "description", "enabled", "tags", "trigger", "actions",
                    "actions_on_trigger", "actions_on_resolve", "owner_resource"});
  } else {
    d.forbid_extra({"name", "description", "enabled", "tags", "trigger", "actions",
                    "actions_on_trigger", "actions_on_resolve"});
  }
  AutomationWrite w;
  AutomationCore& c = w.core;
  if (!null_refused(d, "name", "string_type", "Input should be a valid string")) {
    c.name = d.required_string("name").value_or("");
  }
  w.has_description = d.has("description");
  if (!null_refused(d, "description", "string_type", "Input should be a valid string")) {
    c.description = d.string("description").value_or("");
  }
  w.has_enabled = d.has("enabled");
  if (!null_refused(d, "enabled", "bool_type", "Input should be a valid boolean")) {
    c.enabled = d.boolean("enabled").value_or(true);
  }
  w.has_tags = d.has("tags");
  if (!null_refused(d, "tags", "list_type", "Input should be a valid list")) {
    c.tags = d.string_list_json("tags").value_or("[]");
  }
  if (auto trigger = d.member("trigger")) {
    c.trigger.clear();
    core::JsonWriter tw(c.trigger);
    decode_trigger(*trigger, d.loc_of("trigger"), errors, ids, tw);
  } else {
    errors.add("missing", d.loc_of("trigger"), "Field required", "null");
  }
  ActionFacts facts;
  action_list(d, "actions", true, c.actions, &facts);
  w.has_actions_on_trigger =
      action_list(d, "actions_on_trigger", false, c.actions_on_trigger, nullptr);
  w.has_actions_on_resolve =
      action_list(d, "actions_on_resolve", false, c.actions_on_resolve, nullptr);
  if (create) {
    w.owner_resource = d.string("owner_resource");
  }
  if (errors.empty() && c.enabled) {
    check_run_deployment_loops(c, loc, errors);
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  w.selected_deployment_ids = std::move(facts.selected_deployment_ids);
  for (const auto& [deployment_id, non_empty] : facts.job_variables) {
    // upstream: create checks non-empty job variables, replace any non-null ones.
    if ((non_empty || !create) &&
        std::find(w.job_variable_deployment_ids.begin(), w.job_variable_deployment_ids.end(),
                  deployment_id) == w.job_variable_deployment_ids.end()) {
      w.job_variable_deployment_ids.push_back(deployment_id);
    }
  }
  return w;
}

Result<bool> decode_automation_partial_update(JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "AutomationPartialUpdate");
  d.forbid_extra({"enabled"});
  bool enabled = true;
  if (!null_refused(d, "enabled", "bool_type", "Input should be a valid boolean")) {
    enabled = d.boolean("enabled").value_or(true);
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return enabled;
}

void write_automation(core::JsonWriter& w, const Automation& a) {
  w.begin_object();
  w.key("name").string(a.core.name);
  w.key("description").string(a.core.description);
  w.key("enabled").boolean(a.core.enabled);
  w.key("tags").raw(a.core.tags);
  w.key("trigger").raw(a.core.trigger);
  w.key("actions").raw(a.core.actions);
  w.key("actions_on_trigger").raw(a.core.actions_on_trigger);
  w.key("actions_on_resolve").raw(a.core.actions_on_resolve);
  w.key("id").string(a.id);
  w.key("created").time(a.created);
  w.key("updated").time(a.updated);
  w.end_object();
}

std::string encode_automation(const Automation& automation) {
  std::string out;
  core::JsonWriter w(out);
  write_automation(w, automation);
  return out;
}

}  // namespace prefectcore::schemas
