// Deployment schedules (upstream models/deployments.py create/read/update/delete
// deployment schedules).

#include <fmt/format.h>

#include "lib/core/time.h"
#include "lib/models/deployments.h"

namespace prefectcore::models {
namespace {

using schemas::DeploymentSchedule;

Result<DeploymentSchedule> row_to_schedule(const Row& row) {
  DeploymentSchedule s;
  s.id = row.text(0);
  auto created = core::parse_time(row.text(1));
  auto updated = core::parse_time(row.text(2));
  if (!created || !updated) {
    return Status::internal("deployment schedule " + s.id + " has an unreadable timestamp");
  }
  s.created = *created;
  s.updated = *updated;
  s.deployment_id = row.text(3);
  s.schedule = row.text(4);
  s.active = row.boolean(5);
  if (!row.is_null(6)) {
    s.max_scheduled_runs = row.int64(6);
  }
  s.parameters = row.opt_text(7).value_or("{}");
  s.slug = row.opt_text(8);
  return s;
}

constexpr std::string_view kScheduleColumns =
    "id, created, updated, deployment_id, schedule, active, max_scheduled_runs, parameters, slug";

}  // namespace

Result<std::vector<DeploymentSchedule>> DeploymentRepository::schedules(
    const std::string& deployment_id) {
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx_.query(fmt::format("SELECT {} FROM deployment_schedule WHERE deployment_id = ? "
                                       "ORDER BY updated DESC, id",
                                       kScheduleColumns),
                           {deployment_id}));
  std::vector<DeploymentSchedule> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(DeploymentSchedule s, row_to_schedule(row));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<DeploymentSchedule>> DeploymentRepository::create_schedules(
    const std::string& deployment_id, const std::vector<schemas::DeploymentScheduleInput>& in,
    Timestamp now) {
  const std::string ts = core::format_storage_time(now);
  std::vector<DeploymentSchedule> out;
  for (const auto& s : in) {
    if (s.slug) {
      // Checked first: a failed INSERT would end the transaction on PostgreSQL.
      PC_ASSIGN_OR_RETURN(
          Rows taken,
          tx_.query("SELECT id FROM deployment_schedule WHERE deployment_id = ? AND slug = ?",
                    {deployment_id, *s.slug}));
      if (!taken.empty()) {
        return Status::conflict("Schedule slugs must be unique within a deployment.");
      }
    }
    DeploymentSchedule row;
    row.id = ids_.random_id();
    row.created = now;
    row.updated = now;
    row.deployment_id = deployment_id;
    row.schedule = s.schedule.value_or("{}");
    row.active = s.active.value_or(true);
    row.max_scheduled_runs = s.max_scheduled_runs;
    row.parameters = s.parameters.value_or("{}");
    row.slug = s.slug;
    PC_RETURN_IF_ERROR(tx_.exec(
        "INSERT INTO deployment_schedule (id, created, updated, deployment_id, schedule, active, "
        "max_scheduled_runs, parameters, slug) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {row.id, ts, ts, deployment_id, JsonText{row.schedule}, row.active,
         row.max_scheduled_runs ? SqlValue(*row.max_scheduled_runs) : SqlValue(SqlNull{}),
         JsonText{row.parameters}, row.slug ? SqlValue(*row.slug) : SqlValue(SqlNull{})}));
    out.push_back(std::move(row));
  }
  return out;
}

Result<bool> DeploymentRepository::update_schedule(const std::string& deployment_id,
                                                   const std::string& schedule_id,
                                                   const std::optional<std::string>& slug,
                                                   const schemas::DeploymentScheduleInput& in,
                                                   Timestamp now) {
  std::string sets = "updated = ?";
  std::vector<SqlValue> params = {core::format_storage_time(now)};
  auto add = [&](bool has, std::string_view col, SqlValue v) {
    if (has) {
      sets += fmt::format(", {} = ?", col);
      params.push_back(std::move(v));
    }
  };
  add(in.schedule.has_value(), "schedule", JsonText{in.schedule.value_or("{}")});
  add(in.active.has_value(), "active", in.active.value_or(true));
  add(in.max_scheduled_runs.has_value(), "max_scheduled_runs", in.max_scheduled_runs.value_or(0));
  // upstream dumps the update with exclude_none, and parameters defaults to {}: always set.
  add(true, "parameters", JsonText{in.parameters.value_or("{}")});
  add(in.slug.has_value(), "slug", in.slug.value_or(""));
  if (in.slug) {
    PC_ASSIGN_OR_RETURN(Rows taken, tx_.query("SELECT id FROM deployment_schedule WHERE "
                                              "deployment_id = ? AND slug = ? AND id <> ?",
                                              {deployment_id, *in.slug, schedule_id}));
    if (!taken.empty() && (!slug || *slug != *in.slug)) {
      return Status::conflict("Schedule slugs must be unique within a deployment.");
    }
  }
  params.emplace_back(deployment_id);
  std::string where = "deployment_id = ? AND ";
  if (!schedule_id.empty()) {
    where += "id = ?";
    params.emplace_back(schedule_id);
  } else {
    where += "slug = ?";
    params.emplace_back(slug.value_or(""));
  }
  PC_ASSIGN_OR_RETURN(
      std::int64_t changed,
      tx_.exec(fmt::format("UPDATE deployment_schedule SET {} WHERE {}", sets, where), params));
  return changed > 0;
}

Result<bool> DeploymentRepository::delete_schedule(const std::string& deployment_id,
                                                   const std::string& schedule_id) {
  PC_ASSIGN_OR_RETURN(std::int64_t changed,
                      tx_.exec("DELETE FROM deployment_schedule WHERE id = ? AND deployment_id = ?",
                               {schedule_id, deployment_id}));
  return changed > 0;
}

Status DeploymentRepository::delete_schedules(const std::string& deployment_id) {
  return tx_.exec("DELETE FROM deployment_schedule WHERE deployment_id = ?", {deployment_id})
      .status();
}

Result<std::optional<std::string>> DeploymentRepository::release_slug(
    const std::string& deployment_id, const std::string& slug) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query("SELECT id FROM deployment_schedule WHERE deployment_id = ? AND slug = ?",
                {deployment_id, slug}));
  if (rows.empty()) {
    return std::optional<std::string>();
  }
  const std::string id = rows.front().text(0);
  PC_RETURN_IF_ERROR(tx_.exec("UPDATE deployment_schedule SET slug = NULL WHERE id = ?", {id}));
  return std::optional<std::string>(id);
}

}  // namespace prefectcore::models
