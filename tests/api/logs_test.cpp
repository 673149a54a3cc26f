// /api/logs/* through Server::handle, and the text-search language of the log filter.

#include <doctest/doctest.h>

#include "lib/core/json_writer.h"
#include "lib/models/text_search.h"
#include "tests/support/api_fixture.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

constexpr std::string_view kFlowRun = "c41b5c7e-976b-45d8-a9d2-eed2653b6b03";
constexpr std::string_view kTaskRun = "01a21ace-595a-7cd0-8b45-511ab87a87b3";

// The real client's batch (traces/hello.jsonl), trimmed to three records, plus one debug line.
std::string client_batch() {
  const std::string fr(kFlowRun), tr(kTaskRun);
  return R"([{"name": "prefect.flow_runs", "level": 20, "message": "Beginning flow run )"
         R"('impartial-bee' for flow 'hello-flow'", "timestamp": "2026-11-27T02:21:00.582734Z", )"
         R"("flow_run_id": ")" +
         fr + R"(", "task_run_id": null}, )" +
         R"({"name": "prefect.task_runs", "level": 20, "message": "building greeting for )"
         R"(anchor", "timestamp": "2026-11-27T02:21:00.637597Z", "flow_run_id": ")" +
         fr + R"(", "task_run_id": ")" + tr + R"("}, )" +
         R"({"name": "prefect.task_runs", "level": 30, "message": "flaky_shout failing on )"
         R"(first attempt", "timestamp": "2026-11-27T02:21:00.700000Z", "flow_run_id": ")" +
         fr + R"(", "task_run_id": ")" + tr + R"("}, )" +
         R"({"name": "prefect.flow_runs", "level": 10, "message": "Connection \"timeout\" )"
         R"(ERROR here", "timestamp": "2026-11-27T02:21:01Z", "flow_run_id": null, )"
         R"("task_run_id": null}])";
}

std::vector<std::string> messages(const HttpResponse& r) {
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto doc = parse_json(r);
  std::vector<std::string> out;
  for (auto item : items(doc.root())) {
    out.push_back(str(item, "message"));
  }
  return out;
}

std::vector<std::string> search(ApiFixture& api, const std::string& query) {
  std::string body;
  core::JsonWriter(body)
      .begin_object()
      .key("logs")
      .begin_object()
      .key("text")
      .begin_object()
      .key("query")
      .string(query)
      .end_object()
      .end_object()
      .end_object();
  return messages(api.post("/api/logs/filter", body));
}

const std::string kBegin = "Beginning flow run 'impartial-bee' for flow 'hello-flow'";
const std::string kBuild = "building greeting for anchor";
const std::string kFlaky = "flaky_shout failing on first attempt";
const std::string kTimeout = "Connection \"timeout\" ERROR here";

}  // namespace

TEST_CASE("the client's log batch is stored: 201 with a JSON null body") {
  ApiFixture api;
  auto r = api.post("/api/logs/", client_batch());
  CHECK(r.status == 201);
  CHECK(r.body == "null");
  auto doc = parse_json(api.post("/api/logs/filter"));
  auto logs = items(doc.root());
  REQUIRE(logs.size() == 4);
  CHECK(str(logs[0], "name") == "prefect.flow_runs");
  CHECK(int64(logs[0], "level") == 20);
  CHECK(str(logs[0], "timestamp") == "2026-11-27T02:21:00.582734Z");
  CHECK(str(logs[0], "flow_run_id") == kFlowRun);
  CHECK(member(logs[0], "task_run_id").is_null());
  CHECK(str(logs[0], "created") == "2026-01-01T00:00:00Z");
  CHECK(str(logs[3], "timestamp") == "2026-11-27T02:21:01Z");
  CHECK(api.post("/api/logs/", "[]").status == 201);
}

TEST_CASE("log batches are validated item by item") {
  ApiFixture api;
  auto missing = api.post("/api/logs/", R"([{"name":"n","level":20,"message":"m"},{"x":1}])");
  CHECK(missing.status == 422);
  CHECK(missing.body.find(R"("type":"missing","loc":["body",0,"timestamp"])") != std::string::npos);
  CHECK(missing.body.find(R"("type":"extra_forbidden","loc":["body",1,"x"])") != std::string::npos);
  CHECK(missing.body.find(R"("loc":["body",1,"name"])") != std::string::npos);
  CHECK(api.post("/api/logs/", R"({"name":"n"})").status == 422);
  CHECK(api.post("/api/logs/", "").status == 422);
  CHECK(api.post("/api/logs/", R"([{"name":"n","level":"high","message":"m",)"
                               R"("timestamp":"2026-01-01T00:00:00Z"}])")
            .status == 422);
  CHECK(api.post("/api/logs/filter").body == "[]");  // nothing of a bad batch is stored
}

TEST_CASE("logs are sorted by timestamp and paged with limit and offset") {
  ApiFixture api;
  REQUIRE(api.post("/api/logs/", client_batch()).status == 201);
  CHECK(messages(api.post("/api/logs/filter", R"({"sort":"TIMESTAMP_DESC","limit":2})")) ==
        std::vector<std::string>{kTimeout, kFlaky});
  CHECK(messages(api.post("/api/logs/filter", R"({"offset":3})")) ==
        std::vector<std::string>{kTimeout});
  CHECK(api.post("/api/logs/filter", R"({"sort":"LEVEL"})").status == 422);
  CHECK(api.post("/api/logs/filter", R"({"limit":201})").status == 422);
}

TEST_CASE("the log filter selects by level, timestamp, flow run and task run") {
  ApiFixture api;
  REQUIRE(api.post("/api/logs/", client_batch()).status == 201);
  const std::string fr(kFlowRun), tr(kTaskRun);
  CHECK(messages(api.post("/api/logs/filter", R"({"logs":{"level":{"ge_":30}}})")) ==
        std::vector<std::string>{kFlaky});
  CHECK(messages(api.post("/api/logs/filter", R"({"logs":{"level":{"le_":10}}})")) ==
        std::vector<std::string>{kTimeout});
  CHECK(messages(api.post("/api/logs/filter",
                          R"({"logs":{"timestamp":{"after_":"2026-11-27T02:21:00.637597Z",)"
                          R"("before_":"2026-11-27T02:21:00.7Z"}}})")) ==
        std::vector<std::string>{kBuild, kFlaky});
  CHECK(messages(api.post("/api/logs/filter",
                          R"({"logs":{"task_run_id":{"any_":[")" + tr + R"("]}}})")) ==
        std::vector<std::string>{kBuild, kFlaky});
  CHECK(messages(api.post("/api/logs/filter", R"({"logs":{"flow_run_id":{"any_":[")" + fr +
                                                  R"("]},"task_run_id":{"is_null_":true}}})")) ==
        std::vector<std::string>{kBegin});
  CHECK(messages(api.post("/api/logs/filter", R"({"logs":{"operator":"or_","level":{"ge_":30},)"
                                              R"("text":{"query":"impartial"}}})")) ==
        std::vector<std::string>{kBegin, kFlaky});
  CHECK(api.post("/api/logs/filter", R"({"logs":{"name":{"any_":["x"]}}})").status == 422);
  CHECK(api.post("/api/logs/filter", R"({"logs":{"level":{"ge_":"x"}}})").status == 422);
}

TEST_CASE("the log text search matches terms, phrases, exclusions and required terms") {
  ApiFixture api;
  REQUIRE(api.post("/api/logs/", client_batch()).status == 201);
  CHECK(search(api, "anchor flaky") == std::vector<std::string>{kBuild, kFlaky});
  CHECK(search(api, "FLOW_RUNS") == std::vector<std::string>{kBegin, kTimeout});  // the name
  CHECK(search(api, "prefect -task_runs") == std::vector<std::string>{kBegin, kTimeout});
  CHECK(search(api, "prefect !task_runs +error") == std::vector<std::string>{kTimeout});
  CHECK(search(api, R"("failing on first")") == std::vector<std::string>{kFlaky});
  CHECK(search(api, R"("\"timeout\" error")") == std::vector<std::string>{kTimeout});
  CHECK(search(api, "g_f").empty());  // LIKE wildcards are literal ("greeting for")
  CHECK(search(api, "   ").size() == 4);
  auto too_long = api.post("/api/logs/filter",
                           R"({"logs":{"text":{"query":")" + std::string(201, 'x') + "\"}}}");
  CHECK(too_long.status == 422);
  CHECK(too_long.body.find(R"("type":"string_too_long","loc":["body","logs","text","query"])") !=
        std::string::npos);
  CHECK(api.post("/api/logs/filter", R"({"logs":{"text":{}}})").status == 422);
  CHECK(api.post("/api/logs/filter", R"({"logs":{"text":{"query":"a","x":1}}})").status == 422);
}

TEST_CASE("the text search parser follows upstream's grammar") {
  using models::parse_text_search_query;
  auto q = parse_text_search_query(R"(error -debug !trace +required "two words" - +)");
  CHECK(q.include == std::vector<std::string>{"error", "two words"});
  CHECK(q.exclude == std::vector<std::string>{"debug", "trace"});
  CHECK(q.required == std::vector<std::string>{"required"});
  auto quoted = parse_text_search_query(R"(-"a \"b\" c\\d" "unclosed phrase)");
  CHECK(quoted.exclude == std::vector<std::string>{R"(a "b" c\d)"});
  CHECK(quoted.include == std::vector<std::string>{"unclosed phrase"});
  CHECK(parse_text_search_query("  \t ").empty());
  CHECK(parse_text_search_query(R"(a"b)").include == std::vector<std::string>{"a", "b"});
  CHECK(models::text_search_matches(parse_text_search_query("Foo -bar"), "xFOOx"));
  CHECK_FALSE(models::text_search_matches(parse_text_search_query("Foo -bar"), "foo BAR"));
  CHECK_FALSE(models::text_search_matches(parse_text_search_query("+a +b"), "a only"));
}
