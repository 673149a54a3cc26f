// /flow_runs/* (upstream api/flow_runs.py), the rest: history, lateness, the graphs,
// resuming a paused run, run inputs and the log download.

#include <limits>

#include <fmt/format.h>

#include "lib/api/body.h"
#include "lib/api/errors.h"
#include "lib/api/events_common.h"
#include "lib/api/flow_runs_common.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/json_writer.h"
#include "lib/core/time.h"
#include "lib/models/flow_run_graph.h"
#include "lib/models/flow_run_history.h"
#include "lib/models/flow_run_inputs.h"
#include "lib/schemas/decoder.h"
#include "lib/schemas/run_input_validation.h"

namespace prefectcore::api {
namespace {

using schemas::ObjectDecoder;

core::Loc body_loc(std::string_view key) { return {std::string("body"), std::string(key)}; }

// A required member of an embedded body: `missing` when absent (or null for a non-Optional).
bool require_member(ObjectDecoder& d, std::string_view key, std::string_view null_type,
                    std::string_view null_msg) {
  auto m = d.member(key);
  if (!m) {
    d.errors().add("missing", d.loc_of(key), "Field required", "null");
    return false;
  }
  if (m->is_null()) {
    d.errors().add(null_type, d.loc_of(key), null_msg, "null");
    return false;
  }
  return true;
}

Result<HttpResponse> flow_run_history(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  core::ValidationErrors errors;
  ObjectDecoder d(body.root(), {std::string("body")}, errors, "body");
  std::optional<Timestamp> start, end;
  std::optional<double> seconds;
  if (require_member(d, "history_start", "datetime_type", "Input should be a valid datetime")) {
    start = d.time("history_start");
  }
  if (require_member(d, "history_end", "datetime_type", "Input should be a valid datetime")) {
    end = d.time("history_end");
  }
  if (require_member(d, "history_interval_seconds", "float_type",
                     "Input should be a valid number")) {
    seconds = d.number("history_interval_seconds");
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  PC_ASSIGN_OR_RETURN(auto filters, read_flow_run_filters(body, db->dialect(), "work_queues"));
  const auto interval = core::from_seconds(*seconds);
  if (!interval || *interval < std::chrono::seconds(1)) {
    return Status::unprocessable("History interval must not be less than 1 second.");
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto history, models::FlowRunHistoryRepository(*tx).history(
                                        filters, *start, *end, *interval, rc.api.clock.now()));
  return json_list(200, history, models::write_history_interval);
}

Result<HttpResponse> average_flow_run_lateness(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(auto filters, read_flow_run_filters(body, db->dialect(), "work_pool_queues"));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto lateness, models::FlowRunHistoryRepository(*tx).average_lateness(
                                         filters, rc.api.clock.now()));
  std::string out;
  core::JsonWriter w(out);
  lateness ? w.number(*lateness) : w.null();
  return HttpResponse::json(200, std::move(out));
}

Result<HttpResponse> read_flow_run_graph_v1(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto deps, models::FlowRunGraphRepository(*tx).dependencies(
                                     rc.param("id"), rc.api.clock.now()));
  return json_list(200, deps, models::write_task_run_dependency);
}

Result<HttpResponse> read_flow_run_graph_v2(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  Timestamp since = Timestamp::min();  // upstream earliest_possible_datetime()
  if (auto text = rc.request.query_param("since")) {
    auto parsed = core::parse_time(*text);
    if (!parsed) {
      return core::invalid_at({std::string("query"), std::string("since")}, "datetime_parsing",
                              "Input should be a valid datetime", core::json_quote(*text));
    }
    since = *parsed;
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto graph,
                      models::FlowRunGraphRepository(*tx).graph(
                          rc.param("id"), since, rc.api.settings.flow_run_graph_max_nodes,
                          rc.api.settings.flow_run_graph_max_artifacts));
  std::string out;
  core::JsonWriter w(out);
  models::write_flow_run_graph(w, graph);
  return HttpResponse::json(200, std::move(out));
}

// An OrchestrationResult whose details are StateAbortDetails while its status is `status`,
// as upstream's resume answers its rejections.
HttpResponse abort_details_response(const std::optional<schemas::State>& state,
                                    std::string_view status, std::string reason) {
  schemas::OrchestrationResult r;
  r.state = state;
  r.status = schemas::SetStateStatus::kAbort;
  r.reason = std::move(reason);
  std::string body = schemas::encode_orchestration_result(r);
  constexpr std::string_view kAbort = R"("status":"ABORT")";
  if (auto at = body.rfind(kAbort); at != std::string::npos) {
    body.replace(at, kAbort.size(), fmt::format(R"("status":"{}")", status));
  }
  return HttpResponse::json(200, std::move(body));
}

// The keyset checks of upstream resume_flow_run: the schema input must exist, parse and
// accept `run_input`. Returns the rejection reason, if any.
Result<std::optional<std::string>> check_run_input(Transaction& tx, const std::string& id,
                                                   std::string_view keyset,
                                                   std::string_view run_input) {
  PC_ASSIGN_OR_RETURN(core::JsonDocument keys, core::JsonDocument::parse(keyset));
  std::string_view schema_key;
  if (keys.root()["schema"].get_string().get(schema_key)) {
    return std::optional<std::string>("Run input schema not found.");
  }
  PC_ASSIGN_OR_RETURN(auto schema,
                      models::FlowRunInputRepository(tx).read(id, std::string(schema_key)));
  if (!schema) {
    return std::optional<std::string>("Run input schema not found.");
  }
  auto schema_doc = core::JsonDocument::parse(schema->value);
  if (!schema_doc) {
    return std::optional<std::string>("Run input schema is not valid JSON.");
  }
  PC_ASSIGN_OR_RETURN(core::JsonDocument input, core::JsonDocument::parse(run_input));
  if (auto failure = schemas::validate_run_input(input.root(), schema_doc->root())) {
    return std::optional<std::string>("Reason: " + *failure);
  }
  return std::optional<std::string>();
}

Result<HttpResponse> resume_flow_run(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  std::string run_input = "{}";
  if (auto m = body.member("run_input"); m && !m->is_null()) {
    if (!m->is_object()) {
      return core::invalid_at(body_loc("run_input"), "dict_type",
                              "Input should be a valid dictionary", core::to_json(*m));
    }
    run_input = core::to_json(*m);
  }
  const std::string& id = rc.param("id");
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(auto run, models::FlowRunRepository(*tx).find(id));
  if (!run) {
    return Status::object_not_found(fmt::format("Flow run with id {} not found", id));
  }
  const auto& state = run->state;
  if (!state || state->type != schemas::StateType::kPaused) {
    return abort_details_response(std::nullopt, "ABORT",
                                  "Cannot resume a flow run that is not paused.");
  }
  const auto keyset = state->details.run_input_keyset;
  const bool has_keyset = keyset && *keyset != "{}";
  if (has_keyset) {
    PC_ASSIGN_OR_RETURN(auto rejection, check_run_input(*tx, id, *keyset, run_input));
    if (rejection) {
      return abort_details_response(state, "REJECT", std::move(*rejection));
    }
  }
  schemas::StateCreate proposed;
  proposed.type = schemas::StateType::kRunning;
  if (state->details.pause_reschedule) {
    proposed.type = schemas::StateType::kScheduled;
    proposed.name = "Resuming";
    proposed.details.scheduled_time = rc.api.clock.now();
  }
  std::vector<std::string> emitted;
  auto env = flow_run_environment(rc, *tx);
  env.events = &emitted;
  PC_ASSIGN_OR_RETURN(auto result,
                      orchestration::set_flow_run_state(env, id, proposed, /*force=*/false,
                                                        orchestration::Policy::kCoreFlow));
  if (has_keyset && run_input != "{}" && result.status == schemas::SetStateStatus::kAccept) {
    PC_ASSIGN_OR_RETURN(core::JsonDocument keys, core::JsonDocument::parse(*keyset));
    std::string_view response_key;
    if (keys.root()["response"].get_string().get(response_key)) {
      return Status::internal("the pause's run_input_keyset has no response key");
    }
    const Timestamp now = rc.api.clock.now();
    PC_RETURN_IF_ERROR(models::FlowRunInputRepository(*tx).create(
        {rc.api.ids.random_id(), now, now, id, std::string(response_key), run_input, {}}));
  }
  PC_RETURN_IF_ERROR(tx->commit());
  publish_server_events(rc.api, emitted);
  return HttpResponse::json(result.wrote_state ? 201 : 200,
                            schemas::encode_orchestration_result(result));
}

// upstream FlowRunInput.key: raise_on_name_alphanumeric_dashes_only.
bool is_input_key(std::string_view key) {
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

Result<HttpResponse> create_flow_run_input(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  core::ValidationErrors errors;
  ObjectDecoder d(body.root(), {std::string("body")}, errors, "body");
  std::optional<std::string> key, value;
  if (require_member(d, "key", "string_type", "Input should be a valid string")) {
    key = d.string("key");
  }
  if (require_member(d, "value", "bytes_type", "Input should be a valid bytes")) {
    if (d.member("value")->is_string()) {
      value = d.string("value");
    } else {
      errors.add("bytes_type", d.loc_of("value"), "Input should be a valid bytes",
                 core::to_json(*d.member("value")));
    }
  }
  auto sender = d.string("sender");
  if (key && !is_input_key(*key)) {
    // Upstream raises this from inside the route (a 500); the request is what is wrong.
    errors.add("value_error", d.loc_of("key"),
               "Value error, value must only contain lowercase letters, numbers, and dashes.",
               core::json_quote(*key));
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  const Timestamp now = rc.api.clock.now();
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_RETURN_IF_ERROR(models::FlowRunInputRepository(*tx).create(
      {rc.api.ids.random_id(), now, now, rc.param("id"), *key, *value, sender}));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(201, "null");
}

Result<HttpResponse> filter_flow_run_input(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  core::ValidationErrors errors;
  ObjectDecoder d(body.root(), {std::string("body")}, errors, "body");
  std::optional<std::string> prefix;
  if (require_member(d, "prefix", "string_type", "Input should be a valid string")) {
    prefix = d.string("prefix");
  }
  const auto limit = d.integer("limit", 0).value_or(1);
  std::vector<std::string> exclude;
  if (auto list = d.string_list_json("exclude_keys")) {
    auto doc = core::JsonDocument::parse(*list);
    core::JsonArray items;
    if (doc && !doc->root().get_array().get(items)) {
      for (core::JsonElement item : items) {
        std::string_view key;
        if (!item.get_string().get(key)) {
          exclude.emplace_back(key);
        }
      }
    }
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto inputs, models::FlowRunInputRepository(*tx).filter(
                                       rc.param("id"), *prefix, limit, exclude));
  return json_list(200, inputs, models::write_flow_run_input);
}

Result<HttpResponse> read_flow_run_input(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto input,
                      models::FlowRunInputRepository(*tx).read(rc.param("id"), rc.param("key")));
  if (!input) {
    return Status::not_found("Flow run input not found");
  }
  HttpResponse r;
  r.status = 200;
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(input->value);
  return r;
}

Result<HttpResponse> delete_flow_run_input(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kWrite));
  PC_ASSIGN_OR_RETURN(bool deleted,
                      models::FlowRunInputRepository(*tx).remove(rc.param("id"), rc.param("key")));
  if (!deleted) {
    return Status::not_found("Flow run input not found");
  }
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::empty(204);
}

// Python's csv.writer with the default dialect: quote a field only when it holds a comma,
// a quote or a line break; double the quotes inside.
void append_csv_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') {
      out.push_back('"');
    }
    out.push_back(c);
  }
  out.push_back('"');
}

// str() of an aware Python datetime: "2026-01-01 00:00:00.123456+00:00".
std::string python_datetime(Timestamp t) {
  std::string s = core::format_storage_time(t);  // 2026-01-01T00:00:00.123456Z
  s[10] = ' ';
  s.pop_back();
  if (s.ends_with(".000000")) {
    s.resize(s.size() - 7);
  }
  return s + "+00:00";
}

// urllib.parse.quote(text, safe=""): everything but letters, digits and "_.-~" escaped.
std::string percent_encode(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '_' || c == '.' || c == '-' || c == '~') {
      out.push_back(c);
    } else {
      out.append(fmt::format("%{:02X}", u));
    }
  }
  return out;
}

Result<HttpResponse> download_logs(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto run, models::FlowRunRepository(*tx).get(rc.param("id")));
  PC_ASSIGN_OR_RETURN(auto logs, models::FlowRunHistoryRepository(*tx).logs(run.id));
  std::string csv = "timestamp,level,flow_run_id,task_run_id,message\r\n";
  for (const auto& log : logs) {
    csv.append(python_datetime(log.timestamp)).push_back(',');
    csv.append(std::to_string(log.level)).push_back(',');
    csv.append(log.flow_run_id).push_back(',');
    csv.append(log.task_run_id.value_or("")).push_back(',');
    append_csv_field(csv, log.message);
    csv.append("\r\n");
  }
  HttpResponse r;
  r.status = 200;
  r.headers.set("Content-Type", "text/csv; charset=utf-8");
  r.headers.set("Content-Disposition",
                fmt::format("attachment; filename=\"flow-run-logs.csv\"; filename*=UTF-8''{}",
                            percent_encode(run.name + "-logs.csv")));
  r.body = std::move(csv);
  return r;
}

}  // namespace

void register_flow_run_extra_routes(Router& router) {
  router.add("POST", "/flow_runs/lateness", average_flow_run_lateness);
  router.add("POST", "/flow_runs/history", flow_run_history);
  router.add("GET", "/flow_runs/{id:uuid}/graph", read_flow_run_graph_v1);
  router.add("GET", "/flow_runs/{id:uuid}/graph-v2", read_flow_run_graph_v2);
  router.add("POST", "/flow_runs/{id:uuid}/resume", resume_flow_run);
  router.add("POST", "/flow_runs/{id:uuid}/input", create_flow_run_input);
  router.add("POST", "/flow_runs/{id:uuid}/input/filter", filter_flow_run_input);
  router.add("GET", "/flow_runs/{id:uuid}/input/{key}", read_flow_run_input);
  router.add("DELETE", "/flow_runs/{id:uuid}/input/{key}", delete_flow_run_input);
  router.add("GET", "/flow_runs/{id:uuid}/logs/download", download_logs);
}

}  // namespace prefectcore::api
