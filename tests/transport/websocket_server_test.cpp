#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include <prefectcore/http_server.h>

#include "tests/transport/test_client.h"

using namespace prefectcore;
using prefectcore::testing::TestSocket;
using prefectcore::testing::websocket_connect;
using prefectcore::testing::websocket_request;
using prefectcore::testing::WsFrame;

namespace {

constexpr int kText = 0x1;
constexpr int kBinary = 0x2;
constexpr int kContinuation = 0x0;
constexpr int kClose = 0x8;
constexpr int kPing = 0x9;
constexpr int kPong = 0xA;

// What the echo endpoint saw, for assertions from the test thread.
struct Recorder {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int> close_codes;
  int flood_accepted = -1;

  void closed(int code) {
    std::lock_guard lock(mu);
    close_codes.push_back(code);
    cv.notify_all();
  }
  // Waits (bounded, as a failure guard) until `n` sessions have reported on_close.
  std::vector<int> wait_closes(std::size_t n) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return close_codes.size() >= n; });
    return close_codes;
  }
};

class EchoHandler final : public WebSocketHandler {
 public:
  EchoHandler(std::shared_ptr<WebSocketSession> session, Recorder& rec)
      : session_(std::move(session)), rec_(rec) {}

  void on_message(std::string_view message, bool binary) override {
    if (message == "close-me") {
      session_->close(4001, "bye");
    } else if (message == "flood") {
      int accepted = 0;
      while (accepted < 100000 && session_->send_text(std::string(1024, 'f'))) {
        ++accepted;
      }
      std::lock_guard lock(rec_.mu);
      rec_.flood_accepted = accepted;
    } else {
      session_->send_text((binary ? "binary:" : "") + std::string(message));
    }
  }
  void on_close(int code) override { rec_.closed(code); }

 private:
  std::shared_ptr<WebSocketSession> session_;
  Recorder& rec_;
};

WebSocketAcceptFn echo_endpoint(Recorder& rec) {
  return [&rec](const HttpRequest& r) {
    WebSocketAccept accept;
    if (r.path != "/ws") {
      accept.reject = HttpResponse::json(404, R"({"detail":"Not Found"})");
      return accept;
    }
    auto offered = r.headers.get("Sec-WebSocket-Protocol");
    if (offered && offered->find("prefect") != std::string_view::npos) {
      accept.subprotocol = "prefect";
    }
    accept.open = [&rec](std::shared_ptr<WebSocketSession> session) {
      return std::make_unique<EchoHandler>(std::move(session), rec);
    };
    return accept;
  };
}

HttpServerOptions test_options() {
  HttpServerOptions o;
  o.port = 0;
  o.websocket_max_message_bytes = 100000;
  return o;
}

std::unique_ptr<HttpServer> start(Recorder& rec, HttpServerOptions o = test_options()) {
  auto server = HttpServer::start([](const HttpRequest&) { return HttpResponse::json(200, "1"); },
                                  echo_endpoint(rec), std::move(o));
  REQUIRE(server.has_value());
  return std::move(server).value();
}

// Reads frames until a close frame; returns its code (-1 if the connection ended first).
int read_close_code(TestSocket& s) {
  for (;;) {
    auto f = s.read_frame();
    if (!f) {
      return -1;
    }
    if (f->opcode == kClose) {
      return f->close_code();
    }
  }
}

}  // namespace

TEST_CASE("the handshake echoes the prefect subprotocol and declines permessage-deflate") {
  Recorder rec;
  auto server = start(rec);
  TestSocket s(server->port());
  REQUIRE(s.send_all(websocket_request(
      "/ws", {"Sec-WebSocket-Protocol: chat, prefect",
              "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"})));
  auto r = s.read_response();
  REQUIRE(r.has_value());
  CHECK(r->status == 101);
  CHECK(r->header("Upgrade") == "websocket");
  CHECK(r->header("Sec-WebSocket-Accept") == std::string(prefectcore::testing::kTestAccept));
  CHECK(r->header("Sec-WebSocket-Protocol") == "prefect");
  CHECK_FALSE(r->header("Sec-WebSocket-Extensions").has_value());
  REQUIRE(s.send_frame(kText, "hi"));
  auto echo = s.read_frame();
  REQUIRE(echo.has_value());
  CHECK(echo->payload == "hi");
}

TEST_CASE("no subprotocol is echoed when the client offers none") {
  Recorder rec;
  auto server = start(rec);
  TestSocket s(server->port());
  REQUIRE(s.send_all(websocket_request("/ws")));
  auto r = s.read_response();
  REQUIRE(r.has_value());
  CHECK(r->status == 101);
  CHECK_FALSE(r->header("Sec-WebSocket-Protocol").has_value());
}

TEST_CASE("messages of every length encoding are echoed") {
  Recorder rec;
  auto server = start(rec);
  auto s = websocket_connect(server->port());
  for (std::size_t size : {5, 125, 126, 300, 65535, 65536, 70000}) {
    CAPTURE(size);
    std::string msg(size, 'm');
    REQUIRE(s.send_frame(kText, msg));
    auto f = s.read_frame();
    REQUIRE(f.has_value());
    CHECK(f->opcode == kText);
    CHECK(f->fin);
    CHECK(f->payload == msg);
  }
  REQUIRE(s.send_frame(kBinary, std::string("\x00\xff", 2)));
  auto bin = s.read_frame();
  REQUIRE(bin.has_value());
  CHECK(bin->payload == std::string("binary:\x00\xff", 9));
}

TEST_CASE("fragmented messages are reassembled and pings in between are answered") {
  Recorder rec;
  auto server = start(rec);
  auto s = websocket_connect(server->port());
  REQUIRE(s.send_frame(kText, "frag", false));
  REQUIRE(s.send_frame(kPing, "p1"));
  REQUIRE(s.send_frame(kContinuation, "men", false));
  REQUIRE(s.send_frame(kContinuation, "ted"));
  auto pong = s.read_frame();
  REQUIRE(pong.has_value());
  CHECK(pong->opcode == kPong);
  CHECK(pong->payload == "p1");
  auto msg = s.read_frame();
  REQUIRE(msg.has_value());
  CHECK(msg->payload == "fragmented");
}

TEST_CASE("a client close is echoed with its code, then the server ends the connection") {
  Recorder rec;
  auto server = start(rec);
  auto s = websocket_connect(server->port());
  REQUIRE(s.send_close(1000, "done"));
  auto f = s.read_frame();
  REQUIRE(f.has_value());
  CHECK(f->opcode == kClose);
  CHECK(f->close_code() == 1000);
  CHECK(s.wait_closed());
  CHECK(rec.wait_closes(1) == std::vector<int>{1000});
}

TEST_CASE("a close the library starts carries its code and reason") {
  Recorder rec;
  auto server = start(rec);
  auto s = websocket_connect(server->port());
  REQUIRE(s.send_frame(kText, "close-me"));
  auto f = s.read_frame();
  REQUIRE(f.has_value());
  CHECK(f->opcode == kClose);
  CHECK(f->close_code() == 4001);
  CHECK(f->close_reason() == "bye");
  REQUIRE(s.send_close(4001));
  CHECK(s.wait_closed());
  CHECK(rec.wait_closes(1) == std::vector<int>{4001});
}

TEST_CASE("protocol violations close the session with the matching code") {
  Recorder rec;
  HttpServerOptions o = test_options();
  o.websocket_max_message_bytes = 1024;
  auto server = start(rec, o);
  auto s = websocket_connect(server->port());
  int expected = 0;
  SUBCASE("an oversize message: 1009") {
    expected = 1009;
    REQUIRE(s.send_frame(kBinary, std::string(200000, 'x')));
  }
  SUBCASE("an unmasked frame: 1002") {
    expected = 1002;
    REQUIRE(s.send_frame(kText, "hello", true, false));
  }
  SUBCASE("invalid UTF-8 in text: 1007") {
    expected = 1007;
    REQUIRE(s.send_frame(kText, "\xc3\x28"));
  }
  CHECK(read_close_code(s) == expected);
  CHECK(s.wait_closed());
  CHECK(rec.wait_closes(1) == std::vector<int>{expected});
}

TEST_CASE("garbage bytes end the session without harming the server") {
  Recorder rec;
  auto server = start(rec);
  {
    auto s = websocket_connect(server->port());
    std::string garbage;
    for (int i = 0; i < 4096; ++i) {
      garbage += static_cast<char>((i * 7919) & 0xFF);
    }
    s.send_all(garbage);
    int code = read_close_code(s);
    CHECK((code == 1002 || code == 1009 || code == -1));
    CHECK(s.wait_closed());
  }
  auto fresh = websocket_connect(server->port());
  REQUIRE(fresh.send_frame(kText, "still here"));
  auto f = fresh.read_frame();
  REQUIRE(f.has_value());
  CHECK(f->payload == "still here");
}

TEST_CASE("frames sent together with the handshake are not lost") {
  Recorder rec;
  auto server = start(rec);
  TestSocket s(server->port());
  REQUIRE(s.send_all(websocket_request("/ws")));
  REQUIRE(s.send_frame(kText, "early"));
  auto r = s.read_response();
  REQUIRE(r.has_value());
  REQUIRE(r->status == 101);
  auto f = s.read_frame();
  REQUIRE(f.has_value());
  CHECK(f->payload == "early");
}

TEST_CASE("many concurrent sessions are served by the hub") {
  Recorder rec;
  auto server = start(rec);
  std::vector<TestSocket> sessions;
  sessions.reserve(100);
  for (int i = 0; i < 100; ++i) {
    sessions.push_back(websocket_connect(server->port()));
  }
  for (int i = 0; i < 100; ++i) {
    REQUIRE(sessions[i].send_frame(kText, "n" + std::to_string(i)));
  }
  for (int i = 0; i < 100; ++i) {
    auto f = sessions[i].read_frame();
    REQUIRE(f.has_value());
    CHECK(f->payload == "n" + std::to_string(i));
  }
  // HTTP still works while they are open.
  TestSocket http(server->port());
  REQUIRE(http.send_all(prefectcore::testing::http_request("GET", "/")));
  auto r = http.read_response();
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
}

TEST_CASE("stopping the server closes every session with 1001") {
  Recorder rec;
  auto server = start(rec);
  std::vector<TestSocket> sessions;
  sessions.reserve(3);
  for (int i = 0; i < 3; ++i) {
    sessions.push_back(websocket_connect(server->port()));
  }
  std::thread stopper([&] { server->stop(); });
  for (auto& s : sessions) {
    CHECK(read_close_code(s) == 1001);
    REQUIRE(s.send_close(1001));
    CHECK(s.wait_closed());
  }
  stopper.join();
  CHECK(rec.wait_closes(3) == std::vector<int>{1001, 1001, 1001});
}

TEST_CASE("upgrade refusals are answered over HTTP and the connection closes") {
  Recorder rec;
  auto server = start(rec);
  SUBCASE("the library rejects the path") {
    TestSocket s(server->port());
    REQUIRE(s.send_all(websocket_request("/nowhere")));
    auto r = s.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 404);
    CHECK(r->body == R"({"detail":"Not Found"})");
    CHECK(s.wait_closed());
  }
  SUBCASE("an unsupported version") {
    TestSocket s(server->port());
    REQUIRE(s.send_all(prefectcore::testing::http_request(
        "GET", "/ws",
        {"Upgrade: websocket", "Connection: Upgrade",
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 8"})));
    auto r = s.read_response();
    REQUIRE(r.has_value());
    CHECK(r->status == 426);
    CHECK(r->header("Sec-WebSocket-Version") == "13");
  }
}

TEST_CASE("sessions beyond max_clients are refused with 503") {
  Recorder rec;
  HttpServerOptions o = test_options();
  o.max_clients = 2;
  auto server = start(rec, o);
  auto a = websocket_connect(server->port());
  auto b = websocket_connect(server->port());
  TestSocket c(server->port());
  REQUIRE(c.send_all(websocket_request("/ws")));
  auto r = c.read_response();
  REQUIRE(r.has_value());
  CHECK(r->status == 503);
}

TEST_CASE("send_text refuses once the outgoing buffer is over its bound") {
  Recorder rec;
  HttpServerOptions o = test_options();
  o.websocket_max_buffered_bytes = std::int64_t{64} * 1024;
  auto server = start(rec, o);
  auto s = websocket_connect(server->port());
  REQUIRE(s.send_frame(kText, "flood"));
  auto first = s.read_frame();
  REQUIRE(first.has_value());
  CHECK(first->payload == std::string(1024, 'f'));
  std::lock_guard lock(rec.mu);
  CHECK(rec.flood_accepted > 0);
  CHECK(rec.flood_accepted <= 64);
}

TEST_CASE("idle peers are pinged and dropped with 1011 when they stop answering") {
  Recorder rec;
  HttpServerOptions o = test_options();
  o.websocket_ping_interval = 0.2;
  o.websocket_ping_timeout = 0.3;
  auto server = start(rec, o);
  auto s = websocket_connect(server->port());
  auto ping = s.read_frame();
  REQUIRE(ping.has_value());
  CHECK(ping->opcode == kPing);
  REQUIRE(s.send_frame(kPong, ping->payload));
  auto second = s.read_frame();
  REQUIRE(second.has_value());
  CHECK(second->opcode == kPing);     // answered, so pinged again rather than dropped
  CHECK(read_close_code(s) == 1011);  // this one goes unanswered
  CHECK(rec.wait_closes(1) == std::vector<int>{1011});
}
