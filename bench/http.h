// The load generator's HTTP/1.1 client side: loopback-only URL parsing, request
// serialisation and an incremental response parser. Everything here is a pure function of its
// inputs, so the parser can be tested on hostile bytes without a socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <sys/socket.h>

namespace prefectcore::bench {

// Where the load goes. Only loopback addresses are ever produced (see parse_loopback_url).
struct Target {
  std::string host_header;  // "127.0.0.1:4200", sent as Host
  int port = 0;
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
};

// Parses "http://HOST[:PORT][/|/api]" into `out`. HOST must be 127.0.0.0/8, "localhost"
// (mapped to 127.0.0.1 without asking a resolver) or "[::1]"; anything else is refused,
// because this tool must never send load off the machine. On failure returns false and
// sets `error`.
bool parse_loopback_url(std::string_view url, Target& out, std::string& error);

// One request produced by a scenario. `target` is the full path ("/api/health").
struct Request {
  std::string_view method = "GET";
  std::string target;
  std::string body;  // JSON; sent with Content-Type application/json when non-empty
};

// Appends the wire form of `req` (keep-alive, Content-Length when there is a body) to `out`.
void serialize_request(const Request& req, std::string_view host_header, std::string& out);

// One parsed response. `body` points into the receive buffer or into the parser's scratch
// buffer (chunked bodies); it is valid until the next parse.
struct Response {
  int status = 0;
  std::string_view body;
  bool close = false;  // the server said Connection: close, or spoke HTTP/1.0
};

enum class ParseState { kIncomplete, kComplete, kError };

// Limits that keep a misbehaving server from exhausting the client's memory.
inline constexpr size_t kMaxHeaderBytes = 64 * 1024;
inline constexpr size_t kMaxBodyBytes = 64 * 1024 * 1024;

// Parses the response at the start of `buf`. `eof` says the peer closed the stream, which
// completes a body that has neither Content-Length nor chunked encoding. On kComplete,
// `consumed` is the number of bytes of `buf` the response used; on kError, `error` says why.
ParseState parse_response(std::string_view buf, bool eof, Response& out, std::string& scratch,
                          size_t& consumed, std::string& error);

}  // namespace prefectcore::bench
