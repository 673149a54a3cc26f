// Reads the server's memory use from /proc, so the benchmark reports what the server cost,
// not just how fast it answered. Linux only.
#pragma once

#include <optional>

namespace prefectcore::bench {

// VmHWM (peak resident set size) of `pid` in KiB, or nullopt if the process is gone or
// /proc/<pid>/status has no such line.
std::optional<long> peak_rss_kib(int pid);

// User + system CPU time consumed so far by `pid` (all threads), in seconds, from
// /proc/<pid>/stat. nullopt if the process is gone.
std::optional<double> cpu_seconds(int pid);

// CPU seconds the whole machine has spent in user, system and steal time (all cores; idle,
// iowait, irq and softirq excluded) since boot, from the first line of /proc/stat. Subtracting the
// server's and the client's own CPU over a window leaves what other processes took: the contention
// on a shared host.
std::optional<double> machine_busy_cpu_seconds();

// The pid of the process holding the listening TCP socket on `port` (IPv4 or IPv6), found via
// /proc/net/tcp{,6} and /proc/*/fd. Needs permission to read other processes' fd tables
// (same user or root). nullopt when none is found.
std::optional<int> find_listening_pid(int port);

}  // namespace prefectcore::bench
