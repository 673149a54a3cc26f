#pragma once

// Background services (inventory §4): loops on the Clock. A service does one pass in
// run_once(); the runner calls it every loop interval on its own thread. Tests call run_once()
// directly with a ManualClock and never sleep.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>
#include <prefectcore/settings.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/uuid.h"
#include "lib/events/bus.h"
#include "lib/events/log_record.h"

namespace prefectcore::services {

// What every service can use; owned by the Server.
struct ServiceContext {
  const Settings& settings;
  const Clock& clock;
  Database* db;  // never null when services run
  core::IdGenerator& ids;
  events::EventBus& events;
  events::LogBus& logs;
};

class Service {
 public:
  Service() = default;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;
  virtual ~Service() = default;

  virtual std::string_view name() const = 0;
  // Seconds between passes (the service's loop_seconds setting).
  virtual double loop_seconds() const = 0;
  // One pass. Errors are logged by the runner; the next pass runs as usual.
  virtual Status run_once() = 0;
  // Called once when the runner stops, after the last pass (flush buffers here).
  virtual void stop() {}
};

// Runs services on one thread each, sleeping on the wall clock between passes (the services
// themselves read time from the Clock). Thread-safe start/stop; stop() is idempotent.
class ServiceRunner {
 public:
  ServiceRunner() = default;
  ~ServiceRunner() { stop(); }
  ServiceRunner(const ServiceRunner&) = delete;
  ServiceRunner& operator=(const ServiceRunner&) = delete;

  void add(std::unique_ptr<Service> service);
  void start();
  void stop();
  const std::vector<std::unique_ptr<Service>>& services() const { return services_; }

 private:
  void loop(Service& service);

  std::vector<std::unique_ptr<Service>> services_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

// Builds the enabled services (settings.services.*) into `runner`. Each service file adds
// its own line in services.cpp.
void add_enabled_services(ServiceRunner& runner, ServiceContext& context);

}  // namespace prefectcore::services
