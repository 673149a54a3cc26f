// InstrumentFlowRunStateTransitions (upstream instrumentation_policies.py) and the event it
// emits (models/events.py flow_run_state_change_event).

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "lib/core/json_writer.h"
#include "lib/core/time.h"
#include "lib/models/run_store.h"
#include "lib/orchestration/flow_rules.h"

namespace prefectcore::orchestration {
namespace {

// Upstream TRUNCATE_STATE_MESSAGES_AT: large messages must not blow up event sizes.
constexpr std::size_t kTruncateStateMessagesAt = 100000;

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Upstream utilities/text.py truncated_to, counting code points as Python does.
std::string truncated_to(std::size_t length, const std::optional<std::string>& value) {
  if (!value) {
    return "";
  }
  std::vector<std::size_t> starts;  // byte offset of each code point
  for (std::size_t i = 0; i < value->size(); ++i) {
    if (!is_continuation(static_cast<unsigned char>((*value)[i]))) {
      starts.push_back(i);
    }
  }
  if (starts.size() <= length) {
    return *value;
  }
  const std::size_t half = length / 2;
  const std::string_view text = *value;
  const std::string_view beginning = text.substr(0, starts[half]);
  const std::string_view end = text.substr(starts[starts.size() - half]);
  const std::size_t omitted = starts.size() - 2 * half;
  std::string proposed = fmt::format("{}...{} additional characters...{}", beginning, omitted, end);
  return proposed.size() < value->size() ? proposed : *value;
}

// Python's datetime.isoformat() for a UTC time: "+00:00" instead of "Z".
std::string python_isoformat(Timestamp t) {
  std::string out = core::format_api_time(t);
  out.pop_back();
  out += "+00:00";
  return out;
}

// Upstream state_payload: the essential string parts of a state.
void write_state_payload(core::JsonWriter& w, const std::optional<State>& s) {
  if (!s) {
    w.null();
    return;
  }
  w.begin_object().key("type").string(schemas::to_string(s->type));
  if (!s->name.empty()) {
    w.key("name").string(s->name);
  }
  if (s->message && !s->message->empty()) {
    w.key("message").string(truncated_to(kTruncateStateMessagesAt, s->message));
  }
  if (s->type == StateType::kPaused) {
    w.key("pause_reschedule").string(s->details.pause_reschedule ? "true" : "false");
  }
  w.end_object();
}

void write_resource(core::JsonWriter& w, const RunRecord& run, const State& validated) {
  w.begin_object();
  w.key("prefect.resource.id").string("prefect.flow-run." + run.id);
  w.key("prefect.resource.name").string(run.name);
  w.key("prefect.run-count").string(std::to_string(run.run_count));
  w.key("prefect.state-message").string(truncated_to(kTruncateStateMessagesAt, validated.message));
  w.key("prefect.state-name").string(validated.name);
  w.key("prefect.state-timestamp").string(python_isoformat(validated.timestamp));
  w.key("prefect.state-type").string(schemas::to_string(validated.type));
  w.end_object();
}

// Upstream _flow_run_related_resources_from_orm: related objects, then every tag of the run
// and its related objects (sorted), then the creator (deployment or automation).
void write_related(core::JsonWriter& w, const RunRecord& run,
                   const std::vector<models::RelatedObject>& objects) {
  std::set<std::string> tags;
  for (auto& t : models::json_strings(run.tags)) {
    tags.insert(std::move(t));
  }
  w.begin_array();
  for (const auto& o : objects) {
    tags.insert(o.tags.begin(), o.tags.end());
    w.begin_object();
    w.key("prefect.resource.id").string(fmt::format("prefect.{}.{}", o.kind, o.id));
    w.key("prefect.resource.role").string(o.kind);
    w.key("prefect.resource.name").string(o.name);
    if (o.work_pool_type) {
      w.key("prefect.work-pool.type").string(*o.work_pool_type);
    }
    w.end_object();
  }
  for (const std::string& tag : tags) {
    w.begin_object().key("prefect.resource.id").string("prefect.tag." + tag);
    w.key("prefect.resource.role").string("tag").end_object();
  }
  if (run.created_by) {
    const auto type = models::json_member(*run.created_by, "type");
    const auto id = models::json_member(*run.created_by, "id");
    const char* kind = type == "\"DEPLOYMENT\""   ? "deployment"
                       : type == "\"AUTOMATION\"" ? "automation"
                                                  : nullptr;
    if (kind != nullptr && id && *id != "null") {
      // `id` is a JSON string: strip its quotes.
      w.begin_object()
          .key("prefect.resource.id")
          .string(fmt::format("prefect.{}.{}", kind, id->substr(1, id->size() - 2)));
      w.key("prefect.resource.role").string("creator");
      const auto display = models::json_member(*run.created_by, "display_value");
      if (display && display->size() > 2 && display->front() == '"') {
        w.key("prefect.resource.name").raw(*display);
      }
      w.end_object();
    }
  }
  w.end_array();
}

// Only link events with `follows` when they are close in time (upstream _timing_is_tight).
bool timing_is_tight(Timestamp occurred, const std::optional<State>& initial) {
  constexpr Micros kTight = std::chrono::minutes(5);
  if (!initial) {
    return false;
  }
  const Micros gap = occurred - initial->timestamp;
  return -kTight < gap && gap < kTight;
}

// Mirrors InstrumentFlowRunStateTransitions: every validated flow-run state change becomes a
// `prefect.flow-run.<state name>` event whose id is the state's id.
class InstrumentFlowRunStateTransitions final : public UniversalTransform {
 public:
  std::string_view name() const override { return "InstrumentFlowRunStateTransitions"; }
  Status after_transition(OrchestrationContext& ctx) const override {
    if (!ctx.proposed || !ctx.validated || ctx.run.kind != RunKind::kFlow) {
      return {};
    }
    PC_ASSIGN_OR_RETURN(auto objects, models::RunStore(ctx.tx).related_objects(ctx.run));
    ctx.events.push_back(
        flow_run_state_change_event(ctx.run, ctx.initial, *ctx.validated, objects));
    return {};
  }
};

}  // namespace

std::string flow_run_state_change_event(const RunRecord& run, const std::optional<State>& initial,
                                        const State& validated,
                                        const std::vector<models::RelatedObject>& related) {
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  w.key("occurred").time(validated.timestamp);
  w.key("event").string("prefect.flow-run." + validated.name);
  w.key("resource");
  write_resource(w, run, validated);
  w.key("related");
  write_related(w, run, related);
  w.key("payload").begin_object();
  w.key("intended").begin_object().key("from");
  initial ? w.string(schemas::to_string(initial->type)) : w.null();
  w.key("to").string(schemas::to_string(validated.type)).end_object();
  w.key("initial_state");
  write_state_payload(w, initial);
  w.key("validated_state");
  write_state_payload(w, validated);
  w.end_object();
  w.key("id").string(validated.id);
  w.key("follows");
  timing_is_tight(validated.timestamp, initial) ? w.string(initial->id) : w.null();
  w.end_object();
  return out;
}

const Rule& instrument_flow_run_state_transitions() {
  static const InstrumentFlowRunStateTransitions rule;
  return rule;
}

}  // namespace prefectcore::orchestration
