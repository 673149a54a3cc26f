// The trigger union of upstream events/schemas/automations.py (EventTrigger,
// CompoundTrigger, SequenceTrigger), decoded into canonical JSON with server-assigned ids.
//
// Upstream's union is not discriminated, so pydantic tries each member; we pick the member
// from `type` (every member defaults it, so without one we pick by the keys present) and
// report that member's errors under its class name, as pydantic labels union members.
// MetricTrigger is not part of the open-source server's union, so "metric" is refused.

#include <algorithm>

#include <fmt/format.h>

#include "lib/core/settings_values.h"
#include "lib/schemas/automation.h"
#include "lib/schemas/decoder.h"

namespace prefectcore::schemas {
namespace {

using core::JsonElement;
using core::JsonWriter;
using core::Loc;
using core::ValidationErrors;

// Hostile input guard: deeper composite nesting than any real automation uses.
constexpr int kMaxDepth = 32;

Loc child(const Loc& loc, core::LocPart part) {
  Loc out = loc;
  out.push_back(std::move(part));
  return out;
}

// A str -> str | list[str] mapping (upstream ResourceSpecification).
bool resource_spec_ok(JsonElement v, const Loc& loc, ValidationErrors& errors) {
  core::JsonObject obj;
  if (v.get_object().get(obj)) {
    errors.add("dict_type", loc, "Input should be a valid dictionary", core::to_json(v));
    return false;
  }
  bool ok = true;
  for (auto [key, value] : obj) {
    if (value.is_string()) {
      continue;
    }
    core::JsonArray arr;
    bool list_ok = !value.get_array().get(arr);
    if (list_ok) {
      for (JsonElement item : arr) {
        list_ok = list_ok && item.is_string();
      }
    }
    if (!list_ok) {
      errors.add("string_type", child(loc, std::string(key)), "Input should be a valid string",
                 core::to_json(value));
      ok = false;
    }
  }
  return ok;
}

void write_match(ObjectDecoder& d, std::string_view key, bool allow_list, JsonWriter& out) {
  out.key(key);
  auto m = d.member(key);
  if (!m) {
    out.raw("{}");
    return;
  }
  core::JsonArray arr;
  if (allow_list && !m->get_array().get(arr)) {
    std::int64_t i = 0;
    for (JsonElement item : arr) {
      resource_spec_ok(item, child(d.loc_of(key), i++), d.errors());
    }
  } else {
    resource_spec_ok(*m, d.loc_of(key), d.errors());
  }
  out.raw(core::to_json(*m));
}

// A Set[str]: a list of strings, deduplicated in first-seen order.
void write_string_set(ObjectDecoder& d, std::string_view key, JsonWriter& out) {
  out.key(key).begin_array();
  auto m = d.member(key);
  core::JsonArray arr;
  if (m && m->get_array().get(arr)) {
    d.errors().add("set_type", d.loc_of(key), "Input should be a valid set", core::to_json(*m));
  } else if (m) {
    std::vector<std::string_view> seen;
    std::int64_t i = 0;
    for (JsonElement item : arr) {
      std::string_view s;
      if (item.get_string().get(s)) {
        d.errors().add("string_type", child(d.loc_of(key), i), "Input should be a valid string",
                       core::to_json(item));
      } else if (std::find(seen.begin(), seen.end(), s) == seen.end()) {
        seen.push_back(s);
        out.string(s);
      }
      ++i;
    }
  }
  out.end_array();
}

// A timedelta member (absent: `fallback`; null: nullopt with `null_ok`, else an error).
std::optional<double> read_timedelta(ObjectDecoder& d, std::string_view key, double fallback,
                                     bool* was_null = nullptr) {
  auto m = d.member(key);
  if (!m) {
    return fallback;
  }
  if (m->is_null()) {
    if (was_null) {
      *was_null = true;
    } else {
      d.errors().add("time_delta_type", d.loc_of(key), "Input should be a valid timedelta", "null");
    }
    return std::nullopt;
  }
  auto seconds = timedelta_seconds(*m);
  if (!seconds) {
    d.errors().add("time_delta_parsing", d.loc_of(key),
                   "Input should be a valid timedelta, invalid duration format", core::to_json(*m));
  }
  return seconds;
}

void decode_event_trigger(JsonElement v, const Loc& loc, ValidationErrors& errors,
                          core::IdGenerator& ids, JsonWriter& out) {
  ObjectDecoder d(v, loc, errors, "EventTrigger");
  if (!d.is_object()) {
    return;
  }
  out.begin_object().key("type").string("event").key("id").string(ids.random_id());
  write_match(d, "match", false, out);
  write_match(d, "match_related", true, out);
  write_string_set(d, "after", out);
  write_string_set(d, "expect", out);
  write_string_set(d, "for_each", out);

  std::optional<std::string> posture = d.required_string("posture");
  if (posture && *posture != "Reactive" && *posture != "Proactive") {
    errors.add("literal_error", d.loc_of("posture"), "Input should be 'Reactive' or 'Proactive'",
               core::json_quote(*posture), R"({"expected":"'Reactive' or 'Proactive'"})");
  }
  out.key("posture").string(posture.value_or("Reactive"));

  std::optional<std::int64_t> threshold;
  if (auto m = d.member("threshold"); m && m->is_null()) {
    errors.add("int_type", d.loc_of("threshold"), "Input should be a valid integer", "null");
  } else {
    threshold = d.integer("threshold");
  }
  out.key("threshold").integer(threshold.value_or(1));

  // upstream enforce_minimum_within_for_proactive_triggers: an explicit null is refused,
  // a Proactive trigger's zero window becomes 10 s and a shorter one is refused.
  bool within_null = false;
  std::optional<double> within = read_timedelta(d, "within", 0.0, &within_null);
  if (within_null) {
    errors.add("value_error", loc, "Value error, `within` should be a valid timedelta",
               core::to_json(v));
  } else if (within && *within < 0) {
    errors.add("greater_than_equal", d.loc_of("within"),
               "Input should be greater than or equal to 0:00:00",
               core::to_json(*d.member("within")), R"({"ge":"PT0S"})");
  } else if (within && posture == "Proactive") {
    if (*within == 0) {
      within = 10.0;
    } else if (*within < 10.0) {
      errors.add("value_error", loc,
                 "Value error, `within` for Proactive triggers must be greater than or equal to "
                 "10 seconds",
                 core::to_json(v));
    }
  }
  out.key("within").number(within.value_or(0.0));
  out.end_object();
}

void decode_composite_trigger(JsonElement v, const Loc& loc, bool compound,
                              ValidationErrors& errors, core::IdGenerator& ids, JsonWriter& out,
                              int depth) {
  ObjectDecoder d(v, loc, errors, compound ? "CompoundTrigger" : "SequenceTrigger");
  if (!d.is_object()) {
    return;
  }
  out.begin_object().key("type").string(compound ? "compound" : "sequence");
  out.key("id").string(ids.random_id());
  out.key("triggers").begin_array();
  std::int64_t count = 0;
  auto triggers = d.member("triggers");
  core::JsonArray arr;
  if (!triggers) {
    errors.add("missing", d.loc_of("triggers"), "Field required", core::to_json(v));
  } else if (triggers->get_array().get(arr)) {
    errors.add("list_type", d.loc_of("triggers"), "Input should be a valid list",
               core::to_json(*triggers));
  } else {
    for (JsonElement item : arr) {
      decode_trigger(item, child(d.loc_of("triggers"), count++), errors, ids, out, depth + 1);
    }
  }
  out.end_array();

  out.key("within");
  if (!d.member("within")) {
    errors.add("missing", d.loc_of("within"), "Field required", core::to_json(v));
    out.null();
  } else {
    bool within_null = false;
    std::optional<double> within = read_timedelta(d, "within", 0.0, &within_null);
    within ? out.number(*within) : out.null();
  }
  if (!compound) {
    out.end_object();
    return;
  }
  // upstream CompoundTrigger.require: int | "any" | "all"; an int must lie in 1..len(triggers).
  out.key("require");
  auto require = d.member("require");
  std::int64_t n = 0;
  std::string_view word;
  if (!require) {
    errors.add("missing", d.loc_of("require"), "Field required", core::to_json(v));
    out.null();
  } else if (!require->is_bool() && !require->get_int64().get(n)) {
    out.integer(n);
    if (n < 1) {
      errors.add("value_error", loc, "Value error, require must be at least 1", core::to_json(v));
    } else if (n > count) {
      errors.add("value_error", loc,
                 "Value error, require must be less than or equal to the number of triggers",
                 core::to_json(v));
    }
  } else if (!require->get_string().get(word) && (word == "any" || word == "all")) {
    out.string(word);
  } else {
    errors.add("literal_error", d.loc_of("require"), "Input should be 'any' or 'all'",
               core::to_json(*require), R"({"expected":"'any' or 'all'"})");
    out.null();
  }
  out.end_object();
}

}  // namespace

std::optional<double> timedelta_seconds(JsonElement value) {
  double d = 0;
  if (!value.is_bool() && !value.get_double().get(d)) {
    return d;
  }
  std::string_view s;
  if (!value.get_string().get(s)) {
    return core::parse_duration_seconds(s);
  }
  return std::nullopt;
}

void decode_trigger(JsonElement value, const Loc& loc, ValidationErrors& errors,
                    core::IdGenerator& ids, JsonWriter& out, int depth) {
  core::JsonObject obj;
  if (value.get_object().get(obj)) {
    errors.add("model_attributes_type", loc,
               "Input should be a valid dictionary or object to extract fields from",
               core::to_json(value));
    return;
  }
  if (depth > kMaxDepth) {
    errors.add("value_error", loc, "Value error, triggers are nested too deeply", "null");
    return;
  }
  JsonElement type_element;
  std::string_view type;
  if (!obj.at_key("type").get(type_element)) {
    if (type_element.get_string().get(type) ||
        (type != "event" && type != "compound" && type != "sequence")) {
      const std::string input = core::to_json(type_element);
      for (auto [model, literal] :
           {std::pair{"EventTrigger", "event"}, std::pair{"CompoundTrigger", "compound"},
            std::pair{"SequenceTrigger", "sequence"}}) {
        errors.add("literal_error", child(child(loc, model), "type"),
                   fmt::format("Input should be '{}'", literal), input,
                   fmt::format(R"({{"expected":"'{}'"}})", literal));
      }
      return;
    }
  } else {
    // Every member defaults `type`; pick the one whose required keys are present.
    JsonElement unused;
    if (!obj.at_key("posture").get(unused)) {
      type = "event";
    } else if (!obj.at_key("require").get(unused)) {
      type = "compound";
    } else if (!obj.at_key("triggers").get(unused)) {
      type = "sequence";
    } else {
      type = "event";
    }
  }
  if (type == "event") {
    decode_event_trigger(value, child(loc, "EventTrigger"), errors, ids, out);
  } else {
    const bool compound = type == "compound";
    decode_composite_trigger(value, child(loc, compound ? "CompoundTrigger" : "SequenceTrigger"),
                             compound, errors, ids, out, depth);
  }
}

}  // namespace prefectcore::schemas
