#include "scenarios.h"

#include <array>
#include <string>

#include <simdjson.h>

namespace prefectcore::bench {
namespace {

bool is_2xx(const Response& r) { return r.status >= 200 && r.status < 300; }

// Ids go into request paths, so only UUID characters are accepted: a hostile body must not
// be able to inject CRLF or slashes into the next request line.
std::optional<std::string> read_id(const Response& r) {
  if (!is_2xx(r)) {
    return std::nullopt;
  }
  auto id = json_string_field(r.body, "id");
  if (!id || id->empty() || id->size() > 64) {
    return std::nullopt;
  }
  for (char c : *id) {
    const bool ok =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-';
    if (!ok) {
      return std::nullopt;
    }
  }
  return id;
}

Request post(std::string target, std::string body) {
  return Request{.method = "POST", .target = std::move(target), .body = std::move(body)};
}

// GET /api/health: the transport + router floor.
class Health final : public Scenario {
 public:
  Request next(const Response* previous) override {
    if (previous != nullptr) {
      finish_iteration();
    }
    return Request{.method = "GET", .target = "/api/health", .body = {}};
  }
};

// POST /api/flows/ with a fresh name each time: one insert per request.
class FlowsCreate final : public Scenario {
 public:
  explicit FlowsCreate(int connection) : connection_(connection) {}
  Request next(const Response* previous) override {
    if (previous != nullptr) {
      finish_iteration();
    }
    return post("/api/flows/", R"({"name":"bench-c)" + std::to_string(connection_) + "-" +
                                   std::to_string(seq_++) + R"("})");
  }

 private:
  int connection_;
  uint64_t seq_ = 0;
};

// POST /api/flows/filter with a page of 10, after making sure at least one flow exists.
class FlowsFilter final : public Scenario {
 public:
  explicit FlowsFilter(int connection) : connection_(connection) {}
  Request next(const Response* previous) override {
    if (previous != nullptr && seeded_) {
      finish_iteration();
    }
    if (!seeded_) {
      seeded_ = previous != nullptr && is_2xx(*previous);
      if (!seeded_) {
        return post("/api/flows/",
                    R"({"name":"bench-filter-c)" + std::to_string(connection_) + R"("})");
      }
    }
    return post("/api/flows/filter", R"({"limit":10})");
  }

 private:
  int connection_;
  bool seeded_ = false;
};

// One flow run through its life: create (PENDING), RUNNING, COMPLETED, read back. Four
// dependent requests per iteration; the run id comes from the create response. Any failure
// restarts the iteration, and a failed create re-creates the flow (it may have been deleted).
class FlowRunLifecycle final : public Scenario {
 public:
  explicit FlowRunLifecycle(int connection) : connection_(connection) {}

  Request next(const Response* previous) override {
    if (previous == nullptr) {
      step_ = flow_id_.empty() ? Step::kCreateFlow : Step::kCreateRun;
    } else {
      advance(*previous);
    }
    switch (step_) {
      case Step::kCreateFlow:
        return post("/api/flows/", R"({"name":"bench-lifecycle"})");
      case Step::kCreateRun:
        return post("/api/flow_runs/", R"({"flow_id":")" + flow_id_ + R"(","name":"bench-c)" +
                                           std::to_string(connection_) + "-" +
                                           std::to_string(seq_++) +
                                           R"(","state":{"type":"PENDING","name":"Pending"}})");
      case Step::kSetRunning:
        return post("/api/flow_runs/" + run_id_ + "/set_state",
                    R"({"state":{"type":"RUNNING","name":"Running"}})");
      case Step::kSetCompleted:
        return post("/api/flow_runs/" + run_id_ + "/set_state",
                    R"({"state":{"type":"COMPLETED","name":"Completed"}})");
      case Step::kRead:
        return Request{.method = "GET", .target = "/api/flow_runs/" + run_id_, .body = {}};
    }
    return Request{};
  }

 private:
  enum class Step { kCreateFlow, kCreateRun, kSetRunning, kSetCompleted, kRead };

  // `r` answers the request made in the current step_; choose the next step.
  void advance(const Response& r) {
    switch (step_) {
      case Step::kCreateFlow:
        if (auto id = read_id(r)) {
          flow_id_ = *id;
          step_ = Step::kCreateRun;
        }
        return;
      case Step::kCreateRun:
        if (auto id = read_id(r)) {
          run_id_ = *id;
          step_ = Step::kSetRunning;
        } else {
          step_ = Step::kCreateFlow;
        }
        return;
      case Step::kSetRunning:
        step_ = is_2xx(r) ? Step::kSetCompleted : Step::kCreateRun;
        return;
      case Step::kSetCompleted:
        step_ = is_2xx(r) ? Step::kRead : Step::kCreateRun;
        return;
      case Step::kRead:
        finish_iteration();
        step_ = Step::kCreateRun;
        return;
    }
  }

  int connection_;
  uint64_t seq_ = 0;
  Step step_ = Step::kCreateFlow;
  std::string flow_id_;
  std::string run_id_;
};

template <typename T>
std::unique_ptr<Scenario> make(int connection) {
  if constexpr (std::is_constructible_v<T, int>) {
    return std::make_unique<T>(connection);
  } else {
    return std::make_unique<T>();
  }
}

constexpr std::array kScenarios = {
    ScenarioInfo{"health", "GET /api/health", &make<Health>},
    ScenarioInfo{"flows-create", "POST /api/flows/ with a new name each request",
                 &make<FlowsCreate>},
    ScenarioInfo{"flows-filter", "POST /api/flows/filter {limit: 10} (seeds one flow first)",
                 &make<FlowsFilter>},
    ScenarioInfo{"flow-run-lifecycle",
                 "create flow run, set RUNNING, set COMPLETED, GET it (4 requests/iteration)",
                 &make<FlowRunLifecycle>},
};

}  // namespace

std::span<const ScenarioInfo> all_scenarios() { return kScenarios; }

const ScenarioInfo* find_scenario(std::string_view name) {
  for (const auto& s : kScenarios) {
    if (s.name == name) {
      return &s;
    }
  }
  return nullptr;
}

std::optional<std::string> json_string_field(std::string_view body, std::string_view key) {
  // One parser per thread: scenarios are thread-bound and parser buffers are reusable.
  thread_local simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  simdjson::ondemand::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  std::string_view value;
  if (object.find_field_unordered(key).get_string().get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return std::string(value);
}

}  // namespace prefectcore::bench
