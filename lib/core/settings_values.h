#pragma once

// Parsers for setting values given as environment strings, following pydantic's lax
// rules. Each trims surrounding whitespace and returns nullopt on malformed input.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lib/core/internal.h"

namespace prefectcore::core {

std::string_view trim_setting(std::string_view v);
std::string lower_setting(std::string_view v);

// true/false, 1/0, yes/no, on/off, t/f, y/n in any case.
std::optional<bool> parse_setting_bool(std::string_view text);
// Decimal integer; single underscores between digits and an integral ".0" are allowed.
std::optional<std::int64_t> parse_setting_int(std::string_view text);
// Finite decimal number (NaN and infinities are refused).
std::optional<double> parse_setting_float(std::string_view text);
// A timedelta in seconds: a number of seconds, an ISO 8601 duration ("PT1H", "P7D",
// "-P1DT2.5S"), "HH:MM[:SS[.ffffff]]" or "D days, HH:MM:SS". Years count 365 days and
// months 30, as pydantic does.
std::optional<double> parse_duration_seconds(std::string_view text);
// Seconds as pydantic serialises a timedelta to JSON: "PT3600S", "P7D", "P1YT0.5S", "PT0S".
std::string format_iso_duration(double seconds);

}  // namespace prefectcore::core
