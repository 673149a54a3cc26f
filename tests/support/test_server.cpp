#include "tests/support/test_server.h"

#include <doctest/doctest.h>

namespace prefectcore::testing {

HttpRequest make_request(std::string method, std::string path, std::string body) {
  HttpRequest r;
  r.method = std::move(method);
  const auto q = path.find('?');
  if (q != std::string::npos) {
    std::string_view query = std::string_view(path).substr(q + 1);
    while (!query.empty()) {
      auto amp = query.find('&');
      auto pair = query.substr(0, amp);
      auto eq = pair.find('=');
      r.query.emplace_back(std::string(pair.substr(0, eq)),
                           eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
      if (amp == std::string_view::npos) {
        break;
      }
      query.remove_prefix(amp + 1);
    }
    path.resize(q);
  }
  r.path = std::move(path);
  r.body = std::move(body);
  if (!r.body.empty()) {
    r.headers.set("Content-Type", "application/json");
  }
  return r;
}

std::unique_ptr<Server> make_server(Settings settings, const Clock* clock) {
  ServerOptions options;
  options.settings = std::move(settings);
  options.clock = clock;
  auto server = Server::create(std::move(options));
  REQUIRE(server.has_value());
  return std::move(server).value();
}

}  // namespace prefectcore::testing
