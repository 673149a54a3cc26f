#pragma once

// In-process test helpers: build a Server and drive it through Server::handle.

#include <memory>
#include <string>
#include <string_view>

#include <prefectcore/server.h>

namespace prefectcore::testing {

HttpRequest make_request(std::string method, std::string path, std::string body = {});
// A server with default settings (optionally tweaked) and no storage.
std::unique_ptr<Server> make_server(Settings settings = Settings::defaults(),
                                    const Clock* clock = nullptr);

}  // namespace prefectcore::testing
