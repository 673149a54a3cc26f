#pragma once

// A log line as published on the in-process log bus after it was stored (for WS /logs/out).

#include <optional>
#include <string>

#include <prefectcore/clock.h>

#include "lib/core/internal.h"
#include "lib/events/bus.h"

namespace prefectcore::events {

struct LogRecord {
  std::string json;  // the stored Log as upstream returns it
  std::string name;
  int level = 0;
  std::optional<std::string> flow_run_id;
  std::optional<std::string> task_run_id;
  Timestamp timestamp{};
};

using LogBus = Broadcast<LogRecord>;

}  // namespace prefectcore::events
