#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include <prefectcore/http_server.h>

#include "tests/support/test_server.h"
#include "tests/transport/test_client.h"

using namespace prefectcore;
using prefectcore::testing::http_request;
using prefectcore::testing::TestSocket;

namespace {

HttpServerOptions test_options() {
  HttpServerOptions o;
  o.port = 0;
  return o;
}

// Answers "METHOD PATH QUERY BODY-SIZE BODY" so tests see exactly what was parsed.
HttpResponse echo(const HttpRequest& r) {
  std::string query;
  for (const auto& [k, v] : r.query) {
    query.append(k).append("=").append(v).append(";");
  }
  HttpResponse res;
  res.headers.set("Content-Type", "text/plain");
  res.body =
      r.method + " " + r.path + " " + query + " " + std::to_string(r.body.size()) + " " + r.body;
  return res;
}

std::unique_ptr<HttpServer> start(HttpHandlerFn fn = echo, HttpServerOptions o = test_options()) {
  auto server = HttpServer::start(std::move(fn), nullptr, std::move(o));
  REQUIRE(server.has_value());
  return std::move(server).value();
}

std::string chunked(const std::vector<std::string>& chunks) {
  std::string out;
  char size[32];
  for (const auto& c : chunks) {
    std::snprintf(size, sizeof(size), "%zx\r\n", c.size());
    out += size + c + "\r\n";
  }
  return out + "0\r\n\r\n";
}

}  // namespace

TEST_CASE("one keep-alive connection serves several requests, also pipelined") {
  auto server = start();
  TestSocket s(server->port());
  REQUIRE(s.connected());
  REQUIRE(s.send_all(http_request("GET", "/a%20b/c%2Fd?x=1&y=a+b&x=2")));
  auto r1 = s.read_response();
  REQUIRE(r1.has_value());
  CHECK(r1->status == 200);
  CHECK(r1->body == "GET /a b/c/d x=1;y=a b;x=2; 0 ");
  CHECK(r1->header("Connection") != "close");

  REQUIRE(s.send_all(http_request("POST", "/p", {}, "hello")));
  auto r2 = s.read_response();
  REQUIRE(r2.has_value());
  CHECK(r2->body == "POST /p  5 hello");

  REQUIRE(s.send_all(http_request("PUT", "/one", {}, "1") + http_request("DELETE", "/two")));
  auto r3 = s.read_response();
  auto r4 = s.read_response();
  REQUIRE(r3.has_value());
  REQUIRE(r4.has_value());
  CHECK(r3->body == "PUT /one  1 1");
  CHECK(r4->body == "DELETE /two  0 ");
}

TEST_CASE("the library's 404 and 405 bodies arrive over the wire") {
  auto library = prefectcore::testing::make_server();
  auto started = HttpServer::start(*library, test_options());
  REQUIRE(started.has_value());
  auto& server = *started;
  TestSocket s(server->port());
  REQUIRE(s.send_all(http_request("GET", "/api/no-such-route")));
  auto missing = s.read_response();
  REQUIRE(missing.has_value());
  CHECK(missing->status == 404);
  CHECK(missing->body == R"({"detail":"Not Found"})");
  CHECK(missing->header("Content-Type") == "application/json");

  REQUIRE(s.send_all(http_request("DELETE", "/api/health")));
  auto wrong_method = s.read_response();
  REQUIRE(wrong_method.has_value());
  CHECK(wrong_method->status == 405);
  CHECK(wrong_method->body == R"({"detail":"Method Not Allowed"})");

  REQUIRE(s.send_all(http_request("GET", "/api/health")));
  auto health = s.read_response();
  REQUIRE(health.has_value());
  CHECK(health->status == 200);
  CHECK(health->body == "true");
}

TEST_CASE("an oversize Content-Length is answered 413 before any body byte is sent") {
  std::atomic<int> calls{0};
  HttpServerOptions o = test_options();
  o.max_request_body_bytes = 1024;
  auto server = start(
      [&](const HttpRequest& r) {
        ++calls;
        return echo(r);
      },
      o);
  SUBCASE("plain") {
    TestSocket s(server->port());
    REQUIRE(s.send_all("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\n"));
    auto r = s.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 413);
    CHECK(r->body == R"({"detail":"Request Entity Too Large"})");
    CHECK(r->header("Connection") == "close");
    CHECK(s.wait_closed());
  }
  SUBCASE("with Expect: 100-continue, no 100 is sent") {
    TestSocket s(server->port());
    REQUIRE(
        s.send_all("POST /x HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                   "Content-Length: 5000\r\n\r\n"));
    auto r = s.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 413);
  }
  SUBCASE("exactly the limit is accepted") {
    TestSocket s(server->port());
    REQUIRE(s.send_all(http_request("POST", "/x", {}, std::string(1024, 'b'))));
    auto r = s.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK(calls.load() == 1);
  }
  CHECK(calls.load() <= 1);
}

TEST_CASE("chunked bodies are reassembled and limited like any other body") {
  HttpServerOptions o = test_options();
  o.max_request_body_bytes = 1024;
  auto server = start(echo, o);
  TestSocket s(server->port());
  SUBCASE("within the limit") {
    REQUIRE(s.send_all("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
                       chunked({"hello ", "chunked", " world"})));
    auto r = s.read_response();
    REQUIRE(r.has_value());
    CHECK(r->body == "POST /c  19 hello chunked world");
    REQUIRE(s.send_all(http_request("GET", "/after")));
    auto next = s.read_response();
    REQUIRE(next.has_value());
    CHECK(next->body == "GET /after  0 ");
  }
  SUBCASE("over the limit") {
    REQUIRE(s.send_all("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
                       chunked({std::string(600, 'a'), std::string(600, 'b')})));
    auto r = s.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 413);
    CHECK(r->body == R"({"detail":"Request Entity Too Large"})");
    CHECK(s.wait_closed());
  }
  SUBCASE("malformed chunk sizes") {
    REQUIRE(
        s.send_all("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "zz\r\nabc\r\n0\r\n\r\n"));
    auto r = s.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 400);
  }
}

TEST_CASE("a POST without Content-Length has an empty body and keeps the connection") {
  auto server = start();
  TestSocket s(server->port());
  REQUIRE(s.send_all("POST /empty HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = s.read_response();
  REQUIRE(r.has_value());
  CHECK(r->body == "POST /empty  0 ");
  REQUIRE(s.send_all("GET /again HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto again = s.read_response();
  REQUIRE(again.has_value());
  CHECK(again->body == "GET /again  0 ");
}

TEST_CASE("Expect: 100-continue gets an interim response before the body") {
  auto server = start();
  TestSocket s(server->port());
  REQUIRE(
      s.send_all("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                 "Content-Length: 4\r\n\r\n"));
  auto interim = s.read_response(true);
  REQUIRE(interim.has_value());
  CHECK(interim->status == 100);
  REQUIRE(s.send_all("data"));
  auto r = s.read_response();
  REQUIRE(r.has_value());
  CHECK(r->body == "POST /e  4 data");
}

TEST_CASE("malformed requests get a JSON 400 and the connection closes") {
  auto server = start();
  SUBCASE("garbage request line") {
    TestSocket s(server->port());
    REQUIRE(s.send_all("GARBAGE\r\n\r\n"));
    auto r = s.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 400);
    CHECK(r->body == R"({"detail":"Invalid HTTP request received."})");
    CHECK(s.wait_closed());
  }
  SUBCASE("Content-Length and Transfer-Encoding together") {
    TestSocket s(server->port());
    REQUIRE(
        s.send_all("POST /x HTTP/1.1\r\nContent-Length: 3\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
    auto r = s.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 400);
    CHECK(s.wait_closed());
  }
  SUBCASE("a head too large") {
    TestSocket s(server->port());
    REQUIRE(s.send_all("GET / HTTP/1.1\r\nX-Big: " + std::string(70000, 'x') + "\r\n\r\n"));
    auto r = s.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 431);
  }
  TestSocket after(server->port());
  REQUIRE(after.send_all(http_request("GET", "/still-up")));
  auto ok = after.read_response();
  REQUIRE(ok.has_value());
  CHECK(ok->status == 200);
}

TEST_CASE("handler exceptions become a 500 with upstream's body") {
  auto server = start([](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
  TestSocket s(server->port());
  REQUIRE(s.send_all(http_request("GET", "/")));
  auto r = s.read_response();
  REQUIRE(r.has_value());
  CHECK(r->status == 500);
  CHECK(r->body == R"({"exception_message":"Internal Server Error"})");
}

TEST_CASE("large responses are gzip-compressed for clients that accept it, small ones are not") {
  auto server = start([](const HttpRequest& r) {
    return HttpResponse::json(
        200, r.path == "/big" ? "\"" + std::string(5000, 'a') + "\"" : std::string("\"small\""));
  });
  TestSocket s(server->port());
  REQUIRE(s.send_all(http_request("GET", "/big", {"Accept-Encoding: gzip, deflate, br"})));
  auto big = s.read_response();
  REQUIRE(big.has_value());
  CHECK(big->header("Content-Encoding") == "gzip");
  CHECK(big->body.size() < 5000);
  REQUIRE(s.send_all(http_request("GET", "/small", {"Accept-Encoding: gzip"})));
  auto small = s.read_response();
  REQUIRE(small.has_value());
  CHECK_FALSE(small->header("Content-Encoding").has_value());
  CHECK(small->body == "\"small\"");
  REQUIRE(s.send_all(http_request("GET", "/big")));
  auto plain = s.read_response();
  REQUIRE(plain.has_value());
  CHECK_FALSE(plain->header("Content-Encoding").has_value());
  CHECK(plain->body.size() == 5002);
}

TEST_CASE("64 idle keep-alive connections do not starve a new request") {
  auto server = start();
  std::vector<TestSocket> idle;
  idle.reserve(64);
  for (int i = 0; i < 64; ++i) {
    idle.emplace_back(server->port());
    REQUIRE(idle.back().send_all(http_request("GET", "/idle")));
    REQUIRE(idle.back().read_response().has_value());
  }
  TestSocket fresh(server->port());
  REQUIRE(fresh.send_all(http_request("GET", "/fresh")));
  auto r = fresh.read_response();
  REQUIRE(r.has_value());
  CHECK(r->body == "GET /fresh  0 ");
  // The idle connections are still usable.
  REQUIRE(idle.front().send_all(http_request("GET", "/again")));
  auto again = idle.front().read_response();
  REQUIRE(again.has_value());
  CHECK(again->status == 200);
}

TEST_CASE("connections beyond max_clients are answered 503 and closed") {
  HttpServerOptions o = test_options();
  o.max_clients = 2;
  auto server = start(echo, o);
  TestSocket a(server->port());
  TestSocket b(server->port());
  for (TestSocket* s : {&a, &b}) {
    REQUIRE(s->send_all(http_request("GET", "/held")));
    REQUIRE(s->read_response().has_value());
  }
  TestSocket refused(server->port());
  auto r = refused.read_response();
  REQUIRE(r.has_value());
  CHECK(r->status == 503);
  CHECK(r->body == R"({"exception_message":"Service Unavailable"})");
  CHECK(refused.wait_closed());
}

TEST_CASE("stop lets an in-flight request finish and closes idle connections") {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  auto server = start([&](const HttpRequest& r) {
    if (r.path == "/slow") {
      entered.set_value();
      released.wait();
    }
    return echo(r);
  });
  int port = server->port();
  TestSocket idle(port);
  REQUIRE(idle.send_all(http_request("GET", "/quick")));
  REQUIRE(idle.read_response().has_value());
  TestSocket busy(port);
  REQUIRE(busy.send_all(http_request("GET", "/slow")));
  entered.get_future().wait();

  std::thread stopper([&] { server->stop(); });
  CHECK(idle.wait_closed());  // stop has begun: idle keep-alive connections are closed
  release.set_value();
  auto r = busy.read_response();
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->body == "GET /slow  0 ");
  CHECK(r->header("Connection") == "close");
  stopper.join();
  CHECK(busy.wait_closed());
  CHECK_FALSE(TestSocket(port).connected());
  server->stop();  // idempotent
  server->wait();
}

TEST_CASE("start reports a port already in use as unavailable") {
  auto first = start();
  HttpServerOptions o = test_options();
  o.port = first->port();
  auto second = HttpServer::start(echo, nullptr, o);
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().code() == ErrorCode::kUnavailable);
}

TEST_CASE("idle keep-alive connections close after the keep-alive timeout") {
  HttpServerOptions o = test_options();
  o.keepalive_timeout = 0.2;
  auto server = start(echo, o);
  TestSocket s(server->port());
  REQUIRE(s.send_all(http_request("GET", "/once")));
  auto r = s.read_response();
  REQUIRE(r.has_value());
  CHECK(r->header("Keep-Alive").has_value());
  CHECK(s.wait_closed());
}

TEST_CASE("a request head that does not arrive within the I/O timeout closes the connection") {
  HttpServerOptions o = test_options();
  o.io_timeout = 0.2;
  auto server = start(echo, o);
  TestSocket s(server->port());
  REQUIRE(s.send_all("GET /slow HTTP/1.1\r\nHost: t\r\n"));  // never finished
  CHECK(s.wait_closed());
}
