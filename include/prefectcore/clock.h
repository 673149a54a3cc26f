#pragma once

// Clock: the only source of time in prefectcore. Rules and services take time from an
// injected Clock so tests drive them with a ManualClock and never sleep.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace prefectcore {

// Microseconds since the Unix epoch, UTC.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;
using Micros = std::chrono::microseconds;

// Thread-safe: now() may be called from any thread.
class Clock {
 public:
  Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;
  virtual ~Clock() = default;

  // The current UTC time.
  virtual Timestamp now() const = 0;
};

// The operating system's wall clock.
class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
  // A process-wide instance.
  static SystemClock& instance();
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : us_(start.time_since_epoch().count()) {}
  Timestamp now() const override { return Timestamp(Micros(us_.load())); }
  void set(Timestamp t) { us_.store(t.time_since_epoch().count()); }
  void advance(Micros d) { us_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> us_;
};

}  // namespace prefectcore
