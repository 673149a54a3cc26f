#pragma once

// The upstream Event / ReceivedEvent model (prefect.server.events.schemas.events). Decoding,
// encoding and the limits live in event_codec.h; this header is the plain value type shared by
// the bus, the models and the services.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <prefectcore/clock.h>

#include "lib/core/internal.h"

namespace prefectcore::events {

// A resource's labels in the order the client sent them. `prefect.resource.id` is required;
// related resources also carry `prefect.resource.role`.
using Labels = std::vector<std::pair<std::string, std::string>>;

// The value of label `name`, or nullptr.
inline const std::string* find_label(const Labels& labels, std::string_view name) {
  for (const auto& [key, value] : labels) {
    if (key == name) {
      return &value;
    }
  }
  return nullptr;
}

struct Event {
  std::string id;  // canonical UUID text
  Timestamp occurred{};
  std::string event;  // e.g. "prefect.flow-run.Running"
  Labels resource;
  std::vector<Labels> related;
  std::string payload = "{}";  // a JSON object, as text
  Timestamp received{};        // set by the server when it accepts the event
  std::optional<std::string> follows;

  const std::string& resource_id() const {
    static const std::string kEmpty;
    const std::string* id_label = find_label(resource, "prefect.resource.id");
    return id_label ? *id_label : kEmpty;
  }
};

}  // namespace prefectcore::events
