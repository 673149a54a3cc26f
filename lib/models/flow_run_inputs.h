#pragma once

// Flow run inputs (upstream models/flow_run_input.py): key/value pairs a paused run waits
// for, unique per (flow_run_id, key).
//
// Thread-bound: a FlowRunInputRepository borrows one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/json_writer.h"

namespace prefectcore::models {

// upstream schemas.core.FlowRunInput.
struct FlowRunInput {
  std::string id;
  Timestamp created;
  Timestamp updated;
  std::string flow_run_id;
  std::string key;
  std::string value;
  std::optional<std::string> sender;
};

void write_flow_run_input(core::JsonWriter& w, const FlowRunInput& input);

class FlowRunInputRepository {
 public:
  explicit FlowRunInputRepository(Transaction& tx) : tx_(tx) {}

  // kConflict "A flow run input with this key already exists." when the key is taken;
  // kNotFound "Flow run not found" when the run does not exist (upstream tells the two
  // integrity errors apart the same way).
  Status create(const FlowRunInput& input);
  // Inputs whose key starts with `prefix` (a LIKE pattern, as upstream) and is not in
  // `exclude_keys`, oldest first.
  Result<std::vector<FlowRunInput>> filter(const std::string& flow_run_id,
                                           const std::string& prefix, std::int64_t limit,
                                           const std::vector<std::string>& exclude_keys);
  Result<std::optional<FlowRunInput>> read(const std::string& flow_run_id, const std::string& key);
  // false when there was no such input.
  Result<bool> remove(const std::string& flow_run_id, const std::string& key);

 private:
  Transaction& tx_;
};

}  // namespace prefectcore::models
