// The v1 tag-limit API over v2 `tag:` limits, the legacy v1 rows, and the repossessor.

#include <atomic>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "tests/storage/backend.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

constexpr const char* kRun1 = "11111111-1111-4111-8111-111111111111";
constexpr const char* kRun2 = "22222222-2222-4222-8222-222222222222";

std::string slots_body(const std::string& tags, const std::string& run) {
  return R"({"names":)" + tags + R"(,"task_run_id":")" + run + R"("})";
}

std::vector<std::string> active_slots(ApiFixture& api, const std::string& tag) {
  auto r = api.get("/api/concurrency_limits/tag/" + tag);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  std::vector<std::string> out;
  for (auto e : items(member(doc.root(), "active_slots"))) {
    std::string_view s;
    REQUIRE(e.get_string().get(s) == simdjson::SUCCESS);
    out.emplace_back(s);
  }
  return out;
}

std::int64_t v2_active_slots(ApiFixture& api, const std::string& name) {
  auto r = api.get("/api/v2/concurrency_limits/" + name);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return int64(parse_json(r).root(), "active_slots");
}

// A legacy row of the v1 table, as upstream's pre-migration databases hold them.
void insert_v1_row(ApiFixture& api, const std::string& id, const std::string& tag, int limit,
                   const std::string& slots) {
  auto tx = api.database->db().begin(TxMode::kWrite);
  REQUIRE(tx.has_value());
  const std::string ts = core::format_storage_time(api.clock.now());
  REQUIRE((*tx)
              ->exec("INSERT INTO concurrency_limit (id, created, updated, tag, "
                     "concurrency_limit, active_slots) VALUES (?, ?, ?, ?, ?, ?)",
                     {id, ts, ts, tag, std::int64_t{limit}, JsonText{slots}})
              .has_value());
  REQUIRE((*tx)->commit().ok());
}

}  // namespace

TEST_CASE("creating a tag limit upserts the v2 limit tag:<tag> and answers the v1 shape") {
  ApiFixture api;
  auto created = api.post("/api/concurrency_limits/", R"({"tag":"db","concurrency_limit":2})");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  auto doc = parse_json(created);
  CHECK(str(doc.root(), "tag") == "db");
  CHECK(int64(doc.root(), "concurrency_limit") == 2);
  CHECK(items(member(doc.root(), "active_slots")).empty());
  const std::string id = str(doc.root(), "id");
  auto v2 = api.get("/api/v2/concurrency_limits/tag:db");
  REQUIRE(v2.status == 200);
  CHECK(json_string(v2, "id") == id);
  auto updated = api.post("/api/concurrency_limits/", R"({"tag":"db","concurrency_limit":5})");
  CHECK(updated.status == 200);
  CHECK(json_string(updated, "id") == id);
  CHECK(int64(parse_json(api.get("/api/concurrency_limits/" + id)).root(), "concurrency_limit") ==
        5);
  CHECK(json_string(api.get("/api/concurrency_limits/tag/db"), "id") == id);
  SUBCASE("bodies are ConcurrencyLimitCreate") {
    auto bad = api.post("/api/concurrency_limits/", R"({"tag":"x","concurrency_limit":-1,"y":1})");
    CHECK(bad.status == 422);
    CHECK(bad.body.find("greater_than_equal") != std::string::npos);
    CHECK(bad.body.find("extra_forbidden") != std::string::npos);
    CHECK(api.post("/api/concurrency_limits/", R"({"tag":"x"})").status == 422);
  }
}

TEST_CASE("missing tag limits are 404 and deletes answer 200 null") {
  ApiFixture api;
  const std::string nf = R"({"detail":"Concurrency limit not found"})";
  CHECK(api.get("/api/concurrency_limits/tag/nope").body == nf);
  CHECK(api.get("/api/concurrency_limits/00000000-0000-4000-8000-000000000000").body == nf);
  CHECK(api.call("DELETE", "/api/concurrency_limits/tag/nope").status == 404);
  CHECK(api.post("/api/concurrency_limits/tag/nope/reset").status == 404);
  const std::string id = json_string(
      api.post("/api/concurrency_limits/", R"({"tag":"a","concurrency_limit":1})"), "id");
  auto del = api.call("DELETE", "/api/concurrency_limits/" + id);
  CHECK(del.status == 200);
  CHECK(del.body == "null");
  CHECK(api.get("/api/v2/concurrency_limits/tag:a").status == 404);
  api.post("/api/concurrency_limits/", R"({"tag":"b","concurrency_limit":1})");
  CHECK(api.call("DELETE", "/api/concurrency_limits/tag/b").status == 200);
  CHECK(api.get("/api/concurrency_limits/tag/b").status == 404);
}

TEST_CASE("increment and decrement take and give back tag slots held by task-run leases") {
  ApiFixture api;
  api.post("/api/concurrency_limits/", R"({"tag":"db","concurrency_limit":1})");
  auto inc =
      api.post("/api/concurrency_limits/increment", slots_body(R"(["db","untracked"])", kRun1));
  REQUIRE_MESSAGE(inc.status == 200, inc.body);
  auto limits = parse_json(inc);
  REQUIRE(items(limits.root()).size() == 1);
  CHECK(str(items(limits.root())[0], "name") == "db");
  CHECK(active_slots(api, "db") == std::vector<std::string>{kRun1});
  CHECK(v2_active_slots(api, "tag:db") == 1);

  auto full = api.post("/api/concurrency_limits/increment", slots_body(R"(["db"])", kRun2));
  CHECK(full.status == 423);
  CHECK(full.headers.get("Retry-After").value_or("") == "10.0");
  CHECK(full.body == R"({"detail":"Concurrency limit for the db tag has been reached"})");

  auto dec = api.post("/api/concurrency_limits/decrement", slots_body(R"(["db"])", kRun1));
  REQUIRE(dec.status == 200);
  CHECK(str(items(parse_json(dec).root())[0], "name") == "tag:db");
  CHECK(active_slots(api, "db").empty());
  CHECK(v2_active_slots(api, "tag:db") == 0);
  CHECK(api.post("/api/concurrency_limits/increment", slots_body(R"(["db"])", kRun2)).status ==
        200);
  SUBCASE("a zero limit is 423 without Retry-After") {
    api.post("/api/concurrency_limits/", R"({"tag":"zero","concurrency_limit":0})");
    auto zero = api.post("/api/concurrency_limits/increment", slots_body(R"(["zero"])", kRun1));
    CHECK(zero.status == 423);
    CHECK(!zero.headers.get("Retry-After").has_value());
    CHECK(zero.body.find("is 0 and will deadlock") != std::string::npos);
  }
  SUBCASE("bodies need names and a task run id") {
    auto bad = api.post("/api/concurrency_limits/increment", R"({"names":"db"})");
    CHECK(bad.status == 422);
    CHECK(bad.body.find(R"("loc":["body","task_run_id"])") != std::string::npos);
  }
}

TEST_CASE("reset releases every holder and grants the override slots") {
  ApiFixture api;
  api.post("/api/concurrency_limits/", R"({"tag":"r","concurrency_limit":3})");
  api.post("/api/concurrency_limits/increment", slots_body(R"(["r"])", kRun1));
  auto reset = api.post("/api/concurrency_limits/tag/r/reset",
                        R"({"slot_override":[")" + std::string(kRun2) + R"("]})");
  CHECK(reset.status == 200);
  CHECK(reset.body == "null");
  CHECK(active_slots(api, "r") == std::vector<std::string>{kRun2});
  CHECK(v2_active_slots(api, "tag:r") == 1);
  CHECK(api.post("/api/concurrency_limits/tag/r/reset").status == 200);
  CHECK(active_slots(api, "r").empty());
  CHECK(v2_active_slots(api, "tag:r") == 0);
  CHECK(api.post("/api/concurrency_limits/tag/r/reset", R"({"slot_override":["x"]})").status ==
        422);
}

TEST_CASE(
    "legacy v1 rows are read, listed, incremented, reset and deleted when no v2 limit exists") {
  ApiFixture api;
  const std::string legacy = "33333333-3333-4333-8333-333333333333";
  insert_v1_row(api, legacy, "old", 1, "[]");
  api.post("/api/concurrency_limits/", R"({"tag":"new","concurrency_limit":4})");
  api.post("/api/v2/concurrency_limits/", R"({"name":"global","limit":1})");
  auto list = parse_json(api.post("/api/concurrency_limits/filter"));
  REQUIRE(items(list.root()).size() == 2);
  CHECK(str(items(list.root())[0], "tag") == "new");
  CHECK(str(items(list.root())[1], "tag") == "old");
  CHECK(items(parse_json(api.post("/api/concurrency_limits/filter", R"({"offset":1})")).root())
            .size() == 1);
  CHECK(json_string(api.get("/api/concurrency_limits/" + legacy), "tag") == "old");

  auto inc = api.post("/api/concurrency_limits/increment", slots_body(R"(["old"])", kRun1));
  REQUIRE(inc.status == 200);
  CHECK(active_slots(api, "old") == std::vector<std::string>{kRun1});
  auto full = api.post("/api/concurrency_limits/increment", slots_body(R"(["old"])", kRun2));
  CHECK(full.status == 423);
  CHECK(api.post("/api/concurrency_limits/decrement", slots_body(R"(["old"])", kRun1))
            .body.find("\"name\":\"old\"") != std::string::npos);
  CHECK(active_slots(api, "old").empty());
  CHECK(api.post("/api/concurrency_limits/tag/old/reset",
                 R"({"slot_override":[")" + std::string(kRun2) + R"("]})")
            .status == 200);
  CHECK(active_slots(api, "old") == std::vector<std::string>{kRun2});
  CHECK(api.call("DELETE", "/api/concurrency_limits/" + legacy).status == 200);
  CHECK(api.get("/api/concurrency_limits/tag/old").status == 404);
}

TEST_CASE("racing v1 increments never take more slots than the limit") {
  ApiFixture api;
  api.post("/api/concurrency_limits/", R"({"tag":"hot","concurrency_limit":3})");
  constexpr int kClients = 8;
  std::atomic<int> acquired{0};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      const std::string run = "44444444-4444-4444-8444-00000000000" + std::to_string(i);
      auto r = api.post("/api/concurrency_limits/increment", slots_body(R"(["hot"])", run));
      if (r.status == 200) {
        acquired.fetch_add(1);
      } else if (r.status != 423 && r.status != 503) {
        unexpected.fetch_add(1);
      }
    });
  }
  for (auto& t : clients) {
    t.join();
  }
  CHECK(unexpected.load() == 0);
  CHECK(acquired.load() <= 3);
  CHECK(acquired.load() >= 1);
  CHECK(v2_active_slots(api, "tag:hot") == acquired.load());
  CHECK(static_cast<int>(active_slots(api, "hot").size()) == acquired.load());
}

TEST_CASE("racing lease holders on one v2 limit never exceed it") {
  ApiFixture api;
  REQUIRE(api.post("/api/v2/concurrency_limits/", R"({"name":"pool","limit":2})").status == 201);
  constexpr int kClients = 6;
  constexpr int kRounds = 5;
  std::atomic<int> held{0};
  std::atomic<int> peak{0};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      for (int round = 0; round < kRounds; ++round) {
        auto r = api.post("/api/v2/concurrency_limits/increment-with-lease",
                          R"({"names":["pool"],"slots":1})");
        if (r.status != 200) {
          unexpected.fetch_add(r.status == 423 || r.status == 503 ? 0 : 1);
          continue;
        }
        const int now_held = held.fetch_add(1) + 1;
        int seen = peak.load();
        while (now_held > seen && !peak.compare_exchange_weak(seen, now_held)) {
        }
        const std::string lease = r.body.substr(r.body.find("\"lease_id\":\"") + 12, 36);
        held.fetch_sub(1);
        auto d = api.post("/api/v2/concurrency_limits/decrement-with-lease",
                          R"({"lease_id":")" + lease + R"("})");
        unexpected.fetch_add(d.status == 204 ? 0 : 1);
      }
    });
  }
  for (auto& t : clients) {
    t.join();
  }
  CHECK(unexpected.load() == 0);
  CHECK(peak.load() <= 2);
  CHECK(v2_active_slots(api, "pool") == 0);
}

TEST_CASE("the repossessor revokes expired leases and gives their slots back") {
  ApiFixture api;
  REQUIRE(api.post("/api/v2/concurrency_limits/", R"({"name":"gpu","limit":2})").status == 201);
  auto first = api.post("/api/v2/concurrency_limits/increment-with-lease",
                        R"({"names":["gpu"],"slots":1,"lease_duration":60})");
  REQUIRE(first.status == 200);
  const std::string lease = json_string(first, "lease_id");
  api.clock.advance(std::chrono::seconds(30));
  auto second = api.post("/api/v2/concurrency_limits/increment-with-lease",
                         R"({"names":["gpu"],"slots":1,"lease_duration":600})");
  REQUIRE(second.status == 200);
  CHECK(v2_active_slots(api, "gpu") == 2);

  REQUIRE(api.server->run_service_once("repossessor").ok());
  CHECK(v2_active_slots(api, "gpu") == 2);  // nothing has expired yet

  api.clock.advance(std::chrono::seconds(31));
  REQUIRE(api.server->run_service_once("repossessor").ok());
  CHECK(v2_active_slots(api, "gpu") == 1);
  auto renew =
      api.post("/api/v2/concurrency_limits/leases/" + lease + "/renew", R"({"lease_duration":60})");
  CHECK(renew.status == 410);
  // A second pass finds nothing more to reap; the unexpired lease keeps its slot.
  REQUIRE(api.server->run_service_once("repossessor").ok());
  CHECK(v2_active_slots(api, "gpu") == 1);
  SUBCASE("a renewed lease is not reaped") {
    const std::string kept = json_string(second, "lease_id");
    api.clock.advance(std::chrono::seconds(500));
    REQUIRE(api.post("/api/v2/concurrency_limits/leases/" + kept + "/renew",
                     R"({"lease_duration":600})")
                .status == 204);
    api.clock.advance(std::chrono::seconds(500));
    REQUIRE(api.server->run_service_once("repossessor").ok());
    CHECK(v2_active_slots(api, "gpu") == 1);
  }
}
