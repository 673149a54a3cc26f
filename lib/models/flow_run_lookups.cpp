// FlowRunRepository's lookups of related rows: system labels, work queues, deployments
// (upstream models/flow_runs.py with_system_labels_for_flow_run, api/workers.py
// WorkerLookups, api/flow_runs.py update_flow_run).

#include <fmt/format.h>

#include "lib/core/json_writer.h"
#include "lib/models/flow_runs.h"

namespace prefectcore::models {

Result<std::string> FlowRunRepository::system_labels(
    const std::string& flow_id, const std::optional<std::string>& deployment_id,
    const std::optional<std::string>& user_labels) {
  const std::string user = user_labels.value_or("{}");
  if (deployment_id) {
    PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT labels, flow_id FROM deployment WHERE id = ?",
                                             {*deployment_id}));
    if (!rows.empty()) {
      std::string system;
      core::JsonWriter(system)
          .begin_object()
          .key("prefect.flow.id")
          .string(rows.front().text(1))
          .key("prefect.deployment.id")
          .string(*deployment_id)
          .end_object();
      const std::string parent = rows.front().opt_text(0).value_or("{}");
      return schemas::merge_json_objects(schemas::merge_json_objects(parent, system), user);
    }
  }
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT labels FROM flow WHERE id = ?", {flow_id}));
  const std::string parent = rows.empty() ? "{}" : rows.front().opt_text(0).value_or("{}");
  std::string system;
  core::JsonWriter(system).begin_object().key("prefect.flow.id").string(flow_id).end_object();
  return schemas::merge_json_objects(schemas::merge_json_objects(parent, system), user);
}

Result<std::optional<std::string>> FlowRunRepository::resolve_work_queue(
    const std::string& pool_name, const std::optional<std::string>& queue_name) {
  if (queue_name) {
    PC_ASSIGN_OR_RETURN(Rows rows,
                        tx_.query("SELECT work_queue.id FROM work_queue JOIN work_pool ON "
                                  "work_pool.id = work_queue.work_pool_id WHERE work_pool.name = "
                                  "? AND work_queue.name = ?",
                                  {pool_name, *queue_name}));
    if (rows.empty()) {
      return Status::not_found(
          fmt::format("Work pool queue '{}/{}' not found.", pool_name, *queue_name));
    }
    return std::optional<std::string>(rows.front().text(0));
  }
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx_.query("SELECT default_queue_id FROM work_pool WHERE name = ?", {pool_name}));
  if (rows.empty()) {
    return Status::not_found(fmt::format("Work pool \"{}\" not found.", pool_name));
  }
  return rows.front().opt_text(0);
}

Result<std::optional<FlowRunRepository::DeploymentCheck>> FlowRunRepository::deployment_check(
    const std::string& id) {
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx_.query("SELECT flow_run.state_type, flow_run.deployment_id, (SELECT COUNT(*) "
                           "FROM deployment WHERE deployment.id = flow_run.deployment_id) FROM "
                           "flow_run WHERE flow_run.id = ?",
                           {id}));
  if (rows.empty()) {
    return std::optional<DeploymentCheck>();
  }
  DeploymentCheck check;
  if (auto type = rows.front().opt_text(0)) {
    check.state_type = schemas::parse_state_type(*type);
  }
  check.deployment_id = rows.front().opt_text(1);
  check.deployment_exists = rows.front().int64(2) > 0;
  return std::optional<DeploymentCheck>(check);
}

}  // namespace prefectcore::models
