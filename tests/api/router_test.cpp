#include "lib/api/router.h"

#include <doctest/doctest.h>

using namespace prefectcore;
using namespace prefectcore::api;

namespace {
Handler tag(std::string name) {
  return [name](RequestContext&) -> Result<HttpResponse> { return HttpResponse::json(200, name); };
}
}  // namespace

TEST_CASE("literal routes beat parameter routes regardless of registration order") {
  Router r;
  r.add("GET", "/flows/{id:uuid}", tag("by-id"));
  r.add("POST", "/flows/filter", tag("filter"));
  r.add("GET", "/flows/name/{name}", tag("by-name"));
  auto by_id = r.find("GET", "/flows/3fa85f64-5717-4562-b3fc-2c963f66afa6");
  REQUIRE(by_id.match == Router::Match::kFound);
  CHECK(by_id.params.at(0).second == "3fa85f64-5717-4562-b3fc-2c963f66afa6");
  auto filter = r.find("POST", "/flows/filter");
  REQUIRE(filter.match == Router::Match::kFound);
  CHECK(filter.index == 1);
  auto by_name = r.find("GET", "/flows/name/my-flow");
  REQUIRE(by_name.match == Router::Match::kFound);
  CHECK(by_name.params.at(0).second == "my-flow");
}

TEST_CASE("uuid parameters only match UUIDs and are normalised") {
  Router r;
  r.add("GET", "/flows/{id:uuid}", tag("by-id"));
  CHECK(r.find("GET", "/flows/not-a-uuid").match == Router::Match::kNotFound);
  auto upper = r.find("GET", "/flows/3FA85F64-5717-4562-B3FC-2C963F66AFA6");
  REQUIRE(upper.match == Router::Match::kFound);
  CHECK(upper.params.at(0).second == "3fa85f64-5717-4562-b3fc-2c963f66afa6");
}

TEST_CASE("a known path with another method is 405, an unknown path 404") {
  Router r;
  r.add("POST", "/flows/", tag("create"));
  CHECK(r.find("GET", "/flows/").match == Router::Match::kMethodNotAllowed);
  CHECK(r.find("POST", "/nothing").match == Router::Match::kNotFound);
}

TEST_CASE("trailing slashes are optional on both sides") {
  Router r;
  r.add("POST", "/flows/", tag("create"));
  r.add("GET", "/health", tag("health"));
  CHECK(r.find("POST", "/flows").match == Router::Match::kFound);
  CHECK(r.find("POST", "/flows/").match == Router::Match::kFound);
  CHECK(r.find("GET", "/health/").match == Router::Match::kFound);
}

TEST_CASE("path parameters capture the rest of the path") {
  Router r;
  r.add("DELETE", "/automations/owned-by/{resource_id:path}", tag("owned"));
  auto m = r.find("DELETE", "/automations/owned-by/prefect.deployment.abc/x");
  REQUIRE(m.match == Router::Match::kFound);
  CHECK(m.params.at(0).second == "prefect.deployment.abc/x");
}

TEST_CASE("describe lists routes under the base path") {
  Router r;
  r.add("GET", "/health", tag("h"));
  CHECK(r.describe("/api") == std::vector<std::string>{"GET /api/health"});
}
