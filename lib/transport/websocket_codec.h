#pragma once

// The RFC 6455 frame codec, server side, with no sockets: encoding of server frames
// (unmasked) and a Decoder that turns received bytes into complete messages and control
// events, enforcing the protocol rules a server must (masking, control-frame limits,
// fragmentation order, UTF-8 in text, a message size limit). Thread-bound.

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/core/internal.h"

namespace prefectcore::transport::ws {

enum class Opcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Close codes (RFC 6455 §7.4.1).
inline constexpr int kCloseNormal = 1000;
inline constexpr int kCloseGoingAway = 1001;
inline constexpr int kCloseProtocolError = 1002;
inline constexpr int kCloseNoStatus = 1005;  // never sent; "no code in the close frame"
inline constexpr int kCloseAbnormal = 1006;  // never sent; "connection dropped"
inline constexpr int kCloseInvalidPayload = 1007;
inline constexpr int kCloseTooBig = 1009;
inline constexpr int kCloseInternalError = 1011;

// Appends one unmasked (server-to-client) frame to `out`.
void append_frame(std::string& out, Opcode opcode, std::string_view payload, bool fin = true);
// Appends a close frame; code 0 sends an empty payload. The reason is cut to fit 123 bytes.
void append_close_frame(std::string& out, int code, std::string_view reason);

// True for codes a peer may put in a close frame (1000-1003, 1007-1011, 3000-4999).
bool is_valid_close_code(int code);
bool is_valid_utf8(std::string_view text);

struct Event {
  enum class Kind {
    kNone,    // more bytes needed
    kText,    // payload: a complete, valid UTF-8 message
    kBinary,  // payload: a complete message
    kPing,    // payload: the ping data to echo in a pong
    kPong,
    kClose,  // code: the peer's code (kCloseNoStatus when absent), payload: its reason
    kError,  // code: the close code to answer with (1002, 1007, 1009); the stream is dead
  };
  Kind kind = Kind::kNone;
  int code = 0;
  std::string payload;
};

// Parses client frames from a byte stream and reassembles fragmented messages.
class Decoder {
 public:
  explicit Decoder(std::uint64_t max_message_bytes) : max_message_(max_message_bytes) {}

  // Appends received bytes.
  void feed(std::string_view bytes);
  // The next event from the bytes fed so far. After kError or kClose every call returns
  // kNone: nothing the peer sends later is interpreted.
  Event next();
  // Bytes held (an incomplete frame, or unparsed frames).
  std::size_t buffered() const { return buf_.size() - pos_; }

 private:
  // One frame: kNone with need_more_ set when the frame is incomplete.
  Event next_frame();
  Event error(int code);
  Event on_frame(bool fin, Opcode opcode, std::string payload);

  std::uint64_t max_message_;
  std::string buf_;
  std::size_t pos_ = 0;
  bool done_ = false;
  bool need_more_ = false;
  bool in_message_ = false;
  bool message_binary_ = false;
  std::string message_;
};

}  // namespace prefectcore::transport::ws
