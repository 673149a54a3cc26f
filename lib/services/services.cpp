#include "lib/services/service.h"

namespace prefectcore::services {

void add_enabled_services(ServiceRunner& runner, ServiceContext& context) {
  (void)runner;
  (void)context;
}

}  // namespace prefectcore::services
