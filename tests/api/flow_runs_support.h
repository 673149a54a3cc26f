#pragma once

// Helpers shared by the flow run API tests: seeding flows, runs and the rows other routers
// own (work pools, deployments, task runs, logs) straight into the test database.

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <prefectcore/database.h>

#include "tests/support/api_fixture.h"

namespace prefectcore::testing {

// POST /api/flows/ and the new flow's id.
std::string make_flow(ApiFixture& api, const std::string& name);
// POST /api/flow_runs/ for `flow_id` with extra body members ("\"name\":\"x\"", ...); REQUIREs
// a 201 and returns the run's id.
std::string make_run(ApiFixture& api, const std::string& flow_id, const std::string& extra = "");
// Runs one statement on the fixture's database in its own transaction; REQUIREs success.
void exec_sql(ApiFixture& api, const std::string& sql, std::initializer_list<SqlValue> params);
// A work pool `name` with a queue `queue` that is its default; returns (pool id, queue id).
std::pair<std::string, std::string> make_work_pool(ApiFixture& api, const std::string& name,
                                                   const std::string& queue);
// A deployment of `flow_id`; returns its id.
std::string make_deployment(ApiFixture& api, const std::string& flow_id, const std::string& name,
                            const std::string& labels = "{}");
// A task run of `flow_run_id` in `state_type` with `task_inputs` JSON; returns its id.
std::string make_task_run(ApiFixture& api, const std::string& flow_run_id, const std::string& name,
                          const std::string& task_inputs = "{}",
                          const std::string& state_type = "COMPLETED");
// Sends a request with extra headers through Server::handle (recorded like api.call).
HttpResponse call_with_headers(ApiFixture& api, const std::string& method, const std::string& path,
                               const std::string& body,
                               const std::vector<std::pair<std::string, std::string>>& headers);
// The string values of member `key` of each item of a JSON array response.
std::vector<std::string> strings_of(const HttpResponse& response, std::string_view key);

}  // namespace prefectcore::testing
