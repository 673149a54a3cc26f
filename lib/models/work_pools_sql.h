#pragma once

// Small helpers shared by the work pool, work queue and worker repositories.

#include <optional>
#include <string>
#include <vector>

#include <prefectcore/clock.h>
#include <prefectcore/database.h>

#include "lib/core/internal.h"
#include "lib/core/time.h"

namespace prefectcore::models::wp {

inline SqlValue opt(const std::optional<std::string>& v) {
  return v ? SqlValue{*v} : SqlValue{SqlNull{}};
}
inline SqlValue opt(const std::optional<std::int64_t>& v) {
  return v ? SqlValue{*v} : SqlValue{SqlNull{}};
}
inline SqlValue opt_time(const std::optional<Timestamp>& v) {
  return v ? SqlValue{core::format_storage_time(*v)} : SqlValue{SqlNull{}};
}
inline std::optional<std::int64_t> opt_int(const Row& row, std::size_t i) {
  return row.is_null(i) ? std::nullopt : std::optional<std::int64_t>(row.int64(i));
}
inline Result<Timestamp> time_cell(const Row& row, std::size_t i) {
  return core::parse_time(row.text(i));
}
inline Result<std::optional<Timestamp>> opt_time_cell(const Row& row, std::size_t i) {
  if (row.is_null(i)) {
    return std::optional<Timestamp>{};
  }
  PC_ASSIGN_OR_RETURN(Timestamp t, core::parse_time(row.text(i)));
  return std::optional<Timestamp>(t);
}
// "?, ?, ?" for n placeholders.
inline std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += i ? ", ?" : "?";
  }
  return out;
}

}  // namespace prefectcore::models::wp
