#include <doctest/doctest.h>

#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

constexpr const char* kBase = "/api/v2/concurrency_limits/";

std::string create_limit(ApiFixture& api, const std::string& body) {
  auto r = api.post(kBase, body);
  REQUIRE(r.status == 201);
  return json_string(r, "id");
}

std::int64_t active_slots(ApiFixture& api, const std::string& id_or_name) {
  auto r = api.get(std::string(kBase) + id_or_name);
  REQUIRE(r.status == 200);
  return int64(parse_json(r).root(), "active_slots");
}

std::string lease_body(const std::string& names, int slots = 1) {
  return R"({"names":)" + names + R"(,"slots":)" + std::to_string(slots) +
         R"(,"mode":"concurrency","lease_duration":60})";
}

}  // namespace

TEST_CASE("increment-with-lease takes slots, returns the lease and limits, 423 when full") {
  ApiFixture api;
  const std::string id = create_limit(api, R"({"name":"tag:db","limit":2})");
  auto first = api.post(std::string(kBase) + "increment-with-lease", lease_body(R"(["tag:db"])"));
  REQUIRE(first.status == 200);
  auto doc = parse_json(first);
  CHECK(str(doc.root(), "lease_id").size() == 36);
  auto limits = items(member(doc.root(), "limits"));
  REQUIRE(limits.size() == 1);
  CHECK(str(limits[0], "id") == id);
  CHECK(str(limits[0], "name") == "tag:db");
  CHECK(int64(limits[0], "limit") == 2);
  CHECK(api.post(std::string(kBase) + "increment-with-lease", lease_body(R"(["tag:db"])")).status ==
        200);
  CHECK(active_slots(api, "tag:db") == 2);

  auto locked = api.post(std::string(kBase) + "increment-with-lease", lease_body(R"(["tag:db"])"));
  CHECK(locked.status == 423);
  CHECK(locked.body == R"({"detail":"Locked"})");
  // (1 slot + 0 denied) / limit 2 * the default 2 s average occupancy.
  CHECK(locked.headers.get("Retry-After").value_or("") == "1.0");
  CHECK(active_slots(api, id) == 2);
}

TEST_CASE("increment-with-lease ignores unknown names and answers 422 for impossible requests") {
  ApiFixture api;
  auto r = api.post(std::string(kBase) + "increment-with-lease", lease_body(R"(["tag:nobody"])"));
  REQUIRE(r.status == 200);
  CHECK(items(member(parse_json(r).root(), "limits")).empty());

  create_limit(api, R"({"name":"small","limit":1})");
  auto too_many =
      api.post(std::string(kBase) + "increment-with-lease", lease_body(R"(["small"])", 2));
  CHECK(too_many.status == 422);
  CHECK(too_many.body == R"({"detail":"Slots requested is greater than the limit"})");
  auto rate = api.post(std::string(kBase) + "increment-with-lease",
                       R"({"names":["small"],"slots":1,"mode":"rate_limit"})");
  CHECK(rate.status == 422);
  CHECK(rate.body.find("do not have a decay configured: 'small'") != std::string::npos);
  CHECK(api.post(std::string(kBase) + "increment-with-lease", R"({"names":[],"slots":1})").status ==
        422);
  CHECK(api.post(std::string(kBase) + "increment-with-lease", R"({"names":["small"],"slots":0})")
            .status == 422);
  CHECK(api.post(std::string(kBase) + "increment-with-lease",
                 R"({"names":["small"],"slots":1,"lease_duration":5})")
            .status == 422);
  CHECK(api.post(std::string(kBase) + "increment-with-lease",
                 R"({"names":["small"],"slots":1,"holder":{"type":"robot","id":"x"}})")
            .status == 422);
  CHECK(api.post(std::string(kBase) + "increment-with-lease", "").status == 422);
  CHECK(active_slots(api, "small") == 0);
}

TEST_CASE("decrement-with-lease releases the slots and the lease; renew is 204 then 410") {
  ApiFixture api;
  create_limit(api, R"({"name":"tag:x","limit":1})");
  auto r = api.post(std::string(kBase) + "increment-with-lease",
                    R"({"names":["tag:x"],"slots":1,"lease_duration":60,)"
                    R"("holder":{"type":"task_run","id":"00000000-0000-4000-8000-000000000001"}})");
  REQUIRE(r.status == 200);
  const std::string lease = json_string(r, "lease_id");
  const std::string renew = std::string(kBase) + "leases/" + lease + "/renew";
  CHECK(api.post(renew, R"({"lease_duration":120})").status == 204);
  CHECK(api.post(renew).status == 204);
  CHECK(api.post(renew, R"({"lease_duration":10})").status == 422);

  api.clock.advance(std::chrono::seconds(4));
  auto release =
      api.post(std::string(kBase) + "decrement-with-lease", R"({"lease_id":")" + lease + "\"}");
  CHECK(release.status == 204);
  CHECK(active_slots(api, "tag:x") == 0);
  auto gone = api.post(renew);
  CHECK(gone.status == 410);
  CHECK(gone.body == R"({"detail":"Lease not found"})");
  // Releasing again is a no-op.
  CHECK(api.post(std::string(kBase) + "decrement-with-lease", R"({"lease_id":")" + lease + "\"}")
            .status == 204);
  CHECK(api.post(std::string(kBase) + "decrement-with-lease", R"({"lease_id":"nope"})").status ==
        422);
  // The slot is free again.
  CHECK(api.post(std::string(kBase) + "increment-with-lease", lease_body(R"(["tag:x"])")).status ==
        200);
}

TEST_CASE("limits are created, read by id or name, updated, listed and deleted") {
  ApiFixture api;
  auto created = api.post(kBase, R"({"name":"db","limit":5,"slot_decay_per_second":0.5})");
  REQUIRE(created.status == 201);
  auto doc = parse_json(created);
  CHECK(str(doc.root(), "created") == "2026-01-01T00:00:00Z");
  CHECK(int64(doc.root(), "limit") == 5);
  CHECK(int64(doc.root(), "denied_slots") == 0);
  const std::string id = str(doc.root(), "id");
  CHECK(api.post(kBase, R"({"name":"db","limit":1})").status == 409);
  CHECK(api.post(kBase, R"({"name":"a/b","limit":1})").status == 422);
  CHECK(api.post(kBase, R"({"name":"x"})").status == 422);
  CHECK(api.post(kBase, R"({"name":"x","limit":-1})").status == 422);
  CHECK(api.post(kBase, R"({"name":"x","limit":1,"bogus":true})").status == 422);

  CHECK(json_string(api.get(std::string(kBase) + id), "name") == "db");
  CHECK(json_string(api.get(std::string(kBase) + "db"), "id") == id);
  auto missing = api.get(std::string(kBase) + "nope");
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"detail":"Concurrency Limit not found"})");

  CHECK(api.call("PATCH", std::string(kBase) + "db", R"({"limit":7,"active":false})").status ==
        204);
  auto read = parse_json(api.get(std::string(kBase) + id));
  CHECK(int64(read.root(), "limit") == 7);
  CHECK(api.call("PATCH", std::string(kBase) + "nope", R"({"limit":1})").status == 404);
  CHECK(api.call("PATCH", std::string(kBase) + id, R"({"name":"bad/name"})").status == 422);

  create_limit(api, R"({"name":"alpha","limit":1})");
  create_limit(api, R"({"name":"zeta","limit":1})");
  auto listed = api.post(std::string(kBase) + "filter", R"({"limit":2,"offset":0})");
  REQUIRE(listed.status == 200);
  auto list = parse_json(listed);
  auto rows = items(list.root());
  REQUIRE(rows.size() == 2);
  CHECK(str(rows[0], "name") == "alpha");
  CHECK(str(rows[1], "name") == "db");
  CHECK(items(parse_json(api.post(std::string(kBase) + "filter")).root()).size() == 3);

  CHECK(api.call("DELETE", std::string(kBase) + "db").status == 204);
  CHECK(api.get(std::string(kBase) + id).status == 404);
  CHECK(api.call("DELETE", std::string(kBase) + id).status == 404);
}

TEST_CASE("increment and decrement without a lease; an inactive limit is skipped") {
  ApiFixture api;
  create_limit(api, R"({"name":"a","limit":1})");
  create_limit(api, R"({"name":"off","limit":1,"active":false})");
  auto r = api.post(std::string(kBase) + "increment", R"({"names":["a","off","ghost"],"slots":1})");
  REQUIRE(r.status == 200);
  CHECK(items(parse_json(r).root()).size() == 2);
  CHECK(active_slots(api, "a") == 1);
  CHECK(active_slots(api, "off") == 0);
  auto locked = api.post(std::string(kBase) + "increment", R"({"names":["a"],"slots":1})");
  CHECK(locked.status == 423);
  CHECK(locked.headers.get("Retry-After").has_value());

  auto d = api.post(std::string(kBase) + "decrement",
                    R"({"names":["a"],"slots":1,"occupancy_seconds":4})");
  REQUIRE(d.status == 200);
  CHECK(items(parse_json(d).root()).size() == 1);
  CHECK(active_slots(api, "a") == 0);
  CHECK(api.post(std::string(kBase) + "decrement", R"({"names":["ghost"],"slots":1})").body ==
        "[]");
  CHECK(api.post(std::string(kBase) + "decrement", R"({"names":["a"],"slots":1,)"
                                                   R"("occupancy_seconds":0})")
            .status == 422);
}

TEST_CASE("rate limits decay: a slot taken is free again after 1/decay seconds") {
  ApiFixture api;
  create_limit(api, R"({"name":"rl","limit":1,"slot_decay_per_second":0.5})");
  const std::string inc = std::string(kBase) + "increment";
  CHECK(api.post(inc, R"({"names":["rl"],"slots":1,"mode":"rate_limit"})").status == 200);
  auto locked = api.post(inc, R"({"names":["rl"],"slots":1,"mode":"rate_limit"})");
  CHECK(locked.status == 423);
  // (1 slot + 0 denied) * 1 / 0.5 per second.
  CHECK(locked.headers.get("Retry-After").value_or("") == "2.0");
  api.clock.advance(std::chrono::seconds(2));
  CHECK(api.post(inc, R"({"names":["rl"],"slots":1,"mode":"rate_limit"})").status == 200);
}
