#pragma once

// The `prefectcore` subcommands. Each returns the process exit status: 0 success, 1 the
// operation failed, 2 a usage error. Messages go to stderr, results to stdout.

#include <string>
#include <vector>

namespace prefectcore::cli {

// Prints our version, the REST API version and the Prefect version we are compatible with.
int run_version();

// GET <url>/health; 0 when the server answers `true`.
int run_health(const std::vector<std::string>& args);

// database upgrade | reset --yes | status, on the database the environment configures.
int run_database(const std::vector<std::string>& args);

// Writes the usage text to stderr and returns 2.
int usage_error(const std::string& message);

}  // namespace prefectcore::cli
