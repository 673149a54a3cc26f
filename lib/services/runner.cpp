#include <chrono>

#include "lib/core/logging.h"
#include "lib/services/service.h"

namespace prefectcore::services {

void ServiceRunner::add(std::unique_ptr<Service> service) {
  services_.push_back(std::move(service));
}

void ServiceRunner::start() {
  std::lock_guard lock(mutex_);
  if (!threads_.empty() || stopping_) {
    return;
  }
  for (auto& service : services_) {
    threads_.emplace_back([this, s = service.get()] { loop(*s); });
  }
}

void ServiceRunner::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
    threads.swap(threads_);
  }
  wake_.notify_all();
  for (auto& thread : threads) {
    thread.join();
  }
  for (auto& service : services_) {
    service->stop();
  }
}

void ServiceRunner::loop(Service& service) {
  PC_LOG_INFO("service {} started", service.name());
  const auto interval = std::chrono::duration<double>(std::max(0.01, service.loop_seconds()));
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    Status status = service.run_once();
    if (!status.ok()) {
      PC_LOG_WARNING("service {}: {}", service.name(), status.message());
    }
    lock.lock();
    wake_.wait_for(lock, interval, [this] { return stopping_; });
  }
}

}  // namespace prefectcore::services
