#include "lib/models/flow_run_inputs.h"

#include <fmt/format.h>

#include "lib/core/time.h"

namespace prefectcore::models {
namespace {

constexpr std::string_view kColumns = "id, created, updated, flow_run_id, key, value, sender";

Result<FlowRunInput> row_to_input(const Row& row) {
  FlowRunInput in;
  in.id = row.text(0);
  PC_ASSIGN_OR_RETURN(in.created, core::parse_time(row.text(1)));
  PC_ASSIGN_OR_RETURN(in.updated, core::parse_time(row.text(2)));
  in.flow_run_id = row.text(3);
  in.key = row.text(4);
  in.value = row.text(5);
  in.sender = row.opt_text(6);
  return in;
}

}  // namespace

void write_flow_run_input(core::JsonWriter& w, const FlowRunInput& in) {
  w.begin_object();
  w.key("id").string(in.id);
  w.key("created").time(in.created);
  w.key("updated").time(in.updated);
  w.key("flow_run_id").string(in.flow_run_id);
  w.key("key").string(in.key);
  w.key("value").string(in.value);
  w.key("sender").opt_string(in.sender);
  w.end_object();
}

Status FlowRunInputRepository::create(const FlowRunInput& in) {
  PC_ASSIGN_OR_RETURN(Rows run, tx_.query("SELECT 1 FROM flow_run WHERE id = ?", {in.flow_run_id}));
  if (run.empty()) {
    return Status::not_found("Flow run not found");
  }
  PC_ASSIGN_OR_RETURN(Rows taken, tx_.query("SELECT 1 FROM flow_run_input WHERE flow_run_id = ? "
                                            "AND key = ?",
                                            {in.flow_run_id, in.key}));
  if (!taken.empty()) {
    return Status::conflict("A flow run input with this key already exists.");
  }
  auto inserted = tx_.exec(
      fmt::format("INSERT INTO flow_run_input ({}) VALUES (?, ?, ?, ?, ?, ?, ?)", kColumns),
      {in.id, core::format_storage_time(in.created), core::format_storage_time(in.updated),
       in.flow_run_id, in.key, in.value, in.sender ? SqlValue(*in.sender) : SqlValue(SqlNull{})});
  if (!inserted && inserted.error().code() == ErrorCode::kConflict) {
    // A concurrent writer won the key (or deleted the run) between the checks and here.
    return Status::conflict("A flow run input with this key already exists.");
  }
  return inserted.status();
}

Result<std::vector<FlowRunInput>> FlowRunInputRepository::filter(
    const std::string& flow_run_id, const std::string& prefix, std::int64_t limit,
    const std::vector<std::string>& exclude_keys) {
  std::string sql =
      fmt::format("SELECT {} FROM flow_run_input WHERE flow_run_id = ? AND key LIKE ?", kColumns);
  std::vector<SqlValue> params = {flow_run_id, prefix + "%"};
  if (!exclude_keys.empty()) {
    sql.append(" AND key NOT IN (");
    for (std::size_t i = 0; i < exclude_keys.size(); ++i) {
      sql.append(i ? ", ?" : "?");
      params.emplace_back(exclude_keys[i]);
    }
    sql.append(")");
  }
  sql.append(" ORDER BY created, id LIMIT ?");
  params.emplace_back(limit);
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, params));
  std::vector<FlowRunInput> out;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(FlowRunInput in, row_to_input(row));
    out.push_back(std::move(in));
  }
  return out;
}

Result<std::optional<FlowRunInput>> FlowRunInputRepository::read(const std::string& flow_run_id,
                                                                 const std::string& key) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query(
          fmt::format("SELECT {} FROM flow_run_input WHERE flow_run_id = ? AND key = ?", kColumns),
          {flow_run_id, key}));
  if (rows.empty()) {
    return std::optional<FlowRunInput>();
  }
  PC_ASSIGN_OR_RETURN(FlowRunInput in, row_to_input(rows.front()));
  return std::optional<FlowRunInput>(std::move(in));
}

Result<bool> FlowRunInputRepository::remove(const std::string& flow_run_id,
                                            const std::string& key) {
  PC_ASSIGN_OR_RETURN(
      std::int64_t changed,
      tx_.exec("DELETE FROM flow_run_input WHERE flow_run_id = ? AND key = ?", {flow_run_id, key}));
  return changed > 0;
}

}  // namespace prefectcore::models
