#pragma once

// Decoding request models with pydantic's error shapes. An ObjectDecoder reads the fields
// of one JSON object, records a validation error for each problem (all of them, not just
// the first, as pydantic does), and with forbid_extra() rejects unknown keys like upstream's
// Action* models (extra="forbid").

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <prefectcore/clock.h>

#include "lib/core/internal.h"
#include "lib/core/json.h"

namespace prefectcore::schemas {

class ObjectDecoder {
 public:
  // `value` should be an object; if not, a `model_type` error is recorded.
  ObjectDecoder(core::JsonElement value, core::Loc loc, core::ValidationErrors& errors,
                std::string_view model);

  bool is_object() const { return is_object_; }
  // Records `extra_forbidden` for every key not in `allowed`.
  void forbid_extra(std::span<const std::string_view> allowed);
  void forbid_extra(std::initializer_list<std::string_view> allowed) {
    forbid_extra(std::span<const std::string_view>(allowed.begin(), allowed.size()));
  }
  // The raw member, if present (null included).
  std::optional<core::JsonElement> member(std::string_view key) const;
  bool has(std::string_view key) const { return member(key).has_value(); }

  // Typed readers. Each returns nullopt when the key is absent or null (a `missing` error
  // is recorded for required_* readers) or when the value is invalid (error recorded).
  std::optional<std::string> required_string(std::string_view key);
  std::optional<std::string> string(std::string_view key);
  // A name matching ^[^/%&><]+$ (upstream's Name type).
  std::optional<std::string> required_name(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key, std::optional<std::int64_t> min = {},
                                      std::optional<std::int64_t> max = {});
  std::optional<double> number(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<std::string> uuid(std::string_view key);
  std::optional<Timestamp> time(std::string_view key);
  // A list of strings, returned as canonical compact JSON.
  std::optional<std::string> string_list_json(std::string_view key);
  // A dict of str -> bool|int|float|str (KeyValueLabels), as compact JSON.
  std::optional<std::string> labels_json(std::string_view key);
  // Any JSON object, as compact JSON.
  std::optional<std::string> object_json(std::string_view key);
  // Any JSON value, as compact JSON.
  std::optional<std::string> any_json(std::string_view key);

  core::ValidationErrors& errors() { return errors_; }
  core::Loc loc_of(std::string_view key) const;

 private:
  core::JsonElement value_;
  core::JsonObject object_;
  bool is_object_ = false;
  core::Loc loc_;
  core::ValidationErrors& errors_;
};

// True if `name` matches upstream's name pattern ^[^/%&><]+$.
bool is_valid_name(std::string_view name);

}  // namespace prefectcore::schemas
