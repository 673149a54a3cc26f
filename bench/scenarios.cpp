#include "scenarios.h"

#include <array>
#include <chrono>
#include <ctime>
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

// A worker pool under load: each connection polls get_scheduled_flow_runs of the pool
// "bench-workers" with a 10 s prefetch window, as `prefect worker` does. When this run creates
// the pool, the connections first seed it through the API with 10,000 scheduled runs one
// second apart (slow: use a long warmup, or bench/seed_worker_poll.sh beforehand). The runs
// stay SCHEDULED, so every poll finds the same few due runs among the 10,000.
class WorkerPoll final : public Scenario {
 public:
  static constexpr int kRuns = 10'000;

  Request next(const Response* previous) override {
    if (previous != nullptr) {
      advance(*previous);
    }
    switch (step_) {
      case Step::kPool:
        return post("/api/work_pools/", R"({"name":"bench-workers","type":"process"})");
      case Step::kFlow:
        return post("/api/flows/", R"({"name":"bench-worker-flow"})");
      case Step::kSeed: {
        seeding_ = seed_wanted() ? next_seed()++ : kRuns;
        if (seeding_ >= kRuns) {
          step_ = Step::kPoll;
          return poll();
        }
        return post("/api/flow_runs/",
                    R"({"flow_id":")" + flow_id_ + R"(","work_pool_name":"bench-workers",)" +
                        R"("state":{"type":"SCHEDULED","state_details":{"scheduled_time":")" +
                        iso(seeding_) + R"("}}})");
      }
      case Step::kPoll:
        return poll();
    }
    return Request{};
  }

 private:
  enum class Step { kPool, kFlow, kSeed, kPoll };

  // Shared by the connections of the (single-threaded) client loop. Seeding happens only
  // when this run created the pool; bench/seed_worker_poll.sh seeds faster, directly.
  static bool& seed_wanted() {
    static bool wanted = false;
    return wanted;
  }
  static int& next_seed() {
    static int next = 0;
    return next;
  }

  static std::string iso(int offset_seconds) {
    using namespace std::chrono;
    const auto t = floor<seconds>(system_clock::now()) + seconds(offset_seconds);
    const std::time_t tt = system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
  }

  Request poll() {
    return post("/api/work_pools/bench-workers/get_scheduled_flow_runs",
                R"({"work_queue_names":[],"scheduled_before":")" + iso(10) + R"("})");
  }

  void advance(const Response& r) {
    switch (step_) {
      case Step::kPool:  // 201, or 409 when it exists (another connection, or the seed script)
        if (r.status == 201) {
          seed_wanted() = true;
        }
        step_ = Step::kFlow;
        return;
      case Step::kFlow:
        if (auto id = read_id(r)) {
          flow_id_ = *id;
          step_ = Step::kSeed;
        }
        return;
      case Step::kSeed:
        return;
      case Step::kPoll:
        finish_iteration();
        return;
    }
  }

  Step step_ = Step::kPool;
  std::string flow_id_;
  int seeding_ = 0;
};

// Many clients sharing one global concurrency limit ("bench-slots", 8 slots): each acquires a
// slot with a lease (increment-with-lease), then releases it (decrement-with-lease). A full
// limit answers 423 and the client asks again; an iteration is one acquire + release. Every
// acquire and release is a row-locked read-modify-write of the one limit row, so this
// measures the contended slot path.
class ConcurrencySlots final : public Scenario {
 public:
  Request next(const Response* previous) override {
    if (previous == nullptr) {
      step_ = created_ ? Step::kAcquire : Step::kCreate;
    } else {
      advance(*previous);
    }
    switch (step_) {
      case Step::kCreate:
        return post("/api/v2/concurrency_limits/", R"({"name":"bench-slots","limit":8})");
      case Step::kAcquire:
        return post("/api/v2/concurrency_limits/increment-with-lease",
                    R"({"names":["bench-slots"],"slots":1,"lease_duration":60})");
      case Step::kRelease:
        return post("/api/v2/concurrency_limits/decrement-with-lease",
                    R"({"lease_id":")" + lease_id_ + R"("})");
    }
    return Request{};
  }

 private:
  enum class Step { kCreate, kAcquire, kRelease };

  void advance(const Response& r) {
    switch (step_) {
      case Step::kCreate:
        created_ = is_2xx(r) || r.status == 409;  // another connection created it
        step_ = created_ ? Step::kAcquire : Step::kCreate;
        return;
      case Step::kAcquire: {
        auto lease = is_2xx(r) ? json_string_field(r.body, "lease_id") : std::nullopt;
        const bool uuid_like = lease && lease->size() == 36 &&
                               lease->find_first_not_of("0123456789abcdef-") == std::string::npos;
        if (uuid_like) {
          lease_id_ = *lease;
          step_ = Step::kRelease;
        }
        return;  // 423 (full) or an error: ask again
      }
      case Step::kRelease:
        finish_iteration();
        step_ = Step::kAcquire;
        return;
    }
  }

  Step step_ = Step::kCreate;
  bool created_ = false;
  std::string lease_id_;
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
    ScenarioInfo{"worker-poll",
                 "seed a pool with 10,000 scheduled runs, then poll get_scheduled_flow_runs",
                 &make<WorkerPoll>},
    ScenarioInfo{"concurrency-slots",
                 "acquire and release a lease on one 8-slot v2 limit (2 requests/iteration)",
                 &make<ConcurrencySlots>},
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
