#include "lib/api/router.h"

#include "lib/core/uuid.h"

namespace prefectcore::api {

const std::string& RequestContext::param(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [k, v] : path_params) {
    if (k == name) {
      return v;
    }
  }
  return kEmpty;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') {
      ++i;
    }
    std::size_t j = i;
    while (j < path.size() && path[j] != '/') {
      ++j;
    }
    if (j > i) {
      parts.push_back(path.substr(i, j - i));
    }
    i = j;
  }
  return parts;
}

void Router::add(std::string method, std::string pattern, Handler handler) {
  Route r;
  r.method = std::move(method);
  for (std::string_view part : split_path(pattern)) {
    Segment s{Segment::Kind::kLiteral, std::string(part)};
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      std::string_view inner = part.substr(1, part.size() - 2);
      const auto colon = inner.find(':');
      s.text = std::string(inner.substr(0, colon));
      s.kind = Segment::Kind::kParam;
      if (colon != std::string_view::npos) {
        const auto type = inner.substr(colon + 1);
        s.kind = type == "uuid"   ? Segment::Kind::kUuid
                 : type == "path" ? Segment::Kind::kRest
                                  : Segment::Kind::kParam;
      }
    } else {
      ++r.literals;
    }
    r.segments.push_back(std::move(s));
  }
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

bool Router::matches(const Route& route, const std::vector<std::string_view>& parts,
                     std::vector<std::pair<std::string_view, std::string>>& params) {
  params.clear();
  const auto& segs = route.segments;
  const bool rest = !segs.empty() && segs.back().kind == Segment::Kind::kRest;
  if (rest ? parts.size() < segs.size() : parts.size() != segs.size()) {
    return false;
  }
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const Segment& s = segs[i];
    switch (s.kind) {
      case Segment::Kind::kLiteral:
        if (parts[i] != s.text) {
          return false;
        }
        break;
      case Segment::Kind::kParam:
        params.emplace_back(s.text, std::string(parts[i]));
        break;
      case Segment::Kind::kUuid: {
        auto id = core::normalize_uuid(parts[i]);
        if (!id) {
          return false;
        }
        params.emplace_back(s.text, std::move(*id));
        break;
      }
      case Segment::Kind::kRest: {
        std::string joined;
        for (std::size_t k = i; k < parts.size(); ++k) {
          if (k > i) {
            joined.push_back('/');
          }
          joined.append(parts[k]);
        }
        params.emplace_back(s.text, std::move(joined));
        return true;
      }
    }
  }
  return true;
}

Router::Lookup Router::find(std::string_view method, std::string_view path) const {
  const auto parts = split_path(path);
  Lookup best;
  int best_literals = -1;
  bool path_matched = false;
  std::vector<std::pair<std::string_view, std::string>> params;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const Route& r = routes_[i];
    if (!matches(r, parts, params)) {
      continue;
    }
    path_matched = true;
    if (r.method == method && r.literals > best_literals) {
      best_literals = r.literals;
      best.match = Match::kFound;
      best.handler = &r.handler;
      best.index = i;
      best.params = params;
    }
  }
  if (best.match != Match::kFound && path_matched) {
    best.match = Match::kMethodNotAllowed;
  }
  return best;
}

std::vector<std::string> Router::describe(std::string_view base_path) const {
  std::vector<std::string> out;
  out.reserve(routes_.size());
  for (const Route& r : routes_) {
    std::string p(base_path);
    p.append(r.pattern);
    out.push_back(r.method + " " + p);
  }
  return out;
}

}  // namespace prefectcore::api
