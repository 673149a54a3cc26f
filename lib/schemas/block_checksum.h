#pragma once

// Block schema checksums as upstream computes them (Block._calculate_schema_checksum):
// "sha256:" + hex SHA-256 of Python's json.dumps(((fields,), {}), sort_keys=True), where
// `fields` has every nested "secret_fields" key removed and its "definitions" cut down to
// the non-block definitions reachable from the schema (dropped when none remain).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/core/internal.h"
#include "lib/schemas/block_json.h"

namespace prefectcore::schemas {

// FIPS 180-4 SHA-256 of `data`, as lower-case hex.
std::string sha256_hex(std::string_view data);

// The checksum of block schema `fields` ("sha256:<hex>").
std::string block_schema_checksum(const JsonValue& fields);

// Every "$ref" string found anywhere under `value`, in document order.
std::vector<std::string> collect_reference_strings(const JsonValue& value);

// The definitions reachable from `object` through "$ref"s that are not blocks (a block
// definition carries "block_type_slug"), following references transitively.
JsonValue non_block_definitions(const JsonValue& object, const JsonValue& definitions);

}  // namespace prefectcore::schemas
