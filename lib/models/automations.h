#pragma once

// Automations and their related resources (upstream events/models/automations.py) over the
// Database interface. Change notifications to a trigger service are not sent: there is no
// trigger evaluation service yet.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"
#include "lib/models/filters.h"
#include "lib/schemas/automation.h"

namespace prefectcore::models {

enum class AutomationSort { kCreatedDesc, kUpdatedDesc, kNameAsc, kNameDesc };

// AutomationFilter (upstream events/filters.py): name{any_}, created{before_},
// tags{all_, any_, is_null_}, with `operator`.
const FilterSpec& automation_filter_spec();

class AutomationRepository {
 public:
  // `ids` names the related-resource rows.
  AutomationRepository(Transaction& tx, core::IdGenerator& ids) : tx_(tx), ids_(ids) {}

  // Inserts the automation, relates it to the deployments its RunDeployment actions select,
  // and to `owner_resource` as owned (upstream create_automation + relate_automation_to_resource).
  Result<schemas::Automation> create(const schemas::AutomationWrite& write, const std::string& id,
                                     Timestamp now);
  // nullopt if no automation has `id`.
  Result<std::optional<schemas::Automation>> get(const std::string& id);
  // Replaces the fields the request set and re-syncs the selected-deployment relations;
  // false if no automation has `id`.
  Result<bool> replace(const std::string& id, const schemas::AutomationWrite& write, Timestamp now);
  Result<bool> set_enabled(const std::string& id, bool enabled, Timestamp now);
  // false if no automation has `id`. Buckets, relations and child firings go with it.
  Result<bool> remove(const std::string& id);
  Result<std::vector<schemas::Automation>> list(const SqlCondition& filter, AutomationSort sort,
                                                std::int64_t limit, std::int64_t offset);
  // All automations (upstream counts without a filter).
  Result<std::int64_t> count();
  Result<std::vector<schemas::Automation>> related_to(const std::string& resource_id);
  // Deletes the automations owned by `resource_id` that were created at or before
  // `created_before`; returns their ids.
  Result<std::vector<std::string>> delete_owned_by(const std::string& resource_id,
                                                   Timestamp created_before);
  // Whether a deployment with `id` exists (RunDeployment job-variable checks).
  Result<bool> deployment_exists(const std::string& id);

 private:
  Result<std::vector<schemas::Automation>> select(const std::string& where_sql,
                                                  const std::vector<SqlValue>& params,
                                                  const std::string& tail);
  Status relate(const std::string& automation_id, const std::string& resource_id, bool owned,
                Timestamp now);
  Status sync_related(const std::string& automation_id,
                      const std::vector<std::string>& deployment_ids, Timestamp now);
  Status delete_rows(const std::string& id);
  Transaction& tx_;
  core::IdGenerator& ids_;
};

}  // namespace prefectcore::models
