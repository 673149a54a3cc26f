// prefect-server: a drop-in for `prefect server start`.

#include <cstdio>
#include <cstring>

#include <prefectcore/server.h>

int main(int argc, char** argv) {
  auto settings = prefectcore::Settings::from_process_env();
  if (!settings) {
    std::fprintf(stderr, "prefect-server: %s\n", settings.error().message().c_str());
    return 2;
  }
  prefectcore::ServerOptions options;
  options.settings = *settings;
  auto server = prefectcore::Server::create(std::move(options));
  if (!server) {
    std::fprintf(stderr, "prefect-server: %s\n", server.error().to_string().c_str());
    return 1;
  }
  if (argc > 1 && std::strcmp(argv[1], "--list-routes") == 0) {
    for (const auto& r : (*server)->list_routes()) {
      std::printf("%s\n", r.c_str());
    }
    return 0;
  }
  return 0;
}
