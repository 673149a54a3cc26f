#include "lib/models/configuration.h"

#include <fmt/format.h>

#include "lib/core/json.h"
#include "lib/core/json_writer.h"
#include "lib/core/time.h"

namespace prefectcore::models {

Result<std::optional<std::string>> ConfigurationRepository::read(const std::string& key) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query("SELECT value FROM configuration WHERE key = ?", {key}));
  if (rows.empty() || rows.front().is_null(0)) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(rows.front().text(0));
}

Status ConfigurationRepository::write(const std::string& key, const std::string& value_json,
                                      const std::string& new_id, Timestamp now) {
  const std::string ts = core::format_storage_time(now);
  return tx_
      .exec(
          "INSERT INTO configuration (id, created, updated, key, value) VALUES (?, ?, ?, ?, ?) "
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated = excluded.updated",
          {new_id, ts, ts, key, JsonText{value_json}})
      .status();
}

Result<bool> ConfigurationRepository::remove(const std::string& key) {
  PC_ASSIGN_OR_RETURN(std::int64_t changed,
                      tx_.exec("DELETE FROM configuration WHERE key = ?", {key}));
  return changed > 0;
}

Result<std::optional<std::string>> read_default_result_storage(Transaction& tx) {
  PC_ASSIGN_OR_RETURN(auto value,
                      ConfigurationRepository(tx).read(std::string(kDefaultResultStorageKey)));
  if (!value) {
    return std::optional<std::string>();
  }
  auto doc = core::JsonDocument::parse(*value);
  std::string_view id;
  if (!doc || doc->root()["default_result_storage_block_id"].get_string().get(id)) {
    return std::optional<std::string>();  // unset, null, or not ours to interpret
  }
  return std::optional<std::string>(std::string(id));
}

Status validate_result_storage_block(Transaction& tx, const std::string& block_document_id) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx.query("SELECT block_schema.capabilities FROM block_document "
                                          "LEFT JOIN block_schema ON block_schema.id = "
                                          "block_document.block_schema_id "
                                          "WHERE block_document.id = ?",
                                          {block_document_id}));
  if (rows.empty()) {
    return Status::not_found(fmt::format("Block document {} not found.", block_document_id));
  }
  bool writable = false;
  if (!rows.front().is_null(0)) {
    auto doc = core::JsonDocument::parse(rows.front().text(0));
    core::JsonArray caps;
    if (doc && !doc->root().get_array().get(caps)) {
      for (core::JsonElement cap : caps) {
        std::string_view s;
        writable = writable || (!cap.get_string().get(s) && s == "write-path");
      }
    }
  }
  if (!writable) {
    return Status::unprocessable(
        fmt::format("Block document {} cannot be used for result storage.", block_document_id));
  }
  return Status::ok_status();
}

Status write_default_result_storage(Transaction& tx, const std::string& block_document_id,
                                    const std::string& new_id, Timestamp now) {
  std::string value;
  core::JsonWriter(value)
      .begin_object()
      .key("default_result_storage_block_id")
      .string(block_document_id)
      .end_object();
  return ConfigurationRepository(tx).write(std::string(kDefaultResultStorageKey), value, new_id,
                                           now);
}

Result<bool> clear_default_result_storage(Transaction& tx) {
  return ConfigurationRepository(tx).remove(std::string(kDefaultResultStorageKey));
}

}  // namespace prefectcore::models
