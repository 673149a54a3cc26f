// The block types the server registers by itself (upstream
// models/block_registration.py): protected system blocks, client-registry blocks and
// collection blocks, at start-up and through POST /block_types/install_system_block_types.

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "tests/storage/backend.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

// What upstream registers: _install_protected_system_blocks, the non-abstract Block
// classes of prefect.blocks / prefect.filesystems, and collection_blocks_data.json.
constexpr std::string_view kRegisteredSlugs[] = {
    // protected
    "webhook", "secret", "local-file-system",
    // prefect.filesystems and prefect.blocks.notifications
    "remote-file-system", "smb", "slack-webhook", "ms-teams-webhook", "pager-duty-webhook",
    "twilio-sms", "opsgenie-webhook", "mattermost-webhook", "discord-webhook", "custom-webhook",
    "sendgrid-email",
    // collections
    "aws-credentials", "aws-secret", "lambda-function", "minio-credentials", "s3-bucket",
    "azure-blob-storage-container", "azure-blob-storage-credentials",
    "azure-container-instance-credentials", "azure-cosmos-db-credentials", "azureml-credentials",
    "bitbucket-credentials", "bitbucket-repository", "databricks-credentials",
    "dbt-cli-bigquery-target-configs", "dbt-cli-global-configs", "dbt-cli-postgres-target-configs",
    "dbt-cli-profile", "dbt-cli-snowflake-target-configs", "dbt-cli-target-configs",
    "dbt-cloud-credentials", "dbt-core-operation", "docker-host", "docker-registry-credentials",
    "email-server-credentials", "bigquery-warehouse", "gcp-credentials", "gcpsecret", "gcs-bucket",
    "github-credentials", "github-repository", "gitlab-credentials", "gitlab-repository",
    "kubernetes-cluster-config", "kubernetes-credentials", "shell-operation", "slack-credentials",
    "snowflake-connector", "snowflake-credentials", "database-credentials", "sqlalchemy-connector"};

// One schema per type, plus the nested schemas upstream's _register_nested_block_schemas
// builds from a parent's definitions when the parent is registered before the type it
// references (e.g. dbt-cli-bigquery-target-configs before gcp-credentials): ten of them.
constexpr std::size_t kRegisteredSchemas = 64;

// Hands a second server the fixture's database, as a restart would.
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

// Replaces the fixture's server with a new one on the same database (start-up runs again).
void restart(ApiFixture& api, Settings settings = Settings::defaults()) {
  ServerOptions options;
  options.settings = std::move(settings);
  options.clock = &api.clock;
  options.database = std::make_unique<BorrowedDatabase>(api.database->db());
  options.run_migrations = false;
  auto created = Server::create(std::move(options));
  REQUIRE_MESSAGE(created.has_value(), created.status().to_string());
  api.server = std::move(created).value();
}

Settings no_system_blocks() {
  Settings s = Settings::defaults();
  s.register_blocks_on_start = false;
  return s;
}

std::vector<std::string> all_slugs(ApiFixture& api) {
  auto r = api.post("/api/block_types/filter", "{}");
  REQUIRE(r.status == 200);
  std::vector<std::string> slugs;
  auto list = parse_json(r);
  for (auto t : items(list.root())) {
    slugs.push_back(str(t, "slug"));
  }
  return slugs;
}

std::size_t schema_count(ApiFixture& api) {
  auto r = api.post("/api/block_schemas/filter", "{}");
  REQUIRE(r.status == 200);
  return items(parse_json(r).root()).size();
}

bool is_protected(ApiFixture& api, const std::string& slug) {
  auto r = api.get("/api/block_types/slug/" + slug);
  REQUIRE_MESSAGE(r.status == 200, slug);
  return core::to_json(member(parse_json(r).root(), "is_protected")) == "true";
}

// The schema of type `slug` registered with the type's own version (not a nested one).
core::JsonDocument versioned_schema(ApiFixture& api, const std::string& slug) {
  const std::string type_id = json_string(api.get("/api/block_types/slug/" + slug), "id");
  auto r = api.post(
      "/api/block_schemas/filter",
      fmt::format(R"({{"block_schemas":{{"block_type_id":{{"any_":["{}"]}}}}}})", type_id));
  REQUIRE(r.status == 200);
  auto list = parse_json(r);
  for (auto s : items(list.root())) {
    if (str(s, "version") != "non-versioned") {
      return parse_json(api.get("/api/block_schemas/" + str(s, "id")));
    }
  }
  FAIL("no versioned schema for " << slug);
  return list;
}

}  // namespace

TEST_CASE("start-up registers the 54 block types upstream registers; only three are protected") {
  ApiFixture api(Settings::defaults());  // registers the block types at start-up
  auto slugs = all_slugs(api);
  std::vector<std::string> expected(std::begin(kRegisteredSlugs), std::end(kRegisteredSlugs));
  std::sort(slugs.begin(), slugs.end());
  std::sort(expected.begin(), expected.end());
  CHECK(expected.size() == 54);
  CHECK(slugs == expected);
  CHECK(schema_count(api) == kRegisteredSchemas);
  for (const char* slug : {"webhook", "secret", "local-file-system"}) {
    CHECK_MESSAGE(is_protected(api, slug), slug);
  }
  for (const char* slug : {"slack-webhook", "smb", "s3-bucket", "dbt-core-operation"}) {
    CHECK_MESSAGE(!is_protected(api, slug), slug);
  }
  auto slack = parse_json(api.get("/api/block_types/slug/slack-webhook"));
  CHECK(str(slack.root(), "name") == "Slack Webhook");
  CHECK(str(slack.root(), "description").rfind("Enables sending notifications", 0) == 0);
  auto caps = api.get("/api/block_capabilities/");
  CHECK(caps.body.find("\"notify\"") != std::string::npos);

  // Core schemas carry the upstream class's version, collection schemas their package's.
  auto schema = versioned_schema(api, "slack-webhook");
  CHECK(str(schema.root(), "version") == "3.8.4");
  CHECK(core::to_json(member(member(schema.root(), "fields"), "secret_fields")) == R"(["url"])");
  CHECK(str(versioned_schema(api, "s3-bucket").root(), "version") == "0.4.14");
}

TEST_CASE("without register_blocks_on_start nothing is registered until the endpoint runs") {
  ApiFixture api(no_system_blocks());
  CHECK(all_slugs(api).empty());
  // upstream's endpoint installs the protected system blocks only.
  REQUIRE(api.post("/api/block_types/install_system_block_types").status == 200);
  auto slugs = all_slugs(api);
  std::sort(slugs.begin(), slugs.end());
  CHECK(slugs == std::vector<std::string>{"local-file-system", "secret", "webhook"});
  CHECK(schema_count(api) == 3);
}

TEST_CASE("core registry schemas have the checksums prefect 3.8.4 clients compute") {
  // Block._calculate_schema_checksum of each class's model_json_schema() (pydantic 2.13).
  // Secret is left out: its schema depends on how the client's pydantic renders JsonValue.
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"webhook", "sha256:58bb03f0d84592252ad568ed9a8c899792ae5d0ad2dd4a2428e99674f9050cf1"},
      {"local-file-system",
       "sha256:0fc8b7f936f38f465715ef2df4a817ac9fe38b80bb01d5c6c9649a6da6ae6971"},
      {"remote-file-system",
       "sha256:3bca63009aa57af6c7053fc17a2a336a1e1801bbb19ca2c5939b59afe435c531"},
      {"smb", "sha256:849cd014b777a64ee219f6b8b13c15b37c34ea4138d9224c4d45bf00ba2e4681"},
      {"slack-webhook", "sha256:415bae7e5906d98e387f8848ccdfd3f3b9cdf01624f08ca228709e1193ac005f"},
      {"ms-teams-webhook",
       "sha256:213ff858fcad8ecddb90a120636c5461fc8ad6fb2877188c9e79f07e6c390c7c"},
      {"pager-duty-webhook",
       "sha256:78ccfd9313655493e834f59f515865f3160bd395b6003d6e664fefd1a6f49c86"},
      {"twilio-sms", "sha256:2ab73fedd20ff1c25ffcc47f5b4a7a86c70c307321af1262f9d03defba5c8cc6"},
      {"opsgenie-webhook",
       "sha256:c9d307a75b69d82460134069d071804fefde0ec2c2b9aed67c90201fee041755"},
      {"mattermost-webhook",
       "sha256:34daad1160b59fb6d5c8fc59d09abb2cbf9c2283b7b9f6a76cbaad827002d14c"},
      {"discord-webhook",
       "sha256:b3ea94c0ce1573b22c0e7bf2457f5f52a210327e0f7be05c74970a246304b1e2"},
      {"custom-webhook", "sha256:69076241f2b9959ae97554957a22ec428886b46f6ed4732af160e117d487c0cf"},
      {"sendgrid-email", "sha256:b67583d3b7ce215cd84a58ba42bb8936294cc1417ff3fe54d0fb08447932c6f2"},
  };
  ApiFixture api(Settings::defaults());  // registers the block types at start-up
  for (const auto& entry : expected) {
    const std::string& slug = entry.first;
    const std::string& checksum = entry.second;
    auto schema = versioned_schema(api, slug);
    CHECK_MESSAGE(str(schema.root(), "checksum") == checksum, slug);
    // A client registering the same class finds the server's schema by that checksum.
    auto r = api.get("/api/block_schemas/checksum/" + checksum + "?version=3.8.4");
    CHECK_MESSAGE(r.status == 200, slug);
  }
}

TEST_CASE("installing and restarting again keeps ids and adds no schema") {
  ApiFixture api(Settings::defaults());  // registers the block types at start-up
  auto id_of = [&](const char* slug) {
    return json_string(api.get(std::string("/api/block_types/slug/") + slug), "id");
  };
  const std::string secret = id_of("secret");
  const std::string slack = id_of("slack-webhook");
  const std::string s3 = id_of("s3-bucket");
  CHECK(api.post("/api/block_types/install_system_block_types").body == "null");
  CHECK(api.post("/api/block_types/install_system_block_types").status == 200);
  restart(api);
  restart(api);
  CHECK(all_slugs(api).size() == 54);
  CHECK(schema_count(api) == kRegisteredSchemas);
  CHECK(id_of("secret") == secret);
  CHECK(id_of("slack-webhook") == slack);
  CHECK(id_of("s3-bucket") == s3);
}

TEST_CASE("collection schemas reference the schemas of the types they nest") {
  ApiFixture api(Settings::defaults());  // registers the block types at start-up
  auto s3 = versioned_schema(api, "s3-bucket");
  auto fields = member(s3.root(), "fields");
  auto refs = items(member(member(fields, "block_schema_references"), "credentials"));
  REQUIRE(refs.size() == 2);
  std::set<std::string> slugs;
  for (auto ref : refs) {
    const std::string slug = str(ref, "block_type_slug");
    slugs.insert(slug);
    // Both types are registered before s3-bucket, so the reference names their own schema.
    CHECK(str(ref, "block_schema_checksum") == str(versioned_schema(api, slug).root(), "checksum"));
  }
  CHECK(slugs == std::set<std::string>{"aws-credentials", "minio-credentials"});
  CHECK(str(member(member(fields, "definitions"), "AwsCredentials"), "block_type_slug") ==
        "aws-credentials");

  // Every reference of every registered schema resolves to a schema of the named type.
  for (std::string_view name : kRegisteredSlugs) {
    const std::string slug(name);
    auto schema = versioned_schema(api, slug);
    core::JsonObject references;
    REQUIRE(member(member(schema.root(), "fields"), "block_schema_references")
                .get_object()
                .get(references) == simdjson::SUCCESS);
    for (auto field : references) {
      std::vector<core::JsonElement> entries;
      if (field.value.is_array()) {
        entries = items(field.value);
      } else {
        entries.push_back(field.value);
      }
      for (auto entry : entries) {
        auto r = api.get("/api/block_schemas/checksum/" + str(entry, "block_schema_checksum"));
        REQUIRE_MESSAGE(r.status == 200, slug << " " << field.key);
        CHECK(str(member(parse_json(r).root(), "block_type"), "slug") ==
              str(entry, "block_type_slug"));
      }
    }
  }
}

TEST_CASE("a restart updates a changed registry type back; the endpoint leaves it alone") {
  ApiFixture api(Settings::defaults());  // registers the block types at start-up
  const std::string id = json_string(api.get("/api/block_types/slug/slack-webhook"), "id");
  REQUIRE(api.call("PATCH", "/api/block_types/" + id, R"({"description":"mine","logo_url":null})")
              .status == 204);
  CHECK(json_string(api.get("/api/block_types/" + id), "description") == "mine");
  // upstream's endpoint runs _install_protected_system_blocks only.
  REQUIRE(api.post("/api/block_types/install_system_block_types").status == 200);
  CHECK(json_string(api.get("/api/block_types/" + id), "description") == "mine");

  api.clock.advance(std::chrono::seconds(30));
  restart(api);
  auto doc = parse_json(api.get("/api/block_types/" + id));
  CHECK(str(doc.root(), "description").rfind("Enables sending notifications", 0) == 0);
  CHECK(str(doc.root(), "logo_url").find("cdn.sanity.io") != std::string::npos);
  CHECK(str(doc.root(), "updated") == "2026-01-01T00:00:30Z");
  CHECK(core::to_json(member(doc.root(), "is_protected")) == "false");
  CHECK(is_protected(api, "secret"));
}

TEST_CASE("a user type with a registry slug is updated in place, not replaced") {
  ApiFixture api(no_system_blocks());
  auto r = api.post("/api/block_types/", R"({"name":"My Slack","slug":"slack-webhook"})");
  REQUIRE(r.status == 201);
  const std::string id = json_string(r, "id");
  restart(api);
  auto doc = parse_json(api.get("/api/block_types/slug/slack-webhook"));
  CHECK(str(doc.root(), "id") == id);
  CHECK(str(doc.root(), "name") == "My Slack");  // update_block_type leaves the name
  CHECK(str(doc.root(), "code_example").find("SlackWebhook.load") != std::string::npos);
  CHECK(str(versioned_schema(api, "slack-webhook").root(), "version") == "3.8.4");
}

TEST_CASE("protected system types still refuse deletion; registry types can be deleted") {
  ApiFixture api(Settings::defaults());  // registers the block types at start-up
  const std::string secret = json_string(api.get("/api/block_types/slug/secret"), "id");
  auto r = api.call("DELETE", "/api/block_types/" + secret);
  CHECK(r.status == 403);
  CHECK(json_string(r, "detail") == "protected block types cannot be deleted.");
  const std::string smb = json_string(api.get("/api/block_types/slug/smb"), "id");
  CHECK(api.call("DELETE", "/api/block_types/" + smb).status == 204);
  restart(api);  // and come back on the next start
  CHECK(api.get("/api/block_types/slug/smb").status == 200);
}

TEST_CASE("block documents of registered types obfuscate their secret fields") {
  ApiFixture api(Settings::defaults());  // registers the block types at start-up
  auto make_doc = [&](const std::string& slug, std::string_view name, std::string_view data) {
    auto schema = versioned_schema(api, slug);
    auto r = api.post(
        "/api/block_documents/",
        fmt::format(R"({{"name":"{}","block_type_id":"{}","block_schema_id":"{}",)"
                    R"("data":{}}})",
                    name, str(schema.root(), "block_type_id"), str(schema.root(), "id"), data));
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return json_string(r, "id");
  };
  auto data_of = [&](const std::string& path) {
    auto r = api.get(path);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return core::to_json(member(parse_json(r).root(), "data"));
  };
  const std::string slack =
      make_doc("slack-webhook", "alerts", R"({"url":"https://hooks.slack.com/services/T/B/C"})");
  CHECK(data_of("/api/block_documents/" + slack) == R"({"url":"********"})");
  CHECK(data_of("/api/block_documents/" + slack + "?include_secrets=true") ==
        R"({"url":"https://hooks.slack.com/services/T/B/C"})");

  const std::string custom = make_doc("custom-webhook", "hook",
                                      R"({"name":"n","url":"https://example.com",)"
                                      R"("secrets":{"token":"abc"}})");
  CHECK(data_of("/api/block_documents/" + custom) ==
        R"({"name":"n","url":"https://example.com","secrets":{"token":"********"}})");
  const std::string aws = make_doc("aws-credentials", "aws",
                                   R"({"aws_access_key_id":"id","aws_secret_access_key":"s"})");
  CHECK(data_of("/api/block_documents/" + aws) ==
        R"({"aws_access_key_id":"id","aws_secret_access_key":"********"})");
}
