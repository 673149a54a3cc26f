// <prefectcore/http_server.h> compiles first and alone, with only the public dependency
// (prefectcore_http_dep): no cpp-httplib or internal types leak through it.
#include <doctest/doctest.h>

#include <prefectcore/http_server.h>

using namespace prefectcore;

TEST_CASE("transport options come from settings and invalid ones are refused") {
  Settings settings = Settings::defaults();
  settings.api.host = "0.0.0.0";
  settings.api.port = 4321;
  settings.api.max_clients = 7;
  settings.api.keepalive_timeout = 9;
  settings.api.max_request_body_bytes = 99;
  settings.api.websocket_max_message_bytes = 77;
  settings.api.websocket_ping_interval = 3;
  auto o = HttpServerOptions::from_settings(settings);
  CHECK(o.host == "0.0.0.0");
  CHECK(o.port == 4321);
  CHECK(o.max_clients == 7);
  CHECK(o.keepalive_timeout == 9);
  CHECK(o.max_request_body_bytes == 99);
  CHECK(o.websocket_max_message_bytes == 77);
  CHECK(o.websocket_ping_interval == 3);

  auto echo = [](const HttpRequest&) { return HttpResponse::empty(204); };
  o.host = "127.0.0.1";
  o.port = 0;
  o.max_clients = 0;
  auto no_clients = HttpServer::start(echo, nullptr, o);
  REQUIRE_FALSE(no_clients.has_value());
  CHECK(no_clients.error().code() == ErrorCode::kInvalidArgument);
  o.max_clients = 1;
  o.port = 70000;
  auto bad_port = HttpServer::start(echo, nullptr, o);
  REQUIRE_FALSE(bad_port.has_value());
  CHECK(bad_port.error().code() == ErrorCode::kInvalidArgument);
}
