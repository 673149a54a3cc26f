#pragma once

// Small helpers shared by the routers.

#include <string>
#include <vector>

#include <prefectcore/database.h>
#include <prefectcore/http.h>

#include "lib/api/context.h"
#include "lib/core/internal.h"
#include "lib/core/json_writer.h"

namespace prefectcore::api {

// The database, or kUnavailable when the server runs without storage.
Result<Database*> require_db(ApiContext& ctx);

// A JSON array of items encoded with `write(JsonWriter&, const T&)`.
template <typename T, typename WriteFn>
HttpResponse json_list(int status, const std::vector<T>& items, WriteFn write) {
  std::string body;
  core::JsonWriter w(body);
  w.begin_array();
  for (const auto& item : items) {
    write(w, item);
  }
  w.end_array();
  return HttpResponse::json(status, std::move(body));
}

// The upstream pagination envelope {results, count, limit, pages, page}.
template <typename T, typename WriteFn>
HttpResponse json_page(const std::vector<T>& items, std::int64_t count, std::int64_t limit,
                       std::int64_t page, WriteFn write) {
  std::string body;
  core::JsonWriter w(body);
  w.begin_object().key("results").begin_array();
  for (const auto& item : items) {
    write(w, item);
  }
  w.end_array();
  w.key("count").integer(count).key("limit").integer(limit);
  w.key("pages").integer(limit > 0 ? (count + limit - 1) / limit : 0);
  w.key("page").integer(page).end_object();
  return HttpResponse::json(200, std::move(body));
}

}  // namespace prefectcore::api
