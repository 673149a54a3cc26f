// Block documents (upstream api/block_documents.py and the document lookups of
// api/block_types.py): secrets, references, anonymous documents, filters.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

struct Kind {
  std::string type_id;
  std::string schema_id;
};

Settings no_system_blocks() {
  Settings s = Settings::defaults();
  s.register_blocks_on_start = false;
  return s;
}

Kind make_kind(ApiFixture& api, std::string_view slug, std::string_view secret_fields,
               std::string_view capabilities = "[]") {
  auto r = api.post("/api/block_types/", fmt::format(R"({{"name":"{0}","slug":"{0}"}})", slug));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  Kind k{json_string(r, "id"), {}};
  r = api.post("/api/block_schemas/",
               fmt::format(R"({{"block_type_id":"{}","capabilities":{},"fields":{{"title":"{}",)"
                           R"("properties":{{}},"secret_fields":{}}}}})",
                           k.type_id, capabilities, slug, secret_fields));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  k.schema_id = json_string(r, "id");
  return k;
}

std::string create_doc(ApiFixture& api, const Kind& k, std::string_view name,
                       std::string_view data) {
  auto r = api.post("/api/block_documents/",
                    fmt::format(R"({{"name":"{}","block_type_id":"{}","block_schema_id":"{}",)"
                                R"("data":{}}})",
                                name, k.type_id, k.schema_id, data));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return json_string(r, "id");
}

std::string data_of(const HttpResponse& r) {
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return core::to_json(member(parse_json(r).root(), "data"));
}

}  // namespace

TEST_CASE("secret fields are obfuscated unless include_secrets, wildcards and nesting too") {
  ApiFixture api(no_system_blocks());
  Kind k = make_kind(api, "creds", R"(["token","nested.password","headers.*","missing"])");
  const std::string id =
      create_doc(api, k, "my-creds",
                 R"({"token":"abc","user":"u","nested":{"password":"p","keep":1},)"
                 R"("headers":{"a":"1","b":{"c":"2"}},"missing":null})");
  CHECK(data_of(api.get("/api/block_documents/" + id)) ==
        R"({"token":"********","user":"u","nested":{"password":"********","keep":1},)"
        R"("headers":{"a":"********","b":{"c":"********"}},"missing":null})");
  CHECK(data_of(api.get("/api/block_documents/" + id + "?include_secrets=true")) ==
        R"({"token":"abc","user":"u","nested":{"password":"p","keep":1},)"
        R"("headers":{"a":"1","b":{"c":"2"}},"missing":null})");
  CHECK(api.get("/api/block_documents/" + id + "?include_secrets=maybe").status == 422);
  auto by_name = api.get("/api/block_types/slug/creds/block_documents/name/my-creds");
  CHECK(data_of(by_name).find("\"token\":\"********\"") != std::string::npos);
  auto listed = api.post("/api/block_documents/filter", R"({"include_secrets":true})");
  REQUIRE(listed.status == 200);
  CHECK(listed.body.find("\"token\":\"abc\"") != std::string::npos);

  // Posting back the obfuscated placeholder keeps the stored secret (upstream update rule).
  auto r = api.call("PATCH", "/api/block_documents/" + id,
                    R"({"data":{"token":"********","user":"v","headers":{"a":"********"}}})");
  CHECK(r.status == 204);
  CHECK(data_of(api.get("/api/block_documents/" + id + "?include_secrets=true")) ==
        R"({"token":"abc","user":"v","nested":{"password":"p","keep":1},)"
        R"("headers":{"a":"1"},"missing":null})");
  // merge_existing_data=false replaces the data.
  r = api.call("PATCH", "/api/block_documents/" + id,
               R"({"data":{"token":"new"},"merge_existing_data":false})");
  CHECK(r.status == 204);
  CHECK(data_of(api.get("/api/block_documents/" + id + "?include_secrets=1")) ==
        R"({"token":"new"})");
}

TEST_CASE("documents referencing other documents are hydrated, secrets obfuscated per schema") {
  ApiFixture api(no_system_blocks());
  Kind inner = make_kind(api, "inner", R"(["password"])");
  Kind outer = make_kind(api, "outer", "[]");
  const std::string child = create_doc(api, inner, "child", R"({"password":"s3","host":"h"})");
  const std::string parent = create_doc(
      api, outer, "parent",
      fmt::format(R"({{"name":"x","conn":{{"$ref":{{"block_document_id":"{}"}}}}}})", child));
  auto r = api.get("/api/block_documents/" + parent);
  CHECK(data_of(r) == R"({"name":"x","conn":{"password":"********","host":"h"}})");
  auto doc = parse_json(r);
  auto ref =
      member(member(member(doc.root(), "block_document_references"), "conn"), "block_document");
  CHECK(str(ref, "id") == child);
  CHECK(str(ref, "name") == "child");
  CHECK(str(member(ref, "block_type"), "slug") == "inner");
  CHECK(str(member(doc.root(), "block_schema"), "id") == outer.schema_id);
  CHECK(data_of(api.get("/api/block_documents/" + parent + "?include_secrets=true")) ==
        R"({"name":"x","conn":{"password":"s3","host":"h"}})");

  // A reference back to the parent would be a cycle: 400, as upstream.
  r = api.call(
      "PATCH", "/api/block_documents/" + child,
      fmt::format(R"({{"data":{{"up":{{"$ref":{{"block_document_id":"{}"}}}}}}}})", parent));
  CHECK(r.status == 400);
  // A reference without a block_document_id is a 400 too.
  r = api.post("/api/block_documents/",
               fmt::format(R"({{"name":"bad","block_type_id":"{}","block_schema_id":"{}",)"
                           R"("data":{{"x":{{"$ref":{{}}}}}}}})",
                           outer.type_id, outer.schema_id));
  CHECK(r.status == 400);
  CHECK(json_string(r, "detail") ==
        "Received block reference without a block_document_id in key x");

  // Dropping the reference on update removes it.
  r = api.call("PATCH", "/api/block_documents/" + parent,
               R"({"data":{"name":"y"},"merge_existing_data":false})");
  CHECK(r.status == 204);
  CHECK(data_of(api.get("/api/block_documents/" + parent)) == R"({"name":"y"})");
  // Deleting a referenced document cascades to the reference.
  CHECK(api.call("DELETE", "/api/block_documents/" + child).status == 204);
}

TEST_CASE("duplicate names are 409, anonymous documents get generated names and stay hidden") {
  ApiFixture api(no_system_blocks());
  Kind k = make_kind(api, "thing", "[]", R"(["write-path"])");
  create_doc(api, k, "one", "{}");
  auto r = api.post("/api/block_documents/",
                    fmt::format(R"({{"name":"one","block_type_id":"{}","block_schema_id":"{}"}})",
                                k.type_id, k.schema_id));
  CHECK(r.status == 409);
  CHECK(json_string(r, "detail") == "Block already exists");

  r = api.post("/api/block_documents/",
               fmt::format(R"({{"block_type_id":"{}","block_schema_id":"{}","is_anonymous":true}})",
                           k.type_id, k.schema_id));
  REQUIRE(r.status == 201);
  const std::string anon_name = json_string(r, "name");
  CHECK(anon_name.rfind("anonymous-", 0) == 0);
  CHECK(anon_name.size() == 10 + 36);
  const std::string anon_id = json_string(r, "id");

  r = api.post(
      "/api/block_documents/",
      fmt::format(R"({{"block_type_id":"{}","block_schema_id":"{}"}})", k.type_id, k.schema_id));
  CHECK(r.status == 422);
  CHECK(r.body.find("Names must be provided for block documents.") != std::string::npos);
  r = api.post("/api/block_documents/",
               fmt::format(R"({{"name":"Bad_Name","block_type_id":"{}","block_schema_id":"{}"}})",
                           k.type_id, k.schema_id));
  CHECK(r.status == 422);

  CHECK(api.post("/api/block_documents/count").body == "1");
  CHECK(api.post("/api/block_documents/count", R"({"block_documents":{}})").body == "1");
  CHECK(
      api.post("/api/block_documents/count", R"({"block_documents":{"is_anonymous":null}})").body ==
      "2");
  CHECK(
      api.post("/api/block_documents/count", R"({"block_documents":{"is_anonymous":{"eq_":true}}})")
          .body == "1");
  CHECK(api.get("/api/block_documents/" + anon_id).status == 200);  // reads ignore the default
  auto for_type = parse_json(api.get("/api/block_types/slug/thing/block_documents"));
  CHECK(items(for_type.root()).size() == 1);
  CHECK(api.get("/api/block_types/slug/nothing/block_documents").status == 404);
}

TEST_CASE("block document filters, sorts, 404 shapes and the default result storage") {
  ApiFixture api(no_system_blocks());
  Kind a = make_kind(api, "kind-a", "[]", R"(["write-path"])");
  Kind b = make_kind(api, "kind-b", "[]", R"(["read-path"])");
  const std::string d1 = create_doc(api, a, "apple", "{}");
  create_doc(api, a, "banana", "{}");
  create_doc(api, b, "cherry", "{}");

  auto names = [&](const std::string& body) {
    auto r = api.post("/api/block_documents/filter", body);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    std::string out;
    auto doc = parse_json(r);
    for (auto item : items(doc.root())) {
      out += str(item, "name") + ",";
    }
    return out;
  };
  CHECK(names("{}") == "apple,banana,cherry,");
  CHECK(names(R"({"sort":"NAME_DESC"})") == "cherry,banana,apple,");
  CHECK(names(R"({"block_types":{"slug":{"any_":["kind-b"]}}})") == "cherry,");
  CHECK(names(R"({"block_schemas":{"block_capabilities":{"all_":["write-path"]}}})") ==
        "apple,banana,");
  CHECK(names(R"({"block_documents":{"name":{"like_":"an"}}})") == "banana,");
  // Upstream quirk: the is_anonymous default joins the or_ too, so everything matches
  // until it is lifted with an explicit null.
  CHECK(names(R"({"block_documents":{"operator":"or_","name":{"any_":["apple"]},)"
              R"("block_type_id":{"any_":[")" +
              b.type_id + R"("]}}})") == "apple,banana,cherry,");
  CHECK(names(R"({"block_documents":{"operator":"or_","is_anonymous":null,)"
              R"("name":{"any_":["apple"]},"block_type_id":{"any_":[")" +
              b.type_id + R"("]}}})") == "apple,cherry,");
  CHECK(names(R"({"limit":1,"offset":1})") == "banana,");
  CHECK(api.post("/api/block_documents/filter", R"({"sort":"NOPE"})").status == 422);
  CHECK(api.post("/api/block_documents/filter", R"({"limit":500})").status == 422);

  const std::string missing = "00000000-0000-4000-8000-000000000000";
  auto r = api.get("/api/block_documents/" + missing);
  CHECK(r.status == 404);
  CHECK(json_string(r, "detail") == "Block document not found");
  CHECK(api.call("DELETE", "/api/block_documents/" + missing).status == 404);
  CHECK(api.call("PATCH", "/api/block_documents/" + missing, "{}").status == 404);
  CHECK(api.get("/api/block_types/slug/kind-a/block_documents/name/nope").status == 404);
  CHECK(api.call("PATCH", "/api/block_documents/" + d1, R"({"bogus":1})").status == 422);
  // Migrating to a schema of another type is refused.
  r = api.call("PATCH", "/api/block_documents/" + d1,
               R"({"data":{},"block_schema_id":")" + b.schema_id + "\"}");
  CHECK(r.status == 400);

  // /admin/storage accepts a document whose schema can write paths; deleting it clears it.
  r = api.call("PUT", "/api/admin/storage", R"({"default_result_storage_block_id":")" + d1 + "\"}");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(api.call("DELETE", "/api/block_documents/" + d1).status == 204);
  CHECK(api.get("/api/admin/storage").body == R"({"default_result_storage_block_id":null})");
}
