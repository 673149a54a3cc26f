#pragma once

// Logs (upstream schemas/core.py Log, schemas/actions.py LogCreate).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"

namespace prefectcore::schemas {

struct Log {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::string name;
  std::int64_t level = 0;
  std::string message;
  Timestamp timestamp;
  std::optional<std::string> flow_run_id;
  std::optional<std::string> task_run_id;
};

// LogCreate (extra="forbid").
struct LogCreate {
  std::string name;
  std::int64_t level = 0;
  std::string message;
  Timestamp timestamp;
  std::optional<std::string> flow_run_id;
  std::optional<std::string> task_run_id;
};

void write_log(core::JsonWriter& w, const Log& log);

// The body of POST /logs/: a JSON array of LogCreate; every item is validated and all
// problems are reported (loc ["body", index, field]).
Result<std::vector<LogCreate>> decode_log_creates(core::JsonElement value, const core::Loc& loc);

}  // namespace prefectcore::schemas
