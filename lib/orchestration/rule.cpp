// The decision helpers of upstream BaseOrchestrationRule and the version parsing of
// api/dependencies.py.

#include "lib/orchestration/rule.h"

#include <cctype>
#include <charconv>

namespace prefectcore::orchestration {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads one non-negative integer at `pos`; false when there is none.
bool read_number(std::string_view text, std::size_t& pos, int& out) {
  const std::size_t start = pos;
  while (pos < text.size() && is_digit(text[pos])) {
    ++pos;
  }
  if (pos == start) {
    return false;
  }
  auto [ptr, ec] = std::from_chars(text.data() + start, text.data() + pos, out);
  return ec == std::errc() && ptr == text.data() + pos;
}

// Parses the "x.y.z" at the start of `text`; `end` is where it stops.
std::optional<Version> parse_version_prefix(std::string_view text, std::size_t& end) {
  int major = 0, minor = 0, patch = 0;
  std::size_t pos = 0;
  if (!read_number(text, pos, major) || pos >= text.size() || text[pos++] != '.' ||
      !read_number(text, pos, minor) || pos >= text.size() || text[pos++] != '.' ||
      !read_number(text, pos, patch)) {
    return std::nullopt;
  }
  end = pos;
  return Version{major, minor, patch};
}

}  // namespace

StateSet StateSet::of(std::initializer_list<StateType> types) {
  std::uint16_t bits = 0;
  for (StateType t : types) {
    bits |= static_cast<std::uint16_t>(1u << static_cast<int>(t));
  }
  return StateSet(bits);
}

StateSet StateSet::terminal() {
  return of(
      {StateType::kCompleted, StateType::kFailed, StateType::kCancelled, StateType::kCrashed});
}

void reject_transition(OrchestrationContext& ctx, std::optional<State> state, std::string reason) {
  ++ctx.decisions;
  if (!state && !ctx.initial) {
    ctx.decision_error = Status::internal(
        "The current run has no state; this transition cannot be rejected without providing a "
        "new state.");
    return;
  }
  ctx.proposed = std::move(state);
  ctx.status = schemas::SetStateStatus::kReject;
  ctx.reason = std::move(reason);
}

void delay_transition(OrchestrationContext& ctx, std::int64_t seconds, std::string reason) {
  ++ctx.decisions;
  ctx.proposed.reset();
  ctx.status = schemas::SetStateStatus::kWait;
  ctx.delay_seconds = seconds;
  ctx.reason = std::move(reason);
}

void abort_transition(OrchestrationContext& ctx, std::string reason) {
  ++ctx.decisions;
  ctx.proposed.reset();
  ctx.status = schemas::SetStateStatus::kAbort;
  ctx.reason = std::move(reason);
}

void rename_state(OrchestrationContext& ctx, std::string name) {
  if (ctx.proposed) {
    ctx.proposed->name = std::move(name);
  }
}

State new_state(OrchestrationContext& ctx, StateType type, std::string name,
                std::optional<std::string> message) {
  State s;
  s.id = ctx.ids.ordered_id(ctx.now);
  s.type = type;
  s.name = name.empty() ? schemas::default_state_name(type) : std::move(name);
  s.timestamp = ctx.now;
  s.message = std::move(message);
  if (type == StateType::kScheduled) {
    s.details.scheduled_time = ctx.now;
  }
  return s;
}

std::optional<Version> parse_version(std::string_view text) {
  std::size_t end = 0;
  return parse_version_prefix(text, end);
}

// Mirrors upstream's PREFECT_CLIENT_USER_AGENT_PATTERN:
// ^prefect/(\d+\.\d+\.\d+(?:[a-z.+0-9]+)?) \(API \S+\)$
std::optional<Version> client_version_from_user_agent(std::string_view user_agent) {
  constexpr std::string_view kPrefix = "prefect/";
  constexpr std::string_view kApi = " (API ";
  if (user_agent.substr(0, kPrefix.size()) != kPrefix || user_agent.empty() ||
      user_agent.back() != ')') {
    return std::nullopt;
  }
  const std::string_view rest = user_agent.substr(kPrefix.size());
  const std::size_t api = rest.find(kApi);
  if (api == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view version = rest.substr(0, api);
  const std::string_view api_token =
      rest.substr(api + kApi.size(), rest.size() - api - kApi.size() - 1);
  if (api_token.empty()) {
    return std::nullopt;
  }
  for (char c : api_token) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
  }
  std::size_t end = 0;
  auto parsed = parse_version_prefix(version, end);
  if (!parsed) {
    return std::nullopt;
  }
  // Whatever follows x.y.z may only be [a-z.+0-9].
  for (char c : version.substr(end)) {
    if (!(is_digit(c) || (c >= 'a' && c <= 'z') || c == '.' || c == '+')) {
      return std::nullopt;
    }
  }
  return parsed;
}

}  // namespace prefectcore::orchestration
