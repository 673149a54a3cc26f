// AutomationFilter (upstream events/filters.py) as a spec table.

#include "lib/models/automations.h"

namespace prefectcore::models {

const FilterSpec& automation_filter_spec() {
  static const FilterSpec spec{
      "AutomationFilter",
      {
          {"name", "automation.name", ValueKind::kString, {{"any_"}}},
          {"created", "automation.created", ValueKind::kTime, {{"before_"}}},
          {"tags",
           "automation.tags",
           ValueKind::kString,
           {{"all_"}, {"any_"}, {"is_null_"}},
           true,
           true},
      }};
  return spec;
}

}  // namespace prefectcore::models
