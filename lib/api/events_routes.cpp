// /events (upstream api/events.py): batch ingest, queries with page tokens, counts.

#include <fmt/format.h>

#include "lib/api/body.h"
#include "lib/api/events_common.h"
#include "lib/api/responses.h"
#include "lib/api/routes.h"
#include "lib/core/logging.h"
#include "lib/events/event_codec.h"
#include "lib/events/event_filter.h"
#include "lib/models/events.h"

namespace prefectcore::api {
namespace {

// Upstream's INTERACTIVE_PAGE_SIZE: the default and maximum `limit` of /events/filter.
constexpr std::int64_t kInteractivePageSize = 50;

std::string base64_encode(std::string_view in) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += {kChars[(v >> 18) & 63], kChars[(v >> 12) & 63], kChars[(v >> 6) & 63], kChars[v & 63]};
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {kChars[(v >> 18) & 63], kChars[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {kChars[(v >> 18) & 63], kChars[(v >> 12) & 63], kChars[(v >> 6) & 63], '='};
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == '+' || c == '-') {
      return 62;
    }
    if (c == '/' || c == '_') {
      return 63;
    }
    return -1;
  };
  while (!in.empty() && in.back() == '=') {
    in.remove_suffix(1);
  }
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : in) {
    int v = value(c);
    if (v < 0) {
      return std::nullopt;
    }
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

Status forbidden() { return Status(ErrorCode::kForbidden, "Forbidden"); }

// The page token upstream builds (storage.to_page_token), base64 twice as its route does.
std::optional<std::string> next_page_link(const RequestContext& rc, const events::EventFilter& f,
                                          std::int64_t count, std::int64_t page_size,
                                          std::int64_t offset) {
  if (offset + page_size >= count) {
    return std::nullopt;
  }
  std::string token;
  core::JsonWriter w(token);
  w.begin_object().key("filter");
  events::write_event_filter(w, f);
  w.key("count").integer(count).key("page_size").integer(page_size);
  w.key("offset").integer(offset + page_size).end_object();
  std::string host = std::string(rc.request.headers.get("Host").value_or("localhost"));
  return fmt::format("http://{}{}/events/filter/next?page-token={}", host,
                     rc.api.settings.api.base_path, base64_encode(base64_encode(token)));
}

Result<HttpResponse> event_page(RequestContext& rc, Database& db, const events::EventFilter& f,
                                std::optional<std::int64_t> known_count, std::int64_t page_size,
                                std::int64_t offset) {
  PC_ASSIGN_OR_RETURN(auto tx, db.begin(TxMode::kRead));
  models::EventRepository repo(*tx);
  std::int64_t count = 0;
  if (known_count) {
    count = *known_count;
  } else {
    PC_ASSIGN_OR_RETURN(count, repo.count(f));
  }
  PC_ASSIGN_OR_RETURN(auto page, repo.read(f, page_size, offset));
  std::string body;
  core::JsonWriter w(body);
  w.begin_object().key("events").begin_array();
  for (const auto& e : page) {
    events::write_event(w, e, true);
  }
  w.end_array().key("total").integer(count).key("next_page");
  w.opt_string(next_page_link(rc, f, count, page_size, offset));
  w.end_object();
  return HttpResponse::json(200, std::move(body));
}

Result<HttpResponse> create_events(RequestContext& rc, EventIngest& ingest) {
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  const auto limits = events::EventLimits::from(rc.api.settings.events);
  core::JsonArray array;
  if (body.root().get_array().get(array)) {
    return core::invalid_at({"body"}, "list_type", "Input should be a valid list",
                            core::to_json(body.root()));
  }
  std::vector<events::Event> batch;
  std::int64_t index = 0;
  for (core::JsonElement item : array) {
    auto event = events::decode_event(item, limits, {std::string("body"), index++});
    if (!event) {
      return event.error();
    }
    // Upstream drops oversized events at publish (events/messaging.py) rather than failing.
    if (static_cast<std::int64_t>(core::to_json(item).size()) > limits.maximum_size_bytes) {
      PC_LOG_WARNING("dropping event {}: larger than {} bytes", event->id,
                     limits.maximum_size_bytes);
      continue;
    }
    batch.push_back(std::move(*event));
  }
  ingest.accept(rc.api, std::move(batch));
  return HttpResponse::empty(204);
}

Result<HttpResponse> read_events(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse(rc.request));
  PC_ASSIGN_OR_RETURN(std::int64_t limit,
                      body.bounded("limit", kInteractivePageSize, 0, kInteractivePageSize));
  PC_ASSIGN_OR_RETURN(
      auto filter,
      events::decode_event_filter(body.member("filter"), rc.api.clock.now(), {"body", "filter"}));
  return event_page(rc, *db, filter, std::nullopt, limit, 0);
}

Result<HttpResponse> read_events_page(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  auto param = rc.request.query_param("page-token");
  if (!param) {
    return core::invalid_at({"query", "page-token"}, "missing", "Field required");
  }
  auto outer = base64_decode(*param);
  if (!outer || outer->empty()) {
    return forbidden();
  }
  auto inner = base64_decode(*outer);
  if (!inner) {
    return forbidden();
  }
  auto doc = core::JsonDocument::parse(*inner);
  if (!doc) {
    return forbidden();
  }
  core::JsonElement root = doc->root(), filter_json;
  std::int64_t count = 0, page_size = 0, offset = 0;
  if (root["filter"].get(filter_json) || root["count"].get_int64().get(count) ||
      root["page_size"].get_int64().get(page_size) || root["offset"].get_int64().get(offset) ||
      page_size < 0 || page_size > kInteractivePageSize || offset < 0) {
    return forbidden();
  }
  auto filter = events::decode_event_filter(filter_json, rc.api.clock.now(), {"filter"});
  if (!filter) {
    return forbidden();
  }
  return event_page(rc, *db, *filter, count, page_size, offset);
}

Result<HttpResponse> count_events(RequestContext& rc) {
  PC_ASSIGN_OR_RETURN(Database * db, require_db(rc.api));
  auto countable = models::parse_countable(rc.param("countable"));
  if (!countable) {
    return core::invalid_at({"path", "countable"}, "enum",
                            "Input should be 'day', 'time', 'event' or 'resource'",
                            core::json_quote(rc.param("countable")));
  }
  PC_ASSIGN_OR_RETURN(RequestBody body, RequestBody::parse_required(rc.request));
  auto filter_json = body.member("filter");
  if (!filter_json) {
    return core::invalid_at({"body", "filter"}, "missing", "Field required",
                            core::to_json(body.root()));
  }
  PC_ASSIGN_OR_RETURN(auto filter, events::decode_event_filter(filter_json, rc.api.clock.now(),
                                                               {"body", "filter"}));
  models::TimeUnit unit = models::TimeUnit::kDay;
  if (auto u = body.member("time_unit")) {
    std::string_view s;
    auto parsed = u->get_string().get(s) ? std::nullopt : models::parse_time_unit(s);
    if (!parsed) {
      return core::invalid_at({"body", "time_unit"}, "enum",
                              "Input should be 'week', 'day', 'hour', 'minute' or 'second'",
                              core::to_json(*u));
    }
    unit = *parsed;
  }
  double interval = 1.0;
  if (auto i = body.member("time_interval")) {
    if (i->get_double().get(interval)) {
      return core::invalid_at({"body", "time_interval"}, "float_type",
                              "Input should be a valid number", core::to_json(*i));
    }
    if (interval < 0.01) {
      return core::invalid_at({"body", "time_interval"}, "greater_than_equal",
                              "Input should be greater than or equal to 0.01", core::to_json(*i));
    }
  }
  PC_ASSIGN_OR_RETURN(auto tx, db->begin(TxMode::kRead));
  PC_ASSIGN_OR_RETURN(auto counts, models::EventRepository(*tx).count_by(
                                       filter, *countable, unit, interval, rc.api.clock.now()));
  return json_list(200, counts, [](core::JsonWriter& w, const models::EventCount& c) {
    w.begin_object().key("value").string(c.value).key("label").string(c.label);
    w.key("count").integer(c.count).key("start_time").time(c.start_time);
    w.key("end_time").time(c.end_time).end_object();
  });
}

}  // namespace

std::size_t EventIngest::accept(ApiContext& ctx, std::vector<events::Event> batch) {
  const Timestamp now = ctx.clock.now();
  std::vector<events::EventPtr> fresh;
  {
    std::lock_guard lock(mutex_);
    while (!order_.empty() && (order_.size() > kMaxIds || order_.front().first < now - kTtl)) {
      ids_.erase(order_.front().second);
      order_.pop_front();
    }
    for (events::Event& e : batch) {
      if (!ids_.insert(e.id).second) {
        continue;
      }
      order_.emplace_back(now, e.id);
      e.received = now;
      fresh.push_back(std::make_shared<const events::Event>(std::move(e)));
    }
  }
  ctx.events.publish(fresh);
  return fresh.size();
}

void publish_server_events(ApiContext& ctx, const std::vector<std::string>& texts) {
  const auto limits = events::EventLimits::from(ctx.settings.events);
  std::vector<events::EventPtr> batch;
  for (const std::string& text : texts) {
    auto event = events::decode_event_text(text, limits);
    if (!event) {
      PC_LOG_WARNING("not publishing a server event: {}", event.error().message());
      continue;
    }
    event->received = ctx.clock.now();
    batch.push_back(std::make_shared<const events::Event>(std::move(*event)));
  }
  ctx.events.publish(batch);
}

void register_event_routes(Router& router, WebSocketRoutes& sockets) {
  auto ingest = std::make_shared<EventIngest>();
  router.add("POST", "/events",
             [ingest](RequestContext& rc) { return create_events(rc, *ingest); });
  router.add("POST", "/events/filter", read_events);
  router.add("GET", "/events/filter/next", read_events_page);
  router.add("POST", "/events/count-by/{countable}", count_events);
  register_event_sockets(sockets, ingest);
}

}  // namespace prefectcore::api
