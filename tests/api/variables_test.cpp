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

std::string create(ApiFixture& api, const std::string& body) {
  auto r = api.post("/api/variables/", body);
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return json_string(r, "id");
}

bool has(const HttpResponse& r, std::string_view text) {
  return r.body.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("creating a variable answers 201 with the Variable shape; a taken name is 409") {
  ApiFixture api;
  auto r =
      api.post("/api/variables/", R"({"name":"my_var-1","value":{"a":[1,2.5,"x"]},"tags":["t"]})");
  REQUIRE(r.status == 201);
  auto doc = parse_json(r);
  CHECK(str(doc.root(), "name") == "my_var-1");
  CHECK(str(doc.root(), "created") == "2026-01-01T00:00:00Z");
  CHECK(core::to_json(member(doc.root(), "value")) == R"({"a":[1,2.5,"x"]})");
  CHECK(items(member(doc.root(), "tags")).size() == 1);
  auto dup = api.post("/api/variables/", R"({"name":"my_var-1","value":1})");
  CHECK(dup.status == 409);
  CHECK(dup.body == R"({"detail":"A variable with the name 'my_var-1' already exists."})");
  SUBCASE("any JSON value, null included, round-trips") {
    int n = 0;
    for (const char* value : {"null", "true", "42", "\"text\"", "[]", "3.25"}) {
      const std::string id = create(
          api, R"({"name":"v)" + std::to_string(n++) + R"(","value":)" + std::string(value) + "}");
      auto read = parse_json(api.get("/api/variables/" + id));
      CHECK(core::to_json(member(read.root(), "value")) == value);
      CHECK(items(member(read.root(), "tags")).empty());
    }
  }
}

TEST_CASE("variable bodies are validated as upstream's VariableCreate") {
  ApiFixture api;
  SUBCASE("name and value are required, unknown keys forbidden") {
    auto r = api.post("/api/variables/", R"({"tags":[],"bogus":1})");
    CHECK(r.status == 422);
    CHECK(has(r, R"("type":"missing","loc":["body","name"])"));
    CHECK(has(r, R"("type":"missing","loc":["body","value"])"));
    CHECK(has(r, R"("type":"extra_forbidden","loc":["body","bogus"])"));
  }
  SUBCASE("names are lowercase letters, digits, dashes and underscores, at most 255") {
    auto upper = api.post("/api/variables/", R"({"name":"MyVar","value":1})");
    CHECK(upper.status == 422);
    CHECK(has(upper,
              "Variable name must only contain lowercase letters, numbers, and dashes "
              "or underscores."));
    CHECK(api.post("/api/variables/", R"({"name":"a/b","value":1})").status == 422);
    const std::string long_name(256, 'a');
    auto too_long = api.post("/api/variables/", R"({"name":")" + long_name + R"(","value":1})");
    CHECK(too_long.status == 422);
    CHECK(has(too_long, "string_too_long"));
    CHECK(api.post("/api/variables/", R"({"name":")" + long_name.substr(1) + R"(","value":1})")
              .status == 201);
    CHECK(api.post("/api/variables/", R"({"name":null,"value":1})").status == 422);
  }
  SUBCASE("values are limited to 5000 characters of JSON") {
    const std::string ok(4998, 'x');  // 5000 with the quotes
    CHECK(api.post("/api/variables/", R"({"name":"ok","value":")" + ok + R"("})").status == 201);
    auto big = api.post("/api/variables/", R"({"name":"big","value":")" + ok + R"(x"})");
    CHECK(big.status == 422);
    CHECK(has(big, "Variable value must be less than 5000 characters"));
  }
  SUBCASE("tags must be a list of strings") {
    CHECK(api.post("/api/variables/", R"({"name":"t","value":1,"tags":[1]})").status == 422);
    CHECK(api.post("/api/variables/", R"({"name":"t","value":1,"tags":null})").status == 422);
  }
}

TEST_CASE("variables are read, patched and deleted by id and by name; unknown ones are 404") {
  ApiFixture api;
  const std::string id = create(api, R"({"name":"alpha","value":"one","tags":["a"]})");
  CHECK(json_string(api.get("/api/variables/name/alpha"), "id") == id);
  auto missing = api.get("/api/variables/name/nope");
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"detail":"Variable not found."})");
  CHECK(api.get("/api/variables/00000000-0000-4000-8000-000000000000").status == 404);

  api.clock.advance(std::chrono::seconds(3));
  CHECK(api.call("PATCH", "/api/variables/" + id, R"({"value":{"k":1}})").status == 204);
  auto read = parse_json(api.get("/api/variables/" + id));
  CHECK(core::to_json(member(read.root(), "value")) == R"({"k":1})");
  CHECK(str(read.root(), "updated") == "2026-01-01T00:00:03Z");
  CHECK(items(member(read.root(), "tags")).size() == 1);  // unset keys are left alone

  CHECK(api.call("PATCH", "/api/variables/name/alpha", R"({"name":"beta","value":null})").status ==
        204);
  auto renamed = parse_json(api.get("/api/variables/name/beta"));
  CHECK(member(renamed.root(), "value").is_null());
  CHECK(api.get("/api/variables/name/alpha").status == 404);

  CHECK(api.call("PATCH", "/api/variables/name/alpha", R"({"value":1})").status == 404);
  CHECK(api.call("PATCH", "/api/variables/" + id, R"({"bogus":1})").status == 422);
  CHECK(api.call("PATCH", "/api/variables/" + id, R"({"name":"Bad"})").status == 422);
  create(api, R"({"name":"gamma","value":1})");
  auto clash = api.call("PATCH", "/api/variables/" + id, R"({"name":"gamma"})");
  CHECK(clash.status == 409);
  CHECK(has(clash, "Data integrity conflict"));

  CHECK(api.call("DELETE", "/api/variables/name/gamma").status == 204);
  CHECK(api.call("DELETE", "/api/variables/name/gamma").status == 404);
  CHECK(api.call("DELETE", "/api/variables/" + id).status == 204);
  CHECK(api.call("DELETE", "/api/variables/" + id).status == 404);
  CHECK(api.post("/api/variables/count").body == "0");
}

TEST_CASE("variable filter sorts by name by default and honours VariableFilter and VariableSort") {
  ApiFixture api;
  std::string bravo;
  for (const char* body :
       {R"({"name":"charlie","value":1,"tags":["x"]})", R"({"name":"alpha","value":2})",
        R"({"name":"bravo","value":3,"tags":["x","y"]})"}) {
    const std::string id = create(api, body);
    bravo = std::string_view(body).find("bravo") != std::string_view::npos ? id : bravo;
    api.clock.advance(std::chrono::seconds(1));
  }
  CHECK(names(api.post("/api/variables/filter")) ==
        std::vector<std::string>{"alpha", "bravo", "charlie"});
  CHECK(names(api.post("/api/variables/filter", R"({"sort":"NAME_DESC","limit":2})")) ==
        std::vector<std::string>{"charlie", "bravo"});
  CHECK(names(api.post("/api/variables/filter", R"({"sort":"CREATED_DESC","offset":1})")) ==
        std::vector<std::string>{"alpha", "charlie"});
  CHECK(names(api.post("/api/variables/filter", R"({"variables":{"name":{"like_":"RAV"}}})")) ==
        std::vector<std::string>{"bravo"});
  // As upstream's unescaped ilike: `_` and `%` are wildcards, a backslash is literal.
  CHECK(names(api.post("/api/variables/filter", R"({"variables":{"name":{"like_":"a_p%a"}}})")) ==
        std::vector<std::string>{"alpha"});
  CHECK(names(api.post("/api/variables/filter", R"({"variables":{"name":{"like_":"a\\"}}})"))
            .empty());
  CHECK(names(api.post("/api/variables/filter",
                       R"({"variables":{"name":{"any_":["alpha","charlie"]}}})")) ==
        std::vector<std::string>{"alpha", "charlie"});
  CHECK(names(api.post("/api/variables/filter",
                       R"({"variables":{"id":{"any_":[")" + bravo + R"("]}}})")) ==
        std::vector<std::string>{"bravo"});
  CHECK(names(api.post("/api/variables/filter", R"({"variables":{"tags":{"all_":["x","y"]}}})")) ==
        std::vector<std::string>{"bravo"});
  CHECK(names(api.post("/api/variables/filter", R"({"variables":{"tags":{"is_null_":true}}})")) ==
        std::vector<std::string>{"alpha"});
  CHECK(api.post("/api/variables/count", R"({"variables":{"tags":{"all_":["x"]}}})").body == "2");
  CHECK(api.post("/api/variables/count").body == "3");
  SUBCASE("bad filters and sorts are 422") {
    CHECK(api.post("/api/variables/filter", R"({"sort":"ID_DESC"})").status == 422);
    CHECK(api.post("/api/variables/filter", R"({"limit":201})").status == 422);
    auto extra = api.post("/api/variables/filter", R"({"variables":{"name":{"not_any_":["a"]}}})");
    CHECK(extra.status == 422);
    CHECK(has(extra, R"("loc":["body","variables","name","not_any_"])"));
    CHECK(api.post("/api/variables/count", R"({"variables":{"id":{"any_":["x"]}}})").status == 422);
  }
}
