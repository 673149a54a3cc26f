#include <string>

#include <doctest/doctest.h>

#include "lib/core/json.h"
#include "tests/support/test_server.h"

using namespace prefectcore;
using prefectcore::testing::make_request;
using prefectcore::testing::make_server;

namespace {

// The JSON text at `pointer` in `body` ("" when absent).
std::string at(const std::string& body, const char* pointer) {
  auto doc = core::JsonDocument::parse(body);
  REQUIRE(doc.has_value());
  core::JsonElement e;
  if (doc->root().at_pointer(pointer).get(e)) {
    return "";
  }
  return core::to_json(e);
}

}  // namespace

TEST_CASE("admin settings is upstream's nested settings dump with upstream key names") {
  auto r = make_server()->handle(make_request("GET", "/api/admin/settings"));
  REQUIRE(r.status == 200);
  CHECK(r.headers.get("Content-Type") == "application/json");
  CHECK(at(r.body, "/server/api/port") == "4200");
  CHECK(at(r.body, "/server/api/host") == R"("127.0.0.1")");
  CHECK(at(r.body, "/server/api/csrf_protection_enabled") == "false");
  CHECK(at(r.body, "/server/api/csrf_token_expiration") == R"("PT3600S")");
  CHECK(at(r.body, "/server/api/websocket_ping_interval") == "20.0");
  CHECK(at(r.body, "/server/logging_level") == R"("WARNING")");
  CHECK(at(r.body, "/server/database/sqlalchemy/pool_size") == "5");
  CHECK(at(r.body, "/server/database/sqlalchemy/connect_args/tls/check_hostname") == "true");
  CHECK(at(r.body, "/server/events/retention_period") == R"("P7D")");
  CHECK(at(r.body, "/server/services/scheduler/loop_seconds") == "60.0");
  CHECK(at(r.body, "/server/services/scheduler/max_scheduled_time") == R"("P100D")");
  CHECK(at(r.body, "/server/services/late_runs/after_seconds") == R"("PT15S")");
  CHECK(at(r.body, "/server/services/db_vacuum/enabled") == R"(["events"])");
  CHECK(at(r.body, "/server/services/db_vacuum/event_retention_overrides") ==
        R"({"prefect.flow-run.heartbeat":"P7D"})");
  CHECK(at(r.body, "/server/tasks/scheduling/max_scheduled_queue_size") == "1000");
  CHECK(at(r.body, "/testing/test_mode") == "false");
  CHECK_FALSE(at(r.body, "/home").empty());
}

TEST_CASE("admin settings never shows the auth string or database credentials") {
  Settings s = Settings::defaults();
  s.api.auth_string = "admin:hunter2";
  s.database.connection_url = "postgresql+asyncpg://app:t0psecret@db/prefect";
  s.database.password = "t0psecret";
  auto req = make_request("GET", "/api/admin/settings");
  req.headers.set("Authorization", "Basic YWRtaW46aHVudGVyMg==");
  auto r = make_server(s)->handle(req);
  REQUIRE(r.status == 200);
  CHECK(r.body.find("hunter2") == std::string::npos);
  CHECK(r.body.find("t0psecret") == std::string::npos);
  CHECK(at(r.body, "/server/api/auth_string") == R"("**********")");
  CHECK(at(r.body, "/server/database/connection_url") == R"("**********")");
  CHECK(at(r.body, "/server/database/password") == R"("**********")");
  SUBCASE("unset secrets are null, as upstream's optional SecretStr") {
    auto plain = make_server()->handle(make_request("GET", "/api/admin/settings"));
    CHECK(at(plain.body, "/server/api/auth_string") == "null");
    CHECK(at(plain.body, "/server/database/password") == "null");
  }
}
