#pragma once

// Helpers for the work pool, work queue and worker API tests.

#include <string>
#include <vector>

#include "tests/api/flow_runs_support.h"
#include "tests/support/api_fixture.h"

namespace prefectcore::testing {

// POST /api/work_pools/ {"name": name, "type": "process" + extra}; REQUIREs 201; returns the
// body.
std::string create_pool(ApiFixture& api, const std::string& name, const std::string& extra = "");
// POST a queue into `pool`; REQUIREs 201; returns the queue id.
std::string create_queue(ApiFixture& api, const std::string& pool, const std::string& body);
// A flow run in `pool`/`queue`, SCHEDULED at `when` (ISO text); returns its id.
std::string scheduled_run(ApiFixture& api, const std::string& flow_id, const std::string& pool,
                          const std::string& queue, const std::string& when,
                          const std::string& extra = "");
// Sets a run's state_type directly (slot holders for concurrency tests).
void set_state_type(ApiFixture& api, const std::string& run_id, const std::string& type);
// Persists the events published so far and returns their names, oldest first.
std::vector<std::string> stored_events(ApiFixture& api);
// The flow run ids of a get_scheduled_flow_runs answer, in order.
std::vector<std::string> polled_run_ids(const HttpResponse& response);

}  // namespace prefectcore::testing
