// Tests for the load generator's pure parts: the loopback guard, the response parser on
// hostile input, the histogram and the scenario state machines.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <string>

#include <doctest/doctest.h>

#include "histogram.h"
#include "http.h"
#include "scenarios.h"

using namespace prefectcore::bench;

namespace {

ParseState parse(std::string_view buf, Response& out, bool eof = false) {
  static std::string scratch;
  size_t consumed = 0;
  std::string error;
  return parse_response(buf, eof, out, scratch, consumed, error);
}

Response ok_with(std::string_view body, int status = 201) {
  return Response{.status = status, .body = body, .close = false};
}

}  // namespace

TEST_CASE("only loopback URLs are accepted as targets") {
  Target t;
  std::string error;
  CHECK(parse_loopback_url("http://127.0.0.1:4200", t, error));
  CHECK(t.port == 4200);
  CHECK(t.host_header == "127.0.0.1:4200");
  CHECK(parse_loopback_url("http://127.8.9.10:80/api", t, error));
  CHECK(parse_loopback_url("http://localhost:4200/", t, error));
  CHECK(t.addr.ss_family == AF_INET);
  CHECK(parse_loopback_url("http://[::1]:4200", t, error));
  CHECK(t.addr.ss_family == AF_INET6);
  for (const char* bad :
       {"http://10.0.0.1:4200", "http://192.168.1.1", "http://8.8.8.8:53", "http://example.com",
        "http://[::2]:80", "http://128.0.0.1", "https://127.0.0.1", "http://127.0.0.1:0",
        "http://127.0.0.1:70000", "http://127.0.0.1:4200/other", "http://:4200",
        "http://0.0.0.0:4200", "http://127.1:4200"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_loopback_url(bad, t, error));
  }
}

TEST_CASE("requests with a body carry JSON content type and length") {
  std::string wire;
  serialize_request(Request{.method = "POST", .target = "/api/flows/", .body = "{}"}, "h:1", wire);
  CHECK(
      wire ==
      "POST /api/flows/ HTTP/1.1\r\nHost: h:1\r\nUser-Agent: prefect-bench\r\n"
      "Accept: application/json\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
}

TEST_CASE("a Content-Length response is complete only when its body has arrived") {
  Response r;
  const std::string full = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ntrue";
  CHECK(parse(full.substr(0, 20), r) == ParseState::kIncomplete);
  CHECK(parse(full.substr(0, full.size() - 1), r) == ParseState::kIncomplete);
  REQUIRE(parse(full, r) == ParseState::kComplete);
  CHECK(r.status == 200);
  CHECK(r.body == "true");
  CHECK_FALSE(r.close);
}

TEST_CASE("chunked bodies are decoded, with extensions and trailers") {
  Response r;
  const std::string wire =
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\n{\"id\r\n6\r\n\":\"a\"}\r\n0\r\nX-Trailer: 1\r\n\r\n";
  CHECK(parse(wire.substr(0, wire.size() - 2), r) == ParseState::kIncomplete);
  REQUIRE(parse(wire, r) == ParseState::kComplete);
  CHECK(r.status == 201);
  CHECK(r.body == R"({"id":"a"})");
}

TEST_CASE("Connection: close and HTTP/1.0 end keep-alive") {
  Response r;
  REQUIRE(parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", r) ==
          ParseState::kComplete);
  CHECK(r.close);
  REQUIRE(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", r) == ParseState::kComplete);
  CHECK(r.close);
  REQUIRE(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", r) ==
          ParseState::kComplete);
  CHECK_FALSE(r.close);
}

TEST_CASE("an unframed body runs to end of stream") {
  Response r;
  CHECK(parse("HTTP/1.1 200 OK\r\n\r\nabc", r) == ParseState::kIncomplete);
  REQUIRE(parse("HTTP/1.1 200 OK\r\n\r\nabc", r, /*eof=*/true) == ParseState::kComplete);
  CHECK(r.body == "abc");
}

TEST_CASE("malformed or hostile responses are errors, never crashes") {
  Response r;
  for (const char* bad : {
           "HTTP/2 200 OK\r\n\r\n",
           "HTTP/1.1 2x0 OK\r\n\r\n",
           "HTTP/1.1 99 OK\r\n\r\n",
           "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd",
           "HTTP/1.1 100 Continue\r\n\r\n",
       }) {
    CAPTURE(bad);
    CHECK(parse(bad, r) == ParseState::kError);
  }
  CHECK(parse("", r, /*eof=*/true) == ParseState::kError);
  CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", r, true) == ParseState::kError);
  CHECK(parse(std::string(kMaxHeaderBytes + 10, 'a'), r) == ParseState::kError);
}

TEST_CASE("histogram percentiles are exact for small values and within 2% above") {
  LatencyHistogram h;
  CHECK(h.percentile(0.5) == 0);
  for (uint64_t v = 1; v <= 100; ++v) {
    h.record(v);
  }
  CHECK(h.percentile(0.50) == 50);
  CHECK(h.percentile(0.99) == 99);
  CHECK(h.max() == 100);
  LatencyHistogram big;
  big.record(1'000'000);
  const uint64_t p = big.percentile(1.0);
  CHECK(p == 1'000'000);  // capped at the exact max
  for (uint64_t v : {128u, 1000u, 65'535u, 123'456'789u}) {
    const uint64_t upper = LatencyHistogram::upper_bound_of(LatencyHistogram::index_of(v));
    CHECK(upper >= v);
    CHECK(static_cast<double>(upper - v) <= 0.016 * static_cast<double>(v));
  }
  LatencyHistogram merged;
  merged.merge(h);
  merged.merge(big);
  CHECK(merged.count() == 101);
  CHECK(merged.max() == 1'000'000);
}

TEST_CASE("the health scenario repeats GET /api/health and counts iterations") {
  const ScenarioInfo* info = find_scenario("health");
  REQUIRE(info != nullptr);
  auto s = info->make(0);
  CHECK(s->next(nullptr).target == "/api/health");
  const Response r = ok_with("true", 200);
  CHECK(s->next(&r).method == "GET");
  CHECK(s->iterations() == 1);
  CHECK(find_scenario("nope") == nullptr);
}

TEST_CASE("the lifecycle scenario threads ids from responses into later requests") {
  auto s = find_scenario("flow-run-lifecycle")->make(3);
  Request req = s->next(nullptr);
  CHECK(req.target == "/api/flows/");
  const Response flow = ok_with(R"({"id":"f1","name":"bench-lifecycle"})");
  req = s->next(&flow);
  CHECK(req.target == "/api/flow_runs/");
  CHECK(req.body.find(R"("flow_id":"f1")") != std::string::npos);
  const Response run = ok_with(R"({"id":"abc-123","state":{"id":"zzz"}})");
  req = s->next(&run);
  CHECK(req.target == "/api/flow_runs/abc-123/set_state");
  CHECK(req.body.find("RUNNING") != std::string::npos);
  const Response accepted = ok_with(R"({"status":"ACCEPT"})");
  req = s->next(&accepted);
  CHECK(req.body.find("COMPLETED") != std::string::npos);
  req = s->next(&accepted);
  CHECK(req.method == "GET");
  CHECK(req.target == "/api/flow_runs/abc-123");
  CHECK(s->iterations() == 0);
  const Response read = ok_with(R"({"id":"abc-123"})", 200);
  req = s->next(&read);
  CHECK(s->iterations() == 1);
  CHECK(req.target == "/api/flow_runs/");

  SUBCASE("an error response restarts the flow instead of using a bogus id") {
    const Response failed = ok_with(R"({"detail":"nope"})", 422);
    req = s->next(&failed);  // the create failed: the flow may be gone
    CHECK(req.target == "/api/flows/");
  }
  SUBCASE("an id that could inject into the request line is refused") {
    const Response hostile = ok_with("{\"id\":\"a/b\\r\\nX: y\"}");
    req = s->next(&hostile);
    CHECK(req.target == "/api/flows/");
  }
}

TEST_CASE("json_string_field reads top-level strings only") {
  CHECK(json_string_field(R"({"a":{"id":"inner"},"id":"outer"})", "id") == "outer");
  CHECK_FALSE(json_string_field(R"({"id":5})", "id"));
  CHECK_FALSE(json_string_field("[1,2]", "id"));
  CHECK_FALSE(json_string_field("not json", "id"));
  CHECK_FALSE(json_string_field("", "id"));
}
