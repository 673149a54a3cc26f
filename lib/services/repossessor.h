#pragma once

// The repossessor (upstream services/repossessor.py): each pass revokes the concurrency
// leases whose expiration has passed and gives their slots back to the v2 limits they hold
// (recording the occupancy), so a holder that died without releasing does not keep its
// slots forever.

#include "lib/core/internal.h"
#include "lib/services/service.h"

namespace prefectcore::services {

class Repossessor final : public Service {
 public:
  explicit Repossessor(ServiceContext& context) : context_(context) {}

  std::string_view name() const override { return "repossessor"; }
  double loop_seconds() const override {
    return context_.settings.services.repossessor.loop_seconds;
  }
  // Revokes up to 100 expired leases (upstream read_expired_lease_ids' batch), each in its own
  // transaction. Safe with several replicas: a lease's slots are given back only by the
  // transaction that deletes it.
  Status run_once() override;

 private:
  Status revoke(const std::string& lease_id);

  ServiceContext& context_;
};

}  // namespace prefectcore::services
