#include "lib/core/logging.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include <prefectcore/clock.h>

#include "lib/core/time.h"

namespace prefectcore::core {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kWarning)};
std::mutex g_write_mu;

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARNING";
    case LogLevel::kError:
      return "ERROR";
    case LogLevel::kCritical:
      return "CRITICAL";
  }
  return "?";
}
}  // namespace

Result<LogLevel> parse_log_level(std::string_view name) {
  std::string upper(name);
  for (auto& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError,
                     LogLevel::kCritical}) {
    if (upper == level_name(l)) {
      return l;
    }
  }
  return Status::invalid_argument(
      fmt::format("'{}' is not a log level (DEBUG, INFO, WARNING, ERROR, CRITICAL)", name));
}

void set_log_level(LogLevel level) { g_level.store(static_cast<int>(level)); }
LogLevel log_level() { return static_cast<LogLevel>(g_level.load()); }
bool log_enabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(); }

void log_line(LogLevel level, std::string_view message) {
  std::string line = format_api_time(SystemClock::instance().now());
  line.append(" | ").append(level_name(level)).append(" | prefectcore | ");
  line.append(message).push_back('\n');
  std::lock_guard lock(g_write_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace prefectcore::core
