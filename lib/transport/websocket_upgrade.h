#pragma once

// The server side of the RFC 6455 opening handshake (§4.2): recognising an upgrade,
// validating it, and the 101 answer. permessage-deflate and every other extension is
// declined by not echoing Sec-WebSocket-Extensions (§9.1).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/http.h>

#include "lib/core/internal.h"
#include "lib/transport/http_head.h"

namespace prefectcore::transport {

// True if the head asks for a WebSocket (Upgrade: websocket).
bool is_websocket_upgrade(const RequestHead& head);

// nullopt for a valid handshake; otherwise the response to send (400, or 426 with
// Sec-WebSocket-Version: 13 for an unsupported version).
std::optional<HttpResponse> check_handshake(const RequestHead& head);

// The subprotocols the client offered, in order.
std::vector<std::string> offered_protocols(const RequestHead& head);

// The complete 101 response for a checked head; `subprotocol` may be empty.
std::string switching_protocols(const RequestHead& head, std::string_view subprotocol);

}  // namespace prefectcore::transport
