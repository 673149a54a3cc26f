#include "lib/models/system_blocks.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lib/core/logging.h"
#include "lib/models/block_schemas.h"
#include "lib/models/block_types.h"
#include "lib/models/data/block_data.h"
#include "lib/schemas/block_checksum.h"

namespace prefectcore::models {
namespace {

using data::BlockData;

std::optional<std::string> opt(const char* s) {
  return s ? std::optional<std::string>(s) : std::nullopt;
}

schemas::BlockTypeCreate to_type(const BlockData& block) {
  schemas::BlockTypeCreate type;
  type.name = block.name;
  type.slug = block.slug;
  type.logo_url = opt(block.logo_url);
  type.documentation_url = opt(block.documentation_url);
  type.description = opt(block.description);
  type.code_example = opt(block.code_example);
  return type;
}

// The client-registry classes (the protected three are among them, as upstream).
std::vector<std::span<const BlockData>> registry_groups() {
  return {data::protected_blocks(), data::file_system_blocks(), data::notification_blocks()};
}

// collection_blocks_data.json, in its order.
std::vector<std::span<const BlockData>> collection_groups() {
  return {data::collection_blocks_aws_to_databricks(),
          data::collection_blocks_dbt_bigquery_to_profile(),
          data::collection_blocks_dbt_snowflake_to_core(),
          data::collection_blocks_docker_to_gitlab(),
          data::collection_blocks_kubernetes_to_sqlalchemy()};
}

// A shipped block's schema, parsed and checksummed. The data is static, so this is done
// once per process: a restart in the same process (as the tests do) skips the work.
struct PreparedSchema {
  Status status;  // a parse error of the static data
  schemas::JsonValue fields;
  std::string checksum;
  std::vector<std::string> capabilities;
};

PreparedSchema prepare(const BlockData& block) {
  PreparedSchema p;
  auto fields = schemas::JsonValue::parse(block.fields);
  if (!fields) {
    p.status = fields.status();
    return p;
  }
  p.fields = std::move(fields).value();
  p.checksum = schemas::block_schema_checksum(p.fields);
  std::string_view caps = block.capabilities;
  while (!caps.empty()) {
    const auto comma = caps.find(',');
    p.capabilities.emplace_back(caps.substr(0, comma));
    caps = comma == std::string_view::npos ? std::string_view() : caps.substr(comma + 1);
  }
  return p;
}

const PreparedSchema& prepared(const BlockData& block) {
  static const std::unordered_map<const BlockData*, PreparedSchema> cache = [] {
    std::unordered_map<const BlockData*, PreparedSchema> out;
    for (const auto& groups : {registry_groups(), collection_groups()}) {
      for (auto group : groups) {
        for (const BlockData& b : group) {
          out.emplace(&b, prepare(b));
        }
      }
    }
    return out;
  }();
  return cache.at(&block);
}

Result<schemas::BlockSchemaCreate> to_schema(const BlockData& block, std::string type_id) {
  const PreparedSchema& p = prepared(block);
  PC_RETURN_IF_ERROR(p.status);
  schemas::BlockSchemaCreate schema;
  schema.fields = p.fields;
  schema.block_type_id = std::move(type_id);
  schema.capabilities = p.capabilities;
  schema.version = block.version;
  return schema;
}

// Runs `body` in a write transaction of its own and commits it.
template <typename Body>
Status in_transaction(Database& db, Body&& body) {
  PC_ASSIGN_OR_RETURN(auto tx, db.begin(TxMode::kWrite));
  PC_RETURN_IF_ERROR(body(*tx));
  return tx->commit();
}

// upstream _install_protected_system_blocks, for one block: create_block_type and
// create_block_schema, both with override=True.
Status install_protected(Transaction& tx, core::IdGenerator& ids, Timestamp now,
                         const BlockData& block) {
  PC_ASSIGN_OR_RETURN(
      auto type, BlockTypeRepository(tx).upsert_protected(to_type(block), ids.random_id(), now));
  PC_ASSIGN_OR_RETURN(auto schema, to_schema(block, type.id));
  return BlockSchemaRepository(tx, ids).create(schema, now, /*override=*/true).status();
}

// upstream register_block_type: creates the type, or updates an existing one with the same
// slug (update_block_type stores the values as given: no HTML escaping, unlike create).
Result<std::string> register_block_type(Transaction& tx, core::IdGenerator& ids, Timestamp now,
                                        const BlockData& block) {
  BlockTypeRepository types(tx);
  PC_ASSIGN_OR_RETURN(auto existing, types.find_by_slug(block.slug));
  if (!existing) {
    PC_ASSIGN_OR_RETURN(auto created, types.create(to_type(block), ids.random_id(), now));
    return created.id;
  }
  schemas::BlockTypeUpdate update;
  update.logo_url = opt(block.logo_url);
  update.documentation_url = opt(block.documentation_url);
  update.description = opt(block.description);
  update.code_example = opt(block.code_example);
  PC_RETURN_IF_ERROR(types.update(existing->id, update, now).status());
  return existing->id;
}

// upstream register_block_schema: nothing to do when a schema with the same checksum and
// version exists (one cheap query, so a restart costs little).
Status register_block_schema(Transaction& tx, core::IdGenerator& ids, Timestamp now,
                             const BlockData& block, const std::string& type_id) {
  const PreparedSchema& p = prepared(block);
  PC_RETURN_IF_ERROR(p.status);
  PC_ASSIGN_OR_RETURN(Rows rows, tx.query("SELECT 1 FROM block_schema WHERE checksum = ? AND "
                                          "version = ? LIMIT 1",
                                          {p.checksum, std::string(block.version)}));
  if (!rows.empty()) {
    return Status::ok_status();
  }
  PC_ASSIGN_OR_RETURN(auto schema, to_schema(block, type_id));
  return BlockSchemaRepository(tx, ids).create(schema, now).status();
}

// upstream _register_registry_blocks: every non-abstract Block class the server imports,
// each in its own transaction; a failure is logged and the next block goes on.
void register_registry_blocks(Database& db, core::IdGenerator& ids, Timestamp now) {
  for (auto group : registry_groups()) {
    for (const BlockData& block : group) {
      Status s = in_transaction(db, [&](Transaction& tx) -> Status {
        PC_ASSIGN_OR_RETURN(std::string type_id, register_block_type(tx, ids, now, block));
        return register_block_schema(tx, ids, now, block, type_id);
      });
      if (!s.ok()) {
        PC_LOG_WARNING("Failed to register block schema for block class {}: {}", block.name,
                       s.message());
      }
    }
  }
}

// upstream _register_collection_blocks: all types first (one transaction), then the
// schemas, since a schema's block_schema_references need the referenced types. Each schema
// gets its own transaction (upstream shares one), so a failed one cannot undo the others.
Status register_collection_blocks(Database& db, core::IdGenerator& ids, Timestamp now) {
  const auto groups = collection_groups();
  std::vector<std::pair<const BlockData*, std::string>> registered;
  PC_RETURN_IF_ERROR(in_transaction(db, [&](Transaction& tx) -> Status {
    for (auto group : groups) {
      for (const BlockData& block : group) {
        PC_ASSIGN_OR_RETURN(std::string type_id, register_block_type(tx, ids, now, block));
        registered.emplace_back(&block, std::move(type_id));
      }
    }
    return Status::ok_status();
  }));
  for (const auto& entry : registered) {
    const BlockData& block = *entry.first;
    Status s = in_transaction(db, [&](Transaction& tx) {
      return register_block_schema(tx, ids, now, block, entry.second);
    });
    if (!s.ok()) {
      PC_LOG_WARNING("Failed to register block schema for block type {}: {}", block.slug,
                     s.message());
    }
  }
  return Status::ok_status();
}

}  // namespace

Status install_system_block_types(Database& db, core::IdGenerator& ids, Timestamp now) {
  for (const BlockData& block : data::protected_blocks()) {
    PC_RETURN_IF_ERROR(in_transaction(
        db, [&](Transaction& tx) { return install_protected(tx, ids, now, block); }));
  }
  return Status::ok_status();
}

Status run_block_auto_registration(Database& db, core::IdGenerator& ids, Timestamp now) {
  PC_RETURN_IF_ERROR(install_system_block_types(db, ids, now));
  register_registry_blocks(db, ids, now);
  return register_collection_blocks(db, ids, now);
}

}  // namespace prefectcore::models
