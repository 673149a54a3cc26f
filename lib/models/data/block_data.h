#pragma once

// The block types the server registers by itself (upstream
// models/block_registration.py run_block_auto_registration), as static data: what
// Block._to_block_type() and Block._to_block_schema() give for each class. prefectcore
// cannot run the Python classes, so the values are written out; docs/blocks.md says where
// they come from and how the collection schemas differ from upstream's.

#include <span>

#include "lib/core/internal.h"

namespace prefectcore::models::data {

struct BlockData {
  const char* name;
  const char* slug;
  const char* logo_url;           // nullptr: none
  const char* documentation_url;  // nullptr: none
  const char* description;
  const char* code_example;
  const char* fields;        // the block schema's fields (JSON object)
  const char* capabilities;  // comma-separated, "" for none
  const char* version;       // the block schema's version
};

// The prefect version the core classes below are taken from (their schema version, as
// Block._get_current_package_version gives it).
inline constexpr const char* kCoreBlockVersion = "3.8.4";

// Webhook, Secret and LocalFileSystem: upstream installs them as protected types.
std::span<const BlockData> protected_blocks();
// prefect.filesystems: RemoteFileSystem and SMB (not protected).
std::span<const BlockData> file_system_blocks();
// prefect.blocks.notifications: the non-abstract NotificationBlock classes.
std::span<const BlockData> notification_blocks();

// collection_blocks_data.json, one span per file, in upstream's order.
std::span<const BlockData> collection_blocks_aws_to_databricks();
std::span<const BlockData> collection_blocks_dbt_bigquery_to_profile();
std::span<const BlockData> collection_blocks_dbt_snowflake_to_core();
std::span<const BlockData> collection_blocks_docker_to_gitlab();
std::span<const BlockData> collection_blocks_kubernetes_to_sqlalchemy();

}  // namespace prefectcore::models::data
