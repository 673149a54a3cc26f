#include "lib/models/csrf_tokens.h"

#include "lib/core/time.h"

namespace prefectcore::models {
namespace {

constexpr std::string_view kSelect =
    "SELECT id, created, updated, token, client, expiration FROM csrf_token WHERE client = ?";

Result<CsrfToken> row_to_token(const Row& row) {
  CsrfToken t;
  t.id = row.text(0);
  auto created = core::parse_time(row.text(1));
  auto updated = core::parse_time(row.text(2));
  auto expiration = core::parse_time(row.text(5));
  if (!created || !updated || !expiration) {
    return Status::internal("csrf_token " + t.id + " has an unreadable timestamp");
  }
  t.created = *created;
  t.updated = *updated;
  t.token = row.text(3);
  t.client = row.text(4);
  t.expiration = *expiration;
  return t;
}

}  // namespace

Result<CsrfToken> CsrfTokenRepository::upsert(const std::string& client, const std::string& token,
                                              Timestamp expiration, const std::string& new_id,
                                              Timestamp now) {
  const std::string now_text = core::format_storage_time(now);
  const std::string expires = core::format_storage_time(expiration);
  PC_RETURN_IF_ERROR(tx_.exec(
      "INSERT INTO csrf_token (id, created, updated, token, client, expiration) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (client) DO UPDATE SET token = excluded.token, "
      "expiration = excluded.expiration, updated = excluded.updated",
      {new_id, now_text, now_text, token, client, expires}));
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(kSelect, {client}));
  if (rows.empty()) {
    return Status::internal("csrf_token row vanished after upsert");
  }
  return row_to_token(rows.front());
}

Result<std::optional<CsrfToken>> CsrfTokenRepository::find_valid(std::string_view client,
                                                                 Timestamp now) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(std::string(kSelect) + " AND expiration > ?",
                                           {std::string(client), core::format_storage_time(now)}));
  if (rows.empty()) {
    return std::optional<CsrfToken>();
  }
  PC_ASSIGN_OR_RETURN(CsrfToken t, row_to_token(rows.front()));
  return std::optional<CsrfToken>(std::move(t));
}

Result<std::int64_t> CsrfTokenRepository::delete_expired(Timestamp now) {
  return tx_.exec("DELETE FROM csrf_token WHERE expiration < ?", {core::format_storage_time(now)});
}

}  // namespace prefectcore::models
