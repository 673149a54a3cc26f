#pragma once

// The upstream filter grammar (inventory §7.5), compiled to SQL. Each filter kind is a
// spec table (filter_specs.cpp) naming its fields, the operators each accepts, the value
// type and the SQL column; the compiler validates a request's filter object against the
// spec (unknown keys are 422 `extra_forbidden`, as pydantic's extra="forbid") and emits a
// parameterised condition. Request values are only ever bound, never spliced.

#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"

namespace prefectcore::models {

enum class ValueKind { kString, kUuid, kTime, kInt, kBool, kStateType };

// One operator a field accepts. `sql` overrides the default translation: "{col}" is the
// field's column and "{values}" the bound list or value; for boolean operators `sql` is
// used for true and `sql_false` for false.
struct OpSpec {
  std::string_view op;
  std::string_view sql = {};
  std::string_view sql_false = {};
  std::string_view column = {};  // overrides the field column for this operator
};

struct FilterSpec;

struct FieldSpec {
  std::string_view name;
  // SQL expression; "json:table.column:key" extracts a top-level JSON key.
  std::string_view column;
  ValueKind kind = ValueKind::kString;
  std::vector<OpSpec> ops;
  bool has_operator = false;           // accepts "operator": "and_" | "or_"
  bool json_array = false;             // the column holds a JSON array (tags): all_/any_/is_null_
  const FilterSpec* nested = nullptr;  // a nested filter object (FlowRunFilter.state)
};

struct FilterSpec {
  std::string_view name;  // "FlowFilter"
  std::vector<FieldSpec> fields;
};

// The filter kinds of the API.
const FilterSpec& flow_filter_spec();
const FilterSpec& flow_run_filter_spec();
const FilterSpec& task_run_filter_spec();
const FilterSpec& deployment_filter_spec();
const FilterSpec& work_pool_filter_spec();
const FilterSpec& work_queue_filter_spec();

// A compiled condition: SQL text with `?` placeholders and its parameters, in order.
struct SqlCondition {
  std::string sql;  // "1=1" when the filter sets nothing
  std::vector<SqlValue> params;

  bool empty() const { return sql.empty() || sql == "1=1"; }
  // Appends `AND (other)` (or sets it when empty).
  void and_with(SqlCondition other);
};

// Compiles `value` (a filter object, or null for "no filter") against `spec`. `loc` is the
// location of the object in the request (for 422 details). kInvalidArgument on bad input.
Result<SqlCondition> compile_filter(const FilterSpec& spec, core::JsonElement value,
                                    const core::Loc& loc, const Dialect& dialect);

}  // namespace prefectcore::models
