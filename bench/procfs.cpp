#include "procfs.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <dirent.h>
#include <unistd.h>

namespace prefectcore::bench {
namespace {

// Socket inode of the LISTEN entry (state 0A) for `port` in a /proc/net/tcp-format file.
std::optional<unsigned long> listening_inode(const char* path, int port) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout;
    unsigned long inode = 0;
    if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode)) {
      continue;
    }
    const size_t colon = local.rfind(':');
    if (colon == std::string::npos || state != "0A") {
      continue;
    }
    if (std::strtol(local.c_str() + colon + 1, nullptr, 16) == port && inode != 0) {
      return inode;
    }
  }
  return std::nullopt;
}

std::optional<int> pid_owning_socket(unsigned long inode) {
  const std::string wanted = "socket:[" + std::to_string(inode) + "]";
  DIR* proc = opendir("/proc");
  if (proc == nullptr) {
    return std::nullopt;
  }
  std::optional<int> found;
  while (dirent* entry = readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const std::string fd_dir = "/proc/" + name + "/fd";
    DIR* fds = opendir(fd_dir.c_str());
    if (fds == nullptr) {
      continue;
    }
    while (dirent* fd = readdir(fds)) {
      char target[64] = {};
      const std::string link = fd_dir + "/" + fd->d_name;
      const ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
      if (n > 0 && wanted == std::string(target, static_cast<size_t>(n))) {
        found = static_cast<int>(std::strtol(name.c_str(), nullptr, 10));
        break;
      }
    }
    closedir(fds);
    if (found) {
      break;
    }
  }
  closedir(proc);
  return found;
}

}  // namespace

std::optional<long> peak_rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    long kib = 0;
    if (std::sscanf(line.c_str(), "VmHWM: %ld kB", &kib) == 1) {
      return kib;
    }
  }
  return std::nullopt;
}

std::optional<double> cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) {
    return std::nullopt;
  }
  // The command name (field 2) may contain spaces; fields after its ')' are fixed.
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream fields(stat.substr(paren + 1));
  std::string skip;
  for (int field = 3; field <= 13; ++field) {
    fields >> skip;
  }
  unsigned long long utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) {
    return std::nullopt;
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::optional<double> machine_busy_cpu_seconds() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  if (!(in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) ||
      cpu != "cpu") {
    return std::nullopt;
  }
  // irq and softirq are left out: loopback TCP runs much of its work in softirq context and
  // the kernel does not charge that to the server or client, so it would look like a third
  // party. Steal stays in: time the hypervisor gave to other guests is contention too.
  (void)irq;
  (void)softirq;
  const unsigned long long busy = user + nice + system + steal;
  return static_cast<double>(busy) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::optional<int> find_listening_pid(int port) {
  auto inode = listening_inode("/proc/net/tcp", port);
  if (!inode) {
    inode = listening_inode("/proc/net/tcp6", port);
  }
  if (!inode) {
    return std::nullopt;
  }
  return pid_owning_socket(*inode);
}

}  // namespace prefectcore::bench
