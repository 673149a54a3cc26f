// VariableFilter (upstream schemas/filters.py) as a spec table.

#include "lib/models/variables.h"

namespace prefectcore::models {

const FilterSpec& variable_filter_spec() {
  static const FilterSpec spec{
      "VariableFilter",
      {
          {"id", "variable.id", ValueKind::kUuid, {{"any_"}}},
          {"name", "variable.name", ValueKind::kString, {{"any_"}, {"like_"}}},
          {"tags", "variable.tags", ValueKind::kString, {{"all_"}, {"is_null_"}}, true, true},
      }};
  return spec;
}

}  // namespace prefectcore::models
