#pragma once

// The task-run recorder (upstream services/task_run_recorder.py, inventory §3.3): task runs
// orchestrated by the client report every state change as a `prefect.task-run.<State>`
// event labelled `prefect.orchestration: client`; this service turns those events into
// task_run and task_run_state rows. It only writes: it emits no event of its own and runs no
// orchestration rule (the client already did).
//
// Events are queued as they are published (the bus callback only enqueues) and written by
// run_once(), everything queued so far in one transaction per chunk. Thread-safe.

#include <cstdint>
#include <deque>
#include <mutex>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/models/task_run_recorder_store.h"
#include "lib/services/service.h"

namespace prefectcore::services {

// Whether the recorder takes `event`: a `prefect.task-run*` event whose resource carries
// `prefect.orchestration: client` (upstream's two checks).
bool is_client_task_run_event(const events::Event& event);

// The task run and state an event describes (upstream task_run_from_event and
// db_recordable_task_run_from_event). kInvalidArgument when the event cannot be recorded
// (bad resource id, missing or ill-typed payload members); upstream's validation fails the
// same events.
Result<models::RecordedTaskRun> task_run_from_event(const events::Event& event,
                                                    simdjson::dom::parser& parser);

class TaskRunRecorder final : public Service {
 public:
  // Subscribes to context.events; the subscription ends with the recorder.
  explicit TaskRunRecorder(ServiceContext& context);
  ~TaskRunRecorder() override;

  std::string_view name() const override { return "task_run_recorder"; }
  double loop_seconds() const override;
  // Writes every event queued so far. A chunk that fails is put back and retried on the
  // next pass, and dropped after its fifth failure (upstream's max persist retries).
  Status run_once() override;
  void stop() override;

  // Events waiting for the next pass.
  std::size_t pending() const;

 private:
  void accept(const std::vector<events::EventPtr>& items);
  Status write(const std::vector<events::EventPtr>& chunk);

  ServiceContext& context_;
  std::uint64_t token_ = 0;
  mutable std::mutex mutex_;
  std::deque<events::EventPtr> queue_;  // guarded by mutex_
  std::uint64_t overflowed_ = 0;        // guarded by mutex_
  std::mutex write_mutex_;              // one pass at a time (runner thread and tests)
  int failures_ = 0;                    // consecutive failures of the chunk at the front
  simdjson::dom::parser parser_;        // guarded by write_mutex_
};

}  // namespace prefectcore::services
