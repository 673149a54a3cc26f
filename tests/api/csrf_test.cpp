#include <chrono>
#include <string>

#include <doctest/doctest.h>

#include "lib/core/json.h"
#include "lib/core/time.h"
#include "lib/core/uuid.h"
#include "tests/support/api_fixture.h"
#include "tests/support/test_server.h"

using namespace prefectcore;
using namespace std::chrono_literals;
using prefectcore::testing::ApiFixture;
using prefectcore::testing::json_string;
using prefectcore::testing::make_request;
using prefectcore::testing::make_server;

namespace {

Settings csrf_enabled(double expiration_seconds = 3600) {
  Settings s = Settings::defaults();
  s.api.csrf_protection_enabled = true;
  s.api.csrf_token_expiration = expiration_seconds;
  return s;
}

// A write request with the CSRF headers; a missing value leaves its header out.
HttpRequest write_request(const std::string& token, const std::string& client,
                          std::string method = "POST") {
  HttpRequest r = make_request(std::move(method), "/api/health");
  if (!token.empty()) {
    r.headers.set("Prefect-Csrf-Token", token);
  }
  if (!client.empty()) {
    r.headers.set("Prefect-Csrf-Client", client);
  }
  return r;
}

// POST /api/health has no route: a 405 shows the request got past the CSRF check.
constexpr int kPastCsrf = 405;

std::string issue_token(ApiFixture& api, const std::string& client) {
  auto r = api.get("/api/csrf-token?client=" + client);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return json_string(r, "token");
}

std::int64_t stored_tokens(Server& server) {
  auto tx = server.database()->begin(TxMode::kRead);
  REQUIRE(tx.has_value());
  auto rows = (*tx)->query("SELECT count(*) FROM csrf_token");
  REQUIRE(rows.has_value());
  return rows->front().int64(0);
}

}  // namespace

TEST_CASE("csrf-token without a client is a 422 validation error, enabled or not") {
  for (bool enabled : {false, true}) {
    Settings s = Settings::defaults();
    s.api.csrf_protection_enabled = enabled;
    auto r = make_server(s)->handle(make_request("GET", "/api/csrf-token"));
    CHECK(r.status == 422);
    auto doc = core::JsonDocument::parse(r.body);
    REQUIRE(doc.has_value());
    core::JsonElement loc;
    REQUIRE_FALSE(doc->root().at_pointer("/exception_detail/0/loc").get(loc));
    CHECK(core::to_json(loc) == R"(["query","client"])");
  }
}

TEST_CASE("with CSRF protection disabled, writes need no CSRF headers") {
  auto server = make_server();
  CHECK(server->handle(write_request("", "")).status == kPastCsrf);
}

TEST_CASE("with CSRF protection enabled, writes without the headers are refused with 403") {
  auto server = make_server(csrf_enabled());
  SUBCASE("no token") {
    auto req = write_request("", "client-1");
    req.headers.set("Origin", "http://ui.test");
    auto r = server->handle(req);
    CHECK(r.status == 403);
    CHECK(r.body == R"({"detail":"Missing CSRF token."})");
    // Upstream's CSRF middleware sits outside CORS: no CORS headers on this answer.
    CHECK_FALSE(r.headers.has("Access-Control-Allow-Origin"));
  }
  SUBCASE("no client") {
    for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
      auto r = server->handle(write_request("abc", "", method));
      CHECK(r.status == 403);
      CHECK(r.body == R"({"detail":"Missing client identifier."})");
    }
  }
  SUBCASE("reads are not checked") {
    CHECK(server->handle(make_request("GET", "/api/health")).status == 200);
  }
}

TEST_CASE("csrf-token issues a 64-hex token per client that expires after the setting") {
  ApiFixture api(csrf_enabled(300));
  auto r = api.get("/api/csrf-token?client=client-1");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  const std::string token = json_string(r, "token");
  CHECK(token.size() == 64);
  CHECK(token.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(json_string(r, "client") == "client-1");
  CHECK(core::is_uuid(json_string(r, "id")));
  CHECK(json_string(r, "created") == core::format_api_time(api.clock.now()));
  CHECK(json_string(r, "updated") == core::format_api_time(api.clock.now()));
  CHECK(json_string(r, "expiration") == core::format_api_time(api.clock.now() + 300s));
}

TEST_CASE("a valid token lets writes through; a wrong token or client is 403 with CORS *") {
  ApiFixture api(csrf_enabled());
  const std::string token = issue_token(api, "client-1");
  CHECK(api.server->handle(write_request(token, "client-1")).status == kPastCsrf);
  for (auto [t, c] : {std::pair{std::string(64, '0'), std::string("client-1")},
                      std::pair{token, std::string("client-2")}}) {
    auto r = api.server->handle(write_request(t, c));
    CHECK(r.status == 403);
    CHECK(r.body == R"({"detail":"Invalid CSRF token or client identifier."})");
    CHECK(r.headers.get("Access-Control-Allow-Origin") == "*");
  }
}

TEST_CASE("asking again replaces the client's token in the same row") {
  ApiFixture api(csrf_enabled());
  auto first = api.get("/api/csrf-token?client=client-1");
  api.clock.advance(10s);
  auto second = api.get("/api/csrf-token?client=client-1");
  REQUIRE(second.status == 200);
  CHECK(json_string(second, "id") == json_string(first, "id"));
  CHECK(json_string(second, "token") != json_string(first, "token"));
  CHECK(json_string(second, "updated") == core::format_api_time(api.clock.now()));
  CHECK(api.server->handle(write_request(json_string(first, "token"), "client-1")).status == 403);
  CHECK(api.server->handle(write_request(json_string(second, "token"), "client-1")).status ==
        kPastCsrf);
  CHECK(stored_tokens(*api.server) == 1);
}

TEST_CASE("an expired token is invalid, and expired tokens are purged on the next issue") {
  ApiFixture api(csrf_enabled(60));
  const std::string token = issue_token(api, "client-1");
  api.clock.advance(59s);
  CHECK(api.server->handle(write_request(token, "client-1")).status == kPastCsrf);
  api.clock.advance(2s);
  auto r = api.server->handle(write_request(token, "client-1"));
  CHECK(r.status == 403);
  CHECK(r.body == R"({"detail":"Invalid CSRF token or client identifier."})");
  issue_token(api, "client-2");
  CHECK(stored_tokens(*api.server) == 1);
}
