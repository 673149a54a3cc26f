#pragma once

// Deployment parameter hydration (schemas/parameter_hydration.h) with workspace variables
// read from the request's transaction, as upstream's HydrationContext.build does.

#include <optional>
#include <string>
#include <string_view>

#include <prefectcore/database.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"

namespace prefectcore::api {

// Replaces `parameters` (a JSON object) by its hydrated form; kBadRequest (400 {"detail"})
// `error_prefix` + upstream's HydrationError message on failure.
Status hydrate_parameters(Transaction& tx, std::string& parameters, std::string_view error_prefix);
// The same for optional parameters (PATCH): nothing to do when absent.
Status hydrate_parameters(Transaction& tx, std::optional<std::string>& parameters,
                          std::string_view error_prefix);

}  // namespace prefectcore::api
