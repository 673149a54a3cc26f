#pragma once

// Replaying the real client's traces (../shared/reference/traces): load records, map the
// recorded ids to ours, send a record through the Server and compare status and shape.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lib/core/json.h"
#include "tests/api/flow_runs_support.h"

namespace prefectcore::testing {

// The records of one trace file by sequence number, as compact JSON text. WebSocket frames
// share their upgrade's sequence number and are not kept here (see load_frames).
std::map<std::int64_t, std::string> load_trace(const std::string& name);
// Every record of one trace file in order, frames included, as compact JSON text.
std::vector<std::string> load_records(const std::string& name);

std::string replace_all(std::string s, const std::map<std::string, std::string>& ids);

// Records where `actual` differs from `expected` in keys or value types.
void compare_shape(core::JsonElement expected, core::JsonElement actual, const std::string& path,
                   std::vector<std::string>& diffs);

struct Replayer {
  ApiFixture& api;
  std::map<std::int64_t, std::string> trace;
  std::map<std::string, std::string> ids;  // recorded id -> ours

  // Sends record `seq` (ids mapped) and checks status and response shape.
  HttpResponse replay(std::int64_t seq, const std::string& extra_body_members = "");
};

}  // namespace prefectcore::testing
