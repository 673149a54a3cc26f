#include "lib/transport/websocket_codec.h"

#include <algorithm>

namespace prefectcore::transport::ws {
namespace {

constexpr std::size_t kMaxControlPayload = 125;
// Compact the input buffer once this much of it has been consumed.
constexpr std::size_t kCompactThreshold = std::size_t{64} * 1024;

bool is_control(Opcode op) { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

bool is_known(std::uint8_t op) { return op <= 0x2 || (op >= 0x8 && op <= 0xA); }

}  // namespace

void append_frame(std::string& out, Opcode opcode, std::string_view payload, bool fin) {
  out += static_cast<char>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(opcode));
  std::uint64_t n = payload.size();
  if (n < 126) {
    out += static_cast<char>(n);
  } else if (n <= 0xFFFF) {
    out += static_cast<char>(126);
    out += static_cast<char>((n >> 8) & 0xFF);
    out += static_cast<char>(n & 0xFF);
  } else {
    out += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8) {
      out += static_cast<char>((n >> shift) & 0xFF);
    }
  }
  out.append(payload);
}

void append_close_frame(std::string& out, int code, std::string_view reason) {
  std::string payload;
  if (code != 0) {
    payload += static_cast<char>((code >> 8) & 0xFF);
    payload += static_cast<char>(code & 0xFF);
    // Cut the reason at a character boundary so the frame stays valid UTF-8.
    std::size_t n = std::min(reason.size(), kMaxControlPayload - 2);
    while (n > 0 && n < reason.size() && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) {
      --n;
    }
    payload.append(reason.substr(0, n));
  }
  append_frame(out, Opcode::kClose, payload);
}

bool is_valid_close_code(int code) {
  if (code >= 1000 && code <= 1011) {
    return code != 1004 && code != kCloseNoStatus && code != kCloseAbnormal;
  }
  return code >= 3000 && code <= 4999;
}

bool is_valid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) {
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

void Decoder::feed(std::string_view bytes) {
  if (done_) {
    return;
  }
  if (pos_ >= kCompactThreshold && pos_ * 2 >= buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

Event Decoder::error(int code) {
  done_ = true;
  buf_.clear();
  pos_ = 0;
  message_.clear();
  return Event{Event::Kind::kError, code, {}};
}

Event Decoder::next() {
  // A loop, not recursion: a peer may send millions of tiny fragments.
  while (!done_) {
    Event event = next_frame();
    if (event.kind != Event::Kind::kNone || need_more_) {
      return event;
    }
  }
  return {};
}

Event Decoder::next_frame() {
  need_more_ = true;
  std::string_view data(buf_);
  data.remove_prefix(pos_);
  if (data.size() < 2) {
    return {};
  }
  auto b0 = static_cast<std::uint8_t>(data[0]);
  auto b1 = static_cast<std::uint8_t>(data[1]);
  bool fin = (b0 & 0x80) != 0;
  std::uint8_t op = b0 & 0x0F;
  // No extension is ever negotiated, so every RSV bit must be zero (§5.2).
  if ((b0 & 0x70) != 0 || !is_known(op)) {
    return error(kCloseProtocolError);
  }
  // Clients must mask every frame (§5.1).
  if ((b1 & 0x80) == 0) {
    return error(kCloseProtocolError);
  }
  auto opcode = static_cast<Opcode>(op);
  std::uint64_t len = b1 & 0x7F;
  std::size_t header = 2;
  if (len == 126 || len == 127) {
    std::size_t ext = len == 126 ? 2 : 8;
    if (data.size() < header + ext) {
      return {};
    }
    len = 0;
    for (std::size_t i = 0; i < ext; ++i) {
      len = (len << 8) | static_cast<std::uint8_t>(data[header + i]);
    }
    header += ext;
    if (ext == 8 && (len >> 63) != 0) {
      return error(kCloseProtocolError);
    }
  }
  if (is_control(opcode) && (!fin || len > kMaxControlPayload)) {
    return error(kCloseProtocolError);
  }
  // Refuse an oversize message from its header, before buffering its payload.
  std::uint64_t so_far = opcode == Opcode::kContinuation ? message_.size() : 0;
  if (!is_control(opcode) && len > max_message_ - std::min(so_far, max_message_)) {
    return error(kCloseTooBig);
  }
  if (data.size() < header + 4 + len) {
    return {};
  }
  const char* mask = data.data() + header;
  std::string payload(data.substr(header + 4, static_cast<std::size_t>(len)));
  for (std::size_t i = 0; i < payload.size(); ++i) {
    payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
  }
  pos_ += header + 4 + static_cast<std::size_t>(len);
  need_more_ = false;
  return on_frame(fin, opcode, std::move(payload));
}

Event Decoder::on_frame(bool fin, Opcode opcode, std::string payload) {
  switch (opcode) {
    case Opcode::kPing:
      return Event{Event::Kind::kPing, 0, std::move(payload)};
    case Opcode::kPong:
      return Event{Event::Kind::kPong, 0, std::move(payload)};
    case Opcode::kClose: {
      if (payload.size() == 1) {
        return error(kCloseProtocolError);
      }
      int code = kCloseNoStatus;
      if (payload.size() >= 2) {
        code = (static_cast<std::uint8_t>(payload[0]) << 8) | static_cast<std::uint8_t>(payload[1]);
        if (!is_valid_close_code(code)) {
          return error(kCloseProtocolError);
        }
        payload.erase(0, 2);
        if (!is_valid_utf8(payload)) {
          return error(kCloseInvalidPayload);
        }
      }
      done_ = true;
      return Event{Event::Kind::kClose, code, std::move(payload)};
    }
    case Opcode::kContinuation:
      if (!in_message_) {
        return error(kCloseProtocolError);
      }
      message_.append(payload);
      break;
    case Opcode::kText:
    case Opcode::kBinary:
      if (in_message_) {
        return error(kCloseProtocolError);
      }
      in_message_ = true;
      message_binary_ = opcode == Opcode::kBinary;
      message_ = std::move(payload);
      break;
  }
  if (!fin) {
    return {};  // a fragment; the message continues
  }
  in_message_ = false;
  std::string message = std::move(message_);
  message_.clear();
  if (!message_binary_ && !is_valid_utf8(message)) {
    return error(kCloseInvalidPayload);
  }
  return Event{message_binary_ ? Event::Kind::kBinary : Event::Kind::kText, 0, std::move(message)};
}

}  // namespace prefectcore::transport::ws
