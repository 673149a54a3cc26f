#include "lib/transport/websocket_codec.h"

#include <doctest/doctest.h>

using namespace prefectcore::transport::ws;
using Kind = Event::Kind;

namespace {

// A masked client frame, as a browser or the websockets library sends it.
std::string client_frame(int opcode, std::string_view payload, bool fin = true, bool masked = true,
                         int rsv = 0) {
  std::string out;
  out += static_cast<char>((fin ? 0x80 : 0) | (rsv << 4) | opcode);
  char mask_bit = masked ? static_cast<char>(0x80) : 0;
  if (payload.size() < 126) {
    out += static_cast<char>(mask_bit | static_cast<char>(payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    out += static_cast<char>(mask_bit | 126);
    out += static_cast<char>(payload.size() >> 8);
    out += static_cast<char>(payload.size() & 0xFF);
  } else {
    out += static_cast<char>(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8) {
      out += static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> shift) & 0xFF);
    }
  }
  const char mask[4] = {0x37, static_cast<char>(0xfa), 0x21, 0x3d};
  if (masked) {
    out.append(mask, 4);
  }
  for (std::size_t i = 0; i < payload.size(); ++i) {
    out += masked ? static_cast<char>(payload[i] ^ mask[i % 4]) : payload[i];
  }
  return out;
}

std::string close_payload(int code, std::string_view reason = {}) {
  std::string p;
  p += static_cast<char>(code >> 8);
  p += static_cast<char>(code & 0xFF);
  p += reason;
  return p;
}

Event decode_one(std::string_view bytes, std::uint64_t max = 1 << 20) {
  Decoder d(max);
  d.feed(bytes);
  return d.next();
}

}  // namespace

TEST_CASE("server frames use the shortest length encoding and no mask") {
  std::string out;
  append_frame(out, Opcode::kText, "Hello");
  CHECK(out == std::string("\x81\x05Hello", 7));
  out.clear();
  append_frame(out, Opcode::kBinary, std::string(300, 'x'));
  CHECK(out.size() == 4 + 300);
  CHECK(static_cast<unsigned char>(out[1]) == 126);
  CHECK(((static_cast<unsigned char>(out[2]) << 8) | static_cast<unsigned char>(out[3])) == 300);
  out.clear();
  append_frame(out, Opcode::kBinary, std::string(70000, 'x'), false);
  CHECK(static_cast<unsigned char>(out[0]) == 0x02);  // no FIN
  CHECK(static_cast<unsigned char>(out[1]) == 127);
  CHECK(out.size() == 10 + 70000);
}

TEST_CASE("close frames carry the code and a reason cut to fit a control frame") {
  std::string out;
  append_close_frame(out, 1001, "going away");
  CHECK(out == std::string("\x88\x0c\x03\xe9going away", 14));
  out.clear();
  append_close_frame(out, 0, "ignored");
  CHECK(out == std::string("\x88\x00", 2));
  out.clear();
  // 200 two-byte characters: the cut must not split one.
  std::string reason;
  for (int i = 0; i < 200; ++i) {
    reason += "\xc3\xa9";
  }
  append_close_frame(out, 1000, reason);
  CHECK(out.size() <= 2 + 125);
  CHECK(is_valid_utf8(std::string_view(out).substr(4)));
}

TEST_CASE("a masked text frame decodes to its message") {
  Event e = decode_one(client_frame(0x1, "Hello"));
  CHECK(e.kind == Kind::kText);
  CHECK(e.payload == "Hello");
}

TEST_CASE("frames split across reads decode once complete") {
  std::string bytes = client_frame(0x2, std::string(70000, 'b'));
  Decoder d(1 << 20);
  std::size_t i = 0;
  for (; i + 1000 < bytes.size(); i += 1000) {
    d.feed(std::string_view(bytes).substr(i, 1000));
    REQUIRE(d.next().kind == Kind::kNone);
  }
  d.feed(std::string_view(bytes).substr(i));
  Event e = d.next();
  CHECK(e.kind == Kind::kBinary);
  CHECK(e.payload == std::string(70000, 'b'));
}

TEST_CASE("fragmented messages are reassembled with control frames interleaved") {
  Decoder d(1 << 20);
  d.feed(client_frame(0x1, "Hel", false));
  d.feed(client_frame(0x9, "ping!"));
  d.feed(client_frame(0x0, "lo, ", false));
  d.feed(client_frame(0x0, "world"));
  Event ping = d.next();
  CHECK(ping.kind == Kind::kPing);
  CHECK(ping.payload == "ping!");
  Event msg = d.next();
  CHECK(msg.kind == Kind::kText);
  CHECK(msg.payload == "Hello, world");
  CHECK(d.next().kind == Kind::kNone);
}

TEST_CASE("many tiny fragments do not exhaust the stack") {
  Decoder d(1 << 20);
  std::string bytes = client_frame(0x2, "", false);
  for (int i = 0; i < 200000; ++i) {
    bytes += client_frame(0x0, "", false);
  }
  bytes += client_frame(0x0, "end");
  d.feed(bytes);
  Event e = d.next();
  CHECK(e.kind == Kind::kBinary);
  CHECK(e.payload == "end");
}

TEST_CASE("unmasked client frames are a protocol error") {
  Event e = decode_one(client_frame(0x1, "hi", true, false));
  CHECK(e.kind == Kind::kError);
  CHECK(e.code == kCloseProtocolError);
}

TEST_CASE("protocol violations close with 1002") {
  SUBCASE("reserved bits without an extension") {
    CHECK(decode_one(client_frame(0x1, "x", true, true, 4)).code == kCloseProtocolError);
  }
  SUBCASE("unknown opcode") {
    CHECK(decode_one(client_frame(0x3, "x")).code == kCloseProtocolError);
  }
  SUBCASE("fragmented control frame") {
    CHECK(decode_one(client_frame(0x9, "x", false)).code == kCloseProtocolError);
  }
  SUBCASE("control frame over 125 bytes") {
    CHECK(decode_one(client_frame(0x9, std::string(126, 'x'))).code == kCloseProtocolError);
  }
  SUBCASE("continuation without a message") {
    CHECK(decode_one(client_frame(0x0, "x")).code == kCloseProtocolError);
  }
  SUBCASE("a new message inside a fragmented one") {
    Decoder d(1 << 20);
    d.feed(client_frame(0x1, "a", false));
    d.feed(client_frame(0x1, "b"));
    CHECK(d.next().code == kCloseProtocolError);
  }
  SUBCASE("a one-byte close payload") {
    CHECK(decode_one(client_frame(0x8, "x")).code == kCloseProtocolError);
  }
  SUBCASE("a reserved close code") {
    CHECK(decode_one(client_frame(0x8, close_payload(1005))).code == kCloseProtocolError);
    CHECK(decode_one(client_frame(0x8, close_payload(999))).code == kCloseProtocolError);
    CHECK(decode_one(client_frame(0x8, close_payload(5000))).code == kCloseProtocolError);
  }
  SUBCASE("a 64-bit length with the top bit set") {
    std::string bytes = "\x82\xff\x80";
    bytes += std::string(7, '\0') + "mask";
    CHECK(decode_one(bytes).code == kCloseProtocolError);
  }
}

TEST_CASE("messages over the limit close with 1009 from the header alone") {
  SUBCASE("one frame") {
    std::string bytes = client_frame(0x2, std::string(2000, 'x'));
    Decoder d(1000);
    d.feed(bytes.substr(0, 14));  // header only: refused before the payload arrives
    Event e = d.next();
    CHECK(e.kind == Kind::kError);
    CHECK(e.code == kCloseTooBig);
  }
  SUBCASE("fragments adding up") {
    Decoder d(1000);
    d.feed(client_frame(0x1, std::string(600, 'x'), false));
    d.feed(client_frame(0x0, std::string(600, 'x')));
    CHECK(d.next().code == kCloseTooBig);
  }
  SUBCASE("exactly the limit is fine") {
    CHECK(decode_one(client_frame(0x2, std::string(1000, 'x')), 1000).kind == Kind::kBinary);
  }
}

TEST_CASE("invalid UTF-8 in text closes with 1007, binary is not checked") {
  CHECK(decode_one(client_frame(0x1, "\xff\xfe")).code == kCloseInvalidPayload);
  CHECK(decode_one(client_frame(0x2, "\xff\xfe")).kind == Kind::kBinary);
  // A character split across fragments is valid once reassembled.
  Decoder d(1 << 20);
  d.feed(client_frame(0x1, "\xc3", false));
  d.feed(client_frame(0x0, "\xa9"));
  Event e = d.next();
  CHECK(e.kind == Kind::kText);
  CHECK(e.payload == "\xc3\xa9");
  CHECK(decode_one(client_frame(0x8, close_payload(1000, "\xff"))).code == kCloseInvalidPayload);
}

TEST_CASE("close frames report the code and reason, and end decoding") {
  Decoder d(1 << 20);
  d.feed(client_frame(0x8, close_payload(4001, "bye")));
  d.feed(client_frame(0x1, "after close"));
  Event e = d.next();
  CHECK(e.kind == Kind::kClose);
  CHECK(e.code == 4001);
  CHECK(e.payload == "bye");
  CHECK(d.next().kind == Kind::kNone);
  CHECK(decode_one(client_frame(0x8, "")).code == kCloseNoStatus);
}

TEST_CASE("errors are sticky: nothing after garbage is interpreted") {
  Decoder d(1 << 20);
  d.feed("GET / HTTP/1.1\r\n\r\n");
  CHECK(d.next().kind == Kind::kError);
  d.feed(client_frame(0x1, "hello"));
  CHECK(d.next().kind == Kind::kNone);
}

TEST_CASE("UTF-8 validation rejects overlongs, surrogates and out-of-range code points") {
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"));
  CHECK(is_valid_utf8("\xf0\x9f\x98\x80"));
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
  CHECK_FALSE(is_valid_utf8("\x80"));
}

TEST_CASE("valid close codes are the ones a peer may send") {
  CHECK(is_valid_close_code(1000));
  CHECK(is_valid_close_code(1011));
  CHECK(is_valid_close_code(3000));
  CHECK(is_valid_close_code(4999));
  CHECK_FALSE(is_valid_close_code(1004));
  CHECK_FALSE(is_valid_close_code(1006));
  CHECK_FALSE(is_valid_close_code(1015));
  CHECK_FALSE(is_valid_close_code(2999));
}
