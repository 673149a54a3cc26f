#pragma once

#include <string>
#include <utility>
#include <vector>

#include <prefectcore/settings.h>

#include "lib/core/internal.h"

namespace prefectcore::core {

// Applies every environment variable of the parity table to `s`. kInvalidArgument names
// the variable and the bad value.
Status apply_settings_table(Settings& s, const Settings::EnvLookup& env);
// (PREFECT_SERVER_* name, value) for every setting; secrets obfuscated.
std::vector<std::pair<std::string, std::string>> describe_settings_table(const Settings& s);

}  // namespace prefectcore::core
