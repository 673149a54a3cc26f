#pragma once

// CSRF tokens (upstream models/csrf_token.py): one token per client in `csrf_token`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"

namespace prefectcore::models {

struct CsrfToken {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::string token;
  std::string client;
  Timestamp expiration;
};

// Thread-bound, like the transaction it borrows.
class CsrfTokenRepository {
 public:
  explicit CsrfTokenRepository(Transaction& tx) : tx_(tx) {}

  // Gives `client` the token `token` valid until `expiration`, replacing any earlier one
  // (upstream upserts on the unique client). `new_id` is used only when the client has no
  // row yet. Returns the stored row. Backend errors as Transaction::exec.
  Result<CsrfToken> upsert(const std::string& client, const std::string& token,
                           Timestamp expiration, const std::string& new_id, Timestamp now);
  // The token of `client` if it has one that expires after `now`.
  Result<std::optional<CsrfToken>> find_valid(std::string_view client, Timestamp now);
  // Deletes tokens that expired before `now`; returns how many.
  Result<std::int64_t> delete_expired(Timestamp now);

 private:
  Transaction& tx_;
};

}  // namespace prefectcore::models
