#pragma once

// The request head (request line + headers) as the transport sees it before any body is
// read: enough to route WebSocket upgrades, decide body framing and refuse oversize bodies
// without reading them. Pure functions over bytes; no sockets.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prefectcore/http.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"

namespace prefectcore::transport {

struct RequestHead {
  std::string method;
  std::string target;                                        // raw request-target: path[?query]
  std::string version;                                       // "HTTP/1.1" or "HTTP/1.0"
  std::vector<std::pair<std::string, std::string>> headers;  // in arrival order
  std::size_t size = 0;                                      // bytes including the final CRLF CRLF

  // The first value of `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
  // True if a comma-separated header `name` lists `token` (case-insensitive).
  bool header_has_token(std::string_view name, std::string_view token) const;
};

enum class HeadStatus {
  kIncomplete,  // no CRLF CRLF yet
  kOk,
  kBad,       // malformed request line or header
  kTooLarge,  // head longer than the limit or too many headers
};

// Parses a head at the start of `buf`. Lines must end with CRLF (as cpp-httplib, which
// parses the same bytes afterwards, requires).
HeadStatus parse_request_head(std::string_view buf, std::size_t max_bytes, RequestHead& out);

// How the body that follows a head is framed.
struct BodyFraming {
  enum class Kind { kNone, kLength, kChunked } kind = Kind::kNone;
  std::uint64_t length = 0;
};

// Decides the body framing (RFC 9112 §6). Errors: kBadRequest for a malformed or
// conflicting Content-Length/Transfer-Encoding, kPayloadTooLarge for a declared length
// over `max_body`.
Result<BodyFraming> body_framing(const RequestHead& head, std::uint64_t max_body);

// Percent-decodes `s`; '+' becomes a space when `plus_as_space`. Invalid escapes are kept.
std::string percent_decode(std::string_view s, bool plus_as_space);

// Fills path (decoded), query (decoded pairs in order) and headers of `request` from a head.
void fill_request(const RequestHead& head, HttpRequest& request);

// Serialises a complete HTTP/1.1 response (Content-Length set from the body).
std::string serialize_response(const HttpResponse& response, bool close_connection);

// A {"detail": message} JSON response, upstream's shape for route errors.
HttpResponse detail_response(int status, std::string_view message);

}  // namespace prefectcore::transport
