#pragma once

// The graphs of a flow run's task and subflow runs: upstream's v1 dependency list
// (models/flow_runs.py read_task_run_dependencies) and the v2 graph
// (database/query_components.py flow_run_graph_v2), computed from the task runs'
// task_inputs.
//
// Thread-bound: borrows one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/json_writer.h"
#include "lib/schemas/state.h"

namespace prefectcore::models {

// upstream DependencyResult.
struct TaskRunDependency {
  std::string id;
  std::string name;
  std::vector<std::string> upstream_task_run_ids;  // TaskRunResult inputs, deduplicated
  std::optional<schemas::State> state;
  std::optional<Timestamp> expected_start_time;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> end_time;
  Micros total_run_time{0};
  Micros estimated_run_time{0};
};

struct GraphArtifact {
  std::string id;
  Timestamp created;
  std::optional<std::string> key;
  std::optional<std::string> type;
  bool is_latest = false;
  std::optional<std::string> data;  // JSON; only for progress artifacts
  std::optional<std::string> task_run_id;
};

struct GraphNode {
  std::string kind;  // "flow-run" | "task-run"
  std::string id;
  std::string label;
  schemas::StateType state_type = schemas::StateType::kPending;
  Timestamp start_time;
  std::optional<Timestamp> end_time;
  std::vector<std::string> parents;
  std::vector<std::string> children;
  std::vector<std::string> encapsulating;
  std::vector<GraphArtifact> artifacts;
};

struct FlowRunGraph {
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> end_time;
  std::vector<std::string> root_node_ids;
  std::vector<GraphNode> nodes;
  std::vector<GraphArtifact> artifacts;  // the flow run's own (no task run)
  std::vector<schemas::State> states;    // id, timestamp, type and name are used
};

void write_task_run_dependency(core::JsonWriter& w, const TaskRunDependency& d);
void write_flow_run_graph(core::JsonWriter& w, const FlowRunGraph& graph);

class FlowRunGraphRepository {
 public:
  explicit FlowRunGraphRepository(Transaction& tx) : tx_(tx) {}

  // The task runs of `flow_run_id` (newest id first) with their upstream task runs.
  // kObjectNotFound "Flow run with id … not found".
  Result<std::vector<TaskRunDependency>> dependencies(const std::string& flow_run_id,
                                                      Timestamp now);
  // The v2 graph: nodes that end at or after `since` (or have not ended), ordered by
  // start and end time. kObjectNotFound "Flow run … not found"; kBadRequest when there are
  // more than `max_nodes` nodes.
  Result<FlowRunGraph> graph(const std::string& flow_run_id, Timestamp since,
                             std::int64_t max_nodes, std::int64_t max_artifacts);

 private:
  Result<std::vector<GraphArtifact>> artifacts(const std::string& flow_run_id,
                                               std::int64_t max_artifacts);
  Transaction& tx_;
};

}  // namespace prefectcore::models
