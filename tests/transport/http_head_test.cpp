#include "lib/transport/http_head.h"

#include <doctest/doctest.h>

#include "lib/transport/websocket_upgrade.h"

using namespace prefectcore;
using namespace prefectcore::transport;

TEST_CASE("a request head parses without consuming the body") {
  std::string bytes =
      "POST /api/flows/?a=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nX-Multi: a\r\n"
      "x-multi: b\r\n\r\n{}";
  RequestHead head;
  REQUIRE(parse_request_head(bytes, 1024, head) == HeadStatus::kOk);
  CHECK(head.method == "POST");
  CHECK(head.target == "/api/flows/?a=1");
  CHECK(head.version == "HTTP/1.1");
  CHECK(head.size == bytes.size() - 2);
  CHECK(head.header("content-length").value() == "2");
  CHECK(head.header("X-MULTI").value() == "a");
}

TEST_CASE("incomplete, oversize and malformed heads are told apart") {
  RequestHead head;
  CHECK(parse_request_head("GET / HTTP/1.1\r\nHost: x\r\n", 1024, head) == HeadStatus::kIncomplete);
  CHECK(parse_request_head(std::string(2000, 'a'), 1024, head) == HeadStatus::kTooLarge);
  CHECK(parse_request_head("GET / HTTP/1.1\r\nX: " + std::string(2000, 'a') + "\r\n\r\n", 1024,
                           head) == HeadStatus::kTooLarge);
  CHECK(parse_request_head("GET /\r\n\r\n", 1024, head) == HeadStatus::kBad);
  CHECK(parse_request_head("GET / HTTP/2.0\r\n\r\n", 1024, head) == HeadStatus::kBad);
  CHECK(parse_request_head("GET nopath HTTP/1.1\r\n\r\n", 1024, head) == HeadStatus::kBad);
  CHECK(parse_request_head("GET / HTTP/1.1\r\nno colon\r\n\r\n", 1024, head) == HeadStatus::kBad);
  CHECK(parse_request_head("GET / HTTP/1.1\r\nBad Name: v\r\n\r\n", 1024, head) ==
        HeadStatus::kBad);
  CHECK(parse_request_head("GET / HTTP/1.1\r\nA: b\nC: d\r\n\r\n", 1024, head) == HeadStatus::kBad);
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) {
    many += "H" + std::to_string(i) + ": v\r\n";
  }
  CHECK(parse_request_head(many + "\r\n", 1 << 20, head) == HeadStatus::kTooLarge);
}

TEST_CASE("body framing follows Content-Length and chunked, and refuses ambiguity") {
  auto framing = [](const std::string& headers) {
    RequestHead head;
    REQUIRE(parse_request_head("POST / HTTP/1.1\r\n" + headers + "\r\n", 4096, head) ==
            HeadStatus::kOk);
    return body_framing(head, 100);
  };
  CHECK(framing("").value().kind == BodyFraming::Kind::kNone);
  CHECK(framing("Content-Length: 0\r\n").value().kind == BodyFraming::Kind::kNone);
  CHECK(framing("Content-Length: 100\r\n").value().length == 100);
  CHECK(framing("Transfer-Encoding: chunked\r\n").value().kind == BodyFraming::Kind::kChunked);
  CHECK(framing("Content-Length: 101\r\n").error().code() == ErrorCode::kPayloadTooLarge);
  CHECK(framing("Content-Length: 99999999999999999999999\r\n").error().code() ==
        ErrorCode::kBadRequest);
  CHECK(framing("Content-Length: -1\r\n").error().code() == ErrorCode::kBadRequest);
  CHECK(framing("Content-Length: 1\r\nContent-Length: 2\r\n").error().code() ==
        ErrorCode::kBadRequest);
  CHECK(framing("Content-Length: 1\r\nTransfer-Encoding: chunked\r\n").error().code() ==
        ErrorCode::kBadRequest);
  CHECK(framing("Transfer-Encoding: gzip, chunked\r\n").error().code() == ErrorCode::kBadRequest);
}

TEST_CASE("paths are percent-decoded and queries keep their order") {
  RequestHead head;
  REQUIRE(parse_request_head("GET /api/flows/a%20b%2Fc?x=1&y=a+b%26&x=2&flag&=v#frag HTTP/1.1\r\n"
                             "Host: x\r\n\r\n",
                             4096, head) == HeadStatus::kOk);
  HttpRequest r;
  fill_request(head, r);
  CHECK(r.path == "/api/flows/a b/c");
  REQUIRE(r.query.size() == 5);
  CHECK(r.query[0] == std::pair<std::string, std::string>("x", "1"));
  CHECK(r.query[1] == std::pair<std::string, std::string>("y", "a b&"));
  CHECK(r.query[2] == std::pair<std::string, std::string>("x", "2"));
  CHECK(r.query[3] == std::pair<std::string, std::string>("flag", ""));
  CHECK(r.query[4] == std::pair<std::string, std::string>("", "v"));
  CHECK(r.headers.get("host").value() == "x");
  CHECK(percent_decode("%zz%4", false) == "%zz%4");
  CHECK(percent_decode("a+b", false) == "a+b");
}

TEST_CASE("serialized responses set Content-Length and drop injected header lines") {
  HttpResponse r = detail_response(413, "Request Entity Too Large");
  r.headers.add("X-Evil", "a\r\nSet-Cookie: x");
  r.headers.add("Content-Length", "999");
  std::string wire = serialize_response(r, true);
  CHECK(wire.rfind("HTTP/1.1 413 Request Entity Too Large\r\n", 0) == 0);
  CHECK(wire.find("X-Evil") == std::string::npos);
  CHECK(wire.find("Content-Length: " + std::to_string(r.body.size()) + "\r\n") !=
        std::string::npos);
  CHECK(wire.find("999") == std::string::npos);
  CHECK(wire.find("Connection: close\r\n\r\n{\"detail\":\"Request Entity Too Large\"}") !=
        std::string::npos);
}

TEST_CASE("WebSocket handshakes are validated per RFC 6455") {
  auto head_of = [](const std::string& headers, const std::string& method = "GET") {
    RequestHead head;
    REQUIRE(parse_request_head(method + " /ws HTTP/1.1\r\n" + headers + "\r\n", 4096, head) ==
            HeadStatus::kOk);
    return head;
  };
  std::string good =
      "Upgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Protocol: chat, prefect\r\nSec-WebSocket-Extensions: permessage-deflate\r\n";
  RequestHead head = head_of(good);
  CHECK(is_websocket_upgrade(head));
  CHECK_FALSE(check_handshake(head).has_value());
  CHECK(offered_protocols(head) == std::vector<std::string>{"chat", "prefect"});
  std::string reply = switching_protocols(head, "prefect");
  CHECK(reply.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != std::string::npos);
  CHECK(reply.find("Sec-WebSocket-Protocol: prefect\r\n") != std::string::npos);
  CHECK(reply.find("Extensions") == std::string::npos);

  CHECK(check_handshake(head_of(good, "POST"))->status == 400);
  auto old_version = check_handshake(
      head_of("Upgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n"));
  REQUIRE(old_version.has_value());
  CHECK(old_version->status == 426);
  CHECK(old_version->headers.get("Sec-WebSocket-Version").value() == "13");
  CHECK(check_handshake(head_of("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n"))
            ->status == 400);
  CHECK(check_handshake(head_of("Upgrade: websocket\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                "Sec-WebSocket-Version: 13\r\n"))
            ->status == 400);
}
