// GET /csrf-token (upstream api/csrf_token.py).

#include <array>
#include <cstdio>
#include <random>

#include <fmt/format.h>

#include "lib/api/errors.h"
#include "lib/api/routes.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"
#include "lib/core/time.h"
#include "lib/models/csrf_tokens.h"

namespace prefectcore::api {
namespace {

// 64 hex digits from 32 bytes of the OS CSPRNG, like Python's secrets.token_hex(32).
// std::random_device is the fallback where /dev/urandom cannot be read; on Linux it is
// backed by the same kernel source.
std::string new_token() {
  std::array<unsigned char, 32> bytes{};
  bool filled = false;
  if (std::FILE* f = std::fopen("/dev/urandom", "rb")) {
    filled = std::fread(bytes.data(), 1, bytes.size(), f) == bytes.size();
    std::fclose(f);
  }
  if (!filled) {
    std::random_device rd;
    for (auto& b : bytes) {
      b = static_cast<unsigned char>(rd());
    }
  }
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    hex += fmt::format("{:02x}", b);
  }
  return hex;
}

std::string encode_token(const models::CsrfToken& t) {
  std::string body;
  core::JsonWriter w(body);
  w.begin_object();
  w.key("id").string(t.id);
  w.key("created").time(t.created);
  w.key("updated").time(t.updated);
  w.key("token").string(t.token);
  w.key("client").string(t.client);
  w.key("expiration").time(t.expiration);
  w.end_object();
  return body;
}

Result<HttpResponse> csrf_token(RequestContext& rc) {
  // FastAPI validates the required query parameter before the route body runs.
  auto client = rc.request.query_param("client");
  if (!client) {
    return core::invalid_at({std::string("query"), std::string("client")}, "missing",
                            "Field required");
  }
  if (!rc.api.settings.api.csrf_protection_enabled) {
    return Status::unprocessable("CSRF protection is disabled.");
  }
  if (rc.api.db == nullptr) {
    return Status::unavailable("no database");
  }
  const Timestamp now = rc.api.clock.now();
  const auto lifetime = core::from_seconds(rc.api.settings.api.csrf_token_expiration);
  if (!lifetime) {
    return Status::internal("csrf_token_expiration is out of range");
  }
  PC_ASSIGN_OR_RETURN(auto tx, rc.api.db->begin(TxMode::kWrite));
  models::CsrfTokenRepository tokens(*tx);
  PC_ASSIGN_OR_RETURN(models::CsrfToken token,
                      tokens.upsert(std::string(*client), new_token(), now + *lifetime,
                                    rc.api.ids.random_id(), now));
  PC_RETURN_IF_ERROR(tokens.delete_expired(now));
  PC_RETURN_IF_ERROR(tx->commit());
  return HttpResponse::json(200, encode_token(token));
}

}  // namespace

void register_csrf_routes(Router& router) { router.add("GET", "/csrf-token", csrf_token); }

}  // namespace prefectcore::api
