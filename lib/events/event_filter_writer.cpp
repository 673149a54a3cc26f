// EventFilter -> JSON, shaped like upstream's model_dump(mode="json"), so that a page token
// carries the complete query (defaults resolved) and decodes back to the same filter.

#include "lib/events/event_filter.h"

namespace prefectcore::events {
namespace {

void opt_strings(core::JsonWriter& w, std::string_view key,
                 const std::optional<std::vector<std::string>>& values) {
  w.key(key);
  if (values) {
    w.string_array(*values);
  } else {
    w.null();
  }
}

void spec(core::JsonWriter& w, const std::optional<ResourceSpec>& labels) {
  w.key("labels");
  if (!labels) {
    w.null();
    return;
  }
  w.begin_object();
  for (const auto& [label, values] : *labels) {
    w.key(label).string_array(values);
  }
  w.end_object();
}

void related(core::JsonWriter& w, const EventRelatedFilter& f) {
  w.begin_object();
  opt_strings(w, "id", f.id);
  opt_strings(w, "role", f.role);
  w.key("resources_in_roles");
  if (f.resources_in_roles) {
    w.begin_array();
    for (const auto& [id, role] : *f.resources_in_roles) {
      w.begin_array().string(id).string(role).end_array();
    }
    w.end_array();
  } else {
    w.null();
  }
  spec(w, f.labels);
  w.end_object();
}

void any(core::JsonWriter& w, const EventAnyResourceFilter& f) {
  w.begin_object();
  opt_strings(w, "id", f.id);
  opt_strings(w, "id_prefix", f.id_prefix);
  spec(w, f.labels);
  w.end_object();
}

template <typename T, typename Write>
void one_or_many(core::JsonWriter& w, std::string_view key, const std::vector<T>& items,
                 bool is_list, Write write) {
  w.key(key);
  if (items.empty() && !is_list) {
    w.null();
  } else if (is_list) {
    w.begin_array();
    for (const T& item : items) {
      write(w, item);
    }
    w.end_array();
  } else {
    write(w, items.front());
  }
}

}  // namespace

void write_event_filter(core::JsonWriter& w, const EventFilter& f) {
  w.begin_object();
  w.key("occurred").begin_object().key("since").time(f.since).key("until").time(f.until);
  w.end_object();
  w.key("event");
  if (f.event) {
    w.begin_object();
    opt_strings(w, "prefix", f.event->prefix);
    opt_strings(w, "exclude_prefix", f.event->exclude_prefix);
    opt_strings(w, "name", f.event->name);
    opt_strings(w, "exclude_name", f.event->exclude_name);
    w.end_object();
  } else {
    w.null();
  }
  w.key("resource");
  if (f.resource) {
    w.begin_object();
    opt_strings(w, "id", f.resource->id);
    opt_strings(w, "id_prefix", f.resource->id_prefix);
    spec(w, f.resource->labels);
    w.key("distinct").boolean(f.resource->distinct);
    w.end_object();
  } else {
    w.null();
  }
  one_or_many(w, "related", f.related, f.related_is_list, related);
  one_or_many(w, "any_resource", f.any_resource, f.any_resource_is_list, any);
  w.key("id").begin_object();
  opt_strings(w, "id", f.ids);
  w.end_object();
  w.key("text");
  if (f.text) {
    w.begin_object().key("query").string(*f.text).end_object();
  } else {
    w.null();
  }
  w.key("order").string(f.order == EventOrder::kAsc ? "ASC" : "DESC");
  w.end_object();
}

}  // namespace prefectcore::events
