// Benchmark scenarios. A scenario is a per-connection state machine: the runner asks it for
// the next request, passing the response to the previous one, so multi-request flows (create
// a flow run, then move it through states using the id from the first response) are a few
// lines each. Each connection gets its own Scenario object, so scenarios are thread-bound and
// need no locking.
//
// Adding a scenario: write a class with next(), add one line to the table in scenarios.cpp.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "http.h"

namespace prefectcore::bench {

class Scenario {
 public:
  virtual ~Scenario() = default;

  // Returns the next request to send on this connection. `previous` is null for the first
  // request (and after a reconnect caused by an error, when the previous response is lost);
  // otherwise it is the response to the request this scenario returned last time. Scenarios
  // must cope with any status (the server may be broken) by restarting their flow.
  virtual Request next(const Response* previous) = 0;

  // Number of completed iterations (one pass through the flow); the runner reports it
  // alongside the request count. For single-request scenarios it equals the requests.
  uint64_t iterations() const { return iterations_; }

 protected:
  void finish_iteration() { ++iterations_; }

 private:
  uint64_t iterations_ = 0;
};

struct ScenarioInfo {
  std::string_view name;
  std::string_view description;
  // `connection` is the connection's index (0..N-1); scenarios use it to keep names unique.
  std::unique_ptr<Scenario> (*make)(int connection);
};

// All scenarios, in the order --help lists them.
std::span<const ScenarioInfo> all_scenarios();

// The scenario named `name`, or null.
const ScenarioInfo* find_scenario(std::string_view name);

// Reads the top-level string field `key` of a JSON object body ("id" of a created object).
// Returns nullopt when the body is not a JSON object or the field is absent or not a string.
std::optional<std::string> json_string_field(std::string_view body, std::string_view key);

}  // namespace prefectcore::bench
