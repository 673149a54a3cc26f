#pragma once

// Secret handling for block document data, following upstream's flat-key walk
// (schemas/core.py BlockDocument.from_orm_model, models/block_documents.py
// update_block_document): data is flattened into key paths (non-empty objects are
// descended, everything else is a leaf), the schema's `secret_fields` ("a", "a.b", "a.*")
// select leaves, and the result is nested again in the original order.

#include "lib/core/internal.h"
#include "lib/schemas/block_json.h"

namespace prefectcore::schemas {

// upstream prefect.utilities.names.obfuscate: every secret becomes eight asterisks.
inline constexpr const char* kObfuscatedSecret = "********";

// `data` with every secret leaf named by `schema_fields["secret_fields"]` obfuscated.
JsonValue obfuscate_secrets(const JsonValue& data, const JsonValue& schema_fields);

// For an update: secret leaves of `update` that still hold the obfuscated placeholder are
// replaced by the stored values from `current`, so posting back a read document does not
// overwrite its secrets with asterisks.
JsonValue restore_obfuscated_secrets(const JsonValue& update, const JsonValue& current,
                                     const JsonValue& schema_fields);

}  // namespace prefectcore::schemas
