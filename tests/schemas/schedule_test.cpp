// Expected dates come from upstream's get_dates semantics: RRULE cases were produced with
// python-dateutil + zoneinfo exactly as RRuleSchedule.to_rrule()/xafter does; interval and
// cron cases are worked out from schemas/schedules.py (whenever/zoneinfo arithmetic).

#include "lib/schemas/schedule.h"

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "lib/schemas/cron.h"
#include "lib/schemas/timezone.h"

using namespace prefectcore;
using namespace prefectcore::schemas;

namespace {

Timestamp at(const char* text) { return core::parse_time(text).value(); }

std::vector<std::string> dates(const Schedule& s, std::size_t n, const char* start,
                               const char* end = nullptr) {
  std::vector<std::string> out;
  for (auto t : schedule_dates(s, n, at(start), end ? std::optional(at(end)) : std::nullopt)) {
    out.push_back(core::format_api_time(t));
  }
  return out;
}

using V = std::vector<std::string>;

struct Decoded {
  std::optional<Schedule> schedule;
  std::string errors;
};

Decoded decode(const std::string& json) {
  auto doc = core::JsonDocument::parse(json).value();
  core::ValidationErrors errors;
  auto s = decode_schedule(doc.root(), {"body", "schedule"}, errors, at("2024-05-01T00:00:00Z"));
  return {s, errors.empty() ? std::string() : std::string(errors.to_status().detail_json())};
}

std::string encode(const Schedule& s) {
  std::string out;
  core::JsonWriter w(out);
  write_schedule(w, s);
  return out;
}

}  // namespace

TEST_CASE("time zones convert across DST with zoneinfo's rules") {
  const TimeZone* ny = TimeZone::find("America/New_York");
  REQUIRE(ny != nullptr);
  CHECK(ny->offset_at(at("2024-01-15T12:00:00Z")) == -5 * 3600);
  CHECK(ny->offset_at(at("2024-07-15T12:00:00Z")) == -4 * 3600);
  CHECK(ny->offset_at(at("2060-07-15T12:00:00Z")) == -4 * 3600);  // POSIX footer rule
  // 02:30 on 2024-03-10 does not exist: read as 03:30 EDT (zoneinfo) or 01:30 EST (dateutil).
  const LocalMicros gap = from_civil(2024, 3, 10, 2, 30);
  CHECK(core::format_api_time(ny->from_local(gap)) == "2024-03-10T07:30:00Z");
  CHECK(core::format_api_time(ny->from_local(gap, TimeZone::Gap::kEarlier)) ==
        "2024-03-10T06:30:00Z");
  // 01:30 on 2024-11-03 happens twice: the first (EDT) wins.
  CHECK(core::format_api_time(ny->from_local(from_civil(2024, 11, 3, 1, 30))) ==
        "2024-11-03T05:30:00Z");
  CHECK(TimeZone::find("Not/AZone") == nullptr);
  CHECK(TimeZone::find("../etc/passwd") == nullptr);
  CHECK(is_valid_timezone("UTC"));
}

TEST_CASE("interval schedules keep the wall-clock time for daily intervals across DST") {
  IntervalSchedule s{86400, at("2024-01-01T14:00:00Z"), "America/New_York"};
  CHECK(dates(s, 4, "2024-03-08T00:00:00Z") == V{"2024-03-08T14:00:00Z", "2024-03-09T14:00:00Z",
                                                 "2024-03-10T13:00:00Z", "2024-03-11T13:00:00Z"});
}

TEST_CASE("interval schedules below a day follow elapsed UTC time across DST") {
  IntervalSchedule s{3600, at("2024-11-03T04:00:00Z"), "America/New_York"};
  CHECK(dates(s, 3, "2024-11-03T04:00:00Z") ==
        V{"2024-11-03T04:00:00Z", "2024-11-03T05:00:00Z", "2024-11-03T06:00:00Z"});
}

TEST_CASE("interval schedules start on the anchor lattice and honour an inclusive end") {
  IntervalSchedule s{600, at("2024-01-01T00:05:00Z"), "UTC"};
  CHECK(dates(s, 10, "2024-01-01T01:00:00Z", "2024-01-01T01:25:00Z") ==
        V{"2024-01-01T01:05:00Z", "2024-01-01T01:15:00Z", "2024-01-01T01:25:00Z"});
  // A start before the anchor walks forward from the lattice as well.
  CHECK(dates(s, 2, "2023-12-31T23:59:00Z") == V{"2024-01-01T00:05:00Z", "2024-01-01T00:15:00Z"});
}

TEST_CASE("cron schedules include a matching start and skip a start with microseconds") {
  CronSchedule s{"*/15 * * * *", std::nullopt, true};
  CHECK(dates(s, 2, "2024-01-01T00:15:00Z") == V{"2024-01-01T00:15:00Z", "2024-01-01T00:30:00Z"});
  CHECK(dates(s, 1, "2024-01-01T00:15:00.500000Z") == V{"2024-01-01T00:30:00Z"});
}

TEST_CASE("cron schedules fire on local wall-clock times through DST changes") {
  CHECK(dates(CronSchedule{"0 9 * * *", "America/New_York", true}, 2, "2024-03-09T15:00:00Z") ==
        V{"2024-03-10T13:00:00Z", "2024-03-11T13:00:00Z"});
  // 02:30 does not exist on 2024-03-10: it runs at 03:30 EDT.
  CHECK(dates(CronSchedule{"30 2 * * *", "America/New_York", true}, 2, "2024-03-09T12:00:00Z") ==
        V{"2024-03-10T07:30:00Z", "2024-03-11T06:30:00Z"});
  // Fall back: hourly fires the first time 1am is reached, then at 2am EST (two hours later).
  CHECK(dates(CronSchedule{"0 * * * *", "America/New_York", true}, 3, "2024-11-03T04:30:00Z") ==
        V{"2024-11-03T05:00:00Z", "2024-11-03T07:00:00Z", "2024-11-03T08:00:00Z"});
}

TEST_CASE("cron day-of-month and day-of-week combine with OR unless day_or is false") {
  CHECK(dates(CronSchedule{"0 0 1 * mon", std::nullopt, true}, 3, "2024-01-01T00:00:00Z") ==
        V{"2024-01-01T00:00:00Z", "2024-01-08T00:00:00Z", "2024-01-15T00:00:00Z"});
  CHECK(dates(CronSchedule{"0 0 1 * 1", std::nullopt, false}, 3, "2024-01-01T00:00:00Z") ==
        V{"2024-01-01T00:00:00Z", "2024-04-01T00:00:00Z", "2024-07-01T00:00:00Z"});
}

TEST_CASE("cron supports L, nth weekdays, names, steps and macros") {
  CHECK(dates(CronSchedule{"0 0 L * *", std::nullopt, true}, 3, "2024-01-02T00:00:00Z") ==
        V{"2024-01-31T00:00:00Z", "2024-02-29T00:00:00Z", "2024-03-31T00:00:00Z"});
  CHECK(dates(CronSchedule{"0 0 * * 5#2", std::nullopt, true}, 3, "2024-01-01T00:00:00Z") ==
        V{"2024-01-12T00:00:00Z", "2024-02-09T00:00:00Z", "2024-03-08T00:00:00Z"});
  CHECK(dates(CronSchedule{"0 12 * FEB-MAR sat,sun", std::nullopt, true}, 2,
              "2024-01-01T00:00:00Z") == V{"2024-02-03T12:00:00Z", "2024-02-04T12:00:00Z"});
  CHECK(dates(CronSchedule{"10-40/15 3 * * *", std::nullopt, true}, 3, "2024-01-01T00:00:00Z") ==
        V{"2024-01-01T03:10:00Z", "2024-01-01T03:25:00Z", "2024-01-01T03:40:00Z"});
  CHECK(dates(CronSchedule{"@weekly", std::nullopt, true}, 1, "2024-01-01T00:00:00Z") ==
        V{"2024-01-07T00:00:00Z"});
  CHECK_FALSE(parse_cron("61 * * * *"));
  CHECK_FALSE(parse_cron("* * *"));
  CHECK_FALSE(parse_cron("*/0 * * * *"));
  CHECK_FALSE(parse_cron("* * * foo *"));
}

TEST_CASE("rrule schedules match dateutil, including DTSTART, BYSETPOS, EXDATE and UNTIL") {
  CHECK(dates(RRuleSchedule{"FREQ=DAILY;BYHOUR=9;BYMINUTE=0", "America/New_York"}, 4,
              "2024-03-01T00:00:00Z") == V{"2024-03-01T14:00:00Z", "2024-03-02T14:00:00Z",
                                           "2024-03-03T14:00:00Z", "2024-03-04T14:00:00Z"});
  // dateutil reads 02:30 in the spring-forward gap with the EDT offset (01:30 EST).
  CHECK(
      dates(RRuleSchedule{"DTSTART:20240301T023000\nRRULE:FREQ=DAILY;COUNT=20", "America/New_York"},
            4, "2024-03-08T00:00:00Z") == V{"2024-03-08T07:30:00Z", "2024-03-09T07:30:00Z",
                                            "2024-03-10T06:30:00Z", "2024-03-11T06:30:00Z"});
  CHECK(dates(RRuleSchedule{"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "UTC"}, 4,
              "2024-03-01T00:00:00Z") == V{"2024-03-29T00:00:00Z", "2024-04-30T00:00:00Z",
                                           "2024-05-31T00:00:00Z", "2024-06-28T00:00:00Z"});
  CHECK(dates(RRuleSchedule{"DTSTART:20240101T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR\n"
                            "EXDATE:20240311T090000",
                            "Europe/Berlin"},
              4, "2024-03-01T00:00:00Z") == V{"2024-03-01T08:00:00Z", "2024-03-15T08:00:00Z",
                                              "2024-03-25T08:00:00Z", "2024-03-29T08:00:00Z"});
  CHECK(
      dates(RRuleSchedule{"DTSTART:20240101T000000\nRRULE:FREQ=DAILY;UNTIL=20240303T000000", "UTC"},
            4, "2024-03-01T00:00:00Z") ==
      V{"2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z"});
}

TEST_CASE("decoding picks the matching union member and fills upstream's defaults") {
  auto interval = decode(R"({"interval": 3600})");
  REQUIRE(interval.schedule);
  CHECK(encode(*interval.schedule) ==
        R"({"interval":3600.0,"anchor_date":"2024-05-01T00:00:00Z","timezone":"UTC"})");
  auto iso = decode(R"({"interval": "PT1H30M", "anchor_date": "2024-01-01T00:00:00Z"})");
  REQUIRE(iso.schedule);
  CHECK(std::get<IntervalSchedule>(*iso.schedule).interval_seconds == 5400);
  auto cron = decode(R"({"cron": "0 0 * * *"})");
  REQUIRE(cron.schedule);
  CHECK(encode(*cron.schedule) == R"({"cron":"0 0 * * *","timezone":null,"day_or":true})");
  auto rrule = decode(R"({"rrule": "FREQ=DAILY"})");
  REQUIRE(rrule.schedule);
  CHECK(encode(*rrule.schedule) == R"({"rrule":"FREQ=DAILY","timezone":"UTC"})");
}

TEST_CASE("decoding reports upstream's validator messages per union member") {
  auto bad_cron = decode(R"({"cron": "61 * * * *"})");
  CHECK_FALSE(bad_cron.schedule);
  CHECK(bad_cron.errors.find(R"("loc":["body","schedule","CronSchedule","cron"])") !=
        std::string::npos);
  CHECK(bad_cron.errors.find(R"(Value error, Invalid cron string: \"61 * * * *\")") !=
        std::string::npos);
  CHECK(bad_cron.errors.find(R"("loc":["body","schedule","IntervalSchedule","interval"])") !=
        std::string::npos);
  auto hashed = decode(R"({"cron": "H * * * *"})");
  CHECK(hashed.errors.find("Random and Hashed expressions are unsupported") != std::string::npos);
  auto bad_tz = decode(R"({"cron": "0 0 * * *", "timezone": "Mars/Olympus"})");
  CHECK_FALSE(bad_tz.schedule);
  CHECK(bad_tz.errors.find(R"(Invalid timezone: \"Mars/Olympus\")") != std::string::npos);
  auto zero = decode(R"({"interval": 0})");
  CHECK(zero.errors.find("greater_than") != std::string::npos);
  auto bad_rrule = decode(R"({"rrule": "FREQ=DAILY;FOO=1"})");
  CHECK(bad_rrule.errors.find(
            R"(Invalid RRule string \"FREQ=DAILY;FOO=1\": unknown parameter 'FOO')") !=
        std::string::npos);
  auto until = decode(R"({"rrule": "RRULE:FREQ=DAILY;UNTIL=20240101T000000Z"})");
  CHECK(until.errors.find("RRULE UNTIL values must be specified in UTC") != std::string::npos);
  auto too_long = decode(R"({"rrule": "FREQ=DAILY;BYHOUR=)" + std::string(7000, '1') + R"("})");
  CHECK_FALSE(too_long.schedule);
  auto not_object = decode("42");
  CHECK(not_object.errors.find("model_type") != std::string::npos);
}
