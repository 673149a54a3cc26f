#pragma once

// Automations (upstream events/schemas/automations.py: AutomationCore, Automation,
// AutomationCreate, AutomationUpdate, AutomationPartialUpdate; the trigger union
// EventTrigger | CompoundTrigger | SequenceTrigger; the action union of events/actions.py
// ServerActionTypes) and their JSON codecs.
//
// Triggers and actions are validated on the way in and kept as canonical JSON: every
// default filled in, timedeltas as float seconds, trigger ids assigned by the server (the
// upstream routes call trigger.reset_ids() on create and replace). The stored text is what
// the API answers with, so reads need no second decode.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"
#include "lib/core/uuid.h"

namespace prefectcore::schemas {

// The fields shared by Automation, AutomationCreate and AutomationUpdate.
struct AutomationCore {
  std::string name;
  std::string description;
  bool enabled = true;
  std::string tags = "[]";     // compact JSON list of strings
  std::string trigger = "{}";  // canonical trigger JSON
  std::string actions = "[]";  // canonical JSON lists of actions
  std::string actions_on_trigger = "[]";
  std::string actions_on_resolve = "[]";
};

struct Automation {
  std::string id;
  Timestamp created;
  Timestamp updated;
  AutomationCore core;
};

// AutomationCreate / AutomationUpdate (extra="forbid").
struct AutomationWrite {
  AutomationCore core;
  std::optional<std::string> owner_resource;  // create only
  // Which optional fields the request set: a replace writes only those (upstream
  // update_automation dumps the model with exclude_unset).
  bool has_description = false;
  bool has_enabled = false;
  bool has_tags = false;
  bool has_actions_on_trigger = false;
  bool has_actions_on_resolve = false;
  // Deployments named by RunDeployment actions with source "selected" in `actions`
  // (upstream _sync_automation_related_resources), deduplicated.
  std::vector<std::string> selected_deployment_ids;
  // Deployments that must exist before writing: upstream
  // validate_job_variables_for_run_deployment_action reads the deployment of each
  // RunDeployment action with job variables (non-empty ones on create, non-null on update).
  std::vector<std::string> job_variable_deployment_ids;
};

enum class AutomationWriteKind { kCreate, kUpdate };

void write_automation(core::JsonWriter& w, const Automation& automation);
std::string encode_automation(const Automation& automation);

// Decodes an AutomationCreate or AutomationUpdate at `loc`, assigning fresh trigger ids from
// `ids`. kInvalidArgument with pydantic-shaped details on bad input.
Result<AutomationWrite> decode_automation_write(core::JsonElement value, const core::Loc& loc,
                                                AutomationWriteKind kind, core::IdGenerator& ids);

// AutomationPartialUpdate (extra="forbid"): `enabled`, default true.
Result<bool> decode_automation_partial_update(core::JsonElement value, const core::Loc& loc);

// The error upstream's AutomationCore.prevent_run_deployment_loops raises for an enabled
// automation whose Reactive event trigger on flow-run state events runs a deployment in a
// way that can loop; nullopt when there is none. Takes canonical trigger/actions JSON.
std::optional<std::string> run_deployment_loop_error(core::JsonElement trigger,
                                                     core::JsonElement actions);

// Internal pieces of the decoder (automation_triggers.cpp, automation_actions.cpp).
// Each appends the canonical JSON of the value at `loc` to `out` and records problems in
// `errors`.
void decode_trigger(core::JsonElement value, const core::Loc& loc, core::ValidationErrors& errors,
                    core::IdGenerator& ids, core::JsonWriter& out, int depth = 0);
struct ActionFacts {
  std::vector<std::string> selected_deployment_ids;
  // RunDeployment actions with a deployment_id and non-null job_variables: (id, non-empty).
  std::vector<std::pair<std::string, bool>> job_variables;
};
void decode_actions(core::JsonElement value, const core::Loc& loc, core::ValidationErrors& errors,
                    core::JsonWriter& out, ActionFacts* facts);

// A timedelta as pydantic reads it: a number of seconds or a duration string.
std::optional<double> timedelta_seconds(core::JsonElement value);

}  // namespace prefectcore::schemas
