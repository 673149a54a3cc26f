// Deployment parameter hydration through the API (upstream api/deployments.py:
// update_deployment and create_flow_run_from_deployment hydrate; create_deployment does not).

#include <doctest/doctest.h>

#include "tests/api/flow_runs_support.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

std::string create_deployment(ApiFixture& api, const std::string& parameters) {
  const std::string flow = make_flow(api, "f");
  auto r = api.post("/api/deployments/",
                    R"({"name":"d","flow_id":")" + flow + R"(","parameters":)" + parameters + "}");
  REQUIRE(r.status == 201);
  return json_string(r, "id");
}

HttpResponse run(ApiFixture& api, const std::string& id, const std::string& parameters) {
  return api.post("/api/deployments/" + id + "/create_flow_run",
                  R"({"parameters":)" + parameters + "}");
}

std::string parameters_of(const HttpResponse& r) {
  auto doc = parse_json(r);
  return core::to_json(member(doc.root(), "parameters"));
}

}  // namespace

TEST_CASE("a run from a deployment hydrates json, none, jinja and workspace variables") {
  ApiFixture api;
  REQUIRE(api.post("/api/variables/", R"({"name":"region","value":{"zone":"eu-1"}})").status ==
          201);
  // Stored as given: creating a deployment does not hydrate.
  const std::string id = create_deployment(
      api, R"({"cfg":{"__prefect_kind":"json","value":"{\"retries\": 3}"},)"
           R"("plain":{"__prefect_kind":"none","value":"as-is"},)"
           R"("nested":{"list":[{"__prefect_kind":"workspace_variable","variable_name":"region"},)"
           R"({"__prefect_kind":"json"},2]},)"
           R"("greeting":{"__prefect_kind":"jinja","template":"hello {{ 'world' }}"}})");
  auto stored = api.get("/api/deployments/" + id);
  CHECK(parameters_of(stored).find("__prefect_kind") != std::string::npos);

  auto r = run(api, id, "{}");
  REQUIRE(r.status == 201);
  CHECK(parameters_of(r) ==
        R"({"cfg":{"retries":3},"plain":"as-is","nested":{"list":[{"zone":"eu-1"},2]},)"
        R"("greeting":"hello world"})");
}

TEST_CASE("run parameters override the deployment's before hydration") {
  ApiFixture api;
  const std::string id =
      create_deployment(api, R"({"a":{"__prefect_kind":"json","value":"not json"},"b":1})");
  auto failed = run(api, id, "{}");
  CHECK(failed.status == 400);
  CHECK(failed.body ==
        R"({"detail":"Error hydrating flow run parameters: Invalid JSON: Expecting value: line 1 )"
        R"j(column 1 (char 0)"})j");
  auto r = run(api, id, R"({"a":{"__prefect_kind":"json","value":"[1, 2]"}})");
  REQUIRE(r.status == 201);
  CHECK(parameters_of(r) == R"({"a":[1,2],"b":1})");
}

TEST_CASE("hydration failures of a run are 400s with upstream's detail") {
  ApiFixture api;
  const std::string id = create_deployment(api, "{}");
  auto missing =
      run(api, id, R"({"v":{"__prefect_kind":"workspace_variable","variable_name":"nope"}})");
  CHECK(missing.status == 400);
  CHECK(missing.body ==
        R"({"detail":"Error hydrating flow run parameters: Variable 'nope' not found in )"
        R"(workspace."})");
  auto jinja = run(api, id, R"({"t":{"__prefect_kind":"jinja","template":"{{ 1 +"}})");
  CHECK(jinja.status == 400);
  CHECK(jinja.body ==
        R"({"detail":"Error hydrating flow run parameters: Invalid jinja: unexpected 'end of )"
        R"(template'"})");
  auto unsupported = run(api, id, R"({"t":{"__prefect_kind":"jinja","template":"{{ 1 + 2 }}"}})");
  CHECK(unsupported.status == 400);
  CHECK(json_string(unsupported, "detail")
            .starts_with("Error hydrating flow run parameters: Invalid jinja: this server cannot "
                         "render '{{ 1 + 2 }}'"));
  auto no_value = run(api, id, R"({"n":{"__prefect_kind":"none"}})");
  CHECK(no_value.status == 400);
  CHECK(json_string(no_value, "detail") ==
        "Error hydrating flow run parameters: Missing 'value' key in __prefect object");
}

TEST_CASE("PATCH /deployments/{id} hydrates the parameters it stores") {
  ApiFixture api;
  REQUIRE(api.post("/api/variables/", R"({"name":"who","value":"world"})").status == 201);
  const std::string id = create_deployment(api, "{}");
  auto patched = api.call(
      "PATCH", "/api/deployments/" + id,
      R"({"parameters":{"who":{"__prefect_kind":"workspace_variable","variable_name":"who"},)"
      R"("n":{"__prefect_kind":"json","value":"7"}}})");
  REQUIRE(patched.status == 204);
  CHECK(parameters_of(api.get("/api/deployments/" + id)) == R"({"who":"world","n":7})");

  auto bad = api.call("PATCH", "/api/deployments/" + id,
                      R"({"parameters":{"n":{"__prefect_kind":"json","value":"[1,"}}})");
  CHECK(bad.status == 400);
  CHECK(
      bad.body ==
      R"({"detail":"Error hydrating deployment parameters: Invalid JSON: Expecting value: line 1 )"
      R"j(column 4 (char 3)"})j");
  CHECK(parameters_of(api.get("/api/deployments/" + id)) == R"({"who":"world","n":7})");
}
