#pragma once

// Flows (upstream models/flows.py) over the Database interface.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/models/filters.h"
#include "lib/schemas/flow.h"

namespace prefectcore::models {

// The filters a flows list/count request may combine (FlowFilter plus related objects).
struct FlowFilters {
  SqlCondition flows;
  SqlCondition flow_runs;
  SqlCondition task_runs;
  SqlCondition deployments;
  SqlCondition work_pools;
};

enum class FlowSort { kCreatedDesc, kUpdatedDesc, kNameAsc, kNameDesc };

class FlowRepository {
 public:
  explicit FlowRepository(Transaction& tx) : tx_(tx) {}

  // Inserts the flow unless one with the same name exists (upstream upsert on name).
  // Returns the stored flow and whether it was created.
  Result<std::pair<schemas::Flow, bool>> create(const schemas::FlowCreate& flow,
                                                const std::string& new_id, Timestamp now);
  // kNotFound "Flow not found".
  Result<schemas::Flow> get(const std::string& id);
  Result<schemas::Flow> get_by_name(const std::string& name);
  // false when no flow has `id`.
  Result<bool> update(const std::string& id, const schemas::FlowUpdate& update, Timestamp now);
  // false when no flow has `id`. Deployments and flow runs go with it (FK cascade).
  Result<bool> remove(const std::string& id);
  Result<std::vector<schemas::Flow>> list(const FlowFilters& filters, FlowSort sort,
                                          std::int64_t limit, std::int64_t offset);
  Result<std::int64_t> count(const FlowFilters& filters);
  // Deletes up to `limit` flows matching `filter`; returns their ids.
  Result<std::vector<std::string>> bulk_delete(const SqlCondition& filter, std::int64_t limit);

 private:
  Result<std::vector<schemas::Flow>> select(std::string_view where_sql,
                                            const std::vector<SqlValue>& params,
                                            std::string_view tail);
  Transaction& tx_;
};

// The WHERE clause (over `flow`) for a FlowFilters: related filters become EXISTS
// subqueries as upstream's read_flows builds them.
SqlCondition flow_where(const FlowFilters& filters);

}  // namespace prefectcore::models
