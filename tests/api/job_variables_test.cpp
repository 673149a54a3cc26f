// Job variables against the work pool's base job template (upstream api/validation.py and
// DeploymentUpdate.check_valid_configuration): deployment create/update, flow runs from a
// deployment and work pool defaults.

#include <doctest/doctest.h>

#include "lib/core/uuid.h"
#include "tests/api/flow_runs_support.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

// `count` is an optional integer (so null is also accepted); `image` a required string.
std::string template_with(std::string_view count_extra = "", std::string_view image_extra = "") {
  return std::string(R"({"job_configuration":{"count":"{{ count }}","image":"{{ image }}"},)") +
         R"("variables":{"type":"object","properties":{"count":{"type":"integer")" +
         std::string(count_extra) + R"(},"image":{"type":"string")" + std::string(image_extra) +
         R"(}},"required":["image"]}})";
}

HttpResponse create_pool(ApiFixture& api, const std::string& name, const std::string& tpl) {
  return api.post("/api/work_pools/",
                  R"({"name":")" + name + R"(","type":"process","base_job_template":)" + tpl + "}");
}

HttpResponse create_deployment(ApiFixture& api, const std::string& flow, const std::string& pool,
                               const std::string& job_variables) {
  return api.post("/api/deployments/", R"({"name":"d","flow_id":")" + flow +
                                           R"(","work_pool_name":")" + pool +
                                           R"(","job_variables":)" + job_variables + "}");
}

HttpResponse run(ApiFixture& api, const std::string& deployment, const std::string& body = "{}") {
  return api.post("/api/deployments/" + deployment + "/create_flow_run", body);
}

std::string detail(const HttpResponse& r) { return json_string(r, "detail"); }

}  // namespace

TEST_CASE("deployment job variables are validated against the pool's variables schema") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  REQUIRE(create_pool(api, "pool", template_with()).status == 201);

  SUBCASE("a wrong-typed optional variable is rejected with upstream's message") {
    auto r = create_deployment(api, flow, "pool", R"({"count":"abc"})");
    REQUIRE(r.status == 422);
    CHECK(detail(r) ==
          "Error creating deployment: Validation failed for field 'count'. Failure reason: "
          "'abc' is not valid under any of the given schemas");
    CHECK(api.post("/api/deployments/count", "{}").body == "0");
  }
  SUBCASE("a wrong-typed required variable names the expected type") {
    auto r = create_deployment(api, flow, "pool", R"({"image":5})");
    REQUIRE(r.status == 422);
    CHECK(detail(r) ==
          "Error creating deployment: Validation failed for field 'image'. Failure reason: "
          "5 is not of type 'string'");
  }
  SUBCASE("null is accepted for an optional variable") {
    CHECK(create_deployment(api, flow, "pool", R"({"count":null})").status == 201);
  }
  SUBCASE("a missing required variable is allowed on create but not on the flow run") {
    auto r = create_deployment(api, flow, "pool", R"({"count":2})");
    REQUIRE(r.status == 201);
    const std::string id = json_string(r, "id");
    auto missing = run(api, id);
    REQUIRE(missing.status == 422);
    CHECK(detail(missing) ==
          "Error creating flow run: Validation failed. Failure reason: 'image' is a required "
          "property");
    auto bad = run(api, id, R"({"job_variables":{"image":"x","count":"many"}})");
    REQUIRE(bad.status == 422);
    CHECK(detail(bad) ==
          "Error creating flow run: Validation failed for field 'count'. Failure reason: "
          "'many' is not valid under any of the given schemas");
    auto ok = run(api, id, R"({"job_variables":{"image":"x"}})");
    CHECK(ok.status == 201);
    CHECK(core::to_json(member(parse_json(ok).root(), "job_variables")) == R"({"image":"x"})");
  }
  SUBCASE("correct values are accepted everywhere") {
    auto r = create_deployment(api, flow, "pool", R"({"count":3,"image":"python"})");
    REQUIRE(r.status == 201);
    CHECK(run(api, json_string(r, "id")).status == 201);
  }
}

TEST_CASE("deployment updates check job variables only when they name a work pool") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  REQUIRE(create_pool(api, "pool", template_with()).status == 201);
  auto created = create_deployment(api, flow, "pool", "{}");
  REQUIRE(created.status == 201);
  const std::string path = "/api/deployments/" + json_string(created, "id");

  // upstream check_valid_configuration: 409 with the jsonschema error's repr().
  auto bad = api.call("PATCH", path, R"({"work_pool_name":"pool","job_variables":{"count":"x"}})");
  REQUIRE(bad.status == 409);
  CHECK(detail(bad) ==
        "Error creating deployment: <ValidationError: \"'x' is not valid under any of the given "
        "schemas\">");
  CHECK(core::to_json(member(parse_json(api.get(path)).root(), "job_variables")) == "{}");

  // Required variables are not enforced on update.
  CHECK(
      api.call("PATCH", path, R"({"work_pool_name":"pool","job_variables":{"count":1}})").status ==
      204);
  // Without a work_pool_name in the update, upstream does not validate.
  CHECK(api.call("PATCH", path, R"({"job_variables":{"count":"x"}})").status == 204);
}

TEST_CASE("work pool creation validates the template's defaults") {
  ApiFixture api;

  auto bad = create_pool(api, "bad", template_with(R"(,"default":"abc")"));
  REQUIRE(bad.status == 422);
  CHECK(detail(bad) ==
        "Validation failed for work pool's job variable defaults: Validation failed for field "
        "'count'. Failure reason: 'abc' is not valid under any of the given schemas");
  CHECK(api.get("/api/work_pools/bad").status == 404);

  auto missing_block = create_pool(
      api, "blocky",
      template_with(R"(,"default":{"$ref":{"block_document_id":")" + core::uuid4() + R"("}})"));
  REQUIRE(missing_block.status == 404);
  CHECK(detail(missing_block) == "Block not found.");

  // A missing required default is fine: deployments or runs may supply it.
  CHECK(create_pool(api, "good", template_with(R"(,"default":1)")).status == 201);

  // upstream validates defaults on create only, not on update.
  auto update = api.call("PATCH", "/api/work_pools/good",
                         R"({"base_job_template":)" + template_with("", R"(,"default":5)") + "}");
  CHECK(update.status == 204);
}

TEST_CASE("pool defaults fill job variables, and invalid defaults are dropped") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  REQUIRE(create_pool(api, "pool", template_with("", R"(,"default":"python")")).status == 201);
  auto created = create_deployment(api, flow, "pool", R"({"count":1})");
  REQUIRE(created.status == 201);
  const std::string id = json_string(created, "id");
  // The default satisfies the required `image`.
  CHECK(run(api, id).status == 201);

  // An invalid default (set by an update, which does not validate) is ignored, and with it
  // the required check it could have satisfied.
  REQUIRE(api.call("PATCH", "/api/work_pools/pool",
                   R"({"base_job_template":)" + template_with("", R"(,"default":5)") + "}")
              .status == 204);
  CHECK(run(api, id).status == 201);
  auto bad = run(api, id, R"({"job_variables":{"image":7}})");
  REQUIRE(bad.status == 422);
  CHECK(detail(bad) ==
        "Error creating flow run: Validation failed for field 'image'. Failure reason: 7 is "
        "not of type 'string'");
}

TEST_CASE("pools without a template and deployments without a pool skip validation") {
  ApiFixture api;
  const std::string flow = make_flow(api, "f");
  REQUIRE(api.post("/api/work_pools/", R"({"name":"bare","type":"process"})").status == 201);
  auto d = create_deployment(api, flow, "bare", R"({"count":"anything"})");
  REQUIRE(d.status == 201);
  CHECK(run(api, json_string(d, "id"), R"({"job_variables":{"x":[1]}})").status == 201);

  auto served = api.post("/api/deployments/", R"({"name":"served","flow_id":")" + flow +
                                                  R"(","job_variables":{"count":"x"}})");
  REQUIRE(served.status == 201);
  CHECK(run(api, json_string(served, "id")).status == 201);
}

TEST_CASE("a self-referencing variables schema is refused instead of recursing forever") {
  ApiFixture api;
  // Each anyOf branch refers back to the field's own schema: without a bound on the checks
  // this branches 2^depth times.
  auto r = create_pool(
      api, "loop",
      R"({"job_configuration":{"x":"{{ x }}"},"variables":{"type":"object","properties":)"
      R"({"x":{"default":1,"anyOf":[{"$ref":"#/properties/x"},{"$ref":"#/properties/x"}]}}}})");
  REQUIRE(r.status == 422);
  CHECK(detail(r).find("Validation failed for field 'x'.") != std::string::npos);
}
