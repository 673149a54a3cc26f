#pragma once

// Migration 0006: drops three indexes of upstream's schema that another index already
// covers on both backends.

#include <string_view>
#include <vector>

#include "lib/core/internal.h"

namespace prefectcore::models::schema {

// ix_events__occurred and ix_events__event_occurred are prefixes of ix_events__occurred_id
// and ix_events__event_occurred_id; ix_flow_run__coalesce_start_time_expected_start_time_desc
// repeats the _asc index, which SQLite and PostgreSQL both scan backwards for DESC. Each
// cost a b-tree insert per stored event or an entry rewrite per flow-run transition.
std::vector<std::string_view> drop_redundant_indexes();

}  // namespace prefectcore::models::schema
