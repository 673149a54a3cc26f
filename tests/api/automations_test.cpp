#include <set>

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

constexpr std::string_view kDeployment = "11111111-2222-4333-8444-555555555555";
constexpr std::string_view kClientTriggerId = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

std::string event_trigger(std::string_view extra = {}) {
  return std::string(R"({"type":"event","id":")") + std::string(kClientTriggerId) +
         R"(","expect":["prefect.flow-run.Failed"],"posture":"Reactive")" + std::string(extra) +
         "}";
}

std::string automation(std::string_view name, std::string_view extra = {},
                       std::string_view trigger = {}) {
  return std::string(R"({"name":")") + std::string(name) + R"(","trigger":)" +
         (trigger.empty() ? event_trigger() : std::string(trigger)) +
         R"(,"actions":[{"type":"do-nothing"}])" + std::string(extra) + "}";
}

std::string create(ApiFixture& api, const std::string& body) {
  auto r = api.post("/api/automations/", body);
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return json_string(r, "id");
}

std::vector<std::string> names(const HttpResponse& r) {
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  std::vector<std::string> out;
  for (auto item : items(doc.root())) {
    out.push_back(str(item, "name"));
  }
  return out;
}

std::vector<std::string> filter(ApiFixture& api, const std::string& body) {
  return names(api.post("/api/automations/filter", body));
}

bool has(const HttpResponse& r, std::string_view text) {
  return r.body.find(text) != std::string::npos;
}

void check_422(ApiFixture& api, const std::string& body, std::string_view expected) {
  auto r = api.post("/api/automations/", body);
  CHECK_MESSAGE(r.status == 422, r.body);
  CHECK_MESSAGE(has(r, expected), r.body);
  CHECK(has(r, R"("exception_message":"Invalid request received.")"));
}

}  // namespace

TEST_CASE("creating an automation answers 201 with defaults filled and server-assigned ids") {
  ApiFixture api;
  auto r = api.post("/api/automations/", automation("a1", R"(,"tags":["x"])"));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  auto doc = parse_json(r);
  auto root = doc.root();
  CHECK(str(root, "name") == "a1");
  CHECK(str(root, "description").empty());
  CHECK(member(root, "enabled").is_bool());
  CHECK(str(root, "created") == "2026-01-01T00:00:00Z");
  auto trigger = member(root, "trigger");
  CHECK(str(trigger, "type") == "event");
  CHECK(str(trigger, "id") != kClientTriggerId);
  CHECK(int64(trigger, "threshold") == 1);
  CHECK(core::to_json(member(trigger, "within")) == "0.0");
  CHECK(core::to_json(member(trigger, "match")) == "{}");
  CHECK(core::to_json(member(trigger, "after")) == "[]");
  CHECK(core::to_json(member(root, "actions")) == R"([{"type":"do-nothing"}])");
  CHECK(core::to_json(member(root, "actions_on_resolve")) == "[]");

  auto read = api.get("/api/automations/" + str(root, "id"));
  REQUIRE(read.status == 200);
  CHECK(read.body == r.body);
}

TEST_CASE("composite triggers get fresh ids at every level and validate `require`") {
  ApiFixture api;
  const std::string compound = R"({"type":"compound","require":"all","within":60,"triggers":[)" +
                               event_trigger() + "," + event_trigger() +
                               R"(,{"type":"sequence","within":null,"triggers":[)" +
                               event_trigger() + "]}]}";
  auto r = api.post("/api/automations/", automation("c", "", compound));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  auto doc = parse_json(r);
  auto trigger = member(doc.root(), "trigger");
  CHECK(str(trigger, "require") == "all");
  CHECK(core::to_json(member(trigger, "within")) == "60.0");
  std::set<std::string> ids = {str(trigger, "id")};
  auto children = items(member(trigger, "triggers"));
  REQUIRE(children.size() == 3);
  for (auto c : children) {
    ids.insert(str(c, "id"));
  }
  auto sequence = children[2];
  CHECK(str(sequence, "type") == "sequence");
  CHECK(member(sequence, "within").is_null());
  ids.insert(str(items(member(sequence, "triggers"))[0], "id"));
  CHECK(ids.size() == 5);
  CHECK(ids.count(std::string(kClientTriggerId)) == 0);

  SUBCASE("require must lie between 1 and the number of triggers") {
    const std::string two = R"(,"within":null,"triggers":[)" + event_trigger() + "]}";
    check_422(api, automation("c", "", R"({"type":"compound","require":0)" + two),
              "require must be at least 1");
    check_422(api, automation("c", "", R"({"type":"compound","require":2)" + two),
              "require must be less than or equal to the number of triggers");
    check_422(api, automation("c", "", R"({"type":"compound","require":"most")" + two),
              R"("literal_error")");
  }
}

TEST_CASE("event trigger postures and windows are validated as upstream") {
  ApiFixture api;
  SUBCASE("a Proactive trigger's zero window becomes 10 seconds") {
    auto r = api.post("/api/automations/",
                      automation("p", "", R"({"type":"event","posture":"Proactive"})"));
    REQUIRE_MESSAGE(r.status == 201, r.body);
    auto doc = parse_json(r);
    CHECK(core::to_json(member(member(doc.root(), "trigger"), "within")) == "10.0");
  }
  SUBCASE("a shorter Proactive window, a null window and a Metric posture are refused") {
    check_422(api, automation("p", "", R"({"posture":"Proactive","within":5})"),
              "must be greater than or equal to 10 seconds");
    check_422(api, automation("p", "", R"({"posture":"Reactive","within":null})"),
              "`within` should be a valid timedelta");
    check_422(api, automation("p", "", R"({"posture":"Metric"})"),
              "Input should be 'Reactive' or 'Proactive'");
    check_422(api, automation("p", "", R"({"type":"metric","posture":"Metric"})"),
              R"("literal_error")");
    check_422(api, automation("p", "", R"({"type":"event"})"), R"("posture"],"msg":"Field req)");
  }
  SUBCASE("ISO durations and match specifications are accepted") {
    auto r = api.post(
        "/api/automations/",
        automation("p", "",
                   R"({"posture":"Reactive","within":"PT1M","match":{"prefect.resource.id":)"
                   R"(["prefect.flow-run.*"]},"match_related":[{"a":"b"}],"for_each":["x","x"]})"));
    REQUIRE_MESSAGE(r.status == 201, r.body);
    auto doc = parse_json(r);
    auto trigger = member(doc.root(), "trigger");
    CHECK(core::to_json(member(trigger, "within")) == "60.0");
    CHECK(core::to_json(member(trigger, "for_each")) == R"(["x"])");
    CHECK(core::to_json(member(trigger, "match_related")) == R"([{"a":"b"}])");
  }
}

TEST_CASE("automation bodies and actions are validated as upstream's models") {
  ApiFixture api;
  check_422(api, R"({"trigger":{"posture":"Reactive"},"actions":[]})", R"(["body","name"])");
  check_422(api, automation("x", R"(,"bogus":1)"), R"("extra_forbidden")");
  check_422(api, automation("x", R"(,"actions_on_trigger":[{"type":"launch-rockets"}])"),
            R"("literal_error")");
  check_422(
      api, R"({"name":"x","trigger":{"posture":"Reactive"},"actions":[{"type":"run-deployment"}]})",
      "deployment_id is required");
  check_422(api,
            R"({"name":"x","trigger":{"posture":"Reactive"},"actions":[{"type":"pause-work-pool",)"
            R"("source":"inferred","work_pool_id":"11111111-2222-4333-8444-555555555555"}]})",
            "work_pool_id is not allowed");
  check_422(api,
            R"({"name":"x","trigger":{"posture":"Reactive"},"actions":[{"type":)"
            R"("change-flow-run-state"}]})",
            R"("state"],"msg":"Field required")");
  check_422(api,
            R"({"name":"x","trigger":{"posture":"Reactive"},"actions":[{"type":)"
            R"("send-notification","block_document_id":"nope","body":"b"}]})",
            R"("uuid_parsing")");
  CHECK(api.post("/api/automations/", "").status == 422);
  CHECK(api.post("/api/automations/", "[1,2]").status == 422);

  SUBCASE("every action type round-trips with its defaults") {
    auto r = api.post(
        "/api/automations/",
        R"({"name":"all","trigger":{"posture":"Reactive"},"actions":[)"
        R"({"type":"cancel-flow-run"},{"type":"suspend-flow-run"},{"type":"resume-flow-run"},)"
        R"({"type":"delete-flow-run"},{"type":"change-flow-run-state","state":"FAILED"},)"
        R"({"type":"pause-deployment","source":"inferred"},{"type":"resume-work-queue",)"
        R"("source":"inferred"},{"type":"pause-automation","source":"inferred"},)"
        R"({"type":"call-webhook","block_document_id":"11111111-2222-4333-8444-555555555555"},)"
        R"({"type":"send-notification","block_document_id":)"
        R"("11111111-2222-4333-8444-555555555555","body":"hi"},)"
        R"({"type":"run-deployment","deployment_id":"11111111-2222-4333-8444-555555555555",)"
        R"("parameters":{"x":1},"schedule_after":30}]})");
    REQUIRE_MESSAGE(r.status == 201, r.body);
    CHECK(has(r, R"({"type":"change-flow-run-state","name":null,"state":"FAILED","message":null,)"
                 R"("force":false})"));
    CHECK(has(r, R"("subject":"Prefect automated notification")"));
    CHECK(has(r, R"("payload":"")"));
    CHECK(has(r, R"("parameters":{"x":1},"job_variables":null,"schedule_after":30.0})"));
  }
}

TEST_CASE("PUT replaces an automation, resets trigger ids and keeps unsent optional fields") {
  ApiFixture api;
  const std::string id = create(api, automation("before", R"(,"description":"d","tags":["t"])"));
  auto first = parse_json(api.get("/api/automations/" + id));
  const std::string first_trigger_id = str(member(first.root(), "trigger"), "id");
  api.clock.advance(std::chrono::seconds(5));

  auto r = api.call("PUT", "/api/automations/" + id, automation("after", R"(,"enabled":false)"));
  CHECK_MESSAGE(r.status == 204, r.body);
  CHECK(r.body.empty());
  auto doc = parse_json(api.get("/api/automations/" + id));
  CHECK(str(doc.root(), "name") == "after");
  CHECK(str(doc.root(), "description") == "d");
  CHECK(core::to_json(member(doc.root(), "tags")) == R"(["t"])");
  CHECK(core::to_json(member(doc.root(), "enabled")) == "false");
  CHECK(str(doc.root(), "updated") == "2026-01-01T00:00:05Z");
  CHECK(str(member(doc.root(), "trigger"), "id") != first_trigger_id);

  auto missing = api.call("PUT", "/api/automations/" + std::string(kDeployment), automation("x"));
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"exception_message":"Automation not found"})");
  CHECK(api.call("PUT", "/api/automations/" + id, automation("x", R"(,"owner_resource":"r")"))
            .status == 422);
}

TEST_CASE("PATCH sets only `enabled` and refuses other keys") {
  ApiFixture api;
  const std::string id = create(api, automation("p"));
  CHECK(api.call("PATCH", "/api/automations/" + id, R"({"enabled":false})").status == 204);
  auto disabled = parse_json(api.get("/api/automations/" + id));
  CHECK(core::to_json(member(disabled.root(), "enabled")) == "false");
  CHECK(api.call("PATCH", "/api/automations/" + id, R"({})").status == 204);
  auto enabled = parse_json(api.get("/api/automations/" + id));
  CHECK(core::to_json(member(enabled.root(), "enabled")) == "true");
  auto extra = api.call("PATCH", "/api/automations/" + id, R"({"name":"n"})");
  CHECK(extra.status == 422);
  CHECK(has(extra, "extra_forbidden"));
  auto missing =
      api.call("PATCH", "/api/automations/" + std::string(kDeployment), R"({"enabled":true})");
  CHECK(missing.status == 404);
  CHECK(missing.body == R"({"exception_message":"Automation not found"})");
}

TEST_CASE("an automation that would run deployments in a loop cannot be enabled") {
  ApiFixture api;
  const std::string looping =
      R"({"name":"loop","trigger":{"posture":"Reactive","expect":["prefect.flow-run.Running"]},)"
      R"("actions":[{"type":"run-deployment","source":"inferred"}])";
  check_422(api, looping + "}", "infinite loop of flow runs");
  const std::string id = create(api, looping + R"(,"enabled":false})");
  auto r = api.call("PATCH", "/api/automations/" + id, R"({"enabled":true})");
  CHECK(r.status == 422);
  CHECK(has(r, "infinite loop"));
}

TEST_CASE("deleting an automation answers 204, then 404 with upstream's body") {
  ApiFixture api;
  const std::string id = create(api, automation("gone", R"(,"owner_resource":"prefect.x.1")"));
  CHECK(api.call("DELETE", "/api/automations/" + id).status == 204);
  auto r = api.get("/api/automations/" + id);
  CHECK(r.status == 404);
  CHECK(r.body == R"({"exception_message":"Automation not found"})");
  CHECK(api.call("DELETE", "/api/automations/" + id).status == 404);
  CHECK(names(api.get("/api/automations/related-to/prefect.x.1")).empty());
  CHECK(api.get("/api/automations/not-a-uuid").status == 404);
}

TEST_CASE("filtering sorts by name by default and applies name, tag and created filters") {
  ApiFixture api;
  create(api, automation("b", R"(,"tags":["red","blue"])"));
  api.clock.advance(std::chrono::seconds(1));
  create(api, automation("a", R"(,"tags":["red"])"));
  api.clock.advance(std::chrono::seconds(1));
  create(api, automation("c"));

  using V = std::vector<std::string>;
  CHECK(filter(api, "") == V{"a", "b", "c"});
  CHECK(filter(api, R"({"sort":"NAME_DESC"})") == V{"c", "b", "a"});
  CHECK(filter(api, R"({"sort":"CREATED_DESC"})") == V{"c", "a", "b"});
  CHECK(filter(api, R"({"limit":1,"offset":1})") == V{"b"});
  CHECK(filter(api, R"({"automations":{"name":{"any_":["c","b"]}}})") == V{"b", "c"});
  CHECK(filter(api, R"({"automations":{"tags":{"all_":["red","blue"]}}})") == V{"b"});
  CHECK(filter(api, R"({"automations":{"tags":{"any_":["red"]}}})") == V{"a", "b"});
  CHECK(filter(api, R"({"automations":{"tags":{"is_null_":true}}})") == V{"c"});
  CHECK(filter(api, R"({"automations":{"created":{"before_":"2026-01-01T00:00:01Z"}}})") ==
        V{"a", "b"});
  CHECK(filter(api, R"({"automations":{"operator":"or_","name":{"any_":["a"]},)"
                    R"("tags":{"is_null_":true}}})") == V{"a", "c"});
  CHECK(api.post("/api/automations/filter", R"({"sort":"ID_DESC"})").status == 422);
  CHECK(api.post("/api/automations/filter", R"({"automations":{"nope":1}})").status == 422);
  CHECK(api.post("/api/automations/filter", R"({"limit":201})").status == 422);

  auto count = api.post("/api/automations/count", R"({"automations":{"name":{"any_":["a"]}}})");
  CHECK(count.status == 200);
  CHECK(count.body == "3");  // upstream counts every automation
}

TEST_CASE("related resources come from selected RunDeployment actions and owner_resource") {
  ApiFixture api;
  const std::string owner_extra =
      std::string(R"(,"owner_resource":"prefect.deployment.)") + std::string(kDeployment) + R"(")";
  const std::string runs =
      std::string(R"({"name":"runs","trigger":{"posture":"Reactive"},"actions":[)") +
      R"({"type":"run-deployment","deployment_id":")" + std::string(kDeployment) + R"("}]})";
  create(api, runs);
  api.clock.advance(std::chrono::seconds(1));
  create(api, automation("owned", owner_extra));
  create(api, automation("unrelated"));
  const std::string path =
      "/api/automations/related-to/prefect.deployment." + std::string(kDeployment);
  CHECK(names(api.get(path)) == std::vector<std::string>{"runs", "owned"});

  SUBCASE("a replace re-derives the deployment relations but keeps ownership") {
    auto all = parse_json(api.post("/api/automations/filter", ""));
    for (auto a : items(all.root())) {
      REQUIRE(
          api.call("PUT", "/api/automations/" + str(a, "id"), automation(str(a, "name"))).status ==
          204);
    }
    CHECK(names(api.get(path)) == std::vector<std::string>{"owned"});
  }
}

TEST_CASE("deleting by owner removes only owned automations created up to now") {
  ApiFixture api;
  const std::string owner = "prefect.deployment." + std::string(kDeployment);
  const std::string owned = R"(,"owner_resource":")" + owner + R"(")";
  create(api, automation("owned-old", owned));
  create(api, automation("other-owner", R"(,"owner_resource":"prefect.deployment.x")"));
  create(api, std::string(R"({"name":"related-only","trigger":{"posture":"Reactive"},)") +
                  R"("actions":[{"type":"run-deployment","deployment_id":")" +
                  std::string(kDeployment) + R"("}]})");
  api.clock.advance(std::chrono::seconds(10));
  create(api, automation("owned-new", owned));
  // The request's "now" precedes owned-new's creation, so it survives.
  api.clock.set(core::parse_time("2026-01-01T00:00:05Z").value());

  auto r = api.call("DELETE", "/api/automations/owned-by/" + owner);
  CHECK(r.status == 202);
  CHECK(r.body == "null");
  CHECK(filter(api, "") == std::vector<std::string>{"other-owner", "owned-new", "related-only"});
  CHECK(api.call("DELETE", "/api/automations/owned-by/prefect.deployment.none").status == 202);
}

TEST_CASE("RunDeployment job variables need an existing deployment") {
  ApiFixture api;
  const std::string body =
      std::string(R"({"name":"jv","trigger":{"posture":"Reactive"},"actions":[)") +
      R"({"type":"run-deployment","deployment_id":")" + std::string(kDeployment) +
      R"(","job_variables":{"image":"x"}}]})";
  auto r = api.post("/api/automations/", body);
  CHECK(r.status == 404);
  CHECK(r.body == R"({"detail":"Deployment not found."})");
}

TEST_CASE("hostile automation bodies get 422s, never a crash") {
  ApiFixture api;
  std::string nested = event_trigger();
  for (int i = 0; i < 40; ++i) {
    nested = R"({"type":"sequence","within":null,"triggers":[)" + nested + "]}";
  }
  check_422(api, automation("deep", "", nested), "nested too deeply");
  check_422(api, R"({"name":"x","trigger":[],"actions":[]})", R"("model_attributes_type")");
  check_422(api, R"({"name":"x","trigger":{"posture":"Reactive"},"actions":{}})", R"("list_type")");
  check_422(api, R"({"name":null,"trigger":{"posture":"Reactive","threshold":"x"},"actions":[7]})",
            R"("int_type")");
  check_422(api, automation("m", "", R"({"posture":"Reactive","match":{"a":[1]},"after":"x"})"),
            R"("set_type")");
  auto r = api.post("/api/automations/", "{not json");
  CHECK(r.status == 422);
}

TEST_CASE("an owner that is also a selected deployment keeps its ownership through a replace") {
  ApiFixture api;
  const std::string owner = "prefect.deployment." + std::string(kDeployment);
  const std::string id = create(
      api, std::string(R"({"name":"both","trigger":{"posture":"Reactive"},"owner_resource":")") +
               owner + R"(","actions":[{"type":"run-deployment","deployment_id":")" +
               std::string(kDeployment) + R"("}]})");
  REQUIRE(api.call("PUT", "/api/automations/" + id, automation("both")).status == 204);
  CHECK(names(api.get("/api/automations/related-to/" + owner)) == std::vector<std::string>{"both"});
  CHECK(api.call("DELETE", "/api/automations/owned-by/" + owner).status == 202);
  CHECK(api.get("/api/automations/" + id).status == 404);
}
