#include "lib/transport/http_head.h"

#include <algorithm>
#include <charconv>

#include "lib/core/hex.h"
#include "lib/core/json_writer.h"

namespace prefectcore::transport {
namespace {

constexpr std::size_t kMaxHeaders = 100;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// RFC 9110 token characters, for methods and header names.
bool is_token(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

bool parse_request_line(std::string_view line, RequestHead& out) {
  auto sp1 = line.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return false;
  }
  out.method = line.substr(0, sp1);
  out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  out.version = line.substr(sp2 + 1);
  if (!is_token(out.method) || out.target.empty() || out.target.front() != '/') {
    return false;
  }
  return out.version == "HTTP/1.1" || out.version == "HTTP/1.0";
}

bool parse_header_line(std::string_view line, RequestHead& out) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
    return false;
  }
  std::string_view value = trim(line.substr(colon + 1));
  if (std::any_of(value.begin(), value.end(), [](char c) { return c == '\0' || c == '\r'; })) {
    return false;
  }
  out.headers.emplace_back(line.substr(0, colon), value);
  return true;
}

std::optional<std::uint64_t> parse_length(std::string_view s) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 101:
      return "Switching Protocols";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 413:
      return "Request Entity Too Large";
    case 426:
      return "Upgrade Required";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

}  // namespace

std::optional<std::string_view> RequestHead::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) {
      return std::string_view(v);
    }
  }
  return std::nullopt;
}

bool RequestHead::header_has_token(std::string_view name, std::string_view token) const {
  for (const auto& [k, v] : headers) {
    if (!iequals(k, name)) {
      continue;
    }
    std::string_view rest = v;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      if (iequals(trim(rest.substr(0, comma)), token)) {
        return true;
      }
      if (comma == std::string_view::npos) {
        break;
      }
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

HeadStatus parse_request_head(std::string_view buf, std::size_t max_bytes, RequestHead& out) {
  auto end = buf.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    return buf.size() > max_bytes ? HeadStatus::kTooLarge : HeadStatus::kIncomplete;
  }
  if (end + 4 > max_bytes) {
    return HeadStatus::kTooLarge;
  }
  out = RequestHead{};
  out.size = end + 4;
  std::string_view rest = buf.substr(0, end + 2);
  bool first = true;
  while (!rest.empty()) {
    auto eol = rest.find("\r\n");
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol + 2);
    // A bare LF or CR inside a line would be framed differently by cpp-httplib.
    if (line.find_first_of("\r\n") != std::string_view::npos) {
      return HeadStatus::kBad;
    }
    if (first) {
      if (!parse_request_line(line, out)) {
        return HeadStatus::kBad;
      }
      first = false;
    } else if (out.headers.size() >= kMaxHeaders) {
      return HeadStatus::kTooLarge;
    } else if (!parse_header_line(line, out)) {
      return HeadStatus::kBad;
    }
  }
  return HeadStatus::kOk;
}

Result<BodyFraming> body_framing(const RequestHead& head, std::uint64_t max_body) {
  std::optional<std::uint64_t> length;
  bool has_te = false;
  for (const auto& [k, v] : head.headers) {
    if (iequals(k, "Content-Length")) {
      auto n = parse_length(v);
      if (!n || (length && *length != *n)) {
        return Status::bad_request("Invalid Content-Length header");
      }
      length = n;
    } else if (iequals(k, "Transfer-Encoding")) {
      // Only a lone "chunked" is supported; anything else cannot be framed safely.
      if (has_te || !iequals(trim(v), "chunked")) {
        return Status::bad_request("Unsupported Transfer-Encoding");
      }
      has_te = true;
    }
  }
  if (has_te && length) {
    // Both framings at once is the classic request-smuggling shape (RFC 9112 §6.1).
    return Status::bad_request("Both Content-Length and Transfer-Encoding are set");
  }
  if (has_te) {
    return BodyFraming{BodyFraming::Kind::kChunked, 0};
  }
  if (length && *length > max_body) {
    return Status(ErrorCode::kPayloadTooLarge, "Request Entity Too Large");
  }
  if (length && *length > 0) {
    return BodyFraming{BodyFraming::Kind::kLength, *length};
  }
  return BodyFraming{};
}

std::string percent_decode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = core::hex_digit_value(s[i + 1]);
      int lo = core::hex_digit_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_as_space && c == '+') ? ' ' : c;
  }
  return out;
}

void fill_request(const RequestHead& head, HttpRequest& request) {
  request.method = head.method;
  std::string_view target = head.target;
  auto hash = target.find('#');
  target = target.substr(0, hash);
  auto q = target.find('?');
  request.path = percent_decode(target.substr(0, q), false);
  request.query.clear();
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
      auto amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      if (!pair.empty()) {
        auto eq = pair.find('=');
        request.query.emplace_back(percent_decode(pair.substr(0, eq), true),
                                   eq == std::string_view::npos
                                       ? std::string()
                                       : percent_decode(pair.substr(eq + 1), true));
      }
      if (amp == std::string_view::npos) {
        break;
      }
      query.remove_prefix(amp + 1);
    }
  }
  for (const auto& [k, v] : head.headers) {
    request.headers.add(k, v);
  }
}

std::string serialize_response(const HttpResponse& response, bool close_connection) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " ";
  out += reason_phrase(response.status);
  out += "\r\n";
  for (const auto& [k, v] : response.headers.items()) {
    if (iequals(k, "Content-Length") || iequals(k, "Connection") ||
        (k + v).find_first_of("\r\n") != std::string::npos) {
      continue;
    }
    out.append(k).append(": ").append(v).append("\r\n");
  }
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  out += close_connection ? "Connection: close\r\n\r\n" : "\r\n";
  out += response.body;
  return out;
}

HttpResponse detail_response(int status, std::string_view message) {
  std::string body;
  core::JsonWriter(body).begin_object().key("detail").string(message).end_object();
  return HttpResponse::json(status, std::move(body));
}

}  // namespace prefectcore::transport
