#pragma once

// A raw-socket HTTP/1.1 and WebSocket client for the transport tests: it writes exactly
// the bytes a test wants (including malformed ones) and parses what comes back.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace prefectcore::testing {

struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // First value of a header (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
};

struct WsFrame {
  bool fin = true;
  int opcode = 0;
  std::string payload;
  // For close frames: the status code (0 when absent) and reason.
  int close_code() const;
  std::string close_reason() const;
};

class TestSocket {
 public:
  // Connects to 127.0.0.1:port; reads time out after 10 s so a broken server fails the
  // test instead of hanging it.
  explicit TestSocket(int port);
  ~TestSocket();
  TestSocket(TestSocket&& other) noexcept;
  TestSocket(const TestSocket&) = delete;
  TestSocket& operator=(const TestSocket&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send_all(std::string_view data);
  // Reads one response (Content-Length or chunked body). nullopt on EOF or timeout.
  std::optional<RawResponse> read_response(bool head_request = false);
  // True if the peer closes (EOF or reset) before sending anything more.
  bool wait_closed();

  // Sends one client frame; masked unless told otherwise.
  bool send_frame(int opcode, std::string_view payload, bool fin = true, bool masked = true);
  bool send_close(int code, std::string_view reason = {});
  // Reads one frame. nullopt on EOF or timeout.
  std::optional<WsFrame> read_frame();

  int fd() const { return fd_; }

 private:
  bool fill();
  bool read_exact(std::size_t n, std::string& out);
  std::optional<std::string> read_line();

  int fd_ = -1;
  std::string buf_;
};

// "GET path HTTP/1.1" with Host and the given extra header lines ("Name: value").
std::string http_request(std::string_view method, std::string_view path,
                         const std::vector<std::string>& headers = {}, std::string_view body = {});

// An upgrade request with a fixed key; extra header lines as above.
std::string websocket_request(std::string_view path, const std::vector<std::string>& headers = {});
inline constexpr std::string_view kTestKey = "dGhlIHNhbXBsZSBub25jZQ==";
inline constexpr std::string_view kTestAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

// Connects and completes a handshake offering the `prefect` subprotocol; REQUIREs 101.
TestSocket websocket_connect(int port, std::string_view path = "/ws");

}  // namespace prefectcore::testing
