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
}  // namespace

TEST_CASE("creating a flow answers 201 with the upstream Flow shape, again 200 with the same id") {
  ApiFixture api;
  auto first = api.post("/api/flows/", R"({"name":"hello-flow","tags":[],"labels":{}})");
  REQUIRE(first.status == 201);
  auto doc = parse_json(first);
  auto root = doc.root();
  CHECK(str(root, "name") == "hello-flow");
  CHECK(str(root, "created") == "2026-01-01T00:00:00Z");
  CHECK(member(root, "tags").is_array());
  CHECK(member(root, "labels").is_object());
  const std::string id = json_string(first, "id");
  auto again = api.post("/api/flows/", R"({"name":"hello-flow"})");
  CHECK(again.status == 200);
  CHECK(json_string(again, "id") == id);
}

TEST_CASE("a flow is read by id and by name; unknown ones are 404 with a detail") {
  ApiFixture api;
  const std::string id = json_string(api.post("/api/flows/", R"({"name":"f1"})"), "id");
  auto by_id = api.get("/api/flows/" + id);
  CHECK(by_id.status == 200);
  CHECK(json_string(by_id, "name") == "f1");
  CHECK(api.get("/api/flows/name/f1").status == 200);
  auto missing = api.get("/api/flows/00000000-0000-4000-8000-000000000000");
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"detail":"Flow not found"})");
  CHECK(api.get("/api/flows/name/nope").status == 404);
  CHECK(api.get("/api/flows/not-a-uuid").status == 404);
}

TEST_CASE("bad flow bodies are 422 in upstream's validation shape") {
  ApiFixture api;
  SUBCASE("missing name") {
    auto r = api.post("/api/flows/", R"({"tags":[]})");
    CHECK(r.status == 422);
    CHECK(r.body.find(R"("exception_message":"Invalid request received.")") != std::string::npos);
    CHECK(r.body.find(R"("type":"missing","loc":["body","name"])") != std::string::npos);
    CHECK(r.body.find(R"("request_body":{"tags":[]})") != std::string::npos);
  }
  SUBCASE("unknown field") {
    auto r = api.post("/api/flows/", R"({"name":"x","bogus":1})");
    CHECK(r.status == 422);
    CHECK(r.body.find(R"("type":"extra_forbidden","loc":["body","bogus"])") != std::string::npos);
  }
  SUBCASE("name with a forbidden character") {
    auto r = api.post("/api/flows/", R"({"name":"a/b"})");
    CHECK(r.status == 422);
    CHECK(r.body.find("string_pattern_mismatch") != std::string::npos);
  }
  SUBCASE("malformed JSON and an empty body") {
    CHECK(api.post("/api/flows/", R"({"name":)").status == 422);
    CHECK(api.post("/api/flows/", "").status == 422);
  }
  SUBCASE("tags of the wrong type") {
    auto r = api.post("/api/flows/", R"({"name":"x","tags":[1]})");
    CHECK(r.status == 422);
    CHECK(r.body.find(R"("loc":["body","tags",0])") != std::string::npos);
  }
}

TEST_CASE("PATCH updates tags and bumps updated; DELETE removes; both 404 when unknown") {
  ApiFixture api;
  const std::string id = json_string(api.post("/api/flows/", R"({"name":"f"})"), "id");
  api.clock.advance(std::chrono::seconds(5));
  auto patched = api.call("PATCH", "/api/flows/" + id, R"({"tags":["a","b"]})");
  CHECK(patched.status == 204);
  CHECK(patched.body.empty());
  auto read = parse_json(api.get("/api/flows/" + id));
  CHECK(str(read.root(), "updated") == "2026-01-01T00:00:05Z");
  CHECK(items(member(read.root(), "tags")).size() == 2);
  CHECK(api.call("PATCH", "/api/flows/" + id, R"({"name":"renamed"})").status == 422);
  const std::string unknown = "/api/flows/00000000-0000-4000-8000-000000000000";
  CHECK(api.call("PATCH", unknown, R"({"tags":[]})").status == 404);
  CHECK(api.call("DELETE", "/api/flows/" + id).status == 204);
  CHECK(api.get("/api/flows/" + id).status == 404);
  CHECK(api.call("DELETE", "/api/flows/" + id).status == 404);
}

TEST_CASE("filter sorts by name by default, honours limit/offset/sort and the FlowFilter") {
  ApiFixture api;
  for (const char* body : {R"({"name":"charlie","tags":["x"]})", R"({"name":"alpha"})",
                           R"({"name":"bravo","tags":["x","y"]})"}) {
    REQUIRE(api.post("/api/flows/", body).status == 201);
    api.clock.advance(std::chrono::seconds(1));
  }
  CHECK(names(api.post("/api/flows/filter")) ==
        std::vector<std::string>{"alpha", "bravo", "charlie"});
  CHECK(names(api.post("/api/flows/filter", R"({"sort":"NAME_DESC","limit":2})")) ==
        std::vector<std::string>{"charlie", "bravo"});
  CHECK(names(api.post("/api/flows/filter", R"({"sort":"CREATED_DESC","offset":1})")) ==
        std::vector<std::string>{"alpha", "charlie"});
  CHECK(names(api.post("/api/flows/filter", R"({"flows":{"name":{"like_":"RAV"}}})")) ==
        std::vector<std::string>{"bravo"});
  CHECK(names(api.post("/api/flows/filter", R"({"flows":{"tags":{"all_":["x","y"]}}})")) ==
        std::vector<std::string>{"bravo"});
  CHECK(names(api.post("/api/flows/filter", R"({"flows":{"tags":{"is_null_":true}}})")) ==
        std::vector<std::string>{"alpha"});
  CHECK(
      names(api.post("/api/flows/filter", R"({"flows":{"name":{"any_":["alpha","charlie"]}}})")) ==
      std::vector<std::string>{"alpha", "charlie"});
  // Upstream quirk: an empty any_ matches nothing.
  CHECK(names(api.post("/api/flows/filter", R"({"flows":{"name":{"any_":[]}}})")).empty());
  CHECK(names(api.post(
            "/api/flows/filter",
            R"({"flows":{"operator":"or_","name":{"any_":["alpha"]},"tags":{"all_":["y"]}}})")) ==
        std::vector<std::string>{"alpha", "bravo"});
  CHECK(names(api.post("/api/flows/filter", R"({"flows":{"deployment":{"is_null_":true}}})"))
            .size() == 3);
  CHECK(api.post("/api/flows/count", R"({"flows":{"tags":{"all_":["x"]}}})").body == "2");
  CHECK(api.post("/api/flows/count").body == "3");
}

TEST_CASE("filter limits above the default are 422 with upstream's detail; bad filters are 422") {
  ApiFixture api;
  auto big = api.post("/api/flows/filter", R"({"limit":201})");
  CHECK(big.status == 422);
  CHECK(big.body == R"({"detail":"Invalid limit: must be less than or equal to 200."})");
  CHECK(api.post("/api/flows/filter", R"({"limit":-1})").status == 422);
  CHECK(api.post("/api/flows/filter", R"({"offset":-1})").status == 422);
  CHECK(api.post("/api/flows/filter", R"({"sort":"SIDEWAYS"})").status == 422);
  auto extra = api.post("/api/flows/filter", R"({"flows":{"nickname":{"any_":["x"]}}})");
  CHECK(extra.status == 422);
  CHECK(extra.body.find(R"("loc":["body","flows","nickname"])") != std::string::npos);
  auto bad_id = api.post("/api/flows/filter", R"({"flows":{"id":{"any_":["nope"]}}})");
  CHECK(bad_id.status == 422);
  CHECK(bad_id.body.find("uuid_parsing") != std::string::npos);
  // Unknown top-level keys of a multi-parameter body are ignored, as upstream.
  CHECK(api.post("/api/flows/filter", R"({"whatever":1})").status == 200);
}

TEST_CASE("paginate returns the upstream envelope") {
  ApiFixture api;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(api.post("/api/flows/", R"({"name":"flow-)" + std::to_string(i) + "\"}").status == 201);
  }
  auto page = api.post("/api/flows/paginate", R"({"limit":2,"page":2})");
  REQUIRE(page.status == 200);
  auto doc = parse_json(page);
  CHECK(int64(doc.root(), "count") == 5);
  CHECK(int64(doc.root(), "pages") == 3);
  CHECK(int64(doc.root(), "page") == 2);
  CHECK(int64(doc.root(), "limit") == 2);
  CHECK(items(member(doc.root(), "results")).size() == 2);
  CHECK(api.post("/api/flows/paginate", R"({"page":0})").status == 422);
}

TEST_CASE("bulk_delete removes at most limit matching flows and returns their ids") {
  ApiFixture api;
  for (const char* n : {"a", "b", "c"}) {
    REQUIRE(api.post("/api/flows/", std::string(R"({"name":")") + n + "\"}").status == 201);
  }
  auto r =
      api.post("/api/flows/bulk_delete", R"({"flows":{"name":{"any_":["a","b","c"]}},"limit":2})");
  REQUIRE(r.status == 200);
  CHECK(items(member(parse_json(r).root(), "deleted")).size() == 2);
  CHECK(api.post("/api/flows/count").body == "1");
  CHECK(api.post("/api/flows/bulk_delete", R"({"limit":51})").status == 422);
}
