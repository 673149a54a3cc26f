#include "lib/api/parameter_hydration.h"

#include "lib/models/variables.h"
#include "lib/schemas/parameter_hydration.h"

namespace prefectcore::api {

Status hydrate_parameters(Transaction& tx, std::string& parameters, std::string_view error_prefix) {
  // Upstream reads every variable up front; looking them up on demand gives the same values
  // within this transaction without reading the table for parameters that name none.
  models::VariableRepository variables(tx);
  auto lookup = [&](const std::string& name) -> Result<std::optional<std::string>> {
    auto found = variables.get_by_name(name);
    if (!found) {
      if (found.error().code() == ErrorCode::kNotFound) {
        return std::optional<std::string>();
      }
      return found.error();
    }
    return std::optional<std::string>(std::move(found->value));
  };
  PC_ASSIGN_OR_RETURN(parameters, schemas::hydrate_parameters(parameters, lookup, error_prefix));
  return {};
}

Status hydrate_parameters(Transaction& tx, std::optional<std::string>& parameters,
                          std::string_view error_prefix) {
  return parameters ? hydrate_parameters(tx, *parameters, error_prefix) : Status{};
}

}  // namespace prefectcore::api
