#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <prefectcore/clock.h>
#include <prefectcore/status.h>

#include "lib/core/internal.h"

namespace prefectcore::core {

// "2025-01-21T12:34:56.123456Z": always six fraction digits. The storage form, whose
// lexicographic order is time order.
std::string format_storage_time(Timestamp t);
// The API form: as above, but the fraction is omitted when it is zero (pydantic).
std::string format_api_time(Timestamp t);
// Appends the API form to `out`.
void append_api_time(std::string& out, Timestamp t);

// Parses ISO 8601: date, `T` or space, time with optional seconds fraction (any number of
// digits, truncated to microseconds), then `Z`, `±HH:MM`, `±HHMM`, `±HH` or nothing
// (naive input is UTC, as upstream). A date alone means midnight UTC.
// kInvalidArgument with a message on anything else.
Result<Timestamp> parse_time(std::string_view text);

// Seconds as a double (timedeltas on the wire are float seconds).
inline double to_seconds(Micros d) { return static_cast<double>(d.count()) / 1e6; }
// Rounds to the nearest microsecond; nullopt for NaN/inf/overflow.
std::optional<Micros> from_seconds(double seconds);

inline bool is_past(Timestamp t, const Clock& clock) { return t < clock.now(); }

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
long long days_from_civil(long long y, unsigned m, unsigned d);
void civil_from_days(long long z, long long& y, unsigned& m, unsigned& d);

}  // namespace prefectcore::core
