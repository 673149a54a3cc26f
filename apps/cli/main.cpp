// prefectcore: administration commands for a prefectcore server and its database.

#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"

namespace prefectcore::cli {

namespace {

constexpr const char* kUsage =
    "usage: prefectcore <command> [options]\n"
    "\n"
    "commands:\n"
    "  version                   print prefectcore, API and compatible Prefect versions\n"
    "  health [--timeout S] URL  check a server: GET URL/health (URL like\n"
    "                            http://127.0.0.1:4200/api); exit 0 when healthy\n"
    "  database upgrade          apply pending schema migrations\n"
    "  database reset --yes      drop every table and re-create the schema (data is lost)\n"
    "  database status           show applied and pending migrations\n"
    "\n"
    "The database is the one prefect-server uses: PREFECT_SERVER_DATABASE_CONNECTION_URL\n"
    "(or the PREFECT_SERVER_DATABASE_* parts), else SQLite under $PREFECT_HOME.\n";

}  // namespace

int usage_error(const std::string& message) {
  std::fprintf(stderr, "prefectcore: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

}  // namespace prefectcore::cli

int main(int argc, char** argv) {
  using namespace prefectcore::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    return usage_error("missing command");
  }
  const std::string command = args.front();
  args.erase(args.begin());
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "version" || command == "--version") {
    return args.empty() ? run_version() : usage_error("version takes no arguments");
  }
  if (command == "health") {
    return run_health(args);
  }
  if (command == "database") {
    return run_database(args);
  }
  return usage_error("unknown command '" + command + "'");
}
