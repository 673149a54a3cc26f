#pragma once

// A small leveled logger writing one line per message to stderr. The level comes from
// PREFECT_SERVER_LOGGING_LEVEL (default WARNING). Thread-safe.

#include <string_view>

#include <fmt/format.h>

#include <prefectcore/status.h>

#include "lib/core/internal.h"

namespace prefectcore::core {

enum class LogLevel { kDebug = 10, kInfo = 20, kWarning = 30, kError = 40, kCritical = 50 };

// kInvalidArgument for a name other than DEBUG/INFO/WARNING/ERROR/CRITICAL (any case).
Result<LogLevel> parse_log_level(std::string_view name);
void set_log_level(LogLevel level);
LogLevel log_level();
bool log_enabled(LogLevel level);
void log_line(LogLevel level, std::string_view message);

template <typename... Args>
void log(LogLevel level, fmt::format_string<Args...> f, Args&&... args) {
  if (log_enabled(level)) {
    log_line(level, fmt::format(f, std::forward<Args>(args)...));
  }
}

}  // namespace prefectcore::core

#define PC_LOG_DEBUG(...) \
  ::prefectcore::core::log(::prefectcore::core::LogLevel::kDebug, __VA_ARGS__)
#define PC_LOG_INFO(...) ::prefectcore::core::log(::prefectcore::core::LogLevel::kInfo, __VA_ARGS__)
#define PC_LOG_WARNING(...) \
  ::prefectcore::core::log(::prefectcore::core::LogLevel::kWarning, __VA_ARGS__)
#define PC_LOG_ERROR(...) \
  ::prefectcore::core::log(::prefectcore::core::LogLevel::kError, __VA_ARGS__)
