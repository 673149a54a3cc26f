#include <cstdio>
#include <string>

#include <prefectcore/server.h>

#include "commands.h"

#ifndef PREFECTCORE_VERSION
#error "PREFECTCORE_VERSION is defined by apps/cli/meson.build"
#endif

namespace prefectcore::cli {
namespace {

// The JSON string a storage-less in-process server answers for `path`: asking the library
// itself keeps the CLI on the public API and always in step with the server.
std::string ask(Server& server, const std::string& path) {
  HttpRequest request;
  request.method = "GET";
  request.path = path;
  HttpResponse response = server.handle(request);
  std::string body = response.body;
  if (response.status != 200 || body.size() < 2 || body.front() != '"') {
    return "unknown";
  }
  return body.substr(1, body.size() - 2);
}

}  // namespace

int run_version() {
  ServerOptions options;
  options.run_migrations = false;
  auto server = Server::create(std::move(options));
  if (!server) {
    std::fprintf(stderr, "prefectcore: %s\n", server.error().to_string().c_str());
    return 1;
  }
  std::printf("prefectcore %s\n", PREFECTCORE_VERSION);
  std::printf("API version: %s\n", ask(**server, "/api/version").c_str());
  std::printf("Compatible Prefect version: %s\n", ask(**server, "/api/admin/version").c_str());
  return 0;
}

}  // namespace prefectcore::cli
