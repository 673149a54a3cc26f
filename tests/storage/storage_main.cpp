// The storage suite's main: one binary, run once per backend (PREFECTCORE_TEST_BACKEND).
// Suites tagged "pure" run once (in the sqlite-memory run), "sqlite-only" and
// "postgres-only" only on their backend. Without PREFECTCORE_TEST_POSTGRES_URL the postgres
// run reports every case as skipped and exits 77, which meson shows as SKIP.

#define DOCTEST_CONFIG_IMPLEMENT
#include <cstdio>

#include <doctest/doctest.h>

#include "tests/storage/backend.h"

using prefectcore::testing::TestBackend;

int main(int argc, char** argv) {
  doctest::Context context;
  const TestBackend backend = prefectcore::testing::current_backend();
  std::fprintf(stderr, "storage suite on backend %s\n",
               prefectcore::testing::backend_name(backend));
  if (backend == TestBackend::kPostgres && prefectcore::testing::postgres_url().empty()) {
    std::fprintf(stderr,
                 "SKIPPED: PostgreSQL storage tests: PREFECTCORE_TEST_POSTGRES_URL is not set "
                 "(eval \"$(scripts/pg-test.sh start)\" to run them)\n");
    context.addFilter("test-case-exclude", "*");
    context.applyCommandLine(argc, argv);
    context.run();
    return 77;
  }
  if (backend != TestBackend::kSqliteMemory) {
    context.addFilter("test-suite-exclude", "pure");
  }
  if (backend == TestBackend::kPostgres) {
    context.addFilter("test-suite-exclude", "sqlite-only");
  } else {
    context.addFilter("test-suite-exclude", "postgres-only");
  }
  context.applyCommandLine(argc, argv);
  return context.run();
}
