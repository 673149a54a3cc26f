#pragma once

// The configuration key/value table (upstream models/configuration.py) and the server
// default result storage kept in it (upstream models/storage_defaults.py).

#include <optional>
#include <string>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"

namespace prefectcore::models {

class ConfigurationRepository {
 public:
  explicit ConfigurationRepository(Transaction& tx) : tx_(tx) {}

  // The value (compact JSON) stored under `key`, or nullopt.
  Result<std::optional<std::string>> read(const std::string& key);
  // Inserts or replaces the value under `key`; `new_id` is used when inserting.
  Status write(const std::string& key, const std::string& value_json, const std::string& new_id,
               Timestamp now);
  // false when nothing was stored under `key`.
  Result<bool> remove(const std::string& key);

 private:
  Transaction& tx_;
};

// upstream SERVER_DEFAULT_RESULT_STORAGE_CONFIGURATION_KEY.
inline constexpr std::string_view kDefaultResultStorageKey = "server-default-result-storage";

// The configured default result storage block document id (nullopt when unset).
Result<std::optional<std::string>> read_default_result_storage(Transaction& tx);
// Checks that `block_document_id` may hold results (upstream
// validate_server_default_result_storage_block): kNotFound "Block document <id> not found."
// when it does not exist, kUnprocessable "... cannot be used for result storage." when its
// schema lacks the "write-path" capability.
Status validate_result_storage_block(Transaction& tx, const std::string& block_document_id);
// Stores `block_document_id` as the default (no validation).
Status write_default_result_storage(Transaction& tx, const std::string& block_document_id,
                                    const std::string& new_id, Timestamp now);
// Clears the default; false when none was set.
Result<bool> clear_default_result_storage(Transaction& tx);

}  // namespace prefectcore::models
