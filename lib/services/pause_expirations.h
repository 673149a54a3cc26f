#pragma once

// Pause expirations (upstream services/pause_expirations.py): PAUSED runs whose state's
// pause_timeout has passed are forced to Failed("The flow was paused and never resumed.").

#include "lib/core/internal.h"
#include "lib/services/service.h"

namespace prefectcore::services {

class PauseExpirations final : public Service {
 public:
  explicit PauseExpirations(ServiceContext& context) : context_(context) {}

  std::string_view name() const override { return "pause_expirations"; }
  double loop_seconds() const override {
    return context_.settings.services.pause_expirations.loop_seconds;
  }
  // Scans every PAUSED run in pages of 200 (upstream's batch; unlike upstream, later pages
  // are read too, so many open pauses cannot hide an expired one) and fails the expired
  // ones, each in its own transaction.
  Status run_once() override;

 private:
  Status fail_expired(const std::string& run_id);

  ServiceContext& context_;
};

}  // namespace prefectcore::services
