#pragma once

// JSON in and out for the upstream Event / ReceivedEvent models
// (prefect.server.events.schemas.events) and the limits from settings.events. Decoding
// validates like upstream's pydantic model: required id/occurred/event/resource, a non-empty
// `prefect.resource.id`, a `prefect.resource.role` on every related resource, and the size,
// label and related-resource limits. Every rejection is a kInvalidArgument Status with a
// pydantic-shaped detail, so one bad event never affects its neighbours. Reentrant.

#include <cstdint>
#include <string>
#include <string_view>

#include <prefectcore/settings.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"
#include "lib/events/event.h"

namespace prefectcore::events {

struct EventLimits {
  std::int64_t maximum_size_bytes = 1500000;
  int maximum_related_resources = 100;
  int maximum_labels_per_resource = 500;
  int maximum_event_name_length = 1024;

  static EventLimits from(const EventsSettings& settings);
};

// Decodes one Event object. A `received` member, when present, is read too (ReceivedEvent);
// otherwise `received` stays zero and the caller stamps it. `loc` prefixes error locations
// (e.g. {"body", 3} for the fourth event of a batch). kInvalidArgument on any violation,
// including a serialized size over limits.maximum_size_bytes.
Result<Event> decode_event(core::JsonElement value, const EventLimits& limits,
                           const core::Loc& loc = {});

// Parses and decodes one Event JSON text (a WebSocket frame). kInvalidArgument for malformed
// JSON, a text over the size limit, or any decode_event violation.
Result<Event> decode_event_text(std::string_view text, const EventLimits& limits);

// Writes `event` as upstream's Event (received=false) or ReceivedEvent (received=true).
void write_event(core::JsonWriter& writer, const Event& event, bool received);
// Convenience: the JSON text of write_event.
std::string encode_event(const Event& event, bool received);

// Resource labels as a JSON object text ({"prefect.resource.id": "..."}).
std::string encode_labels(const Labels& labels);

}  // namespace prefectcore::events
