#pragma once

// WebSocket endpoints are registered by path like HTTP routes. An endpoint decides the
// upgrade (auth, subprotocol) and builds the handler for an accepted session.

#include <functional>
#include <string>
#include <vector>

#include <prefectcore/http.h>

#include "lib/api/router.h"
#include "lib/core/internal.h"

namespace prefectcore::api {

using WebSocketEndpoint = std::function<WebSocketAccept(RequestContext&)>;

class WebSocketRoutes {
 public:
  void add(std::string pattern, WebSocketEndpoint endpoint);
  // The endpoint for `path` (relative to the base path), or null; fills `params`.
  const WebSocketEndpoint* find(
      std::string_view path, std::vector<std::pair<std::string_view, std::string>>& params) const;
  std::vector<std::string> describe(std::string_view base_path) const;

 private:
  Router router_;  // reuses the matcher; handlers are unused
  std::vector<std::pair<std::string, WebSocketEndpoint>> endpoints_;
};

// The subprotocols a client offered in Sec-WebSocket-Protocol, trimmed.
std::vector<std::string> offered_subprotocols(const HttpRequest& request);

}  // namespace prefectcore::api
