// The filter kinds of the API as spec tables (upstream src/prefect/server/schemas/filters.py).
// Columns name the tables unaliased (flow, flow_run, task_run, deployment, work_pool,
// work_queue); queries select from those names.

#include "lib/models/filters.h"

namespace prefectcore::models {
namespace {

using K = ValueKind;

const std::vector<OpSpec> kAny = {{"any_"}};
const std::vector<OpSpec> kAnyNotAny = {{"any_"}, {"not_any_"}};
const std::vector<OpSpec> kAnyLike = {{"any_"}, {"like_"}};
const std::vector<OpSpec> kBeforeAfter = {{"before_"}, {"after_"}};
const std::vector<OpSpec> kBeforeAfterNull = {{"before_"}, {"after_"}, {"is_null_"}};

}  // namespace

const FilterSpec& flow_filter_spec() {
  static const FilterSpec spec{
      "FlowFilter",
      {
          {"id", "flow.id", K::kUuid, kAnyNotAny},
          {"deployment",
           "",
           K::kBool,
           {{"is_null_", "NOT EXISTS (SELECT 1 FROM deployment WHERE deployment.flow_id = flow.id)",
             "EXISTS (SELECT 1 FROM deployment WHERE deployment.flow_id = flow.id)"}},
           true},
          {"name", "flow.name", K::kString, kAnyLike},
          {"tags", "flow.tags", K::kString, {{"all_"}, {"is_null_"}}, true, true},
      }};
  return spec;
}

namespace {
const FilterSpec& flow_run_state_spec() {
  static const FilterSpec spec{"FlowRunFilterState",
                               {
                                   {"type", "flow_run.state_type", K::kStateType, kAnyNotAny},
                                   {"name", "flow_run.state_name", K::kString, kAnyNotAny},
                               }};
  return spec;
}

const FilterSpec& task_run_state_spec() {
  static const FilterSpec spec{"TaskRunFilterState",
                               {
                                   {"type", "task_run.state_type", K::kStateType, kAny},
                                   {"name", "task_run.state_name", K::kString, kAny},
                               }};
  return spec;
}
}  // namespace

const FilterSpec& flow_run_filter_spec() {
  static const FilterSpec spec{
      "FlowRunFilter",
      {
          {"id", "flow_run.id", K::kUuid, kAnyNotAny},
          {"name", "flow_run.name", K::kString, kAnyLike},
          {"tags", "flow_run.tags", K::kString, {{"all_"}, {"any_"}, {"is_null_"}}, true, true},
          {"deployment_id", "flow_run.deployment_id", K::kUuid, {{"any_"}, {"is_null_"}}, true},
          {"work_queue_name",
           "flow_run.work_queue_name",
           K::kString,
           {{"any_"}, {"is_null_"}},
           true},
          {"state", "", K::kString, {}, false, false, &flow_run_state_spec()},
          {"flow_version", "flow_run.flow_version", K::kString, kAny},
          // Upstream quirk: before_/after_ compare the coalesced expected start; is_null_
          // looks at start_time alone.
          {"start_time",
           "flow_run.start_time",
           K::kTime,
           {{"before_", {}, {}, "COALESCE(flow_run.start_time, flow_run.expected_start_time)"},
            {"after_", {}, {}, "COALESCE(flow_run.start_time, flow_run.expected_start_time)"},
            {"is_null_"}}},
          {"end_time", "flow_run.end_time", K::kTime, kBeforeAfterNull},
          {"expected_start_time", "flow_run.expected_start_time", K::kTime, kBeforeAfter},
          {"next_scheduled_start_time", "flow_run.next_scheduled_start_time", K::kTime,
           kBeforeAfter},
          {"parent_flow_run_id",
           "flow_run.parent_task_run_id",
           K::kUuid,
           {{"any_",
             "{col} IN (SELECT task_run.id FROM task_run WHERE task_run.flow_run_id IN "
             "({values}))"}},
           true},
          {"parent_task_run_id",
           "flow_run.parent_task_run_id",
           K::kUuid,
           {{"any_"}, {"is_null_"}},
           true},
          {"idempotency_key", "flow_run.idempotency_key", K::kString, kAnyNotAny},
          {"created_by",
           "flow_run.created_by",
           K::kString,
           {{"id_", {}, {}, "json:flow_run.created_by:id"},
            {"type_", {}, {}, "json:flow_run.created_by:type"},
            {"is_null_"}},
           true},
      }};
  return spec;
}

const FilterSpec& task_run_filter_spec() {
  static const FilterSpec spec{
      "TaskRunFilter",
      {
          {"id", "task_run.id", K::kUuid, kAny},
          {"name", "task_run.name", K::kString, kAnyLike},
          {"tags", "task_run.tags", K::kString, {{"all_"}, {"is_null_"}}, true, true},
          {"state", "", K::kString, {}, false, false, &task_run_state_spec()},
          {"start_time", "task_run.start_time", K::kTime, kBeforeAfterNull},
          {"end_time", "task_run.end_time", K::kTime, kBeforeAfterNull},
          {"expected_start_time", "task_run.expected_start_time", K::kTime, kBeforeAfter},
          {"subflow_runs",
           "",
           K::kBool,
           {{"exists_",
             "EXISTS (SELECT 1 FROM flow_run sub WHERE sub.parent_task_run_id = task_run.id)",
             "NOT EXISTS (SELECT 1 FROM flow_run sub WHERE sub.parent_task_run_id = "
             "task_run.id)"}}},
          {"flow_run_id", "task_run.flow_run_id", K::kUuid, {{"any_"}, {"is_null_"}}, true},
      }};
  return spec;
}

const FilterSpec& deployment_filter_spec() {
  static const FilterSpec spec{
      "DeploymentFilter",
      {
          {"id", "deployment.id", K::kUuid, kAnyNotAny},
          {"name", "deployment.name", K::kString, kAnyLike},
          // Names cannot contain '/', so joining the two names with it cannot create a
          // match that neither name has (upstream ORs two ILIKEs).
          {"flow_or_deployment_name",
           "(deployment.name || '/' || COALESCE((SELECT flow.name FROM flow WHERE flow.id = "
           "deployment.flow_id), ''))",
           K::kString,
           {{"like_"}}},
          {"paused", "deployment.paused", K::kBool, {{"eq_"}}},
          {"tags", "deployment.tags", K::kString, {{"all_"}, {"any_"}, {"is_null_"}}, true, true},
          {"work_queue_name", "deployment.work_queue_name", K::kString, kAny},
          {"concurrency_limit",
           "deployment.concurrency_limit",
           K::kInt,
           {{"ge_"}, {"le_"}, {"is_null_"}}},
      }};
  return spec;
}

const FilterSpec& work_pool_filter_spec() {
  static const FilterSpec spec{"WorkPoolFilter",
                               {
                                   {"id", "work_pool.id", K::kUuid, kAny},
                                   {"name", "work_pool.name", K::kString, kAny},
                                   {"type", "work_pool.type", K::kString, kAny},
                               }};
  return spec;
}

const FilterSpec& work_queue_filter_spec() {
  static const FilterSpec spec{
      "WorkQueueFilter",
      {
          {"id", "work_queue.id", K::kUuid, kAny},
          {"name", "work_queue.name", K::kString, {{"any_"}, {"startswith_"}}},
      }};
  return spec;
}

}  // namespace prefectcore::models
