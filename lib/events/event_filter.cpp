#include "lib/events/event_filter.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>

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

// One JSON object being decoded, with upstream's extra="forbid".
class Fields {
 public:
  Fields(JsonElement value, Loc loc, ValidationErrors& errors,
         std::initializer_list<std::string_view> allowed)
      : loc_(std::move(loc)), errors_(errors) {
    if (value.get_object().get(object_)) {
      errors.add("model_type", loc_, "Input should be a valid dictionary or object",
                 core::to_json(value));
      return;
    }
    ok_ = true;
    for (auto field : object_) {
      if (std::find(allowed.begin(), allowed.end(), field.key) == allowed.end()) {
        errors.add("extra_forbidden", at(loc_, std::string(field.key)),
                   "Extra inputs are not permitted", core::to_json(field.value));
      }
    }
  }
  bool ok() const { return ok_; }
  // The member, unless absent or null.
  std::optional<JsonElement> get(std::string_view key) const {
    JsonElement value;
    if (!ok_ || object_[key].get(value) || value.type() == element_type::NULL_VALUE) {
      return std::nullopt;
    }
    return value;
  }
  Loc loc(std::string_view key) const { return at(loc_, std::string(key)); }

  std::optional<std::vector<std::string>> strings(std::string_view key) const {
    auto value = get(key);
    if (!value) {
      return std::nullopt;
    }
    return string_list(*value, loc(key), errors_);
  }

  static std::optional<std::vector<std::string>> string_list(JsonElement value, const Loc& loc,
                                                             ValidationErrors& errors) {
    core::JsonArray array;
    if (value.get_array().get(array)) {
      errors.add("list_type", loc, "Input should be a valid list", core::to_json(value));
      return std::nullopt;
    }
    std::vector<std::string> out;
    std::int64_t i = 0;
    for (JsonElement item : array) {
      std::string_view s;
      if (item.get_string().get(s)) {
        errors.add("string_type", at(loc, i), "Input should be a valid string",
                   core::to_json(item));
      } else {
        out.emplace_back(s);
      }
      ++i;
    }
    return out;
  }

  std::optional<Timestamp> time(std::string_view key) const {
    auto value = get(key);
    std::string_view s;
    if (!value) {
      return std::nullopt;
    }
    if (value->get_string().get(s) || !core::parse_time(s)) {
      errors_.add("datetime_from_date_parsing", loc(key), "Input should be a valid datetime",
                  core::to_json(*value));
      return std::nullopt;
    }
    return *core::parse_time(s);
  }

  ValidationErrors& errors() const { return errors_; }

 private:
  core::JsonObject object_;
  Loc loc_;
  ValidationErrors& errors_;
  bool ok_ = false;
};

std::optional<ResourceSpec> decode_spec(const Fields& f, std::string_view key) {
  auto value = f.get(key);
  if (!value) {
    return std::nullopt;
  }
  core::JsonObject object;
  if (value->get_object().get(object)) {
    f.errors().add("dict_type", f.loc(key), "Input should be a valid dictionary",
                   core::to_json(*value));
    return std::nullopt;
  }
  ResourceSpec spec;
  for (auto field : object) {
    std::string_view s;
    if (!field.value.get_string().get(s)) {
      spec.emplace_back(std::string(field.key), std::vector<std::string>{std::string(s)});
    } else if (auto list = Fields::string_list(field.value, at(f.loc(key), std::string(field.key)),
                                               f.errors())) {
      spec.emplace_back(std::string(field.key), std::move(*list));
    }
  }
  return spec;
}

EventRelatedFilter decode_related(JsonElement value, const Loc& loc, ValidationErrors& errors) {
  Fields f(value, loc, errors, {"id", "role", "resources_in_roles", "labels"});
  EventRelatedFilter out;
  out.id = f.strings("id");
  out.role = f.strings("role");
  out.labels = decode_spec(f, "labels");
  if (auto pairs = f.get("resources_in_roles")) {
    core::JsonArray array;
    if (pairs->get_array().get(array)) {
      errors.add("list_type", f.loc("resources_in_roles"), "Input should be a valid list",
                 core::to_json(*pairs));
      return out;
    }
    out.resources_in_roles.emplace();
    std::int64_t i = 0;
    for (JsonElement item : array) {
      auto two = Fields::string_list(item, at(f.loc("resources_in_roles"), i++), errors);
      if (two && two->size() == 2) {
        out.resources_in_roles->emplace_back((*two)[0], (*two)[1]);
      } else if (two) {
        errors.add("too_long", at(f.loc("resources_in_roles"), i - 1),
                   "Tuple should have exactly 2 items", core::to_json(item));
      }
    }
  }
  return out;
}

EventAnyResourceFilter decode_any(JsonElement value, const Loc& loc, ValidationErrors& errors) {
  Fields f(value, loc, errors, {"id", "id_prefix", "labels"});
  return {f.strings("id"), f.strings("id_prefix"), decode_spec(f, "labels")};
}

// `related` and `any_resource` accept one filter or a list of them.
template <typename T, typename Decode>
void decode_one_or_many(const Fields& f, std::string_view key, std::vector<T>& out, bool& is_list,
                        Decode decode) {
  auto value = f.get(key);
  if (!value) {
    return;
  }
  core::JsonArray array;
  if (!value->get_array().get(array)) {
    is_list = true;
    std::int64_t i = 0;
    for (JsonElement item : array) {
      out.push_back(decode(item, at(f.loc(key), i++), f.errors()));
    }
    return;
  }
  out.push_back(decode(*value, f.loc(key), f.errors()));
}

void decode_top(const Fields& f, Timestamp now, EventFilter& out) {
  if (auto occurred = f.get("occurred")) {
    Fields o(*occurred, f.loc("occurred"), f.errors(), {"since", "until"});
    out.since = o.time("since").value_or(out.since);
    out.until = o.time("until").value_or(out.until);
  }
  if (auto name = f.get("event")) {
    Fields n(*name, f.loc("event"), f.errors(),
             {"prefix", "exclude_prefix", "name", "exclude_name"});
    out.event = EventNameFilter{n.strings("prefix"), n.strings("exclude_prefix"), n.strings("name"),
                                n.strings("exclude_name")};
  }
  if (auto resource = f.get("resource")) {
    Fields r(*resource, f.loc("resource"), f.errors(), {"id", "id_prefix", "labels", "distinct"});
    out.resource = EventResourceFilter{r.strings("id"), r.strings("id_prefix"),
                                       decode_spec(r, "labels"), false};
    if (auto distinct = r.get("distinct")) {
      if (distinct->get_bool().get(out.resource->distinct)) {
        f.errors().add("bool_type", r.loc("distinct"), "Input should be a valid boolean",
                       core::to_json(*distinct));
      }
    }
  }
  decode_one_or_many(f, "related", out.related, out.related_is_list, decode_related);
  decode_one_or_many(f, "any_resource", out.any_resource, out.any_resource_is_list, decode_any);
  if (auto id = f.get("id")) {
    Fields i(*id, f.loc("id"), f.errors(), {"id"});
    if (auto ids = i.strings("id")) {
      out.ids.emplace();
      std::int64_t n = 0;
      for (const std::string& text : *ids) {
        if (auto uuid = core::normalize_uuid(text)) {
          out.ids->push_back(*uuid);
        } else {
          f.errors().add("uuid_parsing", at(i.loc("id"), n), "Input should be a valid UUID",
                         core::json_quote(text));
        }
        ++n;
      }
    }
  }
  if (auto text = f.get("text")) {
    Fields t(*text, f.loc("text"), f.errors(), {"query"});
    std::string_view query;
    auto q = t.get("query");
    if (!q) {
      f.errors().add("missing", t.loc("query"), "Field required", core::to_json(*text));
    } else if (q->get_string().get(query)) {
      f.errors().add("string_type", t.loc("query"), "Input should be a valid string",
                     core::to_json(*q));
    } else if (query.size() > 200) {
      f.errors().add("string_too_long", t.loc("query"), "String should have at most 200 characters",
                     core::to_json(*q), "{\"max_length\":200}");
    } else {
      out.text = std::string(query);
    }
  }
  if (auto order = f.get("order")) {
    std::string_view s;
    if (!order->get_string().get(s) && (s == "ASC" || s == "DESC")) {
      out.order = s == "ASC" ? EventOrder::kAsc : EventOrder::kDesc;
    } else {
      f.errors().add("enum", f.loc("order"), "Input should be 'ASC' or 'DESC'",
                     core::to_json(*order), "{\"expected\":\"'ASC' or 'DESC'\"}");
    }
  }
  (void)now;
}

bool any_equal(const std::vector<std::string>& values, std::string_view s) {
  return std::find(values.begin(), values.end(), s) != values.end();
}

bool any_prefix(const std::vector<std::string>& prefixes, std::string_view s) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return s.substr(0, p.size()) == p; });
}

bool name_includes(const EventNameFilter& f, const std::string& name) {
  if (f.prefix && !f.prefix->empty() && !any_prefix(*f.prefix, name)) {
    return false;
  }
  if (f.exclude_prefix && any_prefix(*f.exclude_prefix, name)) {
    return false;
  }
  if (f.name && !f.name->empty() && !any_equal(*f.name, name)) {
    return false;
  }
  return !(f.exclude_name && any_equal(*f.exclude_name, name));
}

// One resource against id / id_prefix / labels (EventResourceFilter, EventAnyResourceFilter).
bool resource_includes(const std::optional<std::vector<std::string>>& ids,
                       const std::optional<std::vector<std::string>>& prefixes,
                       const std::optional<ResourceSpec>& labels, const Labels& resource) {
  const std::string* id = find_label(resource, "prefect.resource.id");
  const std::string_view rid = id ? std::string_view(*id) : std::string_view();
  if (ids && !ids->empty() && !any_equal(*ids, rid)) {
    return false;
  }
  if (prefixes && !prefixes->empty() && !any_prefix(*prefixes, rid)) {
    return false;
  }
  return !(labels && !labels->empty() && !resource_spec_matches(*labels, resource));
}

// The in-memory form of upstream's SQL for EventRelatedFilter: some related resource (never
// the primary one) satisfies every given criterion. Upstream's Python `includes` leaves this
// filter out; matching as its SQL does keeps backfill and live delivery consistent.
bool related_includes(const EventRelatedFilter& f, const Event& event) {
  const bool any_criteria = (f.id && !f.id->empty()) || (f.role && !f.role->empty()) ||
                            (f.resources_in_roles && !f.resources_in_roles->empty()) ||
                            (f.labels && !f.labels->empty());
  if (!any_criteria) {
    return true;
  }
  for (const Labels& related : event.related) {
    const std::string* id = find_label(related, "prefect.resource.id");
    const std::string* role = find_label(related, "prefect.resource.role");
    const std::string rid = id ? *id : "", rrole = role ? *role : "";
    if (f.id && !f.id->empty() && !any_equal(*f.id, rid)) {
      continue;
    }
    if (f.role && !f.role->empty() && !any_equal(*f.role, rrole)) {
      continue;
    }
    if (f.resources_in_roles && !f.resources_in_roles->empty() &&
        std::none_of(f.resources_in_roles->begin(), f.resources_in_roles->end(),
                     [&](const auto& pair) { return pair.first == rid && pair.second == rrole; })) {
      continue;
    }
    if (f.labels && !f.labels->empty() && !resource_spec_matches(*f.labels, related)) {
      continue;
    }
    return true;
  }
  return false;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool text_includes(std::string_view query, const Event& event) {
  TextQuery parsed = parse_text_query(query);
  std::string text = event.event;
  for (const auto& labels : {event.resource}) {
    for (const auto& [key, value] : labels) {
      text += " " + value;
    }
  }
  for (const Labels& related : event.related) {
    for (const auto& [key, value] : related) {
      text += " " + value;
    }
  }
  text += " " + event.payload;
  text = lower(text);
  auto contains = [&](const std::string& term) {
    return text.find(lower(term)) != std::string::npos;
  };
  if (!parsed.include.empty() &&
      std::none_of(parsed.include.begin(), parsed.include.end(), contains)) {
    return false;
  }
  if (std::any_of(parsed.exclude.begin(), parsed.exclude.end(), contains)) {
    return false;
  }
  return std::all_of(parsed.required.begin(), parsed.required.end(), contains);
}

}  // namespace

EventFilter EventFilter::defaults(Timestamp now) {
  EventFilter filter;
  const auto day = std::chrono::floor<std::chrono::days>(now);
  filter.since = Timestamp(day - std::chrono::days(180));
  filter.until = now;
  return filter;
}

bool EventFilter::includes(const Event& e) const {
  if (e.occurred < since || e.occurred > until) {
    return false;
  }
  if (event && !name_includes(*event, e.event)) {
    return false;
  }
  if (resource &&
      !resource_includes(resource->id, resource->id_prefix, resource->labels, e.resource)) {
    return false;
  }
  for (const EventRelatedFilter& f : related) {
    if (!related_includes(f, e)) {
      return false;
    }
  }
  for (const EventAnyResourceFilter& f : any_resource) {
    bool found = resource_includes(f.id, f.id_prefix, f.labels, e.resource);
    for (std::size_t i = 0; !found && i < e.related.size(); ++i) {
      found = resource_includes(f.id, f.id_prefix, f.labels, e.related[i]);
    }
    if (!found) {
      return false;
    }
  }
  if (ids && !ids->empty() && !any_equal(*ids, e.id)) {
    return false;
  }
  return !(text && !text_includes(*text, e));
}

Result<EventFilter> decode_event_filter(std::optional<JsonElement> value, Timestamp now,
                                        const Loc& loc) {
  EventFilter filter = EventFilter::defaults(now);
  if (!value || value->type() == element_type::NULL_VALUE) {
    return filter;
  }
  ValidationErrors errors;
  Fields f(*value, loc, errors,
           {"occurred", "event", "resource", "related", "any_resource", "id", "text", "order"});
  if (f.ok()) {
    decode_top(f, now, filter);
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return filter;
}

bool label_value_matches(std::string_view expected, const std::string* value) {
  if (!value) {
    return false;
  }
  bool positive = true;
  if (!expected.empty() && expected.front() == '!') {
    expected.remove_prefix(1);
    positive = false;
  }
  bool match;
  if (!expected.empty() && expected.back() == '*') {
    expected.remove_suffix(1);
    match = std::string_view(*value).substr(0, expected.size()) == expected;
  } else {
    match = *value == expected;
  }
  return match == positive;
}

bool resource_spec_matches(const ResourceSpec& spec, const Labels& resource) {
  for (const auto& [label, expected] : spec) {
    const std::string* value = find_label(resource, label);
    if (std::none_of(expected.begin(), expected.end(),
                     [&](const std::string& e) { return label_value_matches(e, value); })) {
      return false;
    }
  }
  return true;
}

TextQuery parse_text_query(std::string_view query) {
  TextQuery out;
  std::size_t i = 0;
  while (i < query.size()) {
    while (i < query.size() && std::isspace(static_cast<unsigned char>(query[i]))) {
      ++i;
    }
    if (i >= query.size()) {
      break;
    }
    std::vector<std::string>* target = &out.include;
    if (query[i] == '-' || query[i] == '!') {
      target = &out.exclude;
      ++i;
    } else if (query[i] == '+') {
      target = &out.required;
      ++i;
    }
    std::string term;
    if (i < query.size() && query[i] == '"') {
      auto close = query.find('"', i + 1);
      term =
          std::string(query.substr(i + 1, close == std::string_view::npos ? close : close - i - 1));
      i = close == std::string_view::npos ? query.size() : close + 1;
    } else {
      while (i < query.size() && !std::isspace(static_cast<unsigned char>(query[i]))) {
        term += query[i++];
      }
    }
    if (!term.empty()) {
      target->push_back(std::move(term));
    }
  }
  return out;
}

}  // namespace prefectcore::events
