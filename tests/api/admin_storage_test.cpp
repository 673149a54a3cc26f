// /api/admin/storage: the server default result storage block.

#include <cctype>

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "tests/storage/backend.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

// A block type, a schema with `capabilities` and one document of it (the block routes are
// not this suite's business).
std::string insert_block_document(ApiFixture& api, const std::string& suffix,
                                  const std::string& capabilities) {
  const std::string type_id = "00000000-0000-4000-8000-0000000b00" + suffix;
  const std::string schema_id = "00000000-0000-4000-8000-0000000c00" + suffix;
  const std::string doc_id = "00000000-0000-4000-8000-0000000d00" + suffix;
  auto tx = api.database->db().begin(TxMode::kWrite);
  REQUIRE(tx.has_value());
  const std::string ts = core::format_storage_time(api.clock.now());
  auto check = [](const Result<std::int64_t>& r) {
    REQUIRE_MESSAGE(r.has_value(), r.status().to_string());
  };
  check((*tx)->exec(
      "INSERT INTO block_type (id, created, updated, name, slug) VALUES (?, ?, ?, ?, ?)",
      {type_id, ts, ts, "Type " + suffix, "type-" + suffix}));
  check((*tx)->exec(
      "INSERT INTO block_schema (id, created, updated, checksum, capabilities, block_type_id) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {schema_id, ts, ts, "sha256:" + suffix, JsonText{capabilities}, type_id}));
  check((*tx)->exec(
      "INSERT INTO block_document (id, created, updated, name, block_type_id, block_schema_id) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {doc_id, ts, ts, "doc-" + suffix, type_id, schema_id}));
  REQUIRE((*tx)->commit().ok());
  return doc_id;
}

constexpr std::string_view kUnset = R"({"default_result_storage_block_id":null})";

}  // namespace

TEST_CASE("the default result storage is null until set, and DELETE clears it (204)") {
  ApiFixture api;
  auto initial = api.get("/api/admin/storage");
  CHECK(initial.status == 200);
  CHECK(initial.body == kUnset);
  CHECK(api.call("DELETE", "/api/admin/storage").status == 204);  // clearing nothing is fine

  const std::string id = insert_block_document(api, "01", R"(["read-path","write-path"])");
  const std::string body = R"({"default_result_storage_block_id":")" + id + "\"}";
  auto put = api.call("PUT", "/api/admin/storage", body);
  CHECK(put.status == 200);
  CHECK(put.body == body);
  CHECK(api.get("/api/admin/storage").body == body);

  const std::string other = insert_block_document(api, "02", R"(["write-path"])");
  // Upper-case input is the same UUID; it comes back normalised.
  std::string upper = other;
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  auto replaced = api.call("PUT", "/api/admin/storage",
                           R"({"default_result_storage_block_id":")" + upper + R"(","ignored":1})");
  CHECK(replaced.status == 200);
  CHECK(replaced.body.find(other) != std::string::npos);

  CHECK(api.call("DELETE", "/api/admin/storage").status == 204);
  CHECK(api.get("/api/admin/storage").body == kUnset);
}

TEST_CASE("setting the default result storage checks the block document as upstream does") {
  ApiFixture api;
  SUBCASE("an unknown block document is 404") {
    auto r =
        api.call("PUT", "/api/admin/storage",
                 R"({"default_result_storage_block_id":"00000000-0000-4000-8000-000000000009"})");
    CHECK(r.status == 404);
    CHECK(r.body ==
          R"({"detail":"Block document 00000000-0000-4000-8000-000000000009 not found."})");
  }
  SUBCASE("a block that cannot write paths is a route-level 422") {
    const std::string id = insert_block_document(api, "03", R"(["read-path"])");
    auto r = api.call("PUT", "/api/admin/storage",
                      R"({"default_result_storage_block_id":")" + id + "\"}");
    CHECK(r.status == 422);
    CHECK(r.body ==
          R"({"detail":"Block document )" + id + R"( cannot be used for result storage."})");
  }
  SUBCASE("bad bodies are validation 422s") {
    CHECK(api.call("PUT", "/api/admin/storage", "{}").status == 422);
    CHECK(api.call("PUT", "/api/admin/storage", R"({"default_result_storage_block_id":"x"})")
              .status == 422);
    CHECK(api.call("PUT", "/api/admin/storage", R"({"default_result_storage_block_id":null})")
              .status == 422);
    CHECK(api.call("PUT", "/api/admin/storage", "").status == 422);
  }
  CHECK(api.get("/api/admin/storage").body == kUnset);
}
