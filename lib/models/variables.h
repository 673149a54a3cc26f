#pragma once

// Variables (upstream models/variables.py) over the Database interface.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/models/filters.h"
#include "lib/schemas/variable.h"

namespace prefectcore::models {

enum class VariableSort { kCreatedDesc, kUpdatedDesc, kNameDesc, kNameAsc };

// VariableFilter {id{any_}, name{any_,like_}, tags{all_,is_null_}} (variable_filter_spec.cpp).
const FilterSpec& variable_filter_spec();

class VariableRepository {
 public:
  explicit VariableRepository(Transaction& tx) : tx_(tx) {}

  // kConflict "A variable with the name 'x' already exists." when the name is taken.
  Result<schemas::Variable> create(const schemas::VariableCreate& variable,
                                   const std::string& new_id, Timestamp now);
  // kNotFound "Variable not found.".
  Result<schemas::Variable> get(const std::string& id);
  Result<schemas::Variable> get_by_name(const std::string& name);
  // false when no variable has `id`. kConflict (the generic integrity message) when the
  // update would break a constraint: a taken name, a null name or null tags.
  Result<bool> update(const std::string& id, const schemas::VariableUpdate& update, Timestamp now);
  Result<bool> update_by_name(const std::string& name, const schemas::VariableUpdate& update,
                              Timestamp now);
  // false when no variable matched.
  Result<bool> remove(const std::string& id);
  Result<bool> remove_by_name(const std::string& name);
  Result<std::vector<schemas::Variable>> list(const SqlCondition& filter, VariableSort sort,
                                              std::int64_t limit, std::int64_t offset);
  Result<std::int64_t> count(const SqlCondition& filter);

 private:
  Result<std::vector<schemas::Variable>> select(std::string_view where_sql,
                                                const std::vector<SqlValue>& params,
                                                std::string_view tail);
  Result<bool> update_where(std::string_view column, const std::string& key,
                            const schemas::VariableUpdate& update, Timestamp now);
  Transaction& tx_;
};

}  // namespace prefectcore::models
