#include <cctype>
#include <cstdio>
#include <exception>
#include <string>

#include <httplib.h>

#include "commands.h"

namespace prefectcore::cli {
namespace {

struct Target {
  std::string origin;  // "http://host:port"
  std::string path;    // "/api/health"
};

// Splits "http://host:port/api" into the origin httplib connects to and the health path.
bool parse_url(std::string url, Target& out, std::string& error) {
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos || url.substr(0, scheme_end) != "http") {
    error = url.rfind("https://", 0) == 0 ? "https URLs are not supported; use http://"
                                          : "expected a URL like http://127.0.0.1:4200/api";
    return false;
  }
  const auto path_start = url.find('/', scheme_end + 3);
  out.origin = url.substr(0, path_start);
  out.path = (path_start == std::string::npos ? "" : url.substr(path_start)) + "/health";
  if (out.origin.size() == scheme_end + 3) {
    error = "the URL has no host";
    return false;
  }
  return true;
}

int check(const Target& target, int timeout_seconds) {
  httplib::Client client(target.origin);
  client.set_connection_timeout(timeout_seconds, 0);
  client.set_read_timeout(timeout_seconds, 0);
  auto response = client.Get(target.path.c_str());
  if (!response) {
    std::fprintf(stderr, "prefectcore: %s%s is unreachable: %s\n", target.origin.c_str(),
                 target.path.c_str(), httplib::to_string(response.error()).c_str());
    return 1;
  }
  std::string body = response->body;
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) {
    body.pop_back();
  }
  if (response->status != 200 || body != "true") {
    std::fprintf(stderr, "prefectcore: %s%s answered %d: %s\n", target.origin.c_str(),
                 target.path.c_str(), response->status, body.substr(0, 200).c_str());
    return 1;
  }
  std::printf("healthy: %s%s\n", target.origin.c_str(), target.path.c_str());
  return 0;
}

}  // namespace

int run_health(const std::vector<std::string>& args) {
  int timeout = 10;
  std::string url;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--timeout" && i + 1 < args.size()) {
      try {
        timeout = std::stoi(args[++i]);
      } catch (const std::exception&) {
        return usage_error("--timeout takes a number of seconds");
      }
      if (timeout <= 0) {
        return usage_error("--timeout takes a positive number of seconds");
      }
    } else if (!args[i].empty() && args[i].front() == '-') {
      return usage_error("unknown option '" + args[i] + "' for health");
    } else if (url.empty()) {
      url = args[i];
    } else {
      return usage_error("health takes one URL");
    }
  }
  if (url.empty()) {
    return usage_error("health needs a URL");
  }
  Target target;
  std::string error;
  if (!parse_url(url, target, error)) {
    return usage_error(error);
  }
  try {
    return check(target, timeout);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "prefectcore: health check failed: %s\n", e.what());
    return 1;
  }
}

}  // namespace prefectcore::cli
