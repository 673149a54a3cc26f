#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prefectcore/settings.h>

#include "lib/core/internal.h"

namespace prefectcore::core {

// Applies every environment variable of the parity table to `s`: for each setting the
// canonical PREFECT_SERVER_* name, else the first legacy alias that is set (upstream's
// AliasChoices order). kInvalidArgument names the variable and the bad value.
Status apply_settings_table(Settings& s, const Settings::EnvLookup& env);

// (environment variable, value) for every setting; secrets obfuscated.
std::vector<std::pair<std::string, std::string>> describe_settings_table(const Settings& s);

// The settings as upstream's nested model dump ({"home": ..., "server": {"api": {...}, ...},
// "testing": {...}}), for GET /admin/settings: upstream key names, timedeltas as ISO 8601
// durations, secrets as "**********" (or null when unset).
std::string settings_to_json(const Settings& s);

}  // namespace prefectcore::core
