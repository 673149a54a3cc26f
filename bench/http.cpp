#include "http.h"

#include <charconv>
#include <cstring>
#include <optional>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace prefectcore::bench {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

bool icontains(std::string_view haystack, std::string_view needle) {
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) {
      return true;
    }
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

template <typename T>
std::optional<T> parse_number(std::string_view s, int base = 10) {
  T value{};
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return value;
}

bool set_ipv4(const std::string& ip, int port, Target& out) {
  auto* sin = reinterpret_cast<sockaddr_in*>(&out.addr);
  if (inet_pton(AF_INET, ip.c_str(), &sin->sin_addr) != 1) {
    return false;
  }
  // 127.0.0.0/8 only: the first octet, in network order, is the first byte.
  if (reinterpret_cast<const unsigned char*>(&sin->sin_addr)[0] != 127) {
    return false;
  }
  sin->sin_family = AF_INET;
  sin->sin_port = htons(static_cast<uint16_t>(port));
  out.addr_len = sizeof(sockaddr_in);
  return true;
}

bool set_ipv6_loopback(const std::string& ip, int port, Target& out) {
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out.addr);
  if (inet_pton(AF_INET6, ip.c_str(), &sin6->sin6_addr) != 1 ||
      std::memcmp(&sin6->sin6_addr, &in6addr_loopback, sizeof(in6_addr)) != 0) {
    return false;
  }
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(static_cast<uint16_t>(port));
  out.addr_len = sizeof(sockaddr_in6);
  return true;
}

// Chunked transfer coding (RFC 9112 section 7.1), decoded into `scratch`.
ParseState parse_chunked(std::string_view buf, size_t pos, std::string& scratch, size_t& end,
                         std::string& error) {
  scratch.clear();
  while (true) {
    const size_t line_end = buf.find("\r\n", pos);
    if (line_end == std::string_view::npos) {
      return ParseState::kIncomplete;
    }
    std::string_view size_text = buf.substr(pos, line_end - pos);
    size_text = trim(size_text.substr(0, size_text.find(';')));
    auto size = parse_number<uint64_t>(size_text, 16);
    if (!size || *size > kMaxBodyBytes || scratch.size() + *size > kMaxBodyBytes) {
      error = "bad or oversized chunk size";
      return ParseState::kError;
    }
    pos = line_end + 2;
    if (*size == 0) {
      // Trailer section: header lines until an empty line.
      while (true) {
        const size_t trailer_end = buf.find("\r\n", pos);
        if (trailer_end == std::string_view::npos) {
          return ParseState::kIncomplete;
        }
        if (trailer_end == pos) {
          end = pos + 2;
          return ParseState::kComplete;
        }
        pos = trailer_end + 2;
      }
    }
    if (buf.size() < pos + *size + 2) {
      return ParseState::kIncomplete;
    }
    if (buf.substr(pos + *size, 2) != "\r\n") {
      error = "chunk not followed by CRLF";
      return ParseState::kError;
    }
    scratch.append(buf.substr(pos, *size));
    pos += *size + 2;
  }
}

}  // namespace

bool parse_loopback_url(std::string_view url, Target& out, std::string& error) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    error = "only http:// URLs are supported";
    return false;
  }
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  const std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  const std::string_view authority = rest.substr(0, slash);
  if (!path.empty() && path != "/" && path != "/api" && path != "/api/") {
    error = "the URL path must be empty or /api (scenarios use absolute /api/... paths)";
    return false;
  }
  std::string host;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "unterminated [IPv6] host";
      return false;
    }
    host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      error = "garbage after ]";
      return false;
    }
    port_text = after.empty() ? "" : after.substr(1);
  } else {
    const size_t colon = authority.rfind(':');
    host = std::string(authority.substr(0, colon));
    port_text = colon == std::string_view::npos ? "" : authority.substr(colon + 1);
  }
  int port = 80;
  if (!port_text.empty()) {
    auto parsed = parse_number<int>(port_text);
    if (!parsed || *parsed < 1 || *parsed > 65535) {
      error = "bad port";
      return false;
    }
    port = *parsed;
  }
  out = Target{};
  out.port = port;
  out.host_header = std::string(authority);
  const std::string ip = iequals(host, "localhost") ? "127.0.0.1" : host;
  if (set_ipv4(ip, port, out) || set_ipv6_loopback(ip, port, out)) {
    return true;
  }
  error = "refusing non-loopback host '" + host +
          "': only 127.0.0.0/8, localhost and [::1] may be targeted";
  return false;
}

void serialize_request(const Request& req, std::string_view host_header, std::string& out) {
  out.append(req.method).append(" ").append(req.target).append(" HTTP/1.1\r\nHost: ");
  out.append(host_header).append("\r\nUser-Agent: prefect-bench\r\nAccept: application/json\r\n");
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
    out.append("Content-Type: application/json\r\nContent-Length: ");
    out.append(std::to_string(req.body.size())).append("\r\n");
  }
  out.append("\r\n").append(req.body);
}

ParseState parse_response(std::string_view buf, bool eof, Response& out, std::string& scratch,
                          size_t& consumed, std::string& error) {
  const size_t header_end = buf.find("\r\n\r\n");
  if (header_end == std::string_view::npos || header_end > kMaxHeaderBytes) {
    if (buf.size() > kMaxHeaderBytes) {
      error = "response headers too large";
      return ParseState::kError;
    }
    if (eof) {
      error = buf.empty() ? "connection closed by server" : "connection closed mid-headers";
      return ParseState::kError;
    }
    return ParseState::kIncomplete;
  }
  const std::string_view head = buf.substr(0, header_end + 2);
  // Status line: HTTP/1.x SP 3DIGIT SP reason
  if (head.size() < 12 || head.substr(0, 7) != "HTTP/1." || head[8] != ' ') {
    error = "malformed status line";
    return ParseState::kError;
  }
  auto status = parse_number<int>(head.substr(9, 3));
  if (!status || *status < 100 || *status > 599 ||
      (head.size() > 12 && head[12] != ' ' && head[12] != '\r')) {
    error = "malformed status code";
    return ParseState::kError;
  }
  out = Response{};
  out.status = *status;
  out.close = head[7] == '0';
  std::optional<uint64_t> content_length;
  bool chunked = false;
  size_t pos = head.find("\r\n") + 2;
  while (pos < head.size()) {
    const size_t eol = head.find("\r\n", pos);
    const std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 2;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      error = "malformed header line";
      return ParseState::kError;
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      auto n = parse_number<uint64_t>(value);
      if (!n || (content_length && *content_length != *n)) {
        error = "bad Content-Length";
        return ParseState::kError;
      }
      content_length = n;
    } else if (iequals(name, "transfer-encoding")) {
      chunked = icontains(value, "chunked");
    } else if (iequals(name, "connection")) {
      out.close = icontains(value, "close") || (out.close && !icontains(value, "keep-alive"));
    }
  }
  if (out.status < 200) {
    error = "unexpected 1xx response";
    return ParseState::kError;
  }
  const size_t body_start = header_end + 4;
  if (out.status == 204 || out.status == 304) {
    consumed = body_start;
    return ParseState::kComplete;
  }
  if (chunked) {
    size_t end = 0;
    ParseState state = parse_chunked(buf, body_start, scratch, end, error);
    if (state == ParseState::kComplete) {
      out.body = scratch;
      consumed = end;
    } else if (state == ParseState::kIncomplete && eof) {
      error = "connection closed mid-body";
      return ParseState::kError;
    }
    return state;
  }
  if (content_length) {
    if (*content_length > kMaxBodyBytes) {
      error = "response body too large";
      return ParseState::kError;
    }
    if (buf.size() - body_start < *content_length) {
      if (eof) {
        error = "connection closed mid-body";
        return ParseState::kError;
      }
      return ParseState::kIncomplete;
    }
    out.body = buf.substr(body_start, *content_length);
    consumed = body_start + *content_length;
    return ParseState::kComplete;
  }
  // No framing: the body runs to the end of the connection.
  if (buf.size() - body_start > kMaxBodyBytes) {
    error = "response body too large";
    return ParseState::kError;
  }
  if (!eof) {
    return ParseState::kIncomplete;
  }
  out.body = buf.substr(body_start);
  out.close = true;
  consumed = buf.size();
  return ParseState::kComplete;
}

}  // namespace prefectcore::bench
