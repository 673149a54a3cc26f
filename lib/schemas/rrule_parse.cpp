// rrulestr() parsing with python-dateutil's behaviour and error messages (upstream's
// validator wraps them as 'Invalid RRule string "...": <message>').

#include <algorithm>
#include <cctype>
#include <charconv>

#include "lib/schemas/rrule.h"

namespace prefectcore::schemas {

namespace {

struct DateValue {
  LocalMicros wall = 0;
  bool aware = false;
  int offset_seconds = 0;          // for `Z` / ±hh:mm values
  const TimeZone* zone = nullptr;  // for TZID= values
  Timestamp instant() const {
    return zone ? zone->from_local(wall)
                : Timestamp(Micros(wall - offset_seconds * kMicrosPerSecond));
  }
};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) {
      return out;
    }
    start = pos + 1;
  }
}

std::optional<long long> parse_int(std::string_view s) {
  long long v = 0;
  std::size_t i = (!s.empty() && s[0] == '+') ? 1 : 0;
  auto [ptr, ec] = std::from_chars(s.data() + i, s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || i == s.size()) {
    return std::nullopt;
  }
  return v;
}

bool take_digits(std::string_view s, std::size_t& i, std::size_t n, unsigned& out) {
  if (i + n > s.size()) {
    return false;
  }
  out = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (!std::isdigit(static_cast<unsigned char>(s[i + k]))) {
      return false;
    }
    out = out * 10 + static_cast<unsigned>(s[i + k] - '0');
  }
  i += n;
  return true;
}

// The date forms rules use: 20240101, 20240101T090000[Z], and the ISO spelling with dashes
// and colons (dateutil's parser accepts both).
std::optional<DateValue> parse_date(std::string_view s) {
  std::size_t i = 0;
  unsigned y, mo, d, h = 0, mi = 0, sec = 0;
  auto skip = [&](char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
    }
  };
  if (!take_digits(s, i, 4, y)) {
    return std::nullopt;
  }
  skip('-');
  if (!take_digits(s, i, 2, mo)) {
    return std::nullopt;
  }
  skip('-');
  if (!take_digits(s, i, 2, d)) {
    return std::nullopt;
  }
  DateValue v;
  if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
    ++i;
    if (!take_digits(s, i, 2, h)) {
      return std::nullopt;
    }
    skip(':');
    if (!take_digits(s, i, 2, mi)) {
      return std::nullopt;
    }
    skip(':');
    if (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) &&
        !take_digits(s, i, 2, sec)) {
      return std::nullopt;
    }
  }
  if (i < s.size() && s[i] == 'Z') {
    v.aware = true;
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const int sign = s[i++] == '-' ? -1 : 1;
    unsigned oh, om = 0;
    if (!take_digits(s, i, 2, oh)) {
      return std::nullopt;
    }
    skip(':');
    if (i < s.size() && !take_digits(s, i, 2, om)) {
      return std::nullopt;
    }
    v.aware = true;
    v.offset_seconds = sign * static_cast<int>(oh * 3600 + om * 60);
  }
  if (i != s.size() || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) {
    return std::nullopt;
  }
  v.wall = from_civil(y, mo, d, h, mi, sec);
  if (to_civil(v.wall).day != d) {
    return std::nullopt;  // e.g. February 30th
  }
  return v;
}

int weekday_index(std::string_view w) {
  static constexpr std::string_view kDays[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
  for (int k = 0; k < 7; ++k) {
    if (w == kDays[k]) {
      return k;
    }
  }
  return -1;
}

using Error = std::string;

std::optional<Error> int_list(std::string_view value, std::vector<int>& out) {
  out.clear();
  for (auto part : split(value, ',')) {
    auto v = parse_int(part);
    if (!v || *v < -100000 || *v > 100000) {
      return Error("bad");
    }
    out.push_back(static_cast<int>(*v));
  }
  return std::nullopt;
}

std::optional<Error> byday(std::string_view value, RRule& r) {
  r.byweekday.clear();  // a repeated part replaces the earlier one (a dict in dateutil)
  r.bynweekday.clear();
  for (auto part : split(value, ',')) {
    if (part.empty()) {
      return Error("bad");
    }
    std::string_view w = part;
    std::optional<long long> n;
    if (auto paren = part.find('('); paren != std::string_view::npos) {  // TH(+1)
      w = part.substr(0, paren);
      auto inner = part.substr(paren + 1);
      n = inner.empty() ? std::nullopt : parse_int(inner.substr(0, inner.size() - 1));
      if (!n) {
        return Error("bad");
      }
    } else {  // +1TH
      std::size_t k = 0;
      while (k < part.size() &&
             std::string_view("+-0123456789").find(part[k]) != std::string_view::npos) {
        ++k;
      }
      w = part.substr(k);
      if (k > 0) {
        n = parse_int(part.substr(0, k));
        if (!n) {
          return Error("bad");
        }
      }
    }
    const int day = weekday_index(w);
    if (day < 0) {
      return Error("bad");
    }
    if (n && *n == 0) {
      return Error("Can't create weekday with n==0");
    }
    if (n) {
      r.bynweekday.emplace_back(day, static_cast<int>(*n));
    } else {
      r.byweekday.push_back(day);
    }
  }
  return std::nullopt;
}

struct RuleText {
  std::optional<DateValue> until;
};

std::optional<Error> parse_rule(std::string_view line, const DateValue& dtstart, RRule& r) {
  std::string_view value = line;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    if (line.find(':', colon + 1) != std::string_view::npos) {
      return Error("too many values to unpack (expected 2)");
    }
    if (line.substr(0, colon) != "RRULE") {
      return Error("unknown parameter name");
    }
    value = line.substr(colon + 1);
  }
  bool has_freq = false;
  std::optional<DateValue> until;
  for (auto pair : split(value, ';')) {
    auto parts = split(pair, '=');
    if (parts.size() != 2) {
      return Error(parts.size() < 2 ? "not enough values to unpack (expected 2, got 1)"
                                    : "too many values to unpack (expected 2)");
    }
    const std::string_view name = parts[0], v = parts[1];
    std::optional<Error> bad;
    if (name == "FREQ") {
      static constexpr std::string_view kFreqs[] = {"YEARLY", "MONTHLY",  "WEEKLY",  "DAILY",
                                                    "HOURLY", "MINUTELY", "SECONDLY"};
      auto it = std::find(std::begin(kFreqs), std::end(kFreqs), v);
      bad = it == std::end(kFreqs) ? std::optional<Error>("bad") : std::nullopt;
      r.freq = static_cast<RRuleFreq>(it - std::begin(kFreqs));
      has_freq = !bad;
    } else if (name == "INTERVAL" || name == "COUNT") {
      auto n = parse_int(v);
      // dateutil accepts INTERVAL=0 and then never terminates; refuse it instead.
      bad = (!n || (name == "INTERVAL" && (*n < 1 || *n > 1000000))) ? std::optional<Error>("bad")
                                                                     : std::nullopt;
      if (!bad) {
        (name == "INTERVAL" ? (void)(r.interval = static_cast<int>(*n)) : (void)(r.count = *n));
      }
    } else if (name == "UNTIL") {
      until = parse_date(v);
      if (!until) {
        return Error("invalid 'UNTIL': " + std::string(v));  // "invalid until date" rewrapped
      }
    } else if (name == "WKST") {
      r.wkst = weekday_index(v);
      bad = r.wkst < 0 ? std::optional<Error>("bad") : std::nullopt;
    } else if (name == "BYDAY" || name == "BYWEEKDAY") {
      bad = byday(v, r);
    } else {
      std::vector<int>* list = name == "BYSETPOS"     ? &r.bysetpos
                               : name == "BYMONTH"    ? &r.bymonth
                               : name == "BYMONTHDAY" ? &r.bymonthday
                               : name == "BYYEARDAY"  ? &r.byyearday
                               : name == "BYWEEKNO"   ? &r.byweekno
                               : name == "BYHOUR"     ? &r.byhour
                               : name == "BYMINUTE"   ? &r.byminute
                               : name == "BYSECOND"   ? &r.bysecond
                                                      : nullptr;
      if (!list) {
        return Error("unknown parameter '" + std::string(name) + "'");
      }
      bad = int_list(v, *list);
    }
    if (bad) {
      return Error("invalid '" + std::string(name) + "': " + std::string(v));
    }
  }
  if (!has_freq) {
    return Error("rrule.__init__() missing 1 required positional argument: 'freq'");
  }
  if (until && until->aware != dtstart.aware) {
    return Error("RRULE UNTIL values must be specified in UTC when DTSTART is timezone-aware");
  }
  for (int pos : r.bysetpos) {
    if (pos == 0 || pos < -366 || pos > 366) {
      return Error("bysetpos must be between 1 and 366, or between -366 and -1");
    }
  }
  r.dtstart = dtstart.wall;
  if (until) {
    // An aware UNTIL is first expressed in DTSTART's zone (dateutil), then re-labelled.
    r.until = until->aware ? (dtstart.zone ? dtstart.zone->to_local(until->instant())
                                           : until->instant().time_since_epoch().count() +
                                                 dtstart.offset_seconds * kMicrosPerSecond)
                           : until->wall;
  }
  return std::nullopt;
}

// RDATE/EXDATE/DTSTART values with their parameters.
using TzidNames = std::vector<std::pair<std::string, std::string>>;  // upper -> as written

std::optional<Error> parse_dates(std::string_view value, const std::vector<std::string_view>& parms,
                                 bool allow_tzid, const TzidNames& tzids,
                                 std::vector<DateValue>& out) {
  const TimeZone* zone = nullptr;
  bool value_found = false;
  for (auto parm : parms) {
    if (allow_tzid && parm.substr(0, 5) == "TZID=") {
      // The text was upper-cased; dateutil maps TZIDs back to their spelling first.
      for (const auto& [upper_name, original] : tzids) {
        if (upper_name == parm.substr(5)) {
          zone = TimeZone::find(original);
        }
      }
      continue;
    }
    if ((parm != "VALUE=DATE-TIME" && parm != "VALUE=DATE") ||
        (!allow_tzid && parm != "VALUE=DATE-TIME")) {
      return Error((allow_tzid ? "unsupported parm: " : "unsupported RDATE parm: ") +
                   std::string(parm));
    }
    if (value_found) {
      return Error("Duplicate value parameter found in: " + std::string(parm));
    }
    value_found = true;
  }
  for (auto text : split(value, ',')) {
    auto d = parse_date(text);
    if (!d) {
      return Error("String does not contain a date: " + std::string(text));
    }
    if (zone) {
      if (d->aware) {
        return Error("DTSTART/EXDATE specifies multiple timezone");
      }
      d->aware = true;
      d->zone = zone;
    }
    out.push_back(*d);
  }
  return std::nullopt;
}

}  // namespace

RRuleParse parse_rrule_text(std::string_view text, LocalMicros default_dtstart) {
  TzidNames tzids;
  for (auto pos = text.find("TZID="); pos != std::string_view::npos;
       pos = text.find("TZID=", pos + 5)) {
    auto end = text.find(':', pos);
    std::string original(text.substr(pos + 5, end == std::string_view::npos ? 0 : end - pos - 5));
    std::string upper_name = original;
    for (auto& c : upper_name) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    tzids.emplace_back(std::move(upper_name), std::move(original));
  }
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::vector<std::string_view> lines;
  std::string_view rest = upper;
  while (!rest.empty()) {
    auto start = rest.find_first_not_of(" \t\r\n\f\v");
    if (start == std::string_view::npos) {
      break;
    }
    rest = rest.substr(start);
    auto end = rest.find_first_of(" \t\r\n\f\v");
    lines.push_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  if (lines.empty()) {
    return {std::nullopt, "empty string"};
  }
  DateValue dtstart{default_dtstart};
  RRuleSet set;
  auto fail = [](Error e) { return RRuleParse{std::nullopt, std::move(e)}; };
  if (lines.size() == 1 &&
      (upper.find(':') == std::string::npos || upper.rfind("RRULE:", 0) == 0)) {
    RRule r;
    if (auto e = parse_rule(lines[0], dtstart, r)) {
      return fail(*e);
    }
    set.rrules.push_back(std::move(r));
    return {std::move(set), {}};
  }
  std::vector<std::string_view> rrules, exrules;
  std::vector<DateValue> rdates, exdates;
  for (auto line : lines) {
    auto colon = line.find(':');
    std::string_view name = colon == std::string_view::npos ? "RRULE" : line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? line : line.substr(colon + 1);
    auto parms = split(name, ';');
    name = parms[0];
    parms.erase(parms.begin());
    if (name == "RRULE" || name == "EXRULE") {
      if (!parms.empty()) {
        return fail("unsupported " + std::string(name) + " parm: " + std::string(parms[0]));
      }
      (name == "RRULE" ? rrules : exrules).push_back(value);
    } else if (name == "RDATE" || name == "EXDATE") {
      if (auto e = parse_dates(value, parms, name == "EXDATE", tzids,
                               name == "RDATE" ? rdates : exdates)) {
        return fail(*e);
      }
    } else if (name == "DTSTART") {
      std::vector<DateValue> values;
      if (auto e = parse_dates(value, parms, true, tzids, values)) {
        return fail(*e);
      }
      if (values.size() != 1) {
        return fail("Multiple DTSTART values specified:" + std::string(value));
      }
      dtstart = values[0];
    } else {
      return fail("unsupported property: " + std::string(name));
    }
  }
  if (rrules.empty() && rdates.empty() && exrules.empty() && exdates.empty()) {
    return fail("list index out of range");
  }
  for (auto [texts, out] : {std::pair{&rrules, &set.rrules}, std::pair{&exrules, &set.exrules}}) {
    for (auto t : *texts) {
      RRule r;
      if (auto e = parse_rule(t, dtstart, r)) {
        return fail(*e);
      }
      out->push_back(std::move(r));
    }
  }
  for (const auto& d : rdates) {
    set.rdates.push_back(d.wall);
  }
  for (const auto& d : exdates) {
    set.exdates.push_back(d.wall);
  }
  return {std::move(set), {}};
}

}  // namespace prefectcore::schemas
