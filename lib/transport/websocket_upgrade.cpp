#include "lib/transport/websocket_upgrade.h"

#include <cctype>

#include "lib/transport/sha1.h"

namespace prefectcore::transport {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool is_websocket_upgrade(const RequestHead& head) {
  return head.header_has_token("Upgrade", "websocket");
}

std::optional<HttpResponse> check_handshake(const RequestHead& head) {
  if (head.method != "GET" || head.version != "HTTP/1.1") {
    return detail_response(400, "WebSocket upgrades need GET over HTTP/1.1");
  }
  if (!head.header_has_token("Connection", "upgrade")) {
    return detail_response(400, "Missing Connection: Upgrade");
  }
  auto version = head.header("Sec-WebSocket-Version");
  if (!version || trim(*version) != "13") {
    HttpResponse r = detail_response(426, "Unsupported WebSocket version");
    r.headers.set("Sec-WebSocket-Version", "13");
    return r;
  }
  auto key = head.header("Sec-WebSocket-Key");
  auto nonce = key ? base64_decode(trim(*key)) : std::nullopt;
  if (!nonce || nonce->size() != 16) {
    return detail_response(400, "Invalid Sec-WebSocket-Key");
  }
  return std::nullopt;
}

std::vector<std::string> offered_protocols(const RequestHead& head) {
  std::vector<std::string> out;
  for (const auto& [name, value] : head.headers) {
    if (!iequals(name, "Sec-WebSocket-Protocol")) {
      continue;
    }
    std::string_view rest = value;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto item = trim(rest.substr(0, comma));
      if (!item.empty()) {
        out.emplace_back(item);
      }
      if (comma == std::string_view::npos) {
        break;
      }
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

std::string switching_protocols(const RequestHead& head, std::string_view subprotocol) {
  std::string out =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  out += websocket_accept_key(trim(head.header("Sec-WebSocket-Key").value_or("")));
  out += "\r\n";
  if (!subprotocol.empty()) {
    out += "Sec-WebSocket-Protocol: ";
    out += subprotocol;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace prefectcore::transport
