#include "lib/models/events.h"

#include <fmt/format.h>

#include "lib/core/json.h"
#include "lib/core/time.h"
#include "lib/core/uuid.h"
#include "lib/events/event_codec.h"

namespace prefectcore::models {
namespace {

using events::Event;
using events::EventPtr;
using events::Labels;

Result<Labels> labels_from_json(core::JsonElement value) {
  core::JsonObject object;
  if (value.get_object().get(object)) {
    return Status::internal("stored event resource is not an object");
  }
  Labels labels;
  for (auto field : object) {
    std::string_view text;
    if (field.value.get_string().get(text)) {
      text = {};
    }
    labels.emplace_back(std::string(field.key), std::string(text));
  }
  return labels;
}

// The labels without prefect.resource.id and prefect.resource.role, as upstream stores them
// in event_resources.resource.
std::string resource_row_labels(const Labels& labels) {
  Labels rest;
  for (const auto& label : labels) {
    if (label.first != "prefect.resource.id" && label.first != "prefect.resource.role") {
      rest.push_back(label);
    }
  }
  return events::encode_labels(rest);
}

std::string related_json(const Event& e) {
  std::string out = "[";
  for (std::size_t i = 0; i < e.related.size(); ++i) {
    out += (i ? "," : "") + events::encode_labels(e.related[i]);
  }
  return out + "]";
}

std::string related_ids_json(const Event& e) {
  std::string out;
  core::JsonWriter w(out);
  w.begin_array();
  for (const Labels& labels : e.related) {
    const std::string* id = events::find_label(labels, "prefect.resource.id");
    w.string(id ? *id : "");
  }
  w.end_array();
  return out;
}

SqlValue opt(const std::optional<std::string>& s) { return s ? SqlValue(*s) : SqlValue(SqlNull{}); }

}  // namespace

const char kEventColumns[] =
    "events.id, events.occurred, events.event, events.resource, events.related, "
    "events.payload, events.received, events.follows";

Result<Event> event_from_row(const Row& row, std::size_t c) {
  Event e;
  e.id = row.text(c);
  PC_ASSIGN_OR_RETURN(e.occurred, core::parse_time(row.text(c + 1)));
  e.event = row.text(c + 2);
  {
    PC_ASSIGN_OR_RETURN(auto doc, core::JsonDocument::parse(row.text(c + 3)));
    PC_ASSIGN_OR_RETURN(e.resource, labels_from_json(doc.root()));
  }
  {
    PC_ASSIGN_OR_RETURN(auto doc, core::JsonDocument::parse(row.text(c + 4)));
    core::JsonArray array;
    if (!doc.root().get_array().get(array)) {
      for (core::JsonElement item : array) {
        PC_ASSIGN_OR_RETURN(auto labels, labels_from_json(item));
        e.related.push_back(std::move(labels));
      }
    }
  }
  e.payload = row.text(c + 5);
  PC_ASSIGN_OR_RETURN(e.received, core::parse_time(row.text(c + 6)));
  e.follows = row.opt_text(c + 7);
  return e;
}

Result<std::vector<EventPtr>> EventRepository::write(const std::vector<EventPtr>& batch,
                                                     Timestamp recorded,
                                                     const std::string& replica) {
  static constexpr std::string_view kInsertEvent =
      "INSERT INTO events (id, created, updated, occurred, event, resource_id, resource, "
      "related_resource_ids, related, payload, received, recorded, follows, replica) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";
  static constexpr std::string_view kInsertResource =
      "INSERT INTO event_resources (id, created, updated, occurred, resource_id, resource_role, "
      "resource, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  const std::string now = core::format_storage_time(recorded);
  std::vector<EventPtr> inserted;
  for (const EventPtr& e : batch) {
    const std::string occurred = core::format_storage_time(e->occurred);
    PC_ASSIGN_OR_RETURN(
        std::int64_t changed,
        tx_.exec(kInsertEvent,
                 {e->id, now, now, occurred, e->event, e->resource_id(),
                  JsonText{events::encode_labels(e->resource)}, JsonText{related_ids_json(*e)},
                  JsonText{related_json(*e)}, JsonText{e->payload},
                  core::format_storage_time(e->received), now, opt(e->follows), replica}));
    if (changed == 0) {
      continue;  // already stored: its resources were written with it
    }
    PC_RETURN_IF_ERROR(tx_.exec(kInsertResource,
                                {core::uuid7(recorded), now, now, occurred, e->resource_id(),
                                 std::string(), JsonText{resource_row_labels(e->resource)}, e->id})
                           .status());
    for (const Labels& related : e->related) {
      const std::string* id = events::find_label(related, "prefect.resource.id");
      const std::string* role = events::find_label(related, "prefect.resource.role");
      PC_RETURN_IF_ERROR(tx_.exec(kInsertResource, {core::uuid7(recorded), now, now, occurred,
                                                    id ? *id : "", role ? *role : "",
                                                    JsonText{resource_row_labels(related)}, e->id})
                             .status());
    }
    inserted.push_back(e);
  }
  return inserted;
}

Result<std::vector<Event>> EventRepository::read(const events::EventFilter& filter,
                                                 std::int64_t limit, std::int64_t offset) {
  SqlWhere where = event_filter_where(filter, tx_.dialect());
  const char* dir = filter.order == events::EventOrder::kAsc ? "ASC" : "DESC";
  if (filter.ids && !filter.ids->empty()) {
    limit = std::min<std::int64_t>(limit, static_cast<std::int64_t>(filter.ids->size()));
  }
  std::string sql;
  if (filter.resource && filter.resource->distinct) {
    sql = fmt::format(
        "SELECT {cols} FROM (SELECT events.*, row_number() OVER (PARTITION BY events.resource_id "
        "ORDER BY events.occurred {dir}) AS rn FROM events WHERE {where}) events WHERE rn = 1 "
        "ORDER BY events.occurred {dir}, events.id {dir} LIMIT ? OFFSET ?",
        fmt::arg("cols", kEventColumns), fmt::arg("dir", dir), fmt::arg("where", where.sql));
  } else {
    sql = fmt::format(
        "SELECT {} FROM events WHERE {} ORDER BY events.occurred {}, events.id {} LIMIT ? OFFSET ?",
        kEventColumns, where.sql, dir, dir);
  }
  where.params.emplace_back(std::max<std::int64_t>(0, limit));
  where.params.emplace_back(std::max<std::int64_t>(0, offset));
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, where.params));
  std::vector<Event> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(Event e, event_from_row(row));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::int64_t> EventRepository::count(const events::EventFilter& filter) {
  SqlWhere where = event_filter_where(filter, tx_.dialect());
  const bool distinct = filter.resource && filter.resource->distinct;
  const std::string sql =
      fmt::format("SELECT {} FROM events WHERE {}",
                  distinct ? "COUNT(DISTINCT events.resource_id)" : "COUNT(*)", where.sql);
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(sql, where.params));
  return rows.empty() ? 0 : rows[0].int64(0);
}

Result<std::vector<std::pair<Event, Timestamp>>> EventRepository::recorded_since(
    Timestamp since, const std::string& replica, std::int64_t limit) {
  const std::string sql = fmt::format(
      "SELECT {}, events.recorded FROM events WHERE events.recorded >= ? "
      "AND (events.replica IS NULL OR events.replica <> ?) ORDER BY events.recorded, events.id "
      "LIMIT ?",
      kEventColumns);
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx_.query(sql, {core::format_storage_time(since), replica, limit}));
  std::vector<std::pair<Event, Timestamp>> out;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(Event e, event_from_row(row));
    PC_ASSIGN_OR_RETURN(Timestamp recorded, core::parse_time(row.text(8)));
    out.emplace_back(std::move(e), recorded);
  }
  return out;
}

Result<std::int64_t> EventRepository::trim(Timestamp older_than, std::int64_t batch_size) {
  const std::string cutoff = core::format_storage_time(older_than);
  std::int64_t total = 0;
  for (auto [table, column] :
       {std::pair{"event_resources", "updated"}, std::pair{"events", "occurred"}}) {
    const std::string sql = fmt::format(
        "DELETE FROM {0} WHERE id IN (SELECT id FROM {0} WHERE {1} < ? LIMIT ?)", table, column);
    for (;;) {
      PC_ASSIGN_OR_RETURN(std::int64_t n, tx_.exec(sql, {cutoff, batch_size}));
      total += n;
      if (n < batch_size) {
        break;
      }
    }
  }
  return total;
}

}  // namespace prefectcore::models
