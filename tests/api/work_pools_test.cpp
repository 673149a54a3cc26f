// /api/work_pools/*: pools, queues, workers and their status rules (upstream api/workers.py,
// models/workers.py).

#include <algorithm>

#include <doctest/doctest.h>

#include "tests/api/work_pools_support.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

bool has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string pool_status(ApiFixture& api, const std::string& name) {
  auto r = api.get("/api/work_pools/" + name);
  REQUIRE(r.status == 200);
  return json_string(r, "status");
}

}  // namespace

TEST_CASE("a new work pool gets a default queue at priority 1 and starts NOT_READY") {
  ApiFixture api;
  auto doc = core::JsonDocument::parse(create_pool(api, "pool-a", R"(,"concurrency_limit":2)"));
  REQUIRE(doc.has_value());
  auto pool = doc->root();
  CHECK(str(pool, "status") == "NOT_READY");
  CHECK(int64(pool, "active_slots") == 0);
  CHECK(member(member(pool, "storage_configuration"), "default_result_storage_block_id").is_null());

  auto q = api.post("/api/work_pools/pool-a/queues/filter", "");
  REQUIRE(q.status == 200);
  auto queues = parse_json(q);
  auto list = items(queues.root());
  REQUIRE(list.size() == 1);
  CHECK(str(list[0], "name") == "default");
  CHECK(int64(list[0], "priority") == 1);
  CHECK(str(list[0], "id") == str(pool, "default_queue_id"));
  CHECK(str(list[0], "work_pool_name") == "pool-a");
  CHECK(str(list[0], "description") == "The work pool's default queue.");

  auto again = api.post("/api/work_pools/", R"({"name":"pool-a","type":"process"})");
  CHECK(again.status == 409);
  CHECK(json_string(again, "detail") == "A work pool with this name already exists.");
  auto events = stored_events(api);
  CHECK(has(events, "prefect.work-pool.created"));
  CHECK(has(events, "prefect.work-pool.not-ready"));
  CHECK(has(events, "prefect.work-queue.created"));
}

TEST_CASE("work pool names, templates and bodies are validated as upstream does") {
  ApiFixture api;
  auto reserved = api.post("/api/work_pools/", R"({"name":"Prefect-managed"})");
  CHECK(reserved.status == 403);
  auto missing = api.get("/api/work_pools/nope");
  CHECK(missing.status == 404);
  CHECK(json_string(missing, "detail") == "Work pool \"nope\" not found.");
  auto extra = api.post("/api/work_pools/", R"({"name":"x","colour":"red"})");
  CHECK(extra.status == 422);
  auto blank = api.post("/api/work_pools/", R"({"name":"  "})");
  CHECK(blank.status == 422);
  auto undeclared =
      api.post("/api/work_pools/",
               R"({"name":"t","base_job_template":{"job_configuration":{"command":"{{ cmd }}"},)"
               R"("variables":{"properties":{"other":{}}}}})");
  REQUIRE(undeclared.status == 422);
  CHECK(undeclared.body.find("undeclared variable(s): cmd") != std::string::npos);
  auto half = api.post("/api/work_pools/",
                       R"({"name":"t","base_job_template":{"job_configuration":{"a":1}}})");
  CHECK(half.status == 422);
  auto ok =
      api.post("/api/work_pools/",
               R"({"name":"t","base_job_template":{"job_configuration":{"command":"{{ cmd }}"},)"
               R"("variables":{"properties":{"cmd":{}}}}})");
  CHECK(ok.status == 201);
  auto negative = api.post("/api/work_pools/", R"({"name":"n","concurrency_limit":-1})");
  CHECK(negative.status == 422);
}

TEST_CASE("pausing a pool sets PAUSED; unpausing gives READY only with an ONLINE worker") {
  ApiFixture api;
  create_pool(api, "p");
  CHECK(api.call("PATCH", "/api/work_pools/p", R"({"is_paused":true})").status == 204);
  CHECK(pool_status(api, "p") == "PAUSED");
  CHECK(api.call("PATCH", "/api/work_pools/p", R"({"is_paused":false})").status == 204);
  CHECK(pool_status(api, "p") == "NOT_READY");

  auto hb = api.post("/api/work_pools/p/workers/heartbeat",
                     R"({"name":"w1","heartbeat_interval_seconds":30,"return_id":true})");
  CHECK(hb.status == 204);
  CHECK(pool_status(api, "p") == "READY");
  CHECK(api.call("PATCH", "/api/work_pools/p", R"({"is_paused":true})").status == 204);
  CHECK(api.call("PATCH", "/api/work_pools/p", R"({"is_paused":false})").status == 204);
  CHECK(pool_status(api, "p") == "READY");
  CHECK(api.call("PATCH", "/api/work_pools/p", R"({"description":"d","concurrency_limit":3})")
            .status == 204);
  auto read = api.get("/api/work_pools/p");
  CHECK(json_string(read, "description") == "d");
  CHECK(int64(parse_json(read).root(), "active_slots") == 0);
  auto events = stored_events(api);
  CHECK(has(events, "prefect.work-pool.paused"));
  CHECK(has(events, "prefect.work-pool.ready"));
  CHECK(has(events, "prefect.work-pool.updated"));
  CHECK(api.call("PATCH", "/api/work_pools/missing", R"({"is_paused":true})").status == 404);
  CHECK(api.call("PATCH", "/api/work_pools/p", R"({"bogus":1})").status == 422);
}

TEST_CASE("heartbeats upsert ONLINE workers; workers are filtered and deleted per pool") {
  ApiFixture api;
  create_pool(api, "p");
  REQUIRE(api.post("/api/work_pools/p/workers/heartbeat", R"({"name":"w1"})").status == 204);
  api.clock.advance(std::chrono::seconds(5));
  REQUIRE(api.post("/api/work_pools/p/workers/heartbeat",
                   R"({"name":"w2","heartbeat_interval_seconds":10})")
              .status == 204);
  REQUIRE(api.post("/api/work_pools/p/workers/heartbeat", R"({"name":"w2"})").status == 204);
  auto r = api.post("/api/work_pools/p/workers/filter",
                    R"({"workers":{"status":{"any_":["ONLINE"]}},"offset":null,"limit":null})");
  REQUIRE(r.status == 200);
  auto doc = parse_json(r);
  auto workers = items(doc.root());
  REQUIRE(workers.size() == 2);
  CHECK(str(workers[0], "name") == "w2");                        // most recent heartbeat first
  CHECK(int64(workers[0], "heartbeat_interval_seconds") == 10);  // kept when not resent
  CHECK(str(workers[0], "status") == "ONLINE");
  auto none = api.post("/api/work_pools/p/workers/filter",
                       R"({"workers":{"status":{"any_":["OFFLINE"]}}})");
  CHECK(items(parse_json(none).root()).empty());
  CHECK(api.post("/api/work_pools/p/workers/heartbeat", "{}").status == 422);
  CHECK(api.post("/api/work_pools/zz/workers/heartbeat", R"({"name":"w"})").status == 404);
  CHECK(api.call("DELETE", "/api/work_pools/p/workers/w1").status == 204);
  auto gone = api.call("DELETE", "/api/work_pools/p/workers/w1");
  CHECK(gone.status == 404);
  CHECK(json_string(gone, "detail") == "Worker not found.");
}

TEST_CASE("queue priorities stay unique: an inserted priority shifts the queues below it") {
  ApiFixture api;
  create_pool(api, "p");
  const auto a = create_queue(api, "p", R"({"name":"a"})");  // takes 2
  const auto b = create_queue(api, "p", R"({"name":"b","priority":1})");
  auto list = api.post("/api/work_pools/p/queues/filter", "{}");
  auto doc = parse_json(list);
  std::vector<std::pair<std::string, std::int64_t>> got;
  for (auto q : items(doc.root())) {
    got.emplace_back(str(q, "name"), int64(q, "priority"));
  }
  const std::vector<std::pair<std::string, std::int64_t>> want = {
      {"b", 1}, {"default", 2}, {"a", 3}};
  CHECK(got == want);
  CHECK(api.call("PATCH", "/api/work_pools/p/queues/a", R"({"priority":1})").status == 204);
  auto a_read = api.get("/api/work_pools/p/queues/a");
  CHECK(int64(parse_json(a_read).root(), "priority") == 1);
  CHECK(int64(parse_json(api.get("/api/work_pools/p/queues/b")).root(), "priority") == 2);

  auto dup = api.post("/api/work_pools/p/queues", R"({"name":"a"})");
  CHECK(dup.status == 409);
  auto def = api.call("DELETE", "/api/work_pools/p/queues/default");
  CHECK(def.status == 409);
  CHECK(api.call("DELETE", "/api/work_pools/p/queues/b").status == 204);
  auto missing = api.get("/api/work_pools/p/queues/b");
  CHECK(missing.status == 404);
  CHECK(json_string(missing, "detail") == "Work pool queue 'p/b' not found.");
  CHECK(api.post("/api/work_pools/p/queues", R"({"name":"z","priority":0})").status == 422);
  auto paused = api.call("PATCH", "/api/work_pools/p/queues/a", R"({"is_paused":true})");
  CHECK(paused.status == 204);
  CHECK(json_string(api.get("/api/work_pools/p/queues/a"), "status") == "PAUSED");
  auto events = stored_events(api);
  CHECK(has(events, "prefect.work-queue.paused"));
  CHECK(has(events, "prefect.work-queue.deleted"));
  CHECK(has(events, "prefect.work-queue.updated"));
}

TEST_CASE("filtering and counting work pools; deleting one removes its queues") {
  ApiFixture api;
  create_pool(api, "b-pool");
  create_pool(api, "a-pool");
  auto all = api.post("/api/work_pools/filter", "{}");
  auto names = strings_of(all, "name");
  CHECK(names == std::vector<std::string>{"a-pool", "b-pool"});
  auto one = api.post("/api/work_pools/filter", R"({"work_pools":{"name":{"any_":["b-pool"]}}})");
  CHECK(strings_of(one, "name") == std::vector<std::string>{"b-pool"});
  CHECK(api.post("/api/work_pools/count", "{}").body == "2");
  CHECK(api.post("/api/work_pools/filter", R"({"limit":201})").status == 422);
  CHECK(api.post("/api/work_pools/filter", R"({"work_pools":{"nope":1}})").status == 422);
  CHECK(api.call("DELETE", "/api/work_pools/a-pool").status == 204);
  CHECK(api.call("DELETE", "/api/work_pools/a-pool").status == 404);
  CHECK(api.call("DELETE", "/api/work_pools/prefect-x").status == 403);
  CHECK(api.post("/api/work_pools/count", "{}").body == "1");
  auto events = stored_events(api);
  CHECK(has(events, "prefect.work-pool.deleted"));
}

TEST_CASE("renaming a queue onto another queue of its pool is 409 through either router") {
  ApiFixture api;
  create_pool(api, "p");
  auto a = api.post("/api/work_pools/p/queues/", R"({"name":"a"})");
  REQUIRE(a.status == 201);
  REQUIRE(api.post("/api/work_pools/p/queues/", R"({"name":"b"})").status == 201);
  const std::string a_id = json_string(a, "id");

  CHECK(api.call("PATCH", "/api/work_pools/p/queues/a", R"({"name":"b"})").status == 409);
  CHECK(api.call("PATCH", "/api/work_queues/" + a_id, R"({"name":"b"})").status == 409);
  CHECK(api.get("/api/work_pools/p/queues/a").status == 200);  // unchanged

  CHECK(api.call("PATCH", "/api/work_queues/" + a_id, R"({"name":"c"})").status == 204);
  auto c = api.get("/api/work_pools/p/queues/c");
  REQUIRE(c.status == 200);
  CHECK(json_string(c, "id") == a_id);
  CHECK(api.call("PATCH", "/api/work_pools/p/queues/c", R"({"name":"a"})").status == 204);

  CHECK(api.call("DELETE", "/api/work_queues/" + a_id).status == 204);
  CHECK(api.get("/api/work_queues/" + a_id).status == 404);
  CHECK(api.call("DELETE", "/api/work_pools/p/queues/b").status == 204);
  CHECK(api.get("/api/work_pools/p/queues/b").status == 404);
}
