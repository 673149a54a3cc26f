// WS /events/in and WS /events/out (upstream api/events.py, events/stream.py; inventory
// §3.2 and §3.4).

#include <unordered_set>

#include <fmt/format.h>

#include "lib/api/events_common.h"
#include "lib/api/prefect_socket.h"
#include "lib/core/logging.h"
#include "lib/events/event_codec.h"
#include "lib/events/event_filter.h"
#include "lib/models/events.h"

namespace prefectcore::api {
namespace {

// One Event JSON per text frame, no acknowledgements. Upstream lets an invalid frame end the
// socket; here only that frame is dropped, so one bad event cannot cost a client its stream
// (and the unconfirmed events it would resend).
class EventsInHandler final : public PrefectSocketHandler {
 public:
  EventsInHandler(std::shared_ptr<WebSocketSession> session, ApiContext& ctx,
                  std::shared_ptr<EventIngest> ingest)
      : PrefectSocketHandler(std::move(session)),
        ctx_(ctx),
        ingest_(std::move(ingest)),
        limits_(events::EventLimits::from(ctx.settings.events)) {}

  void on_socket_message(std::string_view message) override {
    auto event = events::decode_event_text(message, limits_);
    if (!event) {
      PC_LOG_DEBUG("events/in: dropping an invalid event: {}", event.error().message());
      return;
    }
    std::vector<events::Event> batch;
    batch.push_back(std::move(*event));
    ingest_->accept(ctx_, std::move(batch));
  }
  void on_close(int) override {}

 private:
  ApiContext& ctx_;
  std::shared_ptr<EventIngest> ingest_;
  events::EventLimits limits_;
};

// What the bus callback and the socket share. Live events are held while the backfill is
// sent, then delivered in order; a subscriber whose session refuses a frame (its outgoing
// buffer is over the transport's bound) is closed rather than slowing the publisher; the
// SDK's subscriber reconnects and backfills what it missed.
struct Subscription {
  static constexpr std::size_t kMaxHeld = 256;  // upstream's per-subscriber queue

  std::shared_ptr<WebSocketSession> session;
  events::EventFilter filter;
  std::mutex mutex;
  bool live = false;
  bool closed = false;
  std::vector<events::EventPtr> held;
  std::unordered_set<std::string> backfilled;

  static std::string frame(const events::Event& e) {
    std::string out = R"({"type":"event","event":)";
    out += events::encode_event(e, true);
    out += '}';
    return out;
  }

  // Called with `mutex` held.
  void send(const events::Event& e) {
    if (closed) {
      return;
    }
    if (!session->send_text(frame(e))) {
      closed = true;
      session->close(1008, "subscriber too slow");
    }
  }

  void on_events(const std::vector<events::EventPtr>& items) {
    std::lock_guard lock(mutex);
    for (const auto& e : items) {
      if (!filter.includes(*e)) {
        continue;
      }
      if (live) {
        send(*e);
      } else if (held.size() < kMaxHeld) {
        held.push_back(e);
      }
    }
  }

  void go_live() {
    std::lock_guard lock(mutex);
    for (const auto& e : held) {
      if (backfilled.count(e->id) == 0) {
        send(*e);
      }
    }
    held.clear();
    backfilled.clear();
    live = true;
  }
};

class EventsOutHandler final : public PrefectSocketHandler {
 public:
  EventsOutHandler(std::shared_ptr<WebSocketSession> session, ApiContext& ctx)
      : PrefectSocketHandler(std::move(session)), ctx_(ctx) {}
  ~EventsOutHandler() override { unsubscribe(); }

  void on_socket_message(std::string_view message) override {
    if (subscription_) {
      return;  // upstream reads nothing after the filter
    }
    auto doc = core::JsonDocument::parse(message);
    std::string_view type;
    if (!doc || doc->root()["type"].get_string().get(type) || type != "filter") {
      session().close(1002, "Expected 'filter' message");
      return;
    }
    bool backfill = true;
    core::JsonElement flag;
    if (!doc->root()["backfill"].get(flag) && flag.is_bool()) {
      backfill = flag.get_bool().value_unsafe();
    }
    core::JsonElement filter_json;
    std::optional<core::JsonElement> filter_arg;
    if (!doc->root()["filter"].get(filter_json)) {
      filter_arg = filter_json;
    }
    const Timestamp now = ctx_.clock.now();
    auto filter = events::decode_event_filter(filter_arg, now, {"filter"});
    if (!filter) {
      session().close(1002, fmt::format("Invalid filter: {}", filter.error().detail_json()));
      return;
    }
    // Upstream clamps how far back a subscriber may look and always streams oldest first.
    const auto max_back = core_micros(ctx_.settings.events.maximum_websocket_backfill);
    filter->since = std::max(filter->since, now - max_back);
    filter->order = events::EventOrder::kAsc;
    start(std::move(*filter), backfill);
  }

  void on_close(int) override { unsubscribe(); }

 private:
  static Micros core_micros(double seconds) {
    return Micros(static_cast<std::int64_t>(seconds * 1e6));
  }

  void start(events::EventFilter filter, bool backfill) {
    subscription_ = std::make_shared<Subscription>();
    subscription_->session = shared_session();
    subscription_->filter = std::move(filter);
    // Subscribe first so nothing published during the backfill is missed.
    token_ =
        ctx_.events.subscribe([sub = subscription_](const std::vector<events::EventPtr>& items) {
          sub->on_events(items);
        });
    if (backfill && ctx_.db != nullptr) {
      if (Status s = send_backfill(); !s.ok()) {
        PC_LOG_WARNING("events/out: backfill failed: {}", s.message());
      }
    }
    subscription_->go_live();
  }

  Status send_backfill() {
    const std::int64_t page_size = std::max(1, ctx_.settings.events.websocket_backfill_page_size);
    for (std::int64_t offset = 0;; offset += page_size) {
      PC_ASSIGN_OR_RETURN(auto tx, ctx_.db->begin(TxMode::kRead));
      PC_ASSIGN_OR_RETURN(
          auto page, models::EventRepository(*tx).read(subscription_->filter, page_size, offset));
      PC_RETURN_IF_ERROR(tx->commit());
      std::lock_guard lock(subscription_->mutex);
      for (const auto& e : page) {
        subscription_->backfilled.insert(e.id);
        subscription_->send(e);
      }
      if (static_cast<std::int64_t>(page.size()) < page_size || subscription_->closed) {
        return {};
      }
    }
  }

  void unsubscribe() {
    if (token_ != 0) {
      ctx_.events.unsubscribe(token_);
      token_ = 0;
    }
  }

  ApiContext& ctx_;
  std::shared_ptr<Subscription> subscription_;
  std::uint64_t token_ = 0;
};

}  // namespace

void register_event_sockets(WebSocketRoutes& sockets, std::shared_ptr<EventIngest> ingest) {
  sockets.add("/events/in", [ingest](RequestContext& rc) {
    ApiContext& ctx = rc.api;
    return accept_prefect_socket(rc, [&ctx, ingest](std::shared_ptr<WebSocketSession> session) {
      return std::make_unique<EventsInHandler>(std::move(session), ctx, ingest);
    });
  });
  sockets.add("/events/out", [](RequestContext& rc) {
    ApiContext& ctx = rc.api;
    return accept_prefect_socket(rc, [&ctx](std::shared_ptr<WebSocketSession> session) {
      return std::make_unique<EventsOutHandler>(std::move(session), ctx);
    });
  });
}

}  // namespace prefectcore::api
