#include "lib/services/task_queue.h"

#include <algorithm>
#include <set>

#include "lib/core/logging.h"

namespace prefectcore::services {

bool TaskQueue::enqueue(const std::string& task_key, std::string task_run_json, bool retry) {
  {
    std::lock_guard lock(mutex_);
    Queues& q = queues_[task_key];
    std::deque<std::string>& target = retry ? q.retry : q.scheduled;
    if (target.size() >= (retry ? max_retry_ : max_scheduled_)) {
      PC_LOG_WARNING("task queue for {} is full; a background task run was not queued", task_key);
      return false;
    }
    target.push_back(std::move(task_run_json));
  }
  dispatch();
  return true;
}

std::uint64_t TaskQueue::subscribe(std::vector<std::string> keys, std::string client_id,
                                   Send send) {
  std::uint64_t token = 0;
  {
    std::lock_guard lock(mutex_);
    token = ++last_token_;
    Subscriber& sub = subscribers_[token];
    sub.keys = std::move(keys);
    sub.client_id = std::move(client_id);
    sub.send = std::move(send);
  }
  dispatch();
  return token;
}

void TaskQueue::ack(std::uint64_t token) {
  {
    std::lock_guard lock(mutex_);
    auto it = subscribers_.find(token);
    if (it == subscribers_.end()) {
      return;
    }
    it->second.busy = false;
    it->second.in_flight.clear();
  }
  dispatch();
}

void TaskQueue::quit(std::uint64_t token) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(token);
}

void TaskQueue::unsubscribe(std::uint64_t token) {
  {
    std::lock_guard lock(mutex_);
    auto it = subscribers_.find(token);
    if (it == subscribers_.end()) {
      return;
    }
    if (it->second.busy) {
      // Upstream puts an undelivered run on the retry queue without a size check (it waits
      // for room); a redelivery is never dropped here either.
      queues_[it->second.in_flight_key].retry.push_back(std::move(it->second.in_flight));
    }
    subscribers_.erase(it);
  }
  dispatch();
}

bool TaskQueue::take_locked(Subscriber& sub, std::string& json) {
  if (sub.busy) {
    return false;
  }
  for (const std::string& key : sub.keys) {
    auto it = queues_.find(key);
    if (it == queues_.end()) {
      continue;
    }
    for (std::deque<std::string>* q : {&it->second.retry, &it->second.scheduled}) {
      if (!q->empty()) {
        json = std::move(q->front());
        q->pop_front();
        sub.busy = true;
        sub.in_flight_key = key;
        sub.in_flight = json;
        return true;
      }
    }
  }
  return false;
}

void TaskQueue::dispatch() {
  for (;;) {
    std::uint64_t token = 0;
    Send send;
    std::string json;
    {
      std::lock_guard lock(mutex_);
      for (auto& [t, sub] : subscribers_) {
        if (take_locked(sub, json)) {
          token = t;
          send = sub.send;
          break;
        }
      }
    }
    if (token == 0) {
      return;
    }
    if (!send(json)) {
      unsubscribe(token);  // the run goes to the retry queue and on to another worker
      return;
    }
  }
}

std::vector<TaskQueue::Worker> TaskQueue::workers(const std::vector<std::string>& task_keys,
                                                  Timestamp now) const {
  std::map<std::string, std::set<std::string>> by_client;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [token, sub] : subscribers_) {
      by_client[sub.client_id].insert(sub.keys.begin(), sub.keys.end());
    }
  }
  std::vector<Worker> out;
  for (const auto& [client, keys] : by_client) {
    const bool wanted =
        task_keys.empty() || std::any_of(task_keys.begin(), task_keys.end(),
                                         [&](const std::string& k) { return keys.count(k) > 0; });
    if (wanted) {
      out.push_back(Worker{client, std::vector<std::string>(keys.begin(), keys.end()), now});
    }
  }
  return out;
}

std::size_t TaskQueue::queued(const std::string& task_key) const {
  std::lock_guard lock(mutex_);
  auto it = queues_.find(task_key);
  return it == queues_.end() ? 0 : it->second.scheduled.size() + it->second.retry.size();
}

bool is_deferred_scheduled(const schemas::State& state) {
  return state.type == schemas::StateType::kScheduled && state.details.deferred.value_or(false);
}

void enqueue_task_run(TaskQueue* queue, const schemas::TaskRun& run, Timestamp now) {
  if (!queue || !run.state || !is_deferred_scheduled(*run.state)) {
    return;
  }
  queue->enqueue(run.task_key, schemas::encode_task_run(run, now),
                 /*retry=*/run.state->name == "AwaitingRetry");
}

}  // namespace prefectcore::services
