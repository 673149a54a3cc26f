#pragma once

// Reading request bodies the way FastAPI does (inventory §7.2): a route with one body model
// takes the whole body; a route with several body parameters takes an object keyed by
// parameter name and ignores unknown top-level keys; a missing body means "all defaults".

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <prefectcore/http.h>
#include <prefectcore/settings.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/models/filters.h"

namespace prefectcore::api {

class RequestBody {
 public:
  // Parses the request body; an empty body is the empty object. 422 on malformed JSON.
  static Result<RequestBody> parse(const HttpRequest& request);
  // As parse, but an empty body is a 422 `missing` error (a required whole-body model).
  static Result<RequestBody> parse_required(const HttpRequest& request);

  core::JsonElement root() const { return doc_.root(); }
  // A member of an embedded body (absent, or the body is not an object: nullopt).
  std::optional<core::JsonElement> member(std::string_view key) const;

  // `limit` (default and maximum: settings.api.default_limit; above it, route-level 422).
  Result<std::int64_t> limit(const Settings& settings) const;
  // `offset` >= 0, default 0.
  Result<std::int64_t> offset() const;
  // `page` >= 1, default 1.
  Result<std::int64_t> page() const;
  // A bounded integer member with a default (bulk limits and the like).
  Result<std::int64_t> bounded(std::string_view key, std::int64_t fallback, std::int64_t min,
                               std::int64_t max) const;
  // The `sort` member: one of `allowed` (an enum), or `fallback` when absent or null.
  Result<std::string_view> sort(const std::vector<std::string_view>& allowed,
                                std::string_view fallback) const;
  // Compiles the filter object at `key` (null/absent: no filter).
  Result<models::SqlCondition> filter(std::string_view key, const models::FilterSpec& spec,
                                      const Dialect& dialect) const;

 private:
  core::JsonDocument doc_;
  bool is_object_ = false;
};

}  // namespace prefectcore::api
