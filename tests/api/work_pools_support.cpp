#include "tests/api/work_pools_support.h"

#include <doctest/doctest.h>

using namespace prefectcore;

namespace prefectcore::testing {

std::string create_pool(ApiFixture& api, const std::string& name, const std::string& extra) {
  auto r =
      api.post("/api/work_pools/", R"({"name":")" + name + R"(","type":"process")" + extra + "}");
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return r.body;
}

std::string create_queue(ApiFixture& api, const std::string& pool, const std::string& body) {
  auto r = api.post("/api/work_pools/" + pool + "/queues", body);
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return json_string(r, "id");
}

std::string scheduled_run(ApiFixture& api, const std::string& flow_id, const std::string& pool,
                          const std::string& queue, const std::string& when,
                          const std::string& extra) {
  return make_run(api, flow_id,
                  R"("work_pool_name":")" + pool + R"(","work_queue_name":")" + queue +
                      R"(","state":{"type":"SCHEDULED","state_details":{"scheduled_time":")" +
                      when + R"("}})" + extra);
}

void set_state_type(ApiFixture& api, const std::string& run_id, const std::string& type) {
  exec_sql(api, "UPDATE flow_run SET state_type = ? WHERE id = ?", {type, run_id});
}

std::vector<std::string> stored_events(ApiFixture& api) {
  REQUIRE(api.server->run_service_once("event_persister").ok());
  auto tx = api.server->database()->begin(TxMode::kRead);
  REQUIRE(tx.has_value());
  auto rows = (*tx)->query("SELECT event FROM events ORDER BY occurred, recorded, id");
  REQUIRE(rows.has_value());
  std::vector<std::string> out;
  for (const Row& row : *rows) {
    out.push_back(row.text(0));
  }
  return out;
}

std::vector<std::string> polled_run_ids(const HttpResponse& response) {
  auto doc = parse_json(response);
  std::vector<std::string> ids;
  for (auto item : items(doc.root())) {
    ids.push_back(str(member(item, "flow_run"), "id"));
  }
  return ids;
}

}  // namespace prefectcore::testing
