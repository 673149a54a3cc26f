#include "lib/models/flow_run_history.h"

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "lib/core/time.h"

namespace prefectcore::models {
namespace {

// Upstream caps the interval series (make_timestamp_intervals) and the answer at 500.
constexpr std::int64_t kMaxIntervals = 500;

// The columns the estimates need, read into a FlowRun so the response formulas apply.
constexpr std::string_view kEstimateColumns =
    "flow_run.state_type, flow_run.state_name, flow_run.state_timestamp, "
    "flow_run.total_run_time, flow_run.expected_start_time, flow_run.start_time";

Result<schemas::FlowRun> estimate_row(const Row& row) {
  schemas::FlowRun r;
  if (auto type = row.opt_text(0)) {
    r.state_type = schemas::parse_state_type(*type);
  }
  r.state_name = row.opt_text(1);
  PC_ASSIGN_OR_RETURN(r.state_timestamp, opt_time_cell(row, 2));
  r.total_run_time = core::from_seconds(row.real(3)).value_or(Micros{0});
  PC_ASSIGN_OR_RETURN(r.expected_start_time, opt_time_cell(row, 4));
  PC_ASSIGN_OR_RETURN(r.start_time, opt_time_cell(row, 5));
  return r;
}

Result<std::vector<schemas::State>> read_states(Transaction& tx, std::string_view where,
                                                const std::string& value) {
  const std::string sql =
      fmt::format("SELECT {} FROM flow_run_state s{} WHERE {} ORDER BY s.timestamp, s.id",
                  kStateSelect, kStateArtifactJoin, where);
  PC_ASSIGN_OR_RETURN(Rows rows, tx.query(sql, {value}));
  std::vector<schemas::State> out;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(auto state, read_state_columns(row, 0));
    if (state) {
      out.push_back(std::move(*state));
    }
  }
  return out;
}

}  // namespace

void write_history_interval(core::JsonWriter& w, const HistoryInterval& interval) {
  w.begin_object();
  w.key("interval_start").time(interval.interval_start);
  w.key("interval_end").time(interval.interval_end);
  w.key("states").begin_array();
  for (const auto& s : interval.states) {
    w.begin_object();
    w.key("state_type").string(schemas::to_string(s.state_type));
    w.key("state_name").string(s.state_name);
    w.key("count_runs").integer(s.count_runs);
    w.key("sum_estimated_run_time").number(s.sum_estimated_run_time);
    w.key("sum_estimated_lateness").number(s.sum_estimated_lateness);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

Result<std::optional<schemas::State>> FlowRunHistoryRepository::state(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto found, read_states(tx_, "s.id = ?", id));
  if (found.empty()) {
    return std::optional<schemas::State>();
  }
  return std::optional<schemas::State>(std::move(found.front()));
}

Result<std::vector<schemas::State>> FlowRunHistoryRepository::states(
    const std::string& flow_run_id) {
  return read_states(tx_, "s.flow_run_id = ?", flow_run_id);
}

Result<std::vector<HistoryInterval>> FlowRunHistoryRepository::history(
    const FlowRunFilters& filters, Timestamp start, Timestamp end, Micros interval, Timestamp now) {
  PC_ASSERT(interval.count() > 0);
  std::vector<HistoryInterval> out;
  const std::int64_t step = interval.count();
  for (Timestamp t = start; t < end && static_cast<std::int64_t>(out.size()) < kMaxIntervals;
       t += interval) {
    if (t.time_since_epoch().count() > std::numeric_limits<std::int64_t>::max() - step) {
      break;  // an interval of centuries would overflow the clock
    }
    out.push_back({t, t + interval, {}});
  }
  if (out.empty()) {
    return out;
  }
  SqlCondition where = flow_run_where(filters);
  where.sql = fmt::format(
      "({}) AND flow_run.expected_start_time >= ? AND flow_run.expected_start_time < ?", where.sql);
  where.params.emplace_back(core::format_storage_time(start));
  where.params.emplace_back(core::format_storage_time(out.back().interval_end));
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(fmt::format("SELECT {} FROM flow_run WHERE {}",
                                                       kEstimateColumns, where.sql),
                                           where.params));
  // (interval index, state type, state name) -> aggregate
  std::map<std::tuple<std::size_t, std::string, std::string>, HistoryState> buckets;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(schemas::FlowRun run, estimate_row(row));
    if (!run.state_type || !run.expected_start_time) {
      continue;  // upstream cannot describe a run without a state type either
    }
    const auto index = static_cast<std::size_t>((*run.expected_start_time - start) / interval);
    auto& s = buckets[{index, std::string(schemas::to_string(*run.state_type)),
                       run.state_name.value_or("")}];
    s.state_type = *run.state_type;
    s.state_name = run.state_name.value_or("");
    s.count_runs += 1;
    s.sum_estimated_run_time +=
        std::max(0.0, core::to_seconds(schemas::estimated_run_time(run, now)));
    s.sum_estimated_lateness +=
        std::max(0.0, core::to_seconds(schemas::estimated_start_time_delta(run, now)));
  }
  for (auto& [key, state] : buckets) {
    out[std::get<0>(key)].states.push_back(std::move(state));
  }
  return out;
}

Result<std::optional<double>> FlowRunHistoryRepository::average_lateness(
    const FlowRunFilters& filters, Timestamp now) {
  const SqlCondition where = flow_run_where(filters);
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(fmt::format("SELECT {} FROM flow_run WHERE {}",
                                                       kEstimateColumns, where.sql),
                                           where.params));
  if (rows.empty()) {
    return std::optional<double>();
  }
  double total = 0;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(schemas::FlowRun run, estimate_row(row));
    // The SQL form of estimated_start_time_delta: a run without a state type is not late
    // (NULL NOT IN (...) is not true).
    if (!run.state_type && !run.start_time) {
      continue;
    }
    total += core::to_seconds(schemas::estimated_start_time_delta(run, now));
  }
  return std::optional<double>(total / static_cast<double>(rows.size()));
}

Result<std::vector<LogLine>> FlowRunHistoryRepository::logs(const std::string& flow_run_id) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT timestamp, level, flow_run_id, task_run_id, "
                                           "message FROM log WHERE flow_run_id = ? ORDER BY "
                                           "timestamp, id",
                                           {flow_run_id}));
  std::vector<LogLine> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    LogLine line;
    PC_ASSIGN_OR_RETURN(line.timestamp, core::parse_time(row.text(0)));
    line.level = row.int64(1);
    line.flow_run_id = row.text(2);
    line.task_run_id = row.opt_text(3);
    line.message = row.text(4);
    out.push_back(std::move(line));
  }
  return out;
}

}  // namespace prefectcore::models
