#include "tests/support/api_fixture.h"

#include <cstdlib>
#include <fstream>
#include <mutex>

#include <doctest/doctest.h>

#include "lib/core/json_writer.h"
#include "lib/core/time.h"
#include "tests/storage/backend.h"
#include "tests/support/test_server.h"

namespace prefectcore::testing {

namespace {
// Hands the server a database the fixture keeps owning (the test database drops its
// PostgreSQL schema when the fixture ends).
class BorrowedDatabase final : public Database {
 public:
  explicit BorrowedDatabase(Database& db) : db_(db) {}
  Result<std::unique_ptr<Transaction>> begin(TxMode mode) override { return db_.begin(mode); }
  const Dialect& dialect() const override { return db_.dialect(); }
  Status ping() override { return db_.ping(); }
  std::string describe() const override { return db_.describe(); }

 private:
  Database& db_;
};
}  // namespace

ApiFixture::ApiFixture(Settings settings)
    : clock(core::parse_time("2026-01-01T00:00:00Z").value()),
      database(std::make_unique<TestDatabase>()) {
  ServerOptions options;
  options.settings = std::move(settings);
  options.clock = &clock;
  options.database = std::make_unique<BorrowedDatabase>(database->db());
  options.run_migrations = false;  // TestDatabase migrated it
  auto created = Server::create(std::move(options));
  REQUIRE_MESSAGE(created.has_value(), created.status().to_string());
  server = std::move(created).value();
}

ApiFixture::~ApiFixture() = default;

Settings ApiFixture::test_settings() {
  Settings s = Settings::defaults();
  s.register_blocks_on_start = false;
  return s;
}

namespace {
void record_exchange(const HttpRequest& req, const HttpResponse& resp) {
  static std::mutex mu;
  const char* file = std::getenv("PREFECTCORE_EXCHANGES_FILE");
  if (file == nullptr || *file == '\0') {
    return;
  }
  std::string line;
  core::JsonWriter w(line);
  w.begin_object().key("method").string(req.method).key("path").string(req.path);
  w.key("status").integer(resp.status).key("response");
  auto doc = core::JsonDocument::parse(resp.body);
  if (resp.body.empty() || !doc) {
    w.null();
  } else {
    w.raw(core::to_json(doc->root()));
  }
  w.end_object();
  line.push_back('\n');
  std::lock_guard lock(mu);
  std::ofstream(file, std::ios::app) << line;
}
}  // namespace

HttpResponse ApiFixture::call(std::string method, std::string path, std::string body) {
  HttpRequest req = make_request(std::move(method), std::move(path), std::move(body));
  HttpResponse resp = server->handle(req);
  record_exchange(req, resp);
  return resp;
}

core::JsonDocument parse_json(const HttpResponse& response) {
  auto doc = core::JsonDocument::parse(response.body);
  REQUIRE_MESSAGE(doc.has_value(), "not JSON: " << response.body);
  return std::move(doc).value();
}

std::string json_string(const HttpResponse& response, std::string_view key) {
  auto doc = parse_json(response);
  std::string_view s;
  REQUIRE_MESSAGE(!doc.root()[key].get_string().get(s),
                  "no string '" << key << "' in " << response.body);
  return std::string(s);
}

core::JsonElement member(core::JsonElement e, std::string_view key) {
  core::JsonElement out;
  REQUIRE_MESSAGE(!e.at_key(key).get(out), "no member '" << key << "' in " << core::to_json(e));
  return out;
}

std::string str(core::JsonElement e, std::string_view key) {
  std::string_view s;
  REQUIRE_MESSAGE(!member(e, key).get_string().get(s), "'" << key << "' is not a string");
  return std::string(s);
}

std::int64_t int64(core::JsonElement e, std::string_view key) {
  std::int64_t v = 0;
  REQUIRE_MESSAGE(!member(e, key).get_int64().get(v), "'" << key << "' is not an integer");
  return v;
}

std::vector<core::JsonElement> items(core::JsonElement array) {
  core::JsonArray arr;
  REQUIRE_MESSAGE(!array.get_array().get(arr), "not an array: " << core::to_json(array));
  std::vector<core::JsonElement> out;
  for (core::JsonElement e : arr) {
    out.push_back(e);
  }
  return out;
}

}  // namespace prefectcore::testing
