// Drives N keep-alive connections against one loopback target for a fixed time. Each worker
// thread owns a slice of the connections and runs a non-blocking epoll loop over them, so 32
// connections cost one client thread, not 32: on a 2-core machine the client must leave the
// server as much CPU as possible.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "histogram.h"
#include "http.h"
#include "scenarios.h"

namespace prefectcore::bench {

struct RunConfig {
  Target target;
  const ScenarioInfo* scenario = nullptr;
  int connections = 32;
  int threads = 1;
  std::chrono::milliseconds warmup{2000};
  std::chrono::milliseconds duration{10000};
  // A request without a complete response after this long counts as an error and its
  // connection is replaced.
  std::chrono::milliseconds request_timeout{10000};
  // Called on run_load's calling thread with true when the measurement window opens and
  // false when it closes, e.g. to sample the server's CPU time. May be empty.
  std::function<void(bool opening)> on_window;
};

struct RunStats {
  // Only requests sent after the warmup and answered before the end are measured.
  LatencyHistogram latency;
  uint64_t requests = 0;
  uint64_t iterations = 0;  // scenario iterations completed inside the window
  uint64_t non_2xx = 0;
  // Transport failures over the whole run, warmup included: refused or reset connections,
  // timeouts, unparseable responses. Each one replaces the connection.
  uint64_t errors = 0;
  uint64_t connects = 0;
  std::string first_error;

  void merge(const RunStats& other);
};

// Runs the load and returns the merged statistics. Stops by itself at warmup + duration;
// requests still in flight then are dropped, not counted.
RunStats run_load(const RunConfig& config);

}  // namespace prefectcore::bench
