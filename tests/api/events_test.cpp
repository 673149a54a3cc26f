// /events HTTP routes, the event persister and replication between two servers.

#include <algorithm>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "lib/core/time.h"
#include "tests/api/events_support.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

std::string batch(const std::vector<TestEvent>& events) {
  std::string out = "[";
  for (std::size_t i = 0; i < events.size(); ++i) {
    out += (i ? "," : "") + events[i].json();
  }
  return out + "]";
}

TestEvent make_event(std::string name, std::string resource, std::string occurred) {
  TestEvent e;
  e.id = new_event_id();
  e.event = std::move(name);
  e.resource_id = std::move(resource);
  e.occurred = std::move(occurred);
  return e;
}

// Posts events and stores them (one persister pass).
void ingest(ApiFixture& f, const std::vector<TestEvent>& events) {
  REQUIRE(f.post("/api/events", batch(events)).status == 204);
  REQUIRE(f.server->run_service_once("event_persister").ok());
}

std::vector<std::string> event_names(const HttpResponse& r) {
  auto doc = parse_json(r);
  std::vector<std::string> names;
  for (auto e : items(member(doc.root(), "events"))) {
    names.push_back(str(e, "event"));
  }
  return names;
}

const char* kAll = R"("occurred":{"since":"2025-12-01T00:00:00Z","until":"2026-02-01T00:00:00Z"})";

}  // namespace

TEST_CASE("POST /events stores a batch once per id and rejects an invalid event with 422") {
  ApiFixture f;
  TestEvent a = make_event("test.one", "r.1", "2026-01-01T00:00:00Z");
  TestEvent b = make_event("test.two", "r.2", "2026-01-01T00:00:01Z");
  ingest(f, {a, b});
  ingest(f, {a});  // the same id again: not stored twice
  auto r = f.post("/api/events/filter", std::string(R"({"filter":{)") + kAll + "}}");
  REQUIRE(r.status == 200);
  auto doc = parse_json(r);
  CHECK(int64(doc.root(), "total") == 2);
  CHECK(event_names(r) == std::vector<std::string>{"test.two", "test.one"});  // DESC default

  SUBCASE("a resource without prefect.resource.id is a 422 naming the event") {
    auto bad = f.post("/api/events",
                      R"([{"id":")" + new_event_id() +
                          R"(","occurred":"2026-01-01T00:00:00Z","event":"x","resource":{}}])");
    CHECK(bad.status == 422);
    CHECK(bad.body.find("prefect.resource.id") != std::string::npos);
  }
  SUBCASE("a related resource without a role is a 422") {
    TestEvent c = make_event("x", "r.3", "2026-01-01T00:00:00Z");
    c.related = {{"prefect.flow.1", ""}};
    CHECK(f.post("/api/events", batch({c})).status == 422);
  }
}

TEST_CASE("POST /events/filter pages through results with next_page tokens") {
  ApiFixture f;
  std::vector<TestEvent> events;
  for (int i = 0; i < 5; ++i) {
    events.push_back(make_event("test.page", "r." + std::to_string(i),
                                "2026-01-01T00:00:0" + std::to_string(i) + "Z"));
  }
  ingest(f, events);
  auto first = f.post("/api/events/filter",
                      std::string(R"({"limit":2,"filter":{"order":"ASC",)") + kAll + "}}");
  REQUIRE(first.status == 200);
  auto doc = parse_json(first);
  CHECK(int64(doc.root(), "total") == 5);
  std::string next = str(doc.root(), "next_page");
  std::vector<std::string> resources;
  for (auto e : items(member(doc.root(), "events"))) {
    resources.push_back(str(member(e, "resource"), "prefect.resource.id"));
    CHECK(str(e, "received") == "2026-01-01T00:00:00Z");
  }
  while (!next.empty()) {
    auto pos = next.find("/api/events/filter/next");
    REQUIRE(pos != std::string::npos);
    auto page = f.get(next.substr(pos));
    REQUIRE(page.status == 200);
    auto page_doc = parse_json(page);
    CHECK(int64(page_doc.root(), "total") == 5);
    for (auto e : items(member(page_doc.root(), "events"))) {
      resources.push_back(str(member(e, "resource"), "prefect.resource.id"));
    }
    auto link = member(page_doc.root(), "next_page");
    next = link.is_null() ? "" : std::string(link.get_string().value_unsafe());
  }
  CHECK(resources == std::vector<std::string>{"r.0", "r.1", "r.2", "r.3", "r.4"});
  CHECK(f.get("/api/events/filter/next?page-token=%%%").status == 403);
  CHECK(f.get("/api/events/filter/next?page-token=bm9wZQ==").status == 403);
  CHECK(f.post("/api/events/filter", R"({"limit":51})").status == 422);
}

TEST_CASE("the event filter grammar selects by name, resource, related, labels and text") {
  ApiFixture f;
  TestEvent a =
      make_event("prefect.flow-run.Completed", "prefect.flow-run.a", "2026-01-01T00:00:01Z");
  a.related = {{"prefect.flow.x", "flow"}, {"prefect.tag.db", "tag"}};
  a.extra_resource_labels = R"(,"prefect.resource.name":"alpha")";
  TestEvent b = make_event("prefect.flow-run.Failed", "prefect.flow-run.b", "2026-01-01T00:00:02Z");
  b.related = {{"prefect.flow.y", "flow"}};
  b.payload = R"({"message":"Disk Full"})";
  TestEvent c =
      make_event("prefect.task-run.Running", "prefect.task-run.c", "2026-01-01T00:00:03Z");
  ingest(f, {a, b, c});
  auto names = [&](std::string filter) {
    auto r = f.post("/api/events/filter",
                    R"({"filter":{"order":"ASC",)" + std::string(kAll) + "," + filter + "}}");
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return event_names(r);
  };
  using V = std::vector<std::string>;
  CHECK(names(R"("event":{"prefix":["prefect.flow-run."]})") ==
        V{"prefect.flow-run.Completed", "prefect.flow-run.Failed"});
  CHECK(names(R"("event":{"exclude_name":["prefect.flow-run.Failed"]})") ==
        V{"prefect.flow-run.Completed", "prefect.task-run.Running"});
  CHECK(names(R"("resource":{"id_prefix":["prefect.task-run."]})") ==
        V{"prefect.task-run.Running"});
  CHECK(names(R"("resource":{"labels":{"prefect.resource.name":"alp*"}})") ==
        V{"prefect.flow-run.Completed"});
  CHECK(names(R"("related":{"id":["prefect.flow.y"]})") == V{"prefect.flow-run.Failed"});
  CHECK(names(R"("related":{"resources_in_roles":[["prefect.tag.db","tag"]]})") ==
        V{"prefect.flow-run.Completed"});
  CHECK(names(R"("any_resource":{"id":["prefect.flow.x"]})") == V{"prefect.flow-run.Completed"});
  CHECK(names(R"("any_resource":[{"id_prefix":["prefect.flow"]},{"id":["prefect.flow.y"]}])") ==
        V{"prefect.flow-run.Failed"});
  CHECK(names(R"("text":{"query":"disk -completed"})") == V{"prefect.flow-run.Failed"});
  CHECK(names(R"("id":{"id":[")" + c.id + R"("]})") == V{"prefect.task-run.Running"});
  CHECK(f.post("/api/events/filter", R"({"filter":{"bogus":1}})").status == 422);
  CHECK(f.post("/api/events/filter", R"({"filter":{"order":"UP"}})").status == 422);
}

TEST_CASE("count-by groups events by event, resource and time bucket") {
  ApiFixture f;
  ingest(f, {make_event("a.one", "r.1", "2026-01-01T00:00:00Z"),
             make_event("a.one", "r.2", "2026-01-01T00:10:00Z"),
             make_event("a.two", "r.1", "2025-12-31T12:00:00Z")});
  const std::string filter =
      R"({"filter":{"occurred":{"since":"2025-12-31T00:00:00Z","until":"2026-01-01T23:59:59Z"}})";
  auto by_event = f.post("/api/events/count-by/event", filter + "}");
  REQUIRE(by_event.status == 200);
  auto doc = parse_json(by_event);
  auto rows = items(doc.root());
  REQUIRE(rows.size() == 2);
  CHECK(str(rows[0], "value") == "a.one");
  CHECK(int64(rows[0], "count") == 2);
  CHECK(str(rows[0], "start_time") == "2026-01-01T00:00:00Z");
  CHECK(str(rows[0], "end_time") == "2026-01-01T00:10:00Z");

  auto by_resource = f.post("/api/events/count-by/resource", filter + "}");
  REQUIRE(by_resource.status == 200);
  CHECK(items(parse_json(by_resource).root()).size() == 2);

  auto by_day = f.post("/api/events/count-by/day", filter + "}");
  REQUIRE(by_day.status == 200);
  auto days_doc = parse_json(by_day);
  auto days = items(days_doc.root());
  REQUIRE(days.size() == 2);
  CHECK(str(days[0], "value") == "0");
  CHECK(str(days[0], "label") == "2025-12-31T00:00:00+00:00");
  CHECK(int64(days[0], "count") == 1);
  CHECK(int64(days[1], "count") == 2);
  CHECK(str(days[1], "end_time") == "2026-01-01T23:59:59.999999Z");

  auto by_hour = f.post("/api/events/count-by/time", filter + R"(,"time_unit":"hour"})");
  REQUIRE(by_hour.status == 200);
  // Buckets end with the current hour when `until` is in the future (upstream's end_of).
  CHECK(items(parse_json(by_hour).root()).size() == 25);

  CHECK(f.post("/api/events/count-by/time", filter + R"(,"time_unit":"second"})").status == 422);
  CHECK(f.post("/api/events/count-by/time", filter + R"(,"time_interval":0.001})").status == 422);
  CHECK(f.post("/api/events/count-by/nope", filter + "}").status == 422);
  CHECK(f.post("/api/events/count-by/event", "{}").status == 422);
}

TEST_CASE("the persister trims events older than the retention period every 15 minutes") {
  Settings settings = Settings::defaults();
  settings.events.retention_period = 3600;
  ApiFixture f(settings);
  ingest(f, {make_event("old", "r.1", "2025-12-31T22:00:00Z"),
             make_event("new", "r.2", "2026-01-01T00:10:00Z")});
  f.clock.advance(std::chrono::minutes(16));
  REQUIRE(f.server->run_service_once("event_persister").ok());
  auto r = f.post("/api/events/filter", std::string(R"({"filter":{)") + kAll + "}}");
  CHECK(event_names(r) == std::vector<std::string>{"new"});
}

TEST_CASE("a flow run's accepted state change is published and stored as a server event") {
  ApiFixture f;
  auto flow = f.post("/api/flows/", R"({"name":"events-flow"})");
  REQUIRE(flow.status == 201);
  auto run = f.post("/api/flow_runs/", R"({"flow_id":")" + json_string(flow, "id") + R"("})");
  REQUIRE(run.status == 201);
  const std::string run_id = json_string(run, "id");
  auto set = f.post("/api/flow_runs/" + run_id + "/set_state", R"({"state":{"type":"RUNNING"}})");
  REQUIRE(set.status == 201);
  REQUIRE(f.server->run_service_once("event_persister").ok());
  auto r =
      f.post("/api/events/filter",
             std::string(R"({"filter":{"event":{"prefix":["prefect.flow-run."]},)") + kAll + "}}");
  REQUIRE(r.status == 200);
  auto doc = parse_json(r);
  auto events = items(member(doc.root(), "events"));
  // The initial Pending set on create, then Running: each accepted transition once.
  REQUIRE(events.size() == 2);
  std::vector<std::string> names;
  for (const auto& e : events) {
    names.push_back(str(e, "event"));
    CHECK(str(member(e, "resource"), "prefect.resource.id") == "prefect.flow-run." + run_id);
  }
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"prefect.flow-run.Pending", "prefect.flow-run.Running"});
}
