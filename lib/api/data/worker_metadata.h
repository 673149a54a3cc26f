#pragma once

// Bundled collection-registry views (see worker_metadata.cpp).

#include <string_view>

#include "lib/core/internal.h"

namespace prefectcore::api::data {

// The aggregate-worker-metadata view: {package: {worker type: metadata}}, as JSON text.
std::string_view aggregate_worker_metadata();

}  // namespace prefectcore::api::data
