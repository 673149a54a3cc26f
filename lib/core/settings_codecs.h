#pragma once

// Codecs for the settings table: how a setting of each type is parsed from its environment
// text (pydantic's lax rules, upstream's Field constraints) and written to the settings
// dump. Each takes an accessor such as PC_SETTING(api.port).

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include <prefectcore/settings.h>

#include "lib/core/internal.h"
#include "lib/core/json_writer.h"
#include "lib/core/logging.h"
#include "lib/core/settings_values.h"

// An accessor for one field, usable on both Settings& and const Settings&.
#define PC_SETTING(member) \
  [](auto& s) -> auto& { return s.member; }

namespace prefectcore::core::setting {

constexpr std::string_view kObfuscated = "**********";  // pydantic's SecretStr in a dump

// nullopt when a value was accepted, else what was expected ("an integer >= 0").
using Err = std::optional<std::string>;

// Upstream's Field(ge=..., gt=...) constraints, plus range limits of our own types.
struct Bound {
  double min = -std::numeric_limits<double>::infinity();
  bool exclusive = false;  // gt rather than ge
  double max = std::numeric_limits<double>::infinity();

  bool admits(double v) const { return (exclusive ? v > min : v >= min) && v <= max; }
  std::string describe() const {
    if (std::isfinite(max)) {
      return fmt::format(" between {} and {}", min, max);
    }
    return std::isfinite(min) ? fmt::format(" {} {}", exclusive ? ">" : ">=", min) : "";
  }
};
inline Bound ge(double v) { return {v, false}; }
inline Bound gt(double v) { return {v, true}; }
inline Bound between(double lo, double hi) { return {lo, false, hi}; }

// How one setting is read from its environment text and written to the settings dump.
struct Codec {
  std::function<Err(Settings&, std::string_view)> parse;
  std::function<void(const Settings&, JsonWriter&)> write;
};

struct Entry {
  std::string_view path;  // "server.api.host"
  Codec codec;
  std::vector<std::string_view> aliases = {};
};

template <typename T>
struct Unwrap {
  using type = T;
  static constexpr bool optional = false;
};
template <typename T>
struct Unwrap<std::optional<T>> {
  using type = T;
  static constexpr bool optional = true;
};
// The field type behind an accessor, and its value type if it is an optional.
template <typename F>
using FieldOf = std::remove_cvref_t<decltype(std::declval<F>()(std::declval<Settings&>()))>;
template <typename F>
using ValueOf = typename Unwrap<FieldOf<F>>::type;

// Writes an optional field as null when unset, else through `write_value`.
template <typename F, typename W>
void write_field(const Settings& s, JsonWriter& w, F field, W write_value) {
  if constexpr (Unwrap<FieldOf<F>>::optional) {
    if (!field(s)) {
      w.null();
      return;
    }
    write_value(*field(s));
  } else {
    write_value(field(s));
  }
}

template <typename F>
Codec text(F field) {
  return {[=](Settings& s, std::string_view v) -> Err {
            field(s) = std::string(v);
            return std::nullopt;
          },
          [=](const Settings& s, JsonWriter& w) {
            write_field(s, w, field, [&](const std::string& v) { w.string(v); });
          }};
}

// A SecretStr: never shown. A plain std::string secret (the connection URL) always has a
// value upstream (it is defaulted), so it always shows as obfuscated.
template <typename F>
Codec secret(F field) {
  return {[=](Settings& s, std::string_view v) -> Err {
            field(s) = std::string(v);
            return std::nullopt;
          },
          [=](const Settings& s, JsonWriter& w) {
            write_field(s, w, field, [&](const std::string&) { w.string(kObfuscated); });
          }};
}

template <typename F>
Codec flag(F field) {
  return {[=](Settings& s, std::string_view v) -> Err {
            auto b = parse_setting_bool(v);
            if (!b) {
              return "a boolean (true/false, 1/0, yes/no, on/off)";
            }
            field(s) = *b;
            return std::nullopt;
          },
          [=](const Settings& s, JsonWriter& w) { w.boolean(field(s)); }};
}

// An integer setting; `field` may also be a double holding whole seconds (upstream int).
template <typename F>
Codec integer(F field, Bound bound = {}) {
  using T = ValueOf<F>;
  return {
      [=](Settings& s, std::string_view v) -> Err {
        auto n = parse_setting_int(v);
        if constexpr (std::is_same_v<T, int>) {
          if (n && (*n < std::numeric_limits<int>::min() || *n > std::numeric_limits<int>::max())) {
            n.reset();
          }
        }
        if (!n || !bound.admits(static_cast<double>(*n))) {
          return "an integer" + bound.describe();
        }
        field(s) = static_cast<T>(*n);
        return std::nullopt;
      },
      [=](const Settings& s, JsonWriter& w) {
        write_field(s, w, field, [&](T v) { w.integer(static_cast<std::int64_t>(v)); });
      }};
}

template <typename F>
Codec number(F field, Bound bound = {}) {
  return {[=](Settings& s, std::string_view v) -> Err {
            auto n = parse_setting_float(v);
            if (!n || !bound.admits(*n)) {
              return "a number" + bound.describe();
            }
            field(s) = *n;
            return std::nullopt;
          },
          [=](const Settings& s, JsonWriter& w) {
            write_field(s, w, field, [&](double v) { w.number(v); });
          }};
}

// A timedelta, held as seconds; dumped as an ISO 8601 duration like pydantic.
template <typename F>
Codec duration(F field, Bound bound = ge(0)) {
  return {[=](Settings& s, std::string_view v) -> Err {
            auto n = parse_duration_seconds(v);
            if (!n || !bound.admits(*n)) {
              return "a duration in seconds or ISO 8601 such as PT1H" +
                     (std::isfinite(bound.min) ? ", in seconds" + bound.describe() : "");
            }
            field(s) = *n;
            return std::nullopt;
          },
          [=](const Settings& s, JsonWriter& w) {
            write_field(s, w, field, [&](double v) { w.string(format_iso_duration(v)); });
          }};
}

// One of a fixed set of strings, compared as given (upstream Literal).
template <typename F>
Codec choice(F field, std::vector<std::string_view> allowed) {
  return {[=](Settings& s, std::string_view v) -> Err {
            for (auto a : allowed) {
              if (v == a) {
                field(s) = std::string(v);
                return std::nullopt;
              }
            }
            return fmt::format("one of {}", fmt::join(allowed, ", "));
          },
          [=](const Settings& s, JsonWriter& w) {
            write_field(s, w, field, [&](const std::string& v) { w.string(v); });
          }};
}

// prefect.types.LogLevel: upper-cased before the Literal check.
template <typename F>
Codec log_level(F field) {
  return {[=](Settings& s, std::string_view v) -> Err {
            auto level = parse_log_level(v);
            if (!level) {
              return "one of DEBUG, INFO, WARNING, ERROR, CRITICAL";
            }
            std::string upper(v);
            for (auto& c : upper) {
              c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
            field(s) = upper;
            return std::nullopt;
          },
          [=](const Settings& s, JsonWriter& w) { w.string(field(s)); }};
}

}  // namespace prefectcore::core::setting
