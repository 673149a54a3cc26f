#pragma once

// The backend the storage suite runs against, chosen by PREFECTCORE_TEST_BACKEND
// (sqlite-memory, sqlite-file, postgres), and a fresh database per test case on it.

#include <memory>
#include <string>

#include <prefectcore/database.h>

namespace prefectcore::testing {

enum class TestBackend { kSqliteMemory, kSqliteFile, kPostgres };

TestBackend current_backend();
const char* backend_name(TestBackend backend);
// PREFECTCORE_TEST_POSTGRES_URL, or "" when unset.
std::string postgres_url();

// A new directory under the system temp dir (mkdtemp), and its recursive removal.
std::string make_temp_dir();
void remove_tree(const std::string& path);

// A fresh, empty database on the backend under test: a new in-memory database, a file in a
// new temp directory, or a new PostgreSQL schema (dropped at destruction).
class TestDatabase {
 public:
  explicit TestDatabase(DatabaseSettings settings = {}, bool migrate = true);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  Database& db() { return *db_; }
  // The URL the database was opened with.
  const std::string& url() const { return url_; }
  // A second, independent handle (its own pool) on the same database, as another process
  // would have. Not possible for in-memory databases: returns null there.
  std::unique_ptr<Database> open_another(const DatabaseSettings& settings = {}) const;

 private:
  std::string url_;
  std::string dir_;
  std::string schema_;
  std::unique_ptr<Database> db_;
};

}  // namespace prefectcore::testing
