#include "tests/storage/backend.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <doctest/doctest.h>

#include "lib/core/uuid.h"

namespace prefectcore::testing {

TestBackend current_backend() {
  const char* env = std::getenv("PREFECTCORE_TEST_BACKEND");
  const std::string name = env ? env : "sqlite-memory";
  if (name == "sqlite-file") {
    return TestBackend::kSqliteFile;
  }
  if (name == "postgres") {
    return TestBackend::kPostgres;
  }
  return TestBackend::kSqliteMemory;
}

const char* backend_name(TestBackend backend) {
  switch (backend) {
    case TestBackend::kSqliteMemory:
      return "sqlite-memory";
    case TestBackend::kSqliteFile:
      return "sqlite-file";
    case TestBackend::kPostgres:
      return "postgres";
  }
  return "?";
}

std::string postgres_url() {
  const char* env = std::getenv("PREFECTCORE_TEST_POSTGRES_URL");
  return env ? env : "";
}

std::string make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "prefectcore-storage-XXXXXX");
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  return buf.data();
}

void remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

namespace {

std::unique_ptr<Database> must_open(const std::string& url, const DatabaseSettings& settings) {
  auto db = open_database(url, settings);
  if (!db) {
    FAIL("cannot open " << url << ": " << db.error().to_string());
  }
  return std::move(db).value();
}

}  // namespace

TestDatabase::TestDatabase(DatabaseSettings settings, bool migrate) {
  switch (current_backend()) {
    case TestBackend::kSqliteMemory:
      url_ = "sqlite:///:memory:";
      break;
    case TestBackend::kSqliteFile:
      dir_ = make_temp_dir();
      url_ = "sqlite:///" + dir_ + "/test.db";
      break;
    case TestBackend::kPostgres: {
      const std::string base = postgres_url();
      REQUIRE_MESSAGE(!base.empty(), "PREFECTCORE_TEST_POSTGRES_URL is not set");
      std::string id = core::uuid4();
      std::erase(id, '-');
      schema_ = "pc_test_" + id.substr(0, 16);
      auto admin = must_open(base, {});
      auto tx = admin->begin(TxMode::kWrite);
      REQUIRE(tx.has_value());
      REQUIRE((*tx)->exec("CREATE SCHEMA " + schema_).has_value());
      REQUIRE((*tx)->commit().ok());
      url_ = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
             schema_;
      break;
    }
  }
  db_ = must_open(url_, settings);
  if (migrate) {
    const Status s = upgrade_schema(*db_);
    REQUIRE_MESSAGE(s.ok(), s.to_string());
  }
}

TestDatabase::~TestDatabase() {
  db_.reset();
  if (!dir_.empty()) {
    remove_tree(dir_);
  }
  if (!schema_.empty()) {
    if (auto admin = open_database(postgres_url(), {})) {
      if (auto tx = (*admin)->begin(TxMode::kWrite)) {
        (void)(*tx)->exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
        (void)(*tx)->commit();
      }
    }
  }
}

std::unique_ptr<Database> TestDatabase::open_another(const DatabaseSettings& settings) const {
  if (current_backend() == TestBackend::kSqliteMemory) {
    return nullptr;
  }
  return must_open(url_, settings);
}

}  // namespace prefectcore::testing
