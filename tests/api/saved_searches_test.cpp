#include <doctest/doctest.h>

#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

std::vector<std::string> names(const HttpResponse& r) {
  auto doc = parse_json(r);
  std::vector<std::string> out;
  for (auto item : items(doc.root())) {
    out.push_back(str(item, "name"));
  }
  return out;
}

constexpr std::string_view kFilter =
    R"({"object":"flow","property":"name","type":"string","operation":"equals","value":"x"})";

}  // namespace

TEST_CASE("PUT creates a saved search (201) and replaces its filters by name (200, same id)") {
  ApiFixture api;
  auto first = api.call("PUT", "/api/saved_searches/", R"({"name":"Mine"})");
  REQUIRE(first.status == 201);
  auto doc = parse_json(first);
  CHECK(str(doc.root(), "name") == "Mine");
  CHECK(items(member(doc.root(), "filters")).empty());
  const std::string id = str(doc.root(), "id");

  api.clock.advance(std::chrono::seconds(2));
  auto again = api.call("PUT", "/api/saved_searches/",
                        R"({"name":"Mine","filters":[)" + std::string(kFilter) + "]}");
  CHECK(again.status == 200);
  auto replaced = parse_json(again);
  CHECK(str(replaced.root(), "id") == id);
  CHECK(str(replaced.root(), "created") == "2026-01-01T00:00:00Z");
  auto filters = items(member(replaced.root(), "filters"));
  REQUIRE(filters.size() == 1);
  CHECK(str(filters[0], "operation") == "equals");

  auto read = api.get("/api/saved_searches/" + id);
  CHECK(read.status == 200);
  CHECK(read.body == again.body);
}

TEST_CASE("saved search filters keep upstream's five fields and reject incomplete ones") {
  ApiFixture api;
  auto extra = api.call(
      "PUT", "/api/saved_searches/",
      R"({"name":"s","filters":[{"object":"o","property":"p","type":"t","operation":"eq","value":null,"note":1}]})");
  REQUIRE(extra.status == 201);
  auto doc = parse_json(extra);
  CHECK(core::to_json(member(doc.root(), "filters")) ==
        R"([{"object":"o","property":"p","type":"t","operation":"eq","value":null}])");
  auto incomplete =
      api.call("PUT", "/api/saved_searches/", R"({"name":"s","filters":[{"object":"o"}]})");
  CHECK(incomplete.status == 422);
  CHECK(incomplete.body.find(R"("loc":["body","filters",0,"value"])") != std::string::npos);
  CHECK(api.call("PUT", "/api/saved_searches/", R"({"filters":[]})").status == 422);
  CHECK(api.call("PUT", "/api/saved_searches/", R"({"name":"s","bogus":1})").status == 422);
  CHECK(api.call("PUT", "/api/saved_searches/", R"({"name":"s","filters":{}})").status == 422);
  CHECK(api.call("PUT", "/api/saved_searches/", "").status == 422);
}

TEST_CASE("saved searches list by name with limit/offset, and delete answers 204 then 404") {
  ApiFixture api;
  for (const char* name : {"charlie", "alpha", "bravo"}) {
    REQUIRE(api.call("PUT", "/api/saved_searches/", R"({"name":")" + std::string(name) + "\"}")
                .status == 201);
  }
  CHECK(names(api.post("/api/saved_searches/filter")) ==
        std::vector<std::string>{"alpha", "bravo", "charlie"});
  CHECK(names(api.post("/api/saved_searches/filter", R"({"limit":1,"offset":1})")) ==
        std::vector<std::string>{"bravo"});
  CHECK(api.post("/api/saved_searches/filter", R"({"limit":500})").status == 422);
  CHECK(api.post("/api/saved_searches/filter", R"({"offset":-1})").status == 422);

  auto list = parse_json(api.post("/api/saved_searches/filter"));
  const std::string id = str(items(list.root())[0], "id");
  CHECK(api.call("DELETE", "/api/saved_searches/" + id).status == 204);
  auto gone = api.call("DELETE", "/api/saved_searches/" + id);
  CHECK(gone.status == 404);
  CHECK(gone.body == R"({"detail":"Saved search not found"})");
  CHECK(api.get("/api/saved_searches/" + id).status == 404);
  CHECK(names(api.post("/api/saved_searches/filter")) ==
        std::vector<std::string>{"bravo", "charlie"});
}
