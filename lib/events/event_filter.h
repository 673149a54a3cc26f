#pragma once

// Upstream's EventFilter (prefect.server.events.filters): decoded from JSON, re-encoded for
// page tokens, and matched in memory for /events/out subscribers. lib/models turns the same
// struct into SQL, so stored and live events are selected by one definition. Reentrant.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"
#include "lib/core/json_writer.h"
#include "lib/events/event.h"

namespace prefectcore::events {

// ResourceSpecification: label -> accepted values. A value may start with "!" (negation)
// and end with "*" (prefix match).
using ResourceSpec = std::vector<std::pair<std::string, std::vector<std::string>>>;

struct EventNameFilter {
  std::optional<std::vector<std::string>> prefix, exclude_prefix, name, exclude_name;
};

struct EventResourceFilter {
  std::optional<std::vector<std::string>> id, id_prefix;
  std::optional<ResourceSpec> labels;
  bool distinct = false;
};

struct EventRelatedFilter {
  std::optional<std::vector<std::string>> id, role;
  std::optional<std::vector<std::pair<std::string, std::string>>> resources_in_roles;
  std::optional<ResourceSpec> labels;
};

struct EventAnyResourceFilter {
  std::optional<std::vector<std::string>> id, id_prefix;
  std::optional<ResourceSpec> labels;
};

enum class EventOrder { kAsc, kDesc };

struct EventFilter {
  Timestamp since{};  // occurred.since (inclusive)
  Timestamp until{};  // occurred.until (inclusive)
  std::optional<EventNameFilter> event;
  std::optional<EventResourceFilter> resource;
  // A single object or a list in JSON; every entry must match (they are ANDed).
  std::vector<EventRelatedFilter> related;
  bool related_is_list = false;
  std::vector<EventAnyResourceFilter> any_resource;
  bool any_resource_is_list = false;
  std::optional<std::vector<std::string>> ids;  // id.id
  std::optional<std::string> text;              // text.query
  EventOrder order = EventOrder::kDesc;

  // Upstream defaults: since = start of today (UTC) - 180 days, until = now.
  static EventFilter defaults(Timestamp now);
  // Would `event` be selected? (upstream's EventFilter.includes)
  bool includes(const Event& event) const;
};

// Decodes an EventFilter object (null or absent: defaults). kInvalidArgument with pydantic
// locations under `loc` for unknown keys (extra="forbid"), wrong types and bad values.
Result<EventFilter> decode_event_filter(std::optional<core::JsonElement> value, Timestamp now,
                                        const core::Loc& loc);

// The filter as upstream's model_dump(mode="json") (page tokens round-trip through it).
void write_event_filter(core::JsonWriter& writer, const EventFilter& filter);

// upstream's `matches`: "!" negates, a trailing "*" matches a prefix; a missing value never
// matches.
bool label_value_matches(std::string_view expected, const std::string* value);
bool resource_spec_matches(const ResourceSpec& spec, const Labels& resource);

// Text search terms (prefect.utilities.text_search_parser): plain terms are ORed, "-term" and
// "!term" exclude, "+term" is required, double quotes make phrases.
struct TextQuery {
  std::vector<std::string> include, exclude, required;
};
TextQuery parse_text_query(std::string_view query);

}  // namespace prefectcore::events
