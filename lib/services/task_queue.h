#pragma once

// Background task runs waiting for task workers (upstream server/task_queue.py and
// models/task_workers.py, inventory §3.5). A run created or moved into SCHEDULED with
// state_details.deferred (task.delay()) is enqueued under its task_key after its
// transaction commits; a connected task worker subscribed to that key receives it, one run
// at a time, and must acknowledge it before it gets the next. A run sent to a worker that
// goes away before acknowledging goes to the retry queue, which is served first.
//
// As upstream, the queues live in memory only: runs still queued when the server stops
// are not restored. Sends happen outside the lock; the Send callbacks must only queue.
// Thread-safe.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <prefectcore/clock.h>

#include "lib/core/internal.h"
#include "lib/schemas/task_run.h"

namespace prefectcore::services {

class TaskQueue {
 public:
  // Sends one TaskRun JSON to a worker; false when its connection is gone.
  using Send = std::function<bool(const std::string& task_run_json)>;

  struct Worker {
    std::string identifier;
    std::vector<std::string> task_keys;
    Timestamp timestamp{};
  };

  // Queue bounds per task key (tasks_scheduling_max_scheduled_queue_size and
  // tasks_scheduling_max_retry_queue_size).
  TaskQueue(std::size_t max_scheduled, std::size_t max_retry)
      : max_scheduled_(max_scheduled), max_retry_(max_retry) {}
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  // Queues a run (onto the retry queue when `retry`: an AwaitingRetry state). false when
  // that queue is full and the run was not queued (upstream would block the request).
  bool enqueue(const std::string& task_key, std::string task_run_json, bool retry);

  // A worker subscribed to `keys`; it is sent a queued run at once if there is one.
  // Returns its token.
  std::uint64_t subscribe(std::vector<std::string> keys, std::string client_id, Send send);
  // The worker acknowledged the run it was sent and gets the next one.
  void ack(std::uint64_t token);
  // The worker quit: the run it was sent is forgotten, as upstream does on "quit".
  void quit(std::uint64_t token);
  // The worker is gone: a run it did not acknowledge goes back on the retry queue (and to
  // another worker). Idempotent.
  void unsubscribe(std::uint64_t token);

  // Connected workers subscribed to any of `task_keys` (all workers when empty), as
  // upstream's task worker tracker reports them: a connected worker counts as just seen.
  std::vector<Worker> workers(const std::vector<std::string>& task_keys, Timestamp now) const;
  // Runs waiting under `task_key` (both queues).
  std::size_t queued(const std::string& task_key) const;

 private:
  struct Queues {
    std::deque<std::string> scheduled;
    std::deque<std::string> retry;
  };
  struct Subscriber {
    std::vector<std::string> keys;
    std::string client_id;
    Send send;
    bool busy = false;          // a run was sent and not yet acknowledged
    std::string in_flight_key;  // its task key
    std::string in_flight;      // its JSON
  };
  // Picks the next run for an idle subscriber (retry queue first, keys in order) and marks
  // it busy; returns the run to send, or false.
  bool take_locked(Subscriber& sub, std::string& json);
  // Offers queued runs to idle subscribers until none can take one; sends outside the lock.
  void dispatch();

  const std::size_t max_scheduled_;
  const std::size_t max_retry_;
  mutable std::mutex mutex_;
  std::map<std::string, Queues> queues_;             // guarded by mutex_
  std::map<std::uint64_t, Subscriber> subscribers_;  // guarded by mutex_
  std::uint64_t last_token_ = 0;                     // guarded by mutex_
};

// Whether a transition accepted into `state` hands its run to the task queue (upstream
// EnqueueScheduledTasks: a SCHEDULED state with state_details.deferred).
bool is_deferred_scheduled(const schemas::State& state);

// Queues `run`, whose current state was just accepted and committed, when that state is
// deferred and scheduled: onto the retry queue for AwaitingRetry. Does nothing when `queue`
// is null.
void enqueue_task_run(TaskQueue* queue, const schemas::TaskRun& run, Timestamp now);

}  // namespace prefectcore::services
