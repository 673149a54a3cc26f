// Schedule codecs with upstream's validators (schemas/schedules.py and
// _internal/schemas/validators.py) and pydantic's smart-union error reporting.

#include "lib/schemas/schedule.h"

#include <cmath>

#include <fmt/format.h>

#include "lib/core/time.h"
#include "lib/schemas/cron.h"
#include "lib/schemas/decoder.h"
#include "lib/schemas/rrule.h"
#include "lib/schemas/timezone.h"

namespace prefectcore::schemas {

namespace {

core::Loc with(core::Loc loc, std::string_view part) {
  loc.emplace_back(std::string(part));
  return loc;
}

std::string invalid_timezone_message(std::string_view tz) {
  return fmt::format(
      "Value error, Invalid timezone: \"{}\" (specify in IANA tzdata format, for example, "
      "America/New_York)",
      tz);
}

// Runs upstream's default_timezone validator (a model validator: errors sit at the model).
void check_timezone(const std::optional<std::string>& tz, const core::Loc& loc,
                    core::ValidationErrors& errors, const std::string& input) {
  if (tz && !tz->empty() && !is_valid_timezone(*tz)) {
    errors.add("value_error", loc, invalid_timezone_message(*tz), input, "{\"error\":{}}");
  }
}

// timedelta input: float seconds, or an ISO 8601 duration such as "PT1H" / "P1DT2H30M".
std::optional<double> parse_duration(std::string_view s) {
  if (s.size() < 2 || s[0] != 'P') {
    return std::nullopt;
  }
  double total = 0;
  bool in_time = false, any = false;
  std::size_t i = 1;
  while (i < s.size()) {
    if (s[i] == 'T') {
      in_time = true;
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) {
      ++j;
    }
    if (j == i || j >= s.size()) {
      return std::nullopt;
    }
    const double v = std::strtod(std::string(s.substr(i, j - i)).c_str(), nullptr);
    const char unit = s[j];
    const double scale = !in_time && unit == 'D'   ? 86400
                         : !in_time && unit == 'W' ? 7 * 86400
                         : in_time && unit == 'H'  ? 3600
                         : in_time && unit == 'M'  ? 60
                         : in_time && unit == 'S'  ? 1
                                                   : -1;
    if (scale < 0) {
      return std::nullopt;
    }
    total += v * scale;
    any = true;
    i = j + 1;
  }
  return any ? std::optional<double>(total) : std::nullopt;
}

std::optional<IntervalSchedule> decode_interval(core::JsonElement value, const core::Loc& loc,
                                                core::ValidationErrors& errors,
                                                std::optional<Timestamp> now) {
  ObjectDecoder d(value, loc, errors, "IntervalSchedule");
  if (!d.is_object()) {
    return std::nullopt;
  }
  IntervalSchedule s;
  bool ok = true;
  auto m = d.member("interval");
  double seconds = 0;
  std::string_view text;
  if (!m) {
    errors.add("missing", d.loc_of("interval"), "Field required", core::to_json(value));
    ok = false;
  } else if (!m->get_double().get(seconds)) {
  } else if (!m->get_string().get(text) && parse_duration(text)) {
    seconds = *parse_duration(text);
  } else {
    errors.add("time_delta_type", d.loc_of("interval"), "Input should be a valid timedelta",
               core::to_json(*m));
    ok = false;
  }
  if (ok && !(seconds > 0 && std::isfinite(seconds))) {
    errors.add("greater_than", d.loc_of("interval"), "Input should be greater than 0:00:00",
               core::to_json(*m), "{\"gt\":\"PT0S\"}");
    ok = false;
  }
  s.interval_seconds = seconds;
  s.anchor_date = d.time("anchor_date");
  if (!s.anchor_date) {
    s.anchor_date = now;
  }
  s.timezone = d.string("timezone");
  d.forbid_extra({"interval", "anchor_date", "timezone"});  // pydantic lists extras last
  return s;
}

}  // namespace

namespace {

// Decodes one union member into `mine`. Model validators (timezone) run only when the
// fields were valid; `fields_ok` carries that from the first (scratch) pass to the
// reporting pass, whose collector may already hold other members' errors.
bool decode_member(int kind, core::JsonElement value, const core::Loc& loc,
                   core::ValidationErrors& mine, std::optional<Timestamp> now,
                   std::optional<Schedule>& out, bool& fields_ok, bool reporting) {
  static constexpr std::string_view kNames[] = {"IntervalSchedule", "CronSchedule",
                                                "RRuleSchedule"};
  const core::Loc mloc = with(loc, kNames[kind]);
  auto validators_run = [&] {
    if (!reporting) {
      fields_ok = mine.empty();
    }
    return fields_ok;
  };
  if (!value.is_object()) {
    mine.add("model_type", mloc,
             fmt::format("Input should be a valid dictionary or instance of {}", kNames[kind]),
             core::to_json(value), fmt::format("{{\"class_name\":\"{}\"}}", kNames[kind]));
  } else if (kind == 0) {
    auto s = decode_interval(value, mloc, mine, now);
    if (validators_run()) {
      check_timezone(s->timezone, mloc, mine, core::to_json(value));
      if (!s->timezone) {
        s->timezone = "UTC";  // inferred from the anchor date, always UTC for JSON input
      }
      out = *s;
    }
  } else if (kind == 1) {
    ObjectDecoder d(value, mloc, mine, "CronSchedule");
    CronSchedule s;
    if (auto cron = d.required_string("cron")) {
      s.cron = *cron;
      bool random = false;
      for (std::size_t i = 0, j; i < cron->size(); i = j + 1) {
        j = cron->find_first_of(" \t\n", i);
        j = j == std::string::npos ? cron->size() : j;
        const std::string_view f = std::string_view(*cron).substr(i, j - i);
        random = random || f == "R" || f == "r" || f == "H" || f == "h";
      }
      const std::string input = core::json_quote(*cron);
      if (random) {
        mine.add("value_error", d.loc_of("cron"),
                 fmt::format("Value error, Random and Hashed expressions are unsupported, "
                             "received: \"{}\"",
                             *cron),
                 input, "{\"error\":{}}");
      } else if (!parse_cron(*cron)) {
        mine.add("value_error", d.loc_of("cron"),
                 fmt::format("Value error, Invalid cron string: \"{}\"", *cron), input,
                 "{\"error\":{}}");
      }
    }
    s.timezone = d.string("timezone");
    s.day_or = d.boolean("day_or").value_or(true);
    d.forbid_extra({"cron", "timezone", "day_or"});
    if (validators_run()) {
      check_timezone(s.timezone, mloc, mine, core::to_json(value));
      out = s;
    }
  } else {
    ObjectDecoder d(value, mloc, mine, "RRuleSchedule");
    RRuleSchedule s;
    if (auto text = d.required_string("rrule")) {
      s.rrule = *text;
      auto parsed = parse_rrule_text(*text, from_civil(2020, 1, 1));
      const std::string input = core::json_quote(*text);
      if (!parsed.set) {
        mine.add("value_error", d.loc_of("rrule"),
                 fmt::format("Value error, Invalid RRule string \"{}\": {}", *text, parsed.error),
                 input, "{\"error\":{}}");
      } else if (text->size() > kMaxRRuleLength) {
        mine.add(
            "value_error", d.loc_of("rrule"),
            fmt::format("Value error, Invalid RRule string \"{}...\"\nMax length is {}, got {}",
                        text->substr(0, 40), kMaxRRuleLength, text->size()),
            input, "{\"error\":{}}");
      }
    }
    if (d.has("timezone")) {
      s.timezone = d.string("timezone");
      if (s.timezone && !is_valid_timezone(*s.timezone)) {
        // TimeZone is a str constrained to the IANA names (a regex alternation upstream).
        mine.add("string_pattern_mismatch", d.loc_of("timezone"),
                 "String should match pattern of IANA timezone names",
                 core::json_quote(*s.timezone));
      }
    }
    d.forbid_extra({"rrule", "timezone"});
    if (mine.empty()) {
      out = s;
    }
  }
  return mine.empty();
}

}  // namespace

std::optional<Schedule> decode_schedule(core::JsonElement value, const core::Loc& loc,
                                        core::ValidationErrors& errors,
                                        std::optional<Timestamp> now) {
  // pydantic's smart union: the member that validates wins; otherwise every member's
  // errors are reported. ValidationErrors cannot be merged, so failures are decoded again
  // into the caller's collector (schedules are tiny).
  std::optional<Schedule> out;
  bool fields_ok[3] = {false, false, false};
  for (int kind = 0; kind < 3; ++kind) {
    core::ValidationErrors scratch;
    if (decode_member(kind, value, loc, scratch, now, out, fields_ok[kind], false)) {
      return out;
    }
  }
  for (int kind = 0; kind < 3; ++kind) {
    std::optional<Schedule> ignored;
    decode_member(kind, value, loc, errors, now, ignored, fields_ok[kind], true);
  }
  return std::nullopt;
}

void write_schedule(core::JsonWriter& w, const Schedule& schedule) {
  w.begin_object();
  if (const auto* i = std::get_if<IntervalSchedule>(&schedule)) {
    w.key("interval").number(i->interval_seconds);
    if (i->anchor_date) {
      w.key("anchor_date").time(*i->anchor_date);
    }
    w.key("timezone").opt_string(i->timezone);
  } else if (const auto* c = std::get_if<CronSchedule>(&schedule)) {
    w.key("cron").string(c->cron);
    w.key("timezone").opt_string(c->timezone);
    w.key("day_or").boolean(c->day_or);
  } else if (const auto* r = std::get_if<RRuleSchedule>(&schedule)) {
    w.key("rrule").string(r->rrule);
    w.key("timezone").opt_string(r->timezone);
  }
  w.end_object();
}

}  // namespace prefectcore::schemas
