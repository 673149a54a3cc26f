#include "lib/events/event_codec.h"

#include <fmt/format.h>

#include "lib/core/time.h"
#include "lib/core/uuid.h"

namespace prefectcore::events {
namespace {

using core::JsonElement;
using core::Loc;
using core::ValidationErrors;
using simdjson::dom::element_type;

Loc at(const Loc& base, core::LocPart part) {
  Loc loc = base;
  loc.push_back(std::move(part));
  return loc;
}

// pydantic's wording for a model_validator/field_validator ValueError.
void value_error(ValidationErrors& errors, const Loc& loc, std::string_view message,
                 JsonElement input) {
  errors.add("value_error", loc, fmt::format("Value error, {}", message), core::to_json(input),
             fmt::format("{{\"error\":{}}}", core::json_quote(message)));
}

// Labelled: a dict of str -> str, in the order sent. Checks the Resource validators
// (label limit, non-empty prefect.resource.id) and, for related resources, the role.
std::optional<Labels> decode_resource(JsonElement value, const Loc& loc, bool related,
                                      const EventLimits& limits, ValidationErrors& errors) {
  core::JsonObject object;
  if (value.get_object().get(object)) {
    errors.add("dict_type", loc, "Input should be a valid dictionary", core::to_json(value));
    return std::nullopt;
  }
  Labels labels;
  bool ok = true;
  for (auto field : object) {
    std::string_view text;
    if (field.value.get_string().get(text)) {
      errors.add("string_type", at(loc, std::string(field.key)), "Input should be a valid string",
                 core::to_json(field.value));
      ok = false;
      continue;
    }
    labels.emplace_back(std::string(field.key), std::string(text));
  }
  if (!ok) {
    return std::nullopt;
  }
  if (static_cast<std::int64_t>(labels.size()) > limits.maximum_labels_per_resource) {
    value_error(errors, loc,
                fmt::format("The maximum number of labels per resource is {}",
                            limits.maximum_labels_per_resource),
                value);
    return std::nullopt;
  }
  const std::string* id = find_label(labels, "prefect.resource.id");
  if (!id) {
    value_error(errors, loc, "Resources must include the prefect.resource.id label", value);
    return std::nullopt;
  }
  if (id->empty()) {
    value_error(errors, loc, "The prefect.resource.id label must be non-empty", value);
    return std::nullopt;
  }
  if (related) {
    const std::string* role = find_label(labels, "prefect.resource.role");
    if (!role) {
      value_error(errors, loc, "Related Resources must include the prefect.resource.role label",
                  value);
      return std::nullopt;
    }
    if (role->empty()) {
      value_error(errors, loc, "The prefect.resource.role label must be non-empty", value);
      return std::nullopt;
    }
  }
  return labels;
}

std::optional<std::string> decode_uuid(JsonElement value, const Loc& loc,
                                       ValidationErrors& errors) {
  std::string_view text;
  if (value.get_string().get(text)) {
    errors.add("uuid_type", loc, "UUID input should be a string, bytes or UUID object",
               core::to_json(value));
    return std::nullopt;
  }
  auto id = core::normalize_uuid(text);
  if (!id) {
    errors.add("uuid_parsing", loc,
               "Input should be a valid UUID, invalid character: expected an optional prefix of "
               "`urn:uuid:` followed by [0-9a-fA-F-]",
               core::to_json(value));
  }
  return id;
}

std::optional<Timestamp> decode_time(JsonElement value, const Loc& loc, ValidationErrors& errors) {
  std::string_view text;
  if (value.get_string().get(text)) {
    errors.add("datetime_type", loc, "Input should be a valid datetime", core::to_json(value));
    return std::nullopt;
  }
  auto t = core::parse_time(text);
  if (!t) {
    errors.add("datetime_from_date_parsing", loc,
               "Input should be a valid datetime or date, invalid character in year",
               core::to_json(value));
    return std::nullopt;
  }
  return *t;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    n += (c & 0xC0) != 0x80;
  }
  return n;
}

void decode_name(JsonElement value, const Loc& loc, const EventLimits& limits, Event& event,
                 ValidationErrors& errors) {
  std::string_view text;
  if (value.get_string().get(text)) {
    errors.add("string_type", loc, "Input should be a valid string", core::to_json(value));
    return;
  }
  if (static_cast<std::int64_t>(utf8_length(text)) > limits.maximum_event_name_length) {
    value_error(
        errors, loc,
        fmt::format("Event name must be at most {} characters", limits.maximum_event_name_length),
        value);
    return;
  }
  event.event = std::string(text);
}

void decode_related(JsonElement value, const Loc& loc, const EventLimits& limits, Event& event,
                    ValidationErrors& errors) {
  core::JsonArray array;
  if (value.get_array().get(array)) {
    errors.add("list_type", loc, "Input should be a valid list", core::to_json(value));
    return;
  }
  std::int64_t index = 0;
  for (JsonElement item : array) {
    if (auto labels = decode_resource(item, at(loc, index), true, limits, errors)) {
      event.related.push_back(std::move(*labels));
    }
    ++index;
  }
  if (index > limits.maximum_related_resources) {
    value_error(errors, loc,
                fmt::format("The maximum number of related resources is {}",
                            limits.maximum_related_resources),
                value);
  }
}

void require(core::JsonObject object, std::string_view key, JsonElement whole, const Loc& loc,
             ValidationErrors& errors) {
  JsonElement ignored;
  if (object[key].get(ignored)) {
    errors.add("missing", at(loc, std::string(key)), "Field required", core::to_json(whole));
  }
}

}  // namespace

EventLimits EventLimits::from(const EventsSettings& settings) {
  return {settings.maximum_size_bytes, settings.maximum_related_resources,
          settings.maximum_labels_per_resource, settings.maximum_event_name_length};
}

Result<Event> decode_event(JsonElement value, const EventLimits& limits, const Loc& loc) {
  ValidationErrors errors;
  core::JsonObject object;
  if (value.get_object().get(object)) {
    errors.add("model_type", loc, "Input should be a valid dictionary or instance of Event",
               core::to_json(value));
    return errors.to_status();
  }
  Event event;
  for (std::string_view key : {"occurred", "event", "resource", "id"}) {
    require(object, key, value, loc, errors);
  }
  for (auto field : object) {
    const std::string_view key = field.key;
    const Loc field_loc = at(loc, std::string(key));
    const bool is_null = field.value.type() == element_type::NULL_VALUE;
    if (key == "id") {
      if (auto id = decode_uuid(field.value, field_loc, errors)) {
        event.id = std::move(*id);
      }
    } else if (key == "occurred") {
      if (auto t = decode_time(field.value, field_loc, errors)) {
        event.occurred = *t;
      }
    } else if (key == "received") {
      if (is_null) {
        continue;
      }
      if (auto t = decode_time(field.value, field_loc, errors)) {
        event.received = *t;
      }
    } else if (key == "event") {
      decode_name(field.value, field_loc, limits, event, errors);
    } else if (key == "resource") {
      if (auto labels = decode_resource(field.value, field_loc, false, limits, errors)) {
        event.resource = std::move(*labels);
      }
    } else if (key == "related") {
      decode_related(field.value, field_loc, limits, event, errors);
    } else if (key == "payload") {
      if (field.value.type() != element_type::OBJECT) {
        errors.add("dict_type", field_loc, "Input should be a valid dictionary",
                   core::to_json(field.value));
      } else {
        event.payload = core::to_json(field.value);
      }
    } else if (key == "follows") {
      if (!is_null) {
        if (auto id = decode_uuid(field.value, field_loc, errors)) {
          event.follows = std::move(*id);
        }
      }
    }
    // Other keys are ignored, as pydantic's default extra="ignore" does.
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return event;
}

Result<Event> decode_event_text(std::string_view text, const EventLimits& limits) {
  // Upstream drops events whose serialized form exceeds the limit (events/messaging.py); the
  // frame size is that form up to whitespace, and checking it first bounds the parse work.
  if (static_cast<std::int64_t>(text.size()) > limits.maximum_size_bytes) {
    return core::invalid_at({}, "value_error",
                            fmt::format("Value error, Event is too large ({} bytes, the maximum "
                                        "is {} bytes)",
                                        text.size(), limits.maximum_size_bytes));
  }
  PC_ASSIGN_OR_RETURN(auto document, core::JsonDocument::parse(text));
  return decode_event(document.root(), limits);
}

void write_event(core::JsonWriter& writer, const Event& event, bool received) {
  writer.begin_object();
  writer.key("occurred").time(event.occurred);
  writer.key("event").string(event.event);
  writer.key("resource").raw(encode_labels(event.resource));
  writer.key("related").begin_array();
  for (const Labels& labels : event.related) {
    writer.raw(encode_labels(labels));
  }
  writer.end_array();
  writer.key("payload").raw(event.payload.empty() ? std::string_view("{}") : event.payload);
  writer.key("id").string(event.id);
  writer.key("follows").opt_string(event.follows);
  if (received) {
    writer.key("received").time(event.received);
  }
  writer.end_object();
}

std::string encode_event(const Event& event, bool received) {
  std::string out;
  core::JsonWriter writer(out);
  write_event(writer, event, received);
  return out;
}

std::string encode_labels(const Labels& labels) {
  std::string out;
  core::JsonWriter writer(out);
  writer.begin_object();
  for (const auto& [key, value] : labels) {
    writer.key(key).string(value);
  }
  writer.end_object();
  return out;
}

}  // namespace prefectcore::events
