#include "lib/models/flow_run_graph.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "lib/core/json.h"
#include "lib/core/time.h"
#include "lib/models/flow_run_history.h"
#include "lib/models/flow_runs.h"

namespace prefectcore::models {
namespace {

// One input argument of a task run: the run it points at (if it names one) and whether it
// is an encapsulating `__parents__` input.
struct InputEdge {
  std::string parent;
  bool encapsulating = false;
};

std::vector<InputEdge> input_edges(std::string_view task_inputs) {
  std::vector<InputEdge> out;
  auto doc = core::JsonDocument::parse(task_inputs.empty() ? std::string_view("{}") : task_inputs);
  core::JsonObject inputs;
  if (!doc || doc->root().get_object().get(inputs)) {
    return out;
  }
  for (auto [key, value] : inputs) {
    core::JsonArray arguments;
    if (value.get_array().get(arguments)) {
      continue;
    }
    for (core::JsonElement argument : arguments) {
      std::string_view id;
      if (!argument["id"].get_string().get(id)) {
        out.push_back({std::string(id), key == "__parents__"});
      }
    }
  }
  return out;
}

// Task-run inputs of a task run, deduplicated in order of appearance.
std::vector<std::string> upstream_task_runs(std::string_view task_inputs) {
  std::vector<std::string> out;
  auto doc = core::JsonDocument::parse(task_inputs.empty() ? std::string_view("{}") : task_inputs);
  core::JsonObject inputs;
  if (!doc || doc->root().get_object().get(inputs)) {
    return out;
  }
  for (auto [key, value] : inputs) {
    core::JsonArray arguments;
    if (value.get_array().get(arguments)) {
      continue;
    }
    for (core::JsonElement argument : arguments) {
      std::string_view type;
      std::string_view id;
      if (!argument["input_type"].get_string().get(type) && type == "task_run" &&
          !argument["id"].get_string().get(id) &&
          std::find(out.begin(), out.end(), id) == out.end()) {
        out.emplace_back(id);
      }
    }
  }
  return out;
}

void append_unique(std::vector<std::string>& list, const std::string& id) {
  if (std::find(list.begin(), list.end(), id) == list.end()) {
    list.push_back(id);
  }
}

void write_artifact(core::JsonWriter& w, const GraphArtifact& a) {
  w.begin_object();
  w.key("id").string(a.id);
  w.key("created").time(a.created);
  w.key("key").opt_string(a.key);
  w.key("type").opt_string(a.type);
  w.key("is_latest").boolean(a.is_latest);
  w.key("data").opt_raw(a.data);
  w.end_object();
}

void write_edges(core::JsonWriter& w, std::string_view key, const std::vector<std::string>& ids) {
  w.key(key).begin_array();
  for (const auto& id : ids) {
    w.begin_object().key("id").string(id).end_object();
  }
  w.end_array();
}

// Nodes in upstream's order: by start time, then end time (unfinished first, as SQLite
// sorts NULL), then id.
bool node_before(const GraphNode& a, const GraphNode& b) {
  if (a.start_time != b.start_time) {
    return a.start_time < b.start_time;
  }
  if (a.end_time != b.end_time) {
    return !a.end_time || (b.end_time && *a.end_time < *b.end_time);
  }
  return a.id < b.id;
}

// Every task run of the flow run as a node (a subflow's parent task run as the subflow's
// node, as upstream's edges CTE), with its input edges; runs that never had a start time or
// have no state type are left out.
using Candidates = std::vector<std::pair<GraphNode, std::vector<InputEdge>>>;

Result<Candidates> load_nodes(Transaction& tx, const std::string& flow_run_id) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx.query("SELECT tr.id, tr.name, tr.state_type, COALESCE(fr.start_time, "
               "fr.expected_start_time, tr.start_time, tr.expected_start_time), "
               "COALESCE(fr.end_time, tr.end_time, CASE WHEN tr.state_type = 'COMPLETED' THEN "
               "tr.expected_start_time END), tr.task_inputs, fr.id, fr.name, fr.state_type, "
               "flow.name FROM task_run tr LEFT JOIN flow_run fr ON fr.parent_task_run_id = "
               "tr.id LEFT JOIN flow ON flow.id = fr.flow_id WHERE tr.flow_run_id = ? ORDER BY "
               "COALESCE(fr.id, tr.id)",
               {flow_run_id}));
  Candidates out;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(auto start, opt_time_cell(row, 3));
    const auto type =
        schemas::parse_state_type(row.opt_text(8).value_or(row.opt_text(2).value_or("")));
    if (!start || !type) {
      continue;
    }
    GraphNode n;
    const bool subflow = !row.is_null(6);
    n.kind = subflow ? "flow-run" : "task-run";
    n.id = subflow ? row.text(6) : row.text(0);
    n.label = subflow && !row.is_null(9) ? row.text(9) + " / " + row.text(7) : row.text(1);
    n.state_type = *type;
    n.start_time = *start;
    PC_ASSIGN_OR_RETURN(n.end_time, opt_time_cell(row, 4));
    out.emplace_back(std::move(n), input_edges(row.text(5)));
  }
  return out;
}

// Fills parents, children and encapsulating from the input edges; an edge counts only when
// it points at another node (upstream joins the edges to themselves on the node id). Lists
// are deduplicated where upstream's join can repeat an id.
void link_nodes(Candidates& candidates) {
  std::set<std::string> ids;
  for (const auto& c : candidates) {
    ids.insert(c.first.id);
  }
  std::map<std::string, std::vector<std::string>> children;
  for (auto& [node, edges] : candidates) {
    for (const auto& e : edges) {
      if (!ids.count(e.parent)) {
        continue;
      }
      if (e.encapsulating) {
        append_unique(node.encapsulating, e.parent);
      } else {
        append_unique(node.parents, e.parent);
        append_unique(children[e.parent], node.id);
      }
    }
  }
  for (auto& c : candidates) {
    c.first.children = std::move(children[c.first.id]);
  }
}

}  // namespace

void write_task_run_dependency(core::JsonWriter& w, const TaskRunDependency& d) {
  w.begin_object();
  w.key("id").string(d.id);
  w.key("name").string(d.name);
  w.key("upstream_dependencies").begin_array();
  for (const auto& id : d.upstream_task_run_ids) {
    w.begin_object().key("input_type").string("task_run").key("id").string(id).end_object();
  }
  w.end_array();
  w.key("state");
  d.state ? schemas::write_state(w, *d.state) : static_cast<void>(w.null());
  w.key("expected_start_time").opt_time(d.expected_start_time);
  w.key("start_time").opt_time(d.start_time);
  w.key("end_time").opt_time(d.end_time);
  w.key("total_run_time").number(core::to_seconds(d.total_run_time));
  w.key("estimated_run_time").number(core::to_seconds(d.estimated_run_time));
  w.key("untrackable_result").boolean(d.state && d.state->details.untrackable_result);
  w.end_object();
}

void write_flow_run_graph(core::JsonWriter& w, const FlowRunGraph& g) {
  w.begin_object();
  w.key("start_time").opt_time(g.start_time);
  w.key("end_time").opt_time(g.end_time);
  w.key("root_node_ids").string_array(g.root_node_ids);
  w.key("nodes").begin_array();
  for (const auto& n : g.nodes) {
    w.begin_array().string(n.id).begin_object();
    w.key("kind").string(n.kind);
    w.key("id").string(n.id);
    w.key("label").string(n.label);
    w.key("state_type").string(schemas::to_string(n.state_type));
    w.key("start_time").time(n.start_time);
    w.key("end_time").opt_time(n.end_time);
    write_edges(w, "parents", n.parents);
    write_edges(w, "children", n.children);
    write_edges(w, "encapsulating", n.encapsulating);
    w.key("artifacts").begin_array();
    for (const auto& a : n.artifacts) {
      write_artifact(w, a);
    }
    w.end_array();
    w.end_object().end_array();
  }
  w.end_array();
  w.key("artifacts").begin_array();
  for (const auto& a : g.artifacts) {
    write_artifact(w, a);
  }
  w.end_array();
  w.key("states").begin_array();
  for (const auto& s : g.states) {
    w.begin_object().key("id").string(s.id).key("timestamp").time(s.timestamp);
    w.key("type").string(schemas::to_string(s.type)).key("name").string(s.name).end_object();
  }
  w.end_array();
  w.end_object();
}

Result<std::vector<TaskRunDependency>> FlowRunGraphRepository::dependencies(
    const std::string& flow_run_id, Timestamp now) {
  PC_ASSIGN_OR_RETURN(Rows run, tx_.query("SELECT 1 FROM flow_run WHERE id = ?", {flow_run_id}));
  if (run.empty()) {
    return Status::object_not_found(fmt::format("Flow run with id {} not found", flow_run_id));
  }
  const std::string sql = fmt::format(
      "SELECT task_run.id, task_run.name, task_run.task_inputs, task_run.expected_start_time, "
      "task_run.start_time, task_run.end_time, task_run.total_run_time, task_run.state_type, "
      "task_run.state_timestamp, {} FROM task_run LEFT JOIN task_run_state s ON s.id = "
      "task_run.state_id{} WHERE task_run.flow_run_id = ? ORDER BY task_run.id DESC",
      kStateSelect, kStateArtifactJoin);
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, {flow_run_id}));
  std::vector<TaskRunDependency> out;
  for (const Row& row : rows) {
    TaskRunDependency d;
    d.id = row.text(0);
    d.name = row.text(1);
    d.upstream_task_run_ids = upstream_task_runs(row.text(2));
    PC_ASSIGN_OR_RETURN(d.expected_start_time, opt_time_cell(row, 3));
    PC_ASSIGN_OR_RETURN(d.start_time, opt_time_cell(row, 4));
    PC_ASSIGN_OR_RETURN(d.end_time, opt_time_cell(row, 5));
    d.total_run_time = core::from_seconds(row.real(6)).value_or(Micros{0});
    PC_ASSIGN_OR_RETURN(auto state_timestamp, opt_time_cell(row, 8));
    d.estimated_run_time = d.total_run_time;
    if (row.opt_text(7) == std::optional<std::string>("RUNNING") && state_timestamp) {
      d.estimated_run_time += now - *state_timestamp;
    }
    PC_ASSIGN_OR_RETURN(d.state, read_state_columns(row, 9));
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::vector<GraphArtifact>> FlowRunGraphRepository::artifacts(const std::string& flow_run_id,
                                                                     std::int64_t max_artifacts) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query("SELECT artifact.id, artifact.created, artifact.key, artifact.type, "
                "artifact.data, artifact.task_run_id, (SELECT COUNT(*) FROM artifact_collection "
                "c WHERE c.key = artifact.key AND c.latest_id = artifact.id) FROM artifact WHERE "
                "artifact.flow_run_id = ? AND artifact.type <> 'result' ORDER BY "
                "artifact.created, artifact.id LIMIT ?",
                {flow_run_id, max_artifacts}));
  std::vector<GraphArtifact> out;
  for (const Row& row : rows) {
    GraphArtifact a;
    a.id = row.text(0);
    PC_ASSIGN_OR_RETURN(a.created, core::parse_time(row.text(1)));
    a.key = row.opt_text(2);
    a.type = row.opt_text(3);
    if (a.type == std::optional<std::string>("progress")) {
      a.data = row.opt_text(4);
    }
    a.task_run_id = row.opt_text(5);
    a.is_latest = !a.key || row.int64(6) > 0;
    out.push_back(std::move(a));
  }
  return out;
}

Result<FlowRunGraph> FlowRunGraphRepository::graph(const std::string& flow_run_id, Timestamp since,
                                                   std::int64_t max_nodes,
                                                   std::int64_t max_artifacts) {
  PC_ASSIGN_OR_RETURN(Rows run, tx_.query("SELECT COALESCE(start_time, expected_start_time), "
                                          "end_time FROM flow_run WHERE id = ?",
                                          {flow_run_id}));
  if (run.empty()) {
    return Status::object_not_found(fmt::format("Flow run {} not found", flow_run_id));
  }
  FlowRunGraph g;
  PC_ASSIGN_OR_RETURN(g.start_time, opt_time_cell(run.front(), 0));
  PC_ASSIGN_OR_RETURN(g.end_time, opt_time_cell(run.front(), 1));
  PC_ASSIGN_OR_RETURN(auto candidates, load_nodes(tx_, flow_run_id));
  link_nodes(candidates);
  PC_ASSIGN_OR_RETURN(auto all_artifacts, artifacts(flow_run_id, max_artifacts));
  std::map<std::string, std::vector<GraphArtifact>> by_task_run;
  for (auto& a : all_artifacts) {
    if (a.task_run_id) {
      by_task_run[*a.task_run_id].push_back(a);
    } else {
      g.artifacts.push_back(std::move(a));
    }
  }
  for (auto& [node, edges] : candidates) {
    if (node.end_time && *node.end_time < since) {
      continue;
    }
    if (auto it = by_task_run.find(node.id); it != by_task_run.end()) {
      node.artifacts = it->second;
    }
    g.nodes.push_back(std::move(node));
  }
  if (static_cast<std::int64_t>(g.nodes.size()) > max_nodes) {
    return Status::bad_request(
        fmt::format("The graph of flow run {} has more than {} nodes.", flow_run_id, max_nodes));
  }
  std::sort(g.nodes.begin(), g.nodes.end(), node_before);
  for (const auto& n : g.nodes) {
    if (n.parents.empty()) {
      g.root_node_ids.push_back(n.id);
    }
  }
  PC_ASSIGN_OR_RETURN(g.states, FlowRunHistoryRepository(tx_).states(flow_run_id));
  return g;
}

}  // namespace prefectcore::models
