#pragma once

// A server on a fresh test database (the backend chosen by PREFECTCORE_TEST_BACKEND:
// sqlite-memory (default), sqlite-file or postgres), driven through Server::handle with a
// ManualClock. Every answer can be recorded for validation against the upstream OpenAPI
// schemas (PREFECTCORE_EXCHANGES_FILE).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <prefectcore/server.h>

#include "lib/core/json.h"

namespace prefectcore::testing {

class TestDatabase;

class ApiFixture {
 public:
  explicit ApiFixture(Settings settings = test_settings());
  // Settings::defaults() without start-up block registration: 54 block types and 64
  // schemas cost every fresh database tens of milliseconds, and only the block suites
  // look at them (they pass settings that register).
  static Settings test_settings();
  ~ApiFixture();

  HttpResponse call(std::string method, std::string path, std::string body = {});
  HttpResponse get(std::string path) { return call("GET", std::move(path)); }
  HttpResponse post(std::string path, std::string body = {}) {
    return call("POST", std::move(path), std::move(body));
  }

  ManualClock clock;
  std::unique_ptr<TestDatabase> database;  // a fresh, migrated database on the test backend
  std::unique_ptr<Server> server;
};

// Parses a response body (REQUIREs that it parses).
core::JsonDocument parse_json(const HttpResponse& response);
// A string member of the top-level object.
std::string json_string(const HttpResponse& response, std::string_view key);

// Accessors for tests (simdjson is built without exceptions): a missing member or a wrong
// type fails the test.
std::string str(core::JsonElement e, std::string_view key);
std::int64_t int64(core::JsonElement e, std::string_view key);
core::JsonElement member(core::JsonElement e, std::string_view key);
std::vector<core::JsonElement> items(core::JsonElement array);

}  // namespace prefectcore::testing
