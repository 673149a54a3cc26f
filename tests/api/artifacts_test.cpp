#include <doctest/doctest.h>

#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

bool has(const HttpResponse& r, std::string_view text) {
  return r.body.find(text) != std::string::npos;
}

std::string create(ApiFixture& api, const std::string& body) {
  auto r = api.post("/api/artifacts/", body);
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return json_string(r, "id");
}

std::vector<std::string> field(const HttpResponse& r, std::string_view key) {
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  std::vector<std::string> out;
  for (auto item : items(doc.root())) {
    out.push_back(str(item, key));
  }
  return out;
}

}  // namespace

TEST_CASE("creating an artifact answers 201 with the Artifact shape for every artifact type") {
  ApiFixture api;
  auto r = api.post("/api/artifacts/", R"({"key":"my-table","type":"table","description":"# Rows",)"
                                       R"("data":[{"a":1},{"a":2}],"metadata_":{"rows":"2"}})");
  REQUIRE_MESSAGE(r.status == 201, r.body);
  auto doc = parse_json(r);
  CHECK(str(doc.root(), "key") == "my-table");
  CHECK(str(doc.root(), "type") == "table");
  CHECK(str(doc.root(), "created") == "2026-01-01T00:00:00Z");
  CHECK(core::to_json(member(doc.root(), "data")) == R"([{"a":1},{"a":2}])");
  CHECK(core::to_json(member(doc.root(), "metadata_")) == R"({"rows":"2"})");
  CHECK(member(doc.root(), "flow_run_id").is_null());
  // The link body holds `)"`, so its raw string needs a delimiter.
  for (const char* body : {R"({"type":"markdown","data":"# Hello"})",
                           R"json({"type":"link","data":"[docs](https://example.com)"})json",
                           R"({"type":"progress","data":12.5})",
                           R"({"type":"image","data":"https://example.com/a.png"})", R"({})"}) {
    auto created = api.post("/api/artifacts/", body);
    CHECK_MESSAGE(created.status == 201, created.body);
    CHECK(member(parse_json(created).root(), "key").is_null());
  }
  const std::string id = json_string(r, "id");
  auto read = api.get("/api/artifacts/" + id);
  CHECK(read.status == 200);
  CHECK(read.body == r.body);
}

TEST_CASE("artifact bodies are validated as upstream's ArtifactCreate") {
  ApiFixture api;
  auto upper = api.post("/api/artifacts/", R"({"key":"My_Key"})");
  CHECK(upper.status == 422);
  CHECK(has(upper, "Artifact key must only contain lowercase letters, numbers, and dashes."));
  auto extra = api.post("/api/artifacts/", R"({"bogus":1,"flow_run_id":"nope"})");
  CHECK(extra.status == 422);
  CHECK(has(extra, R"("type":"extra_forbidden","loc":["body","bogus"])"));
  CHECK(has(extra, R"("type":"uuid_parsing","loc":["body","flow_run_id"])"));
  auto meta = api.post("/api/artifacts/", R"({"metadata_":{"a":1}})");
  CHECK(meta.status == 422);
  CHECK(has(meta, R"("loc":["body","metadata_","a"])"));
  SUBCASE("long metadata values are cut to 500 characters and an ellipsis") {
    const std::string long_value(600, 'x');
    auto r = api.post("/api/artifacts/", R"({"metadata_":{"k":")" + long_value + R"("}})");
    REQUIRE(r.status == 201);
    CHECK(has(r, R"("k":")" + std::string(500, 'x') + R"(...")"));
  }
}

TEST_CASE("unknown artifacts are 404 with upstream's detail") {
  ApiFixture api;
  const std::string missing = "/api/artifacts/00000000-0000-4000-8000-000000000000";
  for (auto r :
       {api.get(missing), api.call("DELETE", missing), api.call("PATCH", missing, R"({"data":1})"),
        api.get("/api/artifacts/no-such-key/latest")}) {
    CHECK(r.status == 404);
    CHECK(r.body == R"({"detail":"Artifact not found."})");
  }
}

TEST_CASE("the collection follows the latest version of a key through creates and deletes") {
  ApiFixture api;
  const std::string v1 = create(api, R"({"key":"report","type":"markdown","data":"one"})");
  api.clock.advance(std::chrono::seconds(1));
  const std::string v2 = create(api, R"({"key":"report","type":"markdown","data":"two"})");
  api.clock.advance(std::chrono::seconds(1));
  const std::string v3 = create(api, R"({"key":"report","type":"table","data":"three"})");
  create(api, R"({"key":"other","data":"x"})");

  auto latest = parse_json(api.get("/api/artifacts/report/latest"));
  CHECK(core::to_json(member(latest.root(), "data")) == R"("three")");
  CHECK(str(latest.root(), "type") == "table");
  auto collections =
      api.post("/api/artifacts/latest/filter", R"({"artifacts":{"key":{"any_":["report"]}}})");
  auto rows = parse_json(collections);
  REQUIRE(items(rows.root()).size() == 1);
  CHECK(str(items(rows.root())[0], "latest_id") == v3);
  CHECK(api.post("/api/artifacts/latest/count").body == "2");
  CHECK(api.post("/api/artifacts/count").body == "4");

  SUBCASE("deleting the latest re-points the collection to the previous version") {
    REQUIRE(api.call("DELETE", "/api/artifacts/" + v3).status == 204);
    auto again = parse_json(
        api.post("/api/artifacts/latest/filter", R"({"artifacts":{"key":{"any_":["report"]}}})"));
    REQUIRE(items(again.root()).size() == 1);
    CHECK(str(items(again.root())[0], "latest_id") == v2);
    CHECK(core::to_json(member(items(again.root())[0], "data")) == R"("two")");
    CHECK(str(items(again.root())[0], "created") == "2026-01-01T00:00:01Z");
    SUBCASE("deleting an older version leaves the collection alone") {
      REQUIRE(api.call("DELETE", "/api/artifacts/" + v1).status == 204);
      CHECK(str(parse_json(api.get("/api/artifacts/report/latest")).root(), "data") == "two");
    }
    SUBCASE("deleting the last version removes the collection") {
      REQUIRE(api.call("DELETE", "/api/artifacts/" + v2).status == 204);
      REQUIRE(api.call("DELETE", "/api/artifacts/" + v1).status == 204);
      CHECK(api.get("/api/artifacts/report/latest").status == 404);
      CHECK(api.post("/api/artifacts/latest/count").body == "1");
    }
  }
}

TEST_CASE("progress artifacts are updated in place and the collection follows") {
  ApiFixture api;
  const std::string id = create(api, R"({"key":"progress","type":"progress","data":0.0})");
  auto patched = api.call("PATCH", "/api/artifacts/" + id, R"({"data":42.5})");
  CHECK(patched.status == 204);
  CHECK(patched.body.empty());
  auto read = parse_json(api.get("/api/artifacts/" + id));
  CHECK(core::to_json(member(read.root(), "data")) == "42.5");
  CHECK(str(read.root(), "type") == "progress");
  auto latest = parse_json(api.get("/api/artifacts/progress/latest"));
  CHECK(core::to_json(member(latest.root(), "data")) == "42.5");
  CHECK(api.call("PATCH", "/api/artifacts/" + id, R"({"description":"half","metadata_":null})")
            .status == 204);
  CHECK(str(parse_json(api.get("/api/artifacts/" + id)).root(), "description") == "half");
  auto bad = api.call("PATCH", "/api/artifacts/" + id, R"({"type":"table"})");
  CHECK(bad.status == 422);
  CHECK(has(bad, "extra_forbidden"));
}

TEST_CASE("artifact filters, related filters and sorts follow upstream's grammar") {
  ApiFixture api;
  auto flow = api.post("/api/flows/", R"({"name":"f"})");
  const std::string flow_id = json_string(flow, "id");
  auto run = api.post("/api/flow_runs/", R"({"flow_id":")" + flow_id + R"(","name":"r"})");
  REQUIRE(run.status == 201);
  const std::string run_id = json_string(run, "id");
  create(api, R"({"key":"b-key","type":"markdown","flow_run_id":")" + run_id + R"("})");
  api.clock.advance(std::chrono::seconds(1));
  create(api, R"({"key":"a-key","type":"table"})");
  api.clock.advance(std::chrono::seconds(1));
  create(api, R"({"type":"result"})");

  CHECK(field(api.post("/api/artifacts/filter",
                       R"({"sort":"KEY_ASC","artifacts":{"key":{"exists_":true}}})"),
              "key") == std::vector<std::string>{"a-key", "b-key"});
  CHECK(field(api.post("/api/artifacts/filter", R"({"sort":"CREATED_DESC","limit":2})"), "type") ==
        std::vector<std::string>{"result", "table"});
  CHECK(field(api.post("/api/artifacts/filter",
                       R"({"artifacts":{"type":{"not_any_":["result"]},"key":{"like_":"B-K"}}})"),
              "key") == std::vector<std::string>{"b-key"});
  CHECK(field(api.post("/api/artifacts/filter", R"({"flows":{"name":{"any_":["f"]}}})"), "key") ==
        std::vector<std::string>{"b-key"});
  CHECK(api.post("/api/artifacts/count", R"({"flow_runs":{"id":{"any_":[")" + run_id + R"("]}}})")
            .body == "1");
  CHECK(api.post("/api/artifacts/count", R"({"artifacts":{"key":{"exists_":false}}})").body == "1");
  CHECK(
      api.post(
             "/api/artifacts/count",
             R"({"artifacts":{"operator":"or_","type":{"any_":["table"]},"key":{"any_":["b-key"]}}})")
          .body == "2");
  CHECK(field(api.post("/api/artifacts/latest/filter", R"({"sort":"KEY_DESC"})"), "key") ==
        std::vector<std::string>{"b-key", "a-key"});
  CHECK(
      api.post("/api/artifacts/latest/count", R"({"artifacts":{"latest_id":{"any_":[]}}})").body ==
      "0");
  SUBCASE("bad filters and sorts are 422") {
    CHECK(api.post("/api/artifacts/filter", R"({"sort":"NAME_ASC"})").status == 422);
    CHECK(api.post("/api/artifacts/filter", R"({"artifacts":{"latest_id":{"any_":[]}}})").status ==
          422);
    CHECK(api.post("/api/artifacts/latest/filter", R"({"artifacts":{"id":{"any_":[]}}})").status ==
          422);
    CHECK(api.post("/api/artifacts/filter", R"({"limit":201})").status == 422);
  }
}
