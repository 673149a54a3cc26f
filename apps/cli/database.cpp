#include <cstdio>
#include <memory>
#include <string>

#include <prefectcore/database.h>
#include <prefectcore/settings.h>

#include "commands.h"

namespace prefectcore::cli {
namespace {

int fail(const Status& status) {
  std::fprintf(stderr, "prefectcore: %s\n", status.to_string().c_str());
  return 1;
}

void print_status(const Database& db, const SchemaStatus& s) {
  std::printf("database: %s\n", db.describe().c_str());
  std::printf("schema version: %d (latest %d)\n", s.current_version, s.latest_version);
  std::printf("applied migrations: %zu\n", s.applied.size());
  for (const auto& m : s.applied) {
    std::printf("  %s\n", m.c_str());
  }
  std::printf("pending migrations: %zu\n", s.pending.size());
  for (const auto& m : s.pending) {
    std::printf("  %s\n", m.c_str());
  }
}

#ifdef PREFECTCORE_CLI_WITH_STORAGE
int run(const std::string& action) {
  auto settings = Settings::from_process_env();
  if (!settings) {
    std::fprintf(stderr, "prefectcore: %s\n", settings.error().message().c_str());
    return 2;
  }
  auto db = open_database(settings->effective_database_url(), settings->database);
  if (!db) {
    return fail(db.error());
  }
  Database& database = **db;
  if (action == "upgrade") {
    if (Status st = upgrade_schema(database); !st.ok()) {
      return fail(st);
    }
  } else if (action == "reset") {
    if (Status st = reset_schema(database); !st.ok()) {
      return fail(st);
    }
  }
  auto status = schema_status(database);
  if (!status) {
    return fail(status.error());
  }
  print_status(database, *status);
  return 0;
}
#else
int run(const std::string&) {
  std::fprintf(stderr, "prefectcore: this build has no storage backend\n");
  return 1;
}
#endif

}  // namespace

int run_database(const std::vector<std::string>& args) {
  if (args.empty()) {
    return usage_error("database needs one of upgrade, reset, status");
  }
  const std::string& action = args.front();
  if (action != "upgrade" && action != "reset" && action != "status") {
    return usage_error("unknown database command '" + action + "'");
  }
  bool yes = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--yes" && action == "reset") {
      yes = true;
    } else {
      return usage_error("unknown argument '" + args[i] + "' for database " + action);
    }
  }
  if (action == "reset" && !yes) {
    std::fprintf(stderr,
                 "prefectcore: database reset drops every table and all data; "
                 "run it again with --yes to confirm\n");
    return 2;
  }
  return run(action);
}

}  // namespace prefectcore::cli
