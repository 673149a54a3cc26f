// Orchestration races through the API: the database, not process-local state, serialises
// transitions of one run.

#include <atomic>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "tests/api/flow_runs_support.h"

using namespace prefectcore;
using namespace prefectcore::testing;

TEST_CASE("workers racing to submit the same scheduled run get exactly one ACCEPT") {
  ApiFixture api;
  const std::string run = make_run(api, make_flow(api, "f"), R"("state":{"type":"SCHEDULED"})");
  constexpr int kWorkers = 4;
  std::atomic<int> accepted{0};
  std::atomic<int> created{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  workers.reserve(kWorkers);
  for (int i = 0; i < kWorkers; ++i) {
    workers.emplace_back([&] {
      auto r = api.post("/api/flow_runs/" + run + "/set_state",
                        R"({"state":{"type":"PENDING"},"force":false})");
      // A busy database is a retryable 503; every other answer is an orchestration result.
      if (r.status == 503) {
        return;
      }
      if (r.status != 200 && r.status != 201) {
        failures.fetch_add(1);
        return;
      }
      created.fetch_add(r.status == 201 ? 1 : 0);
      accepted.fetch_add(r.body.find(R"("status":"ACCEPT")") != std::string::npos ? 1 : 0);
    });
  }
  for (auto& t : workers) {
    t.join();
  }
  CHECK(failures.load() == 0);
  CHECK(accepted.load() == 1);
  CHECK(created.load() == 1);
  auto states = parse_json(api.get("/api/flow_run_states/?flow_run_id=" + run));
  CHECK(items(states.root()).size() == 2);
}
