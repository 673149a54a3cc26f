// events-ingest: how fast events go through WS /api/events/in into storage.
//
// N connections each open /api/events/in the way the Prefect client does (the `prefect`
// subprotocol, then {"type":"auth"}), send their share of E events as masked text frames
// as fast as the socket takes them, and close. The clock stops when POST /api/events/filter
// reports all E events stored (the server's event persister must run: prefect-server
// starts its services). Reports events/s sent and events/s stored, and the server's peak RSS.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "procfs.h"

namespace pb = prefectcore::bench;
using Steady = std::chrono::steady_clock;

namespace {

int connect_to(const pb::Target& target) {
  int fd = ::socket(target.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&target.addr), target.addr_len) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads until `needle` appears (or 64 KiB, or EOF). Good enough for a 101 head and a small
// unmasked server frame.
bool read_until(int fd, std::string& buf, std::string_view needle) {
  char chunk[4096];
  while (buf.find(needle) == std::string::npos && buf.size() < 65536) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) {
      return false;
    }
    buf.append(chunk, static_cast<size_t>(n));
  }
  return buf.find(needle) != std::string::npos;
}

// A masked client frame (RFC 6455 §5.3); the mask is fixed, which the protocol allows.
void append_frame(std::string& out, int opcode, std::string_view payload) {
  const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
  out.push_back(static_cast<char>(0x80 | opcode));
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() < 65536) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xff));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((payload.size() >> shift) & 0xff));
    }
  }
  out.append(reinterpret_cast<const char*>(mask), 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    out.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  }
}

std::string event_json(std::mt19937_64& rng, int connection, long i) {
  char id[40];
  std::uint64_t a = rng(), b = rng();
  std::snprintf(id, sizeof id, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(b >> 52) & 0xfff,
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  char buf[512];
  std::snprintf(buf, sizeof buf,
                R"({"id":"%s","occurred":"2026-01-01T00:00:00.000000Z","event":"bench.ingest",)"
                R"("resource":{"prefect.resource.id":"bench.conn.%d","n":"%ld"},)"
                R"("related":[{"prefect.resource.id":"bench.run","prefect.resource.role":"run"}],)"
                R"("payload":{"i":%ld}})",
                id, connection, i, i);
  return buf;
}

// One connection's whole life. Returns the number of events written to the socket.
long run_connection(const pb::Target& target, int connection, long count) {
  int fd = connect_to(target);
  if (fd < 0) {
    return 0;
  }
  std::string out = "GET /api/events/in HTTP/1.1\r\nHost: " + target.host_header +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: prefect\r\n\r\n";
  std::string in;
  if (!write_all(fd, out) || !read_until(fd, in, "\r\n\r\n") ||
      in.find(" 101 ") == std::string::npos) {
    ::close(fd);
    return 0;
  }
  in.erase(0, in.find("\r\n\r\n") + 4);
  out.clear();
  append_frame(out, 1, R"({"type":"auth","token":null})");
  if (!write_all(fd, out) || !read_until(fd, in, "auth_success")) {
    ::close(fd);
    return 0;
  }
  // Fresh ids every run: a server deduplicates events by id.
  std::mt19937_64 rng(std::random_device{}() ^ (static_cast<std::uint64_t>(connection) << 32));
  long sent = 0;
  while (sent < count) {
    out.clear();
    for (int k = 0; k < 64 && sent < count; ++k, ++sent) {
      append_frame(out, 1, event_json(rng, connection, sent));
    }
    if (!write_all(fd, out)) {
      break;
    }
  }
  out.clear();
  append_frame(out, 8, std::string("\x03\xe8", 2));  // close 1000
  write_all(fd, out);
  char drain[4096];
  while (::recv(fd, drain, sizeof drain, 0) > 0) {
  }
  ::close(fd);
  return sent;
}

// The number of stored bench.ingest events, via POST /api/events/filter's `total`.
long stored_events(const pb::Target& target) {
  int fd = connect_to(target);
  if (fd < 0) {
    return -1;
  }
  pb::Request req;
  req.method = "POST";
  req.target = "/api/events/filter";
  req.body = R"({"filter":{"event":{"name":["bench.ingest"]},)"
             R"("occurred":{"since":"2025-12-31T00:00:00Z","until":"2026-01-02T00:00:00Z"}},)"
             R"("limit":1})";
  std::string wire;
  pb::serialize_request(req, target.host_header, wire);
  std::string buf, scratch, error;
  long total = -1;
  if (write_all(fd, wire)) {
    char chunk[8192];
    for (;;) {
      pb::Response resp;
      size_t consumed = 0;
      auto state = pb::parse_response(buf, false, resp, scratch, consumed, error);
      if (state == pb::ParseState::kComplete) {
        auto pos = resp.body.find("\"total\":");
        if (resp.status == 200 && pos != std::string_view::npos) {
          total = std::atol(std::string(resp.body.substr(pos + 8, 20)).c_str());
        }
        break;
      }
      if (state == pb::ParseState::kError) {
        break;
      }
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) {
        break;
      }
      buf.append(chunk, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url = "http://127.0.0.1:4200";
  int connections = 4;
  long events = 20000;
  double timeout = 120;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--url") {
      url = argv[i + 1];
    } else if (flag == "--connections") {
      connections = std::max(1, std::min(256, std::atoi(argv[i + 1])));
    } else if (flag == "--events") {
      events = std::max(1L, std::min(10'000'000L, std::atol(argv[i + 1])));
    } else if (flag == "--timeout") {
      timeout = std::atof(argv[i + 1]);
    } else {
      std::fprintf(stderr,
                   "usage: events-ingest [--url http://127.0.0.1:4200] [--connections N] "
                   "[--events E] [--timeout S]\n");
      return 2;
    }
  }
  pb::Target target;
  std::string error;
  if (!pb::parse_loopback_url(url, target, error)) {
    std::fprintf(stderr, "events-ingest: %s\n", error.c_str());
    return 2;
  }
  const long before = stored_events(target);
  if (before < 0) {
    std::fprintf(stderr, "events-ingest: POST /api/events/filter failed at %s\n", url.c_str());
    return 1;
  }
  const auto server_pid = pb::find_listening_pid(target.port);
  const auto start = Steady::now();
  std::atomic<long> sent{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    long share = events / connections + (c < events % connections ? 1 : 0);
    threads.emplace_back([&, c, share] { sent += run_connection(target, c, share); });
  }
  for (auto& t : threads) {
    t.join();
  }
  const double send_s = std::chrono::duration<double>(Steady::now() - start).count();
  long stored = before;
  double store_s = 0;
  while ((store_s = std::chrono::duration<double>(Steady::now() - start).count()) < timeout) {
    stored = stored_events(target);
    if (stored - before >= sent.load()) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const long got = stored - before;
  const long rss = server_pid ? pb::peak_rss_kib(*server_pid).value_or(-1) : -1;
  std::printf(
      "{\"scenario\":\"events-ingest\",\"connections\":%d,\"events\":%ld,\"sent\":%ld,"
      "\"stored\":%ld,\"send_s\":%.3f,\"stored_s\":%.3f,\"sent_per_s\":%.0f,"
      "\"stored_per_s\":%.0f,\"peak_rss_kib\":%ld}\n",
      connections, events, sent.load(), got, send_s, store_s, sent.load() / send_s, got / store_s,
      rss);
  return got == sent.load() && sent.load() == events ? 0 : 1;
}
