#include "lib/core/time.h"

#include <doctest/doctest.h>

using namespace prefectcore;
using namespace prefectcore::core;

TEST_CASE("timestamps format with microseconds and Z, and round-trip through parse") {
  auto t = parse_time("2025-01-21T12:34:56.123456Z");
  REQUIRE(t.has_value());
  CHECK(format_storage_time(*t) == "2025-01-21T12:34:56.123456Z");
  CHECK(format_api_time(*t) == "2025-01-21T12:34:56.123456Z");
  auto whole = parse_time("2025-01-21T12:34:56Z");
  REQUIRE(whole.has_value());
  CHECK(format_storage_time(*whole) == "2025-01-21T12:34:56.000000Z");
  CHECK(format_api_time(*whole) == "2025-01-21T12:34:56Z");
}

TEST_CASE("parse accepts T or space, optional fraction, Z, offsets and naive UTC") {
  const auto expect = parse_time("2024-03-10T10:00:00Z").value();
  CHECK(parse_time("2024-03-10 10:00:00").value() == expect);
  CHECK(parse_time("2024-03-10T12:00:00+02:00").value() == expect);
  CHECK(parse_time("2024-03-10T05:30:00-04:30").value() == expect);
  CHECK(parse_time("2024-03-10T12:00:00+0200").value() == expect);
  CHECK(parse_time("2024-03-10T10:00").value() == expect);
  CHECK(parse_time("2024-03-10").value() == parse_time("2024-03-10T00:00:00Z").value());
  // Fractions longer than microseconds are truncated; shorter ones are scaled.
  CHECK(format_storage_time(parse_time("2024-03-10T10:00:00.1234567Z").value()) ==
        "2024-03-10T10:00:00.123456Z");
  CHECK(format_storage_time(parse_time("2024-03-10T10:00:00.5Z").value()) ==
        "2024-03-10T10:00:00.500000Z");
}

TEST_CASE("parse rejects malformed dates and times") {
  for (const char* bad : {"", "2024", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2023-02-29",
                          "2024-01-01T25:00:00Z", "2024-01-01T10:61Z", "2024-01-01T10:00:00.Z",
                          "2024-01-01T10:00:00Q", "2024-01-01T10:00:00+2", "not a date",
                          "2024-01-01T10:00:00Z trailing", "2024-01-01T10:00:00+25:00"}) {
    CAPTURE(bad);
    auto r = parse_time(bad);
    CHECK_FALSE(r.has_value());
    if (!r) {
      CHECK(r.error().code() == ErrorCode::kInvalidArgument);
    }
  }
  CHECK(parse_time("2024-02-29T00:00:00Z").has_value());
}

TEST_CASE("storage form orders lexicographically like time, including before 1970") {
  const auto a = parse_time("1969-12-31T23:59:59.999999Z").value();
  const auto b = parse_time("1970-01-01T00:00:00Z").value();
  CHECK(a < b);
  CHECK(format_storage_time(a) == "1969-12-31T23:59:59.999999Z");
  CHECK(format_storage_time(a) < format_storage_time(b));
}

TEST_CASE("seconds convert to microseconds and back") {
  CHECK(from_seconds(1.5).value() == Micros(1500000));
  CHECK_FALSE(from_seconds(1.0 / 0.0).has_value());
  CHECK(to_seconds(Micros(2500000)) == doctest::Approx(2.5));
}

TEST_CASE("is_past compares against the injected clock") {
  ManualClock clock(parse_time("2024-01-01T00:00:00Z").value());
  const auto t = parse_time("2024-01-01T00:00:10Z").value();
  CHECK_FALSE(is_past(t, clock));
  clock.advance(std::chrono::seconds(11));
  CHECK(is_past(t, clock));
}
