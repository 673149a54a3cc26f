// Block types, block schemas and capabilities (upstream api/block_types.py,
// block_schemas.py, block_capabilities.py).

#include <chrono>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "lib/schemas/block_checksum.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

// Upstream's collection_blocks_data.json ships these schemas with their checksums.
constexpr const char* kGitHubCredentials =
    R"({"title":"GitHubCredentials","description":"Block used to manage GitHub authentication.",)"
    R"("type":"object","properties":{"token":{"title":"Token","description":"A GitHub personal )"
    R"(access token (PAT).","type":"string","writeOnly":true,"format":"password"}},)"
    R"("block_type_slug":"github-credentials","secret_fields":["token"],)"
    R"("block_schema_references":{}})";
constexpr const char* kGitHubChecksum =
    "sha256:74a34b668838ba661d9160ab127053dd44a22dd04e89562839645791e70d046a";

constexpr const char* kKubernetesCredentials =
    R"({"title":"KubernetesCredentials","description":"Credentials block for generating )"
    R"(configured Kubernetes API clients.","type":"object","properties":{"cluster_config":)"
    R"({"$ref":"#/definitions/KubernetesClusterConfig"}},"block_type_slug":)"
    R"("kubernetes-credentials","secret_fields":[],"block_schema_references":{"cluster_config":)"
    R"({"block_type_slug":"kubernetes-cluster-config","block_schema_checksum":)"
    R"("sha256:90d421e948bfbe4cdc98b124995f0edd0f84b0837549ad1390423bad8e31cf3b"}},)"
    R"("definitions":{"KubernetesClusterConfig":{"title":"KubernetesClusterConfig",)"
    R"("description":"Stores configuration for interaction with Kubernetes clusters.\n\nSee )"
    R"(`from_file` for creation.","type":"object","properties":{"config":{"title":"Config",)"
    R"("description":"The entire contents of a kubectl config file.","type":"object"},)"
    R"("context_name":{"title":"Context Name","description":"The name of the kubectl context )"
    R"(to use.","type":"string"}},"required":["config","context_name"],"block_type_slug":)"
    R"("kubernetes-cluster-config","secret_fields":[],"block_schema_references":{}}}})";
constexpr const char* kKubernetesCredentialsChecksum =
    "sha256:957fa8dca90bd1b5fb9c575ee09e80b454116c0b134287fbc2eff47a72564c3b";
constexpr const char* kClusterConfigChecksum =
    "sha256:90d421e948bfbe4cdc98b124995f0edd0f84b0837549ad1390423bad8e31cf3b";

Settings no_system_blocks() {
  Settings s = Settings::defaults();
  s.register_blocks_on_start = false;
  return s;
}

std::string create_type(ApiFixture& api, std::string_view slug, std::string_view name = {}) {
  auto r = api.post("/api/block_types/", fmt::format(R"({{"name":"{}","slug":"{}"}})",
                                                     name.empty() ? slug : name, slug));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return json_string(r, "id");
}

std::string schema_body(const std::string& type_id, std::string_view fields,
                        std::string_view extra = {}) {
  return fmt::format(R"({{"block_type_id":"{}","fields":{}{}}})", type_id, fields, extra);
}

schemas::JsonValue parse_value(std::string_view text) {
  auto v = schemas::JsonValue::parse(text);
  REQUIRE(v);
  return *v;
}

}  // namespace

TEST_CASE("block schema checksums match the ones upstream computed for its collection blocks") {
  CHECK(schemas::sha256_hex("") ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(schemas::sha256_hex(std::string(1000, 'a')) ==
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  CHECK(schemas::block_schema_checksum(parse_value(kGitHubCredentials)) == kGitHubChecksum);
  CHECK(schemas::block_schema_checksum(parse_value(kKubernetesCredentials)) ==
        kKubernetesCredentialsChecksum);
  // secret_fields do not count; non-ASCII text is hashed in Python's escaped form.
  auto a = parse_value(R"({"title":"Caf\u00e9 \ud83d\ude00","secret_fields":["x"]})");
  auto b = parse_value(R"({"title":"Caf\u00e9 \ud83d\ude00"})");
  CHECK(schemas::block_schema_checksum(a) == schemas::block_schema_checksum(b));
  CHECK(parse_value(R"({"b":"Caf\u00e9\ud83d\ude00","a":[1,{}]})").python_dumps() ==
        R"({"a": [1, {}], "b": "Caf\u00e9\ud83d\ude00"})");
}

TEST_CASE("creating block types: 201, slug conflicts are 409, reserved names 403, bad slugs 422") {
  ApiFixture api(no_system_blocks());
  auto r = api.post("/api/block_types/",
                    R"({"name":"My Block","slug":"my-block","description":"a <b> & c",)"
                    R"("code_example":"x > 1"})");
  REQUIRE(r.status == 201);
  auto doc = parse_json(r);
  CHECK(str(doc.root(), "slug") == "my-block");
  CHECK(str(doc.root(), "description") == "a &lt;b&gt; &amp; c");  // html.escape, as upstream
  CHECK(str(doc.root(), "code_example") == "x &gt; 1");
  CHECK(core::to_json(member(doc.root(), "is_protected")) == "false");
  CHECK(member(doc.root(), "logo_url").is_null());

  r = api.post("/api/block_types/", R"({"name":"Other","slug":"my-block"})");
  CHECK(r.status == 409);
  CHECK(json_string(r, "detail") == "Block type with name \"Other\" already exists");
  r = api.post("/api/block_types/", R"({"name":"prefectish","slug":"p"})");
  CHECK(r.status == 403);
  CHECK(json_string(r, "detail") == "Block type names beginning with 'Prefect' are reserved.");
  r = api.post("/api/block_types/", R"({"name":"x","slug":"Not_Valid"})");
  CHECK(r.status == 422);
  CHECK(r.body.find("Block type slug must only contain lowercase letters") != std::string::npos);
  r = api.post("/api/block_types/", R"({"name":"x/y","slug":"xy","bogus":1})");
  CHECK(r.status == 422);
  CHECK(r.body.find("extra_forbidden") != std::string::npos);
  CHECK(r.body.find("string_pattern_mismatch") != std::string::npos);
}

TEST_CASE("block types read by id and slug, update, filter and delete with upstream 404s") {
  ApiFixture api(no_system_blocks());
  const std::string id = create_type(api, "alpha");
  create_type(api, "beta", "Beta Thing");
  CHECK(api.get("/api/block_types/" + id).status == 200);
  CHECK(json_string(api.get("/api/block_types/slug/alpha"), "id") == id);
  auto missing = api.get("/api/block_types/slug/nope");
  CHECK(missing.status == 404);
  CHECK(json_string(missing, "detail") == "Block type not found");
  CHECK(api.get("/api/block_types/00000000-0000-4000-8000-000000000000").status == 404);

  api.clock.advance(std::chrono::seconds(5));
  auto r = api.call("PATCH", "/api/block_types/" + id, R"({"description":"new"})");
  CHECK(r.status == 204);
  auto doc = parse_json(api.get("/api/block_types/" + id));
  CHECK(str(doc.root(), "description") == "new");
  CHECK(str(doc.root(), "updated") == "2026-01-01T00:00:05Z");
  CHECK(api.call("PATCH", "/api/block_types/" + id, R"({"nope":1})").status == 422);
  CHECK(api.call("PATCH", "/api/block_types/00000000-0000-4000-8000-000000000000", "{}").status ==
        404);

  r = api.post("/api/block_types/filter", R"({"block_types":{"name":{"like_":"thing"}}})");
  REQUIRE(r.status == 200);
  auto list = parse_json(r);
  REQUIRE(items(list.root()).size() == 1);
  CHECK(str(items(list.root())[0], "slug") == "beta");
  r = api.post("/api/block_types/filter", R"({"block_types":{"slug":{"any_":["alpha","beta"]}}})");
  CHECK(items(parse_json(r).root()).size() == 2);
  CHECK(api.post("/api/block_types/filter", R"({"block_types":{"slug":{"bad":1}}})").status == 422);

  CHECK(api.call("DELETE", "/api/block_types/" + id).status == 204);
  CHECK(api.call("DELETE", "/api/block_types/" + id).status == 404);
}

TEST_CASE("system block types are installed idempotently, protected from deletion") {
  ApiFixture api(Settings::defaults());  // register_blocks_on_start defaults to true
  auto r = api.get("/api/block_types/slug/secret");
  REQUIRE(r.status == 200);
  auto doc = parse_json(r);
  CHECK(core::to_json(member(doc.root(), "is_protected")) == "true");
  const std::string secret_id = str(doc.root(), "id");
  CHECK(api.get("/api/block_types/slug/webhook").status == 200);
  CHECK(api.get("/api/block_types/slug/local-file-system").status == 200);

  auto count_schemas = [&] {
    return items(parse_json(api.post("/api/block_schemas/filter", "{}")).root()).size();
  };
  const auto before = count_schemas();
  CHECK(before >= 54);  // every registered type has one (blocks_system_test.cpp)
  r = api.post("/api/block_types/install_system_block_types");
  CHECK(r.status == 200);
  CHECK(r.body == "null");
  CHECK(api.post("/api/block_types/install_system_block_types").status == 200);
  CHECK(count_schemas() == before);
  CHECK(json_string(api.get("/api/block_types/slug/secret"), "id") == secret_id);

  r = api.call("DELETE", "/api/block_types/" + secret_id);
  CHECK(r.status == 403);
  CHECK(json_string(r, "detail") == "protected block types cannot be deleted.");
  auto schemas_of_secret = parse_json(api.post(
      "/api/block_schemas/filter",
      fmt::format(R"({{"block_schemas":{{"block_type_id":{{"any_":["{}"]}}}}}})", secret_id)));
  REQUIRE(items(schemas_of_secret.root()).size() == 1);
  const std::string schema_id = str(items(schemas_of_secret.root())[0], "id");
  r = api.call("DELETE", "/api/block_schemas/" + schema_id);
  CHECK(r.status == 403);
  CHECK(json_string(r, "detail") == "Block schemas for protected block types cannot be deleted.");

  r = api.get("/api/block_capabilities/");
  REQUIRE(r.status == 200);
  CHECK(r.body.find("\"write-path\"") != std::string::npos);
  CHECK(r.body.find("\"put-directory\"") != std::string::npos);
}

TEST_CASE("block schemas: checksum as upstream, 201 then 200, lookups by checksum and version") {
  ApiFixture api(no_system_blocks());
  const std::string type_id = create_type(api, "github-credentials");
  auto r = api.post("/api/block_schemas/",
                    schema_body(type_id, kGitHubCredentials, R"(,"capabilities":["cap-a"])"));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  auto doc = parse_json(r);
  CHECK(str(doc.root(), "checksum") == kGitHubChecksum);
  CHECK(str(doc.root(), "version") == "non-versioned");
  CHECK(str(member(doc.root(), "block_type"), "slug") == "github-credentials");
  const std::string id = str(doc.root(), "id");

  r = api.post("/api/block_schemas/", schema_body(type_id, kGitHubCredentials));
  CHECK(r.status == 200);
  CHECK(json_string(r, "id") == id);
  api.clock.advance(std::chrono::seconds(1));  // "newest" is by created time
  r = api.post("/api/block_schemas/",
               schema_body(type_id, kGitHubCredentials, R"(,"version":"2.0")"));
  CHECK(r.status == 201);
  const std::string v2 = json_string(r, "id");

  CHECK(json_string(api.get(std::string("/api/block_schemas/checksum/") + kGitHubChecksum +
                            "?version=non-versioned"),
                    "id") == id);
  CHECK(json_string(api.get(std::string("/api/block_schemas/checksum/") + kGitHubChecksum),
                    "id") == v2);  // the newest
  r = api.get("/api/block_schemas/checksum/sha256:nope");
  CHECK(r.status == 404);
  CHECK(json_string(r, "detail") == "Block schema not found");

  r = api.post("/api/block_schemas/filter",
               R"({"block_schemas":{"block_capabilities":{"all_":["cap-a"]}}})");
  REQUIRE(r.status == 200);
  CHECK(items(parse_json(r).root()).size() == 1);
  r = api.post("/api/block_schemas/filter", R"({"block_schemas":{"version":{"any_":["2.0"]}}})");
  CHECK(items(parse_json(r).root()).size() == 1);
  r = api.post("/api/block_types/filter",
               R"({"block_schemas":{"block_capabilities":{"all_":["cap-a"]}}})");
  CHECK(items(parse_json(r).root()).size() == 1);

  r = api.post("/api/block_schemas/",
               schema_body("00000000-0000-4000-8000-000000000000", kGitHubCredentials));
  CHECK(r.status == 404);
  CHECK(json_string(r, "detail") == "Block type 00000000-0000-4000-8000-000000000000 not found.");
  CHECK(api.post("/api/block_schemas/", R"({"fields":{}})").status == 422);
  CHECK(api.call("DELETE", "/api/block_schemas/" + v2).status == 204);
  CHECK(api.get("/api/block_schemas/" + v2).status == 404);
}

TEST_CASE("a schema with a nested block reference registers the child schema from definitions") {
  ApiFixture api(no_system_blocks());
  const std::string parent_type = create_type(api, "kubernetes-credentials");
  auto r = api.post("/api/block_schemas/", schema_body(parent_type, kKubernetesCredentials));
  CHECK(r.status == 409);  // the referenced block type does not exist yet
  CHECK(r.body.find("kubernetes-cluster-config") != std::string::npos);

  create_type(api, "kubernetes-cluster-config");
  r = api.post("/api/block_schemas/", schema_body(parent_type, kKubernetesCredentials));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  auto doc = parse_json(r);
  CHECK(str(doc.root(), "checksum") == kKubernetesCredentialsChecksum);
  auto fields = member(doc.root(), "fields");
  auto ref = member(member(fields, "block_schema_references"), "cluster_config");
  CHECK(str(ref, "block_schema_checksum") == kClusterConfigChecksum);
  CHECK(str(ref, "block_type_slug") == "kubernetes-cluster-config");
  auto defs = member(fields, "definitions");
  CHECK(str(member(defs, "KubernetesClusterConfig"), "title") == "KubernetesClusterConfig");

  // The child exists on its own, with upstream's checksum.
  r = api.get(std::string("/api/block_schemas/checksum/") + kClusterConfigChecksum);
  REQUIRE(r.status == 200);
  // Reading the parent back rebuilds the same references.
  r = api.get("/api/block_schemas/" + str(doc.root(), "id"));
  REQUIRE(r.status == 200);
  CHECK(r.body.find(kClusterConfigChecksum) != std::string::npos);
  CHECK(r.body.find("\"KubernetesClusterConfig\":{") != std::string::npos);
}
