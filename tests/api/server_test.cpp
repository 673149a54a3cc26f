#include <doctest/doctest.h>

#include "lib/core/json.h"
#include "tests/support/test_server.h"

using namespace prefectcore;
using prefectcore::testing::make_request;
using prefectcore::testing::make_server;

TEST_CASE("health, version, hello and admin version answer as upstream") {
  auto server = make_server();
  auto health = server->handle(make_request("GET", "/api/health"));
  CHECK(health.status == 200);
  CHECK(health.body == "true");
  CHECK(health.headers.get("Content-Type").value() == "application/json");
  CHECK(server->handle(make_request("GET", "/api/version")).body == "\"0.8.4\"");
  CHECK(server->handle(make_request("GET", "/api/hello")).body == "\"\xf0\x9f\x91\x8b\"");
  auto admin = server->handle(make_request("GET", "/api/admin/version"));
  CHECK(admin.status == 200);
  CHECK(admin.body.rfind("\"3.", 0) == 0);
}

TEST_CASE("unknown paths are 404 and wrong methods 405 with a detail body") {
  auto server = make_server();
  auto missing = server->handle(make_request("GET", "/api/nope"));
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"detail":"Not Found"})");
  auto outside = server->handle(make_request("GET", "/elsewhere"));
  CHECK(outside.status == 404);
  auto wrong = server->handle(make_request("DELETE", "/api/health"));
  CHECK(wrong.status == 405);
  CHECK(wrong.body == R"({"detail":"Method Not Allowed"})");
}

TEST_CASE("csrf-token answers 422 when CSRF protection is disabled") {
  auto server = make_server();
  auto r = server->handle(make_request("GET", "/api/csrf-token?client=abc"));
  CHECK(r.status == 422);
  CHECK(r.body == R"({"detail":"CSRF protection is disabled."})");
}

TEST_CASE("X-Prefect-API-Version below 0.8.0 or malformed is 400; missing is fine") {
  auto server = make_server();
  auto req = make_request("GET", "/api/admin/version");
  CHECK(server->handle(req).status == 200);
  req.headers.set("X-Prefect-API-Version", "0.8.4");
  CHECK(server->handle(req).status == 200);
  req.headers.set("X-Prefect-API-Version", "0.7.9");
  auto old = server->handle(req);
  CHECK(old.status == 400);
  CHECK(old.body.find("0.8.0 or higher") != std::string::npos);
  req.headers.set("X-Prefect-API-Version", "banana");
  CHECK(server->handle(req).status == 400);
}

TEST_CASE("basic auth guards the API except health and ready") {
  Settings s = Settings::defaults();
  s.api.auth_string = "admin:pass";
  auto server = make_server(s);
  auto denied = server->handle(make_request("GET", "/api/admin/version"));
  CHECK(denied.status == 401);
  CHECK(denied.body == R"({"exception_message":"Unauthorized"})");
  CHECK(server->handle(make_request("GET", "/api/health")).status == 200);
  auto req = make_request("GET", "/api/admin/version");
  req.headers.set("Authorization", "Basic YWRtaW46cGFzcw==");
  CHECK(server->handle(req).status == 200);
  req.headers.set("Authorization", "Basic YWRtaW46d3Jvbmc=");
  CHECK(server->handle(req).status == 401);
}

TEST_CASE("CORS: simple requests get Allow-Origin, preflights are answered") {
  auto server = make_server();
  auto req = make_request("GET", "/api/health");
  req.headers.set("Origin", "http://localhost:3000");
  CHECK(server->handle(req).headers.get("Access-Control-Allow-Origin").value() == "*");
  auto pre = make_request("OPTIONS", "/api/flows/");
  pre.headers.set("Origin", "http://localhost:3000");
  pre.headers.set("Access-Control-Request-Method", "POST");
  pre.headers.set("Access-Control-Request-Headers", "content-type");
  auto r = server->handle(pre);
  CHECK(r.status == 200);
  CHECK(r.headers.get("Access-Control-Allow-Headers").value() == "content-type");
}

TEST_CASE("ready reports 503 without a database") {
  auto server = make_server();
  auto r = server->handle(make_request("GET", "/api/ready"));
  CHECK(r.status == 503);
  CHECK(r.body == R"({"message":"Database is not available"})");
}

TEST_CASE("list_routes names every route under /api") {
  auto server = make_server();
  auto routes = server->list_routes();
  CHECK(std::find(routes.begin(), routes.end(), "GET /api/health") != routes.end());
}
