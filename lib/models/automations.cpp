#include "lib/models/automations.h"

#include <fmt/format.h>

#include "lib/core/time.h"

namespace prefectcore::models {
namespace {

constexpr std::string_view kColumns =
    "automation.id, automation.created, automation.updated, automation.name, "
    "automation.description, automation.enabled, automation.tags, automation.trigger, "
    "automation.actions, automation.actions_on_trigger, automation.actions_on_resolve";

Result<schemas::Automation> row_to_automation(const Row& row) {
  schemas::Automation a;
  a.id = row.text(0);
  auto created = core::parse_time(row.text(1));
  auto updated = core::parse_time(row.text(2));
  if (!created || !updated) {
    return Status::internal("automation " + a.id + " has an unreadable timestamp");
  }
  a.created = *created;
  a.updated = *updated;
  a.core.name = row.text(3);
  a.core.description = row.text(4);
  a.core.enabled = row.boolean(5);
  a.core.tags = row.is_null(6) ? "[]" : row.text(6);
  a.core.trigger = row.text(7);
  a.core.actions = row.is_null(8) ? "[]" : row.text(8);
  a.core.actions_on_trigger = row.is_null(9) ? "[]" : row.text(9);
  a.core.actions_on_resolve = row.is_null(10) ? "[]" : row.text(10);
  return a;
}

// upstream Automation.sort_expression; the id breaks ties so pages are stable.
std::string_view order_by(AutomationSort sort) {
  switch (sort) {
    case AutomationSort::kCreatedDesc:
      return "automation.created DESC, automation.id";
    case AutomationSort::kUpdatedDesc:
      return "automation.updated DESC, automation.id";
    case AutomationSort::kNameAsc:
      return "automation.name ASC, automation.id";
    case AutomationSort::kNameDesc:
      return "automation.name DESC, automation.id";
  }
  return "automation.name ASC, automation.id";
}

SqlValue flag(bool b) { return std::int64_t{b ? 1 : 0}; }

}  // namespace

Result<std::vector<schemas::Automation>> AutomationRepository::select(
    const std::string& where_sql, const std::vector<SqlValue>& params, const std::string& tail) {
  const std::string sql =
      fmt::format("SELECT {} FROM automation WHERE {}{}", kColumns, where_sql, tail);
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, params));
  std::vector<schemas::Automation> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(schemas::Automation a, row_to_automation(row));
    out.push_back(std::move(a));
  }
  return out;
}

Status AutomationRepository::relate(const std::string& automation_id,
                                    const std::string& resource_id, bool owned, Timestamp now) {
  // upstream relate_automation_to_resource: ownership, once recorded, is kept (OR).
  const std::string ts = core::format_storage_time(now);
  return tx_
      .exec(
          "INSERT INTO automation_related_resource (id, created, updated, automation_id, "
          "resource_id, automation_owned_by_resource) VALUES (?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (automation_id, resource_id) DO UPDATE SET automation_owned_by_resource = "
          "CASE WHEN excluded.automation_owned_by_resource = 1 THEN 1 "
          "ELSE automation_related_resource.automation_owned_by_resource END, "
          "updated = excluded.updated",
          {ids_.random_id(), ts, ts, automation_id, resource_id, flag(owned)})
      .status();
}

Status AutomationRepository::sync_related(const std::string& automation_id,
                                          const std::vector<std::string>& deployment_ids,
                                          Timestamp now) {
  // upstream _sync_automation_related_resources: only unowned deployment relations are
  // derived from the actions; owner relations survive a replace.
  PC_RETURN_IF_ERROR(tx_.exec(
      "DELETE FROM automation_related_resource WHERE automation_id = ? AND resource_id LIKE "
      "'prefect.deployment.%' AND automation_owned_by_resource = 0",
      {automation_id}));
  for (const auto& deployment_id : deployment_ids) {
    PC_RETURN_IF_ERROR(relate(automation_id, "prefect.deployment." + deployment_id, false, now));
  }
  return Status::ok_status();
}

Result<schemas::Automation> AutomationRepository::create(const schemas::AutomationWrite& write,
                                                         const std::string& id, Timestamp now) {
  const std::string ts = core::format_storage_time(now);
  const schemas::AutomationCore& c = write.core;
  PC_RETURN_IF_ERROR(tx_.exec(
      "INSERT INTO automation (id, created, updated, name, description, enabled, tags, trigger, "
      "actions, actions_on_trigger, actions_on_resolve) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {id, ts, ts, c.name, c.description, flag(c.enabled), JsonText{c.tags}, JsonText{c.trigger},
       JsonText{c.actions}, JsonText{c.actions_on_trigger}, JsonText{c.actions_on_resolve}}));
  PC_RETURN_IF_ERROR(sync_related(id, write.selected_deployment_ids, now));
  if (write.owner_resource && !write.owner_resource->empty()) {
    PC_RETURN_IF_ERROR(relate(id, *write.owner_resource, true, now));
  }
  PC_ASSIGN_OR_RETURN(auto stored, get(id));
  if (!stored) {
    return Status::internal("automation vanished after insert");
  }
  return std::move(*stored);
}

Result<std::optional<schemas::Automation>> AutomationRepository::get(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto found, select("automation.id = ?", {id}, ""));
  if (found.empty()) {
    return std::optional<schemas::Automation>();
  }
  return std::optional<schemas::Automation>(std::move(found.front()));
}

Result<bool> AutomationRepository::replace(const std::string& id,
                                           const schemas::AutomationWrite& write, Timestamp now) {
  const schemas::AutomationCore& c = write.core;
  std::string sets = "updated = ?, name = ?, trigger = ?, actions = ?";
  std::vector<SqlValue> params = {core::format_storage_time(now), c.name, JsonText{c.trigger},
                                  JsonText{c.actions}};
  auto set = [&](bool present, std::string_view column, SqlValue value) {
    if (present) {
      sets += fmt::format(", {} = ?", column);
      params.push_back(std::move(value));
    }
  };
  set(write.has_description, "description", c.description);
  set(write.has_enabled, "enabled", flag(c.enabled));
  set(write.has_tags, "tags", JsonText{c.tags});
  set(write.has_actions_on_trigger, "actions_on_trigger", JsonText{c.actions_on_trigger});
  set(write.has_actions_on_resolve, "actions_on_resolve", JsonText{c.actions_on_resolve});
  params.emplace_back(id);
  PC_ASSIGN_OR_RETURN(std::int64_t changed,
                      tx_.exec("UPDATE automation SET " + sets + " WHERE id = ?", params));
  if (changed == 0) {
    return false;
  }
  PC_RETURN_IF_ERROR(sync_related(id, write.selected_deployment_ids, now));
  return true;
}

Result<bool> AutomationRepository::set_enabled(const std::string& id, bool enabled, Timestamp now) {
  PC_ASSIGN_OR_RETURN(std::int64_t changed,
                      tx_.exec("UPDATE automation SET enabled = ?, updated = ? WHERE id = ?",
                               {flag(enabled), core::format_storage_time(now), id}));
  return changed > 0;
}

Status AutomationRepository::delete_rows(const std::string& id) {
  // upstream delete_automation: children first, in one order, so concurrent deletes of
  // several automations cannot deadlock.
  for (std::string_view table :
       {"automation_bucket", "automation_related_resource", "composite_trigger_child_firing"}) {
    PC_RETURN_IF_ERROR(
        tx_.exec(fmt::format("DELETE FROM {} WHERE automation_id = ?", table), {id}));
  }
  return tx_.exec("DELETE FROM automation WHERE id = ?", {id}).status();
}

Result<bool> AutomationRepository::remove(const std::string& id) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT id FROM automation WHERE id = ?", {id}));
  if (rows.empty()) {
    return false;
  }
  PC_RETURN_IF_ERROR(delete_rows(id));
  return true;
}

Result<std::vector<schemas::Automation>> AutomationRepository::list(const SqlCondition& filter,
                                                                    AutomationSort sort,
                                                                    std::int64_t limit,
                                                                    std::int64_t offset) {
  std::vector<SqlValue> params = filter.params;
  params.emplace_back(limit);
  params.emplace_back(offset);
  return select(filter.sql.empty() ? std::string("1=1") : filter.sql, params,
                fmt::format(" ORDER BY {} LIMIT ? OFFSET ?", order_by(sort)));
}

Result<std::int64_t> AutomationRepository::count() {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT COUNT(*) FROM automation", {}));
  return rows.empty() ? 0 : rows.front().int64(0);
}

Result<std::vector<schemas::Automation>> AutomationRepository::related_to(
    const std::string& resource_id) {
  return select(
      "automation.id IN (SELECT automation_id FROM automation_related_resource WHERE "
      "resource_id = ?)",
      {resource_id}, " ORDER BY automation.created, automation.id");
}

Result<std::vector<std::string>> AutomationRepository::delete_owned_by(
    const std::string& resource_id, Timestamp created_before) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query("SELECT automation.id FROM automation JOIN automation_related_resource r ON "
                "r.automation_id = automation.id WHERE r.resource_id = ? AND "
                "r.automation_owned_by_resource = 1 AND automation.created <= ? "
                "ORDER BY automation.id",
                {resource_id, core::format_storage_time(created_before)}));
  std::vector<std::string> ids;
  for (const Row& row : rows) {
    ids.push_back(row.text(0));
    PC_RETURN_IF_ERROR(delete_rows(ids.back()));
  }
  return ids;
}

Result<bool> AutomationRepository::deployment_exists(const std::string& id) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT 1 FROM deployment WHERE id = ?", {id}));
  return !rows.empty();
}

}  // namespace prefectcore::models
