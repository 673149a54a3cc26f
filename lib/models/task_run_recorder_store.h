#pragma once

// The writes of upstream's task_run_recorder (services/task_run_recorder.py,
// record_bulk_task_run_events): client-orchestrated task runs and their states, upserted from
// a batch of `prefect.task-run.*` events inside one write transaction.
//
// Thread-bound: a TaskRunRecorderStore borrows one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"
#include "lib/schemas/state.h"

namespace prefectcore::models {

// One event's task run and state. `state.id` is the event id and `state.timestamp` the time
// it occurred; the store fills state_details.task_run_id / flow_run_id.
struct RecordedTaskRun {
  std::string id;
  std::optional<std::string> flow_run_id;
  std::string task_key;
  std::string dynamic_key;
  // The other task_run columns the event's payload set (upstream dumps with exclude_unset),
  // by column name; SqlNull writes a real NULL. Columns left out keep their value on update
  // and take their default on insert.
  std::vector<std::pair<std::string, SqlValue>> columns;
  schemas::State state;
};

struct RecordOutcome {
  std::int64_t states_inserted = 0;  // new task_run_state rows (duplicates are skipped)
  std::int64_t dropped = 0;          // events whose flow run does not exist
};

class TaskRunRecorderStore {
 public:
  explicit TaskRunRecorderStore(Transaction& tx) : tx_(tx) {}

  // Upserts every run and inserts every state, as upstream does:
  // - runs colliding on id or on (flow_run_id, task_key, dynamic_key) are coalesced, the
  //   latest state timestamp winning;
  // - an existing row found by either key keeps its id (the event's id is rewritten);
  // - a row is only updated when the event's state is newer than the stored one
  //   (`state_timestamp < excluded.state_timestamp`), so late events never regress a run;
  // - every event becomes a state row (id = event id) unless that id, or that run's
  //   timestamp, is already stored.
  // Events naming a flow run that does not exist are dropped (upstream's foreign key fails
  // the batch and discards them after its retries). `ids` names runs the payload left
  // unnamed. Storage errors as they come; the caller rolls back.
  Result<RecordOutcome> record(std::vector<RecordedTaskRun> runs, core::IdGenerator& ids,
                               Timestamp now);

 private:
  Result<std::vector<RecordedTaskRun>> drop_orphans(std::vector<RecordedTaskRun> runs,
                                                    RecordOutcome& outcome);
  Transaction& tx_;
};

}  // namespace prefectcore::models
