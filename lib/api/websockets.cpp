#include "lib/api/websockets.h"

namespace prefectcore::api {

void WebSocketRoutes::add(std::string pattern, WebSocketEndpoint endpoint) {
  // The router only matches paths here; route i corresponds to endpoints_[i].
  router_.add("WS", pattern, nullptr);
  endpoints_.emplace_back(std::move(pattern), std::move(endpoint));
}

const WebSocketEndpoint* WebSocketRoutes::find(
    std::string_view path, std::vector<std::pair<std::string_view, std::string>>& params) const {
  auto lookup = router_.find("WS", path);
  if (lookup.match != Router::Match::kFound) {
    return nullptr;
  }
  params = std::move(lookup.params);
  return &endpoints_[lookup.index].second;
}

std::vector<std::string> WebSocketRoutes::describe(std::string_view base_path) const {
  std::vector<std::string> out;
  for (const auto& entry : endpoints_) {
    out.push_back("WS " + std::string(base_path) + entry.first);
  }
  return out;
}

std::vector<std::string> offered_subprotocols(const HttpRequest& request) {
  std::vector<std::string> out;
  auto header = request.headers.get("Sec-WebSocket-Protocol");
  if (!header) {
    return out;
  }
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) {
      item.remove_prefix(1);
    }
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) {
      item.remove_suffix(1);
    }
    if (!item.empty()) {
      out.emplace_back(item);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace prefectcore::api
