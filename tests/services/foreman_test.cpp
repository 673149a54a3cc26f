// The foreman: overdue workers go OFFLINE, pools without ONLINE workers and queues and
// deployments that are not polled go NOT_READY, with upstream's status events. Driven with a
// ManualClock (2026-01-01T00:00:00Z at start) through a ServiceContext whose event bus the
// test listens to.

#include "lib/services/foreman.h"

#include <algorithm>
#include <mutex>

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "lib/core/uuid.h"
#include "lib/events/bus.h"
#include "lib/events/log_record.h"
#include "tests/api/flow_runs_support.h"
#include "tests/storage/backend.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

// A foreman on the fixture's database and clock, recording what it publishes.
struct ForemanHarness {
  explicit ForemanHarness(ApiFixture& api)
      : context{api.server->settings(), api.clock, &api.database->db(), ids, bus, logs},
        foreman(context) {
    bus.subscribe([this](const std::vector<events::EventPtr>& items) {
      for (const auto& e : items) {
        published.push_back(*e);
      }
    });
  }
  void run() {
    Status s = foreman.run_once();
    REQUIRE_MESSAGE(s.ok(), s.message());
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : published) {
      out.push_back(e.event + " " + e.resource_id());
    }
    return out;
  }

  core::RandomIds ids;
  events::EventBus bus;
  events::LogBus logs;
  services::ServiceContext context;
  services::Foreman foreman;
  std::vector<events::Event> published;
};

std::string field(ApiFixture& api, const std::string& path, std::string_view key) {
  auto r = api.get(path);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return str(parse_json(r).root(), key);
}

std::string worker_status(ApiFixture& api, const std::string& pool, const std::string& worker) {
  auto r = api.post("/api/work_pools/" + pool + "/workers/filter", "{}");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  for (auto w : items(doc.root())) {
    if (str(w, "name") == worker) {
      return str(w, "status");
    }
  }
  FAIL("no worker " << worker);
  return {};
}

std::string make_pool(ApiFixture& api, const std::string& name) {
  auto r = api.post("/api/work_pools/", R"({"name":")" + name + R"(","type":"process"})");
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return json_string(r, "id");
}

void heartbeat(ApiFixture& api, const std::string& pool, const std::string& body) {
  auto r = api.post("/api/work_pools/" + pool + "/workers/heartbeat", body);
  REQUIRE_MESSAGE(r.status == 204, r.body);
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("the foreman marks silent workers offline and their pool not ready") {
  ApiFixture api;
  ForemanHarness h(api);
  const std::string pool_id = make_pool(api, "pool");
  heartbeat(api, "pool", R"({"name":"w","heartbeat_interval_seconds":10})");
  REQUIRE(field(api, "/api/work_pools/pool", "status") == "READY");
  // A worker without an interval uses fallback_heartbeat_interval_seconds (30 s).
  make_pool(api, "other");
  heartbeat(api, "other", R"({"name":"w2"})");

  api.clock.advance(std::chrono::seconds(29));  // 3 x 10 s not yet exceeded
  h.run();
  CHECK(worker_status(api, "pool", "w") == "ONLINE");
  CHECK(field(api, "/api/work_pools/pool", "status") == "READY");

  api.clock.advance(std::chrono::seconds(2));
  h.run();
  CHECK(worker_status(api, "pool", "w") == "OFFLINE");
  CHECK(field(api, "/api/work_pools/pool", "status") == "NOT_READY");
  CHECK(worker_status(api, "other", "w2") == "ONLINE");
  CHECK(field(api, "/api/work_pools/other", "status") == "READY");
  CHECK(h.names() ==
        std::vector<std::string>{"prefect.work-pool.not-ready prefect.work-pool." + pool_id});

  // A second pass changes nothing and emits nothing.
  h.run();
  CHECK(h.published.size() == 1);

  api.clock.advance(std::chrono::seconds(60));  // w2: 91 s > 3 x 30 s
  h.run();
  CHECK(worker_status(api, "other", "w2") == "OFFLINE");
  CHECK(field(api, "/api/work_pools/other", "status") == "NOT_READY");
  CHECK(h.published.size() == 2);
}

TEST_CASE("the foreman marks unpolled work queues and deployments not ready") {
  ApiFixture api;
  ForemanHarness h(api);
  make_pool(api, "pool");
  const std::string flow = make_flow(api, "f");
  auto dep = api.post("/api/deployments/",
                      R"({"name":"d","flow_id":")" + flow + R"(","work_pool_name":"pool"})");
  REQUIRE_MESSAGE(dep.status == 201, dep.body);
  const std::string dep_id = json_string(dep, "id");
  const std::string queue_id = field(api, "/api/work_pools/pool/queues/default", "id");

  // A poll marks the pool's queues and their deployments READY.
  auto poll = api.post("/api/work_pools/pool/get_scheduled_flow_runs", "{}");
  REQUIRE_MESSAGE(poll.status == 200, poll.body);
  REQUIRE(field(api, "/api/work_pools/pool/queues/default", "status") == "READY");
  REQUIRE(field(api, "/api/deployments/" + dep_id, "status") == "READY");

  api.clock.advance(std::chrono::seconds(59));
  h.run();
  CHECK(field(api, "/api/work_pools/pool/queues/default", "status") == "READY");
  CHECK(field(api, "/api/deployments/" + dep_id, "status") == "READY");

  api.clock.advance(std::chrono::seconds(2));
  h.run();
  CHECK(field(api, "/api/work_pools/pool/queues/default", "status") == "NOT_READY");
  CHECK(field(api, "/api/deployments/" + dep_id, "status") == "NOT_READY");
  auto names = h.names();
  CHECK(contains(names, "prefect.deployment.not-ready prefect.deployment." + dep_id));
  CHECK(contains(names, "prefect.work-queue.not-ready prefect.work-queue." + queue_id));

  // Nothing more to do on the next pass.
  const auto count = h.published.size();
  h.run();
  CHECK(h.published.size() == count);
}

TEST_CASE("a deployment whose queue was polled recently stays ready") {
  ApiFixture api;
  ForemanHarness h(api);
  make_pool(api, "pool");
  const std::string flow = make_flow(api, "f");
  auto dep = api.post("/api/deployments/",
                      R"({"name":"d","flow_id":")" + flow + R"(","work_pool_name":"pool"})");
  REQUIRE_MESSAGE(dep.status == 201, dep.body);
  const std::string dep_id = json_string(dep, "id");
  auto poll = api.post("/api/work_pools/pool/get_scheduled_flow_runs", "{}");
  REQUIRE(poll.status == 200);
  api.clock.advance(std::chrono::seconds(61));
  // The queue is polled again without the deployment being touched.
  exec_sql(api, "UPDATE work_queue SET last_polled = ?",
           {core::format_storage_time(api.clock.now())});
  h.run();
  CHECK(field(api, "/api/deployments/" + dep_id, "status") == "READY");
}
