#pragma once

// SHA-1 and base64, just enough for the WebSocket handshake (RFC 6455 §4.2.2). SHA-1 is
// not used for anything security-relevant here; it only proves the server read the key.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lib/core/internal.h"

namespace prefectcore::transport {

// The 20-byte SHA-1 digest of `data` (FIPS 180-4).
std::array<std::uint8_t, 20> sha1(std::string_view data);

// Standard base64 (RFC 4648 §4) with padding.
std::string base64_encode(std::string_view data);
// Decodes padded standard base64; nullopt for any invalid character or length.
std::optional<std::string> base64_decode(std::string_view text);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(sha1(key + RFC 6455 GUID)).
std::string websocket_accept_key(std::string_view key);

}  // namespace prefectcore::transport
