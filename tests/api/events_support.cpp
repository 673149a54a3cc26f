#include "tests/api/events_support.h"

#include "lib/core/json_writer.h"
#include "lib/core/uuid.h"

namespace prefectcore::testing {

std::string new_event_id() { return core::uuid4(); }

std::string TestEvent::json() const {
  std::string out = R"({"id":)" + core::json_quote(id) + R"(,"occurred":)" +
                    core::json_quote(occurred) + R"(,"event":)" + core::json_quote(event) +
                    R"(,"resource":{"prefect.resource.id":)" + core::json_quote(resource_id) +
                    extra_resource_labels + R"(},"related":[)";
  for (std::size_t i = 0; i < related.size(); ++i) {
    out += (i ? "," : "") + std::string(R"({"prefect.resource.id":)") +
           core::json_quote(related[i].first) + R"(,"prefect.resource.role":)" +
           core::json_quote(related[i].second) + "}";
  }
  return out + R"(],"payload":)" + payload + "}";
}

}  // namespace prefectcore::testing
