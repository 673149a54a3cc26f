#pragma once

// Method + path matching with typed path parameters: `{name}` matches one segment,
// `{name:uuid}` only a UUID (as upstream's `{id:uuid}`), `{name:path}` the rest of the path.
// A trailing slash is optional on both sides. Among matching routes the one with more
// literal segments wins, so `/flows/filter` beats `/flows/{id}`.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/http.h>
#include <prefectcore/status.h>

#include "lib/api/context.h"
#include "lib/core/internal.h"

namespace prefectcore::api {

using Handler = std::function<Result<HttpResponse>(RequestContext&)>;

class Router {
 public:
  // Registers `pattern` (relative to the API base path, e.g. "/flows/{id:uuid}").
  void add(std::string method, std::string pattern, Handler handler);

  enum class Match { kFound, kNotFound, kMethodNotAllowed };
  struct Lookup {
    Match match = Match::kNotFound;
    const Handler* handler = nullptr;
    std::size_t index = 0;  // registration index of the matched route
    std::vector<std::pair<std::string_view, std::string>> params;
  };
  // Finds the route for `method` and `path` (relative to the base path).
  Lookup find(std::string_view method, std::string_view path) const;

  // "METHOD pattern" for every route, in registration order.
  std::vector<std::string> describe(std::string_view base_path) const;

 private:
  struct Segment {
    enum class Kind { kLiteral, kParam, kUuid, kRest } kind;
    std::string text;  // literal text or parameter name
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    int literals = 0;
    Handler handler;
  };
  static bool matches(const Route& route, const std::vector<std::string_view>& parts,
                      std::vector<std::pair<std::string_view, std::string>>& params);
  std::vector<Route> routes_;
};

// Splits a path into its non-empty segments.
std::vector<std::string_view> split_path(std::string_view path);

}  // namespace prefectcore::api
