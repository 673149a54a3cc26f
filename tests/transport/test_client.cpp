#include "tests/transport/test_client.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace prefectcore::testing {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::optional<std::string> RawResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) {
      return v;
    }
  }
  return std::nullopt;
}

int WsFrame::close_code() const {
  if (payload.size() < 2) {
    return 0;
  }
  return (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
}

std::string WsFrame::close_reason() const { return payload.size() > 2 ? payload.substr(2) : ""; }

TestSocket::TestSocket(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  timeval tv{10, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

TestSocket::~TestSocket() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

TestSocket::TestSocket(TestSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buf_(std::move(other.buf_)) {}

bool TestSocket::send_all(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool TestSocket::fill() {
  char tmp[65536];
  ssize_t n = 0;
  do {
    n = ::recv(fd_, tmp, sizeof(tmp), 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    return false;
  }
  buf_.append(tmp, static_cast<std::size_t>(n));
  return true;
}

bool TestSocket::read_exact(std::size_t n, std::string& out) {
  while (buf_.size() < n) {
    if (!fill()) {
      return false;
    }
  }
  out = buf_.substr(0, n);
  buf_.erase(0, n);
  return true;
}

std::optional<std::string> TestSocket::read_line() {
  for (;;) {
    auto eol = buf_.find("\r\n");
    if (eol != std::string::npos) {
      std::string line = buf_.substr(0, eol);
      buf_.erase(0, eol + 2);
      return line;
    }
    if (!fill()) {
      return std::nullopt;
    }
  }
}

std::optional<RawResponse> TestSocket::read_response(bool head_request) {
  RawResponse r;
  auto status_line = read_line();
  if (!status_line || status_line->size() < 12) {
    return std::nullopt;
  }
  r.status = std::stoi(status_line->substr(9, 3));
  for (;;) {
    auto line = read_line();
    if (!line) {
      return std::nullopt;
    }
    if (line->empty()) {
      break;
    }
    auto colon = line->find(':');
    std::string value = line->substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r.headers.emplace_back(line->substr(0, colon), value);
  }
  if (head_request || r.status == 101) {
    return r;
  }
  if (auto te = r.header("Transfer-Encoding"); te && iequals(*te, "chunked")) {
    for (;;) {
      auto size_line = read_line();
      if (!size_line) {
        return std::nullopt;
      }
      std::size_t size = std::stoul(*size_line, nullptr, 16);
      std::string chunk;
      if (!read_exact(size + 2, chunk)) {
        return std::nullopt;
      }
      if (size == 0) {
        return r;
      }
      r.body += chunk.substr(0, size);
    }
  }
  std::size_t length = std::stoul(r.header("Content-Length").value_or("0"));
  if (!read_exact(length, r.body)) {
    return std::nullopt;
  }
  return r;
}

bool TestSocket::wait_closed() {
  buf_.clear();
  char tmp[4096];
  for (;;) {
    ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) {
      return true;
    }
    if (n < 0) {
      return false;  // timeout: still open
    }
  }
}

bool TestSocket::send_frame(int opcode, std::string_view payload, bool fin, bool masked) {
  std::string out;
  out += static_cast<char>((fin ? 0x80 : 0) | opcode);
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
  const char mask[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked) {
    out.append(mask, 4);
  }
  for (std::size_t i = 0; i < payload.size(); ++i) {
    out += masked ? static_cast<char>(payload[i] ^ mask[i % 4]) : payload[i];
  }
  return send_all(out);
}

bool TestSocket::send_close(int code, std::string_view reason) {
  std::string payload;
  payload += static_cast<char>(code >> 8);
  payload += static_cast<char>(code & 0xFF);
  payload += reason;
  return send_frame(0x8, payload);
}

std::optional<WsFrame> TestSocket::read_frame() {
  std::string header;
  if (!read_exact(2, header)) {
    return std::nullopt;
  }
  WsFrame f;
  f.fin = (header[0] & 0x80) != 0;
  f.opcode = header[0] & 0x0F;
  std::uint64_t len = header[1] & 0x7F;
  std::string ext;
  if (len == 126 || len == 127) {
    if (!read_exact(len == 126 ? 2 : 8, ext)) {
      return std::nullopt;
    }
    len = 0;
    for (char c : ext) {
      len = (len << 8) | static_cast<unsigned char>(c);
    }
  }
  if (!read_exact(static_cast<std::size_t>(len), f.payload)) {
    return std::nullopt;
  }
  return f;
}

std::string http_request(std::string_view method, std::string_view path,
                         const std::vector<std::string>& headers, std::string_view body) {
  std::string out = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n";
  for (const auto& h : headers) {
    out += h + "\r\n";
  }
  if (!body.empty()) {
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  out += "\r\n";
  out += body;
  return out;
}

std::string websocket_request(std::string_view path, const std::vector<std::string>& headers) {
  std::vector<std::string> all = {"Upgrade: websocket", "Connection: Upgrade",
                                  "Sec-WebSocket-Key: " + std::string(kTestKey),
                                  "Sec-WebSocket-Version: 13"};
  all.insert(all.end(), headers.begin(), headers.end());
  return http_request("GET", path, all);
}

TestSocket websocket_connect(int port, std::string_view path) {
  TestSocket s(port);
  REQUIRE(s.connected());
  REQUIRE(s.send_all(websocket_request(path, {"Sec-WebSocket-Protocol: prefect"})));
  auto r = s.read_response();
  REQUIRE(r.has_value());
  REQUIRE(r->status == 101);
  return s;
}

}  // namespace prefectcore::testing
