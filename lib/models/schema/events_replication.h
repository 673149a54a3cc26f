#pragma once

#include <string_view>
#include <vector>

#include "lib/core/internal.h"

namespace prefectcore::models::schema {

// Migration 0004 (events_replication.cpp): events.replica and ix_events__recorded.
std::vector<std::string_view> events_replication();

}  // namespace prefectcore::models::schema
