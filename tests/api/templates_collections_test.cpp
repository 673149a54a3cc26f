#include <doctest/doctest.h>

#include "lib/core/jinja_syntax.h"
#include "lib/core/json_writer.h"
#include "tests/support/api_fixture.h"
#include "tests/support/test_server.h"

using namespace prefectcore;
using namespace prefectcore::testing;

namespace {

std::string as_json_string(std::string_view s) { return core::json_quote(s); }

// The template's error as check_user_template reports it ("" when valid).
std::string error_of(std::string_view source) {
  auto e = core::check_user_template(source);
  return e ? std::to_string(e->line) + ": " + e->message : "";
}

// Upstream answers an invalid template with 422 {"error": {line, message, source}}, which is
// neither the documented HTTPValidationError nor the detail/exception_message body the shared
// OpenAPI checker expects of every error; these exchanges are sent past the recorder.
HttpResponse post_unrecorded(ApiFixture& api, std::string path, std::string body) {
  return api.server->handle(make_request("POST", std::move(path), std::move(body)));
}

}  // namespace

TEST_CASE("valid templates answer 204 on both template routes") {
  ApiFixture api;
  for (const char* path : {"/api/templates/validate", "/api/automations/templates/validate"}) {
    auto r =
        api.post(path, as_json_string("Flow {{ flow.name }} is {{ flow_run.state.name | upper }}"));
    CHECK(r.status == 204);
    CHECK(r.body.empty());
  }
  CHECK(api.post("/api/templates/validate").status == 204);  // the default ""
}

TEST_CASE("invalid templates answer 422 with upstream's error body") {
  ApiFixture api;
  const std::string source = "line one\n{% if x %}\nno end";
  auto r = post_unrecorded(api, "/api/templates/validate", as_json_string(source));
  CHECK(r.status == 422);
  CHECK(r.body ==
        R"({"error":{"line":3,"message":"Unexpected end of template. Jinja was looking for the )"
        R"(following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be )"
        R"(closed is 'if'.","source":"line one\n{% if x %}\nno end"}})");
  auto not_string = api.post("/api/templates/validate", R"({"a":1})");
  CHECK(not_string.status == 422);
  CHECK(not_string.body.find(R"("type":"string_type","loc":["body"])") != std::string::npos);
}

TEST_CASE("the checker reports Jinja's messages and lines") {
  // Expected texts are Jinja 3.1's, checked against jinja2.Environment.parse.
  CHECK(error_of("{{ foo") == "1: unexpected end of template, expected 'end of print statement'.");
  CHECK(error_of("{{ foo }") == "1: unexpected '}'");
  CHECK(error_of("{{ }}") == "1: Expected an expression, got 'end of print statement'");
  CHECK(error_of("{% if x %}{% endfor %}") ==
        "1: Encountered unknown tag 'endfor'. Jinja was looking for the following tags: 'elif' "
        "or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.");
  CHECK(error_of("{% foo %}") == "1: Encountered unknown tag 'foo'.");
  CHECK(error_of("{% endif %}") == "1: Encountered unknown tag 'endif'.");
  CHECK(error_of("{% for x in y %}") ==
        "1: Unexpected end of template. Jinja was looking for the following tags: 'endfor' or "
        "'else'. The innermost block that needs to be closed is 'for'.");
  CHECK(error_of("{{ a + }}") == "1: unexpected 'end of print statement'");
  CHECK(error_of("{{ a b }}") == "1: expected token 'end of print statement', got 'b'");
  CHECK(error_of("{{ 1 2 }}") == "1: expected token 'end of print statement', got 'integer'");
  CHECK(error_of("{{ 'abc }}") == "1: unexpected char \"'\" at 3");
  CHECK(error_of("{# abc") == "1: Missing end of comment tag");
  CHECK(error_of("{% raw %}abc") == "1: Missing end of raw directive");
  CHECK(error_of("{{ (a }}") == "1: unexpected '}', expected ')'");
  CHECK(error_of("{{ a) }}") == "1: unexpected ')'");
  CHECK(error_of("{% set x %}") ==
        "1: Unexpected end of template. Jinja was looking for the following tags: 'endset'. The "
        "innermost block that needs to be closed is 'set'.");
  CHECK(error_of("{% if %}{% endif %}") ==
        "1: Expected an expression, got 'end of statement block'");
  CHECK(error_of("{{ a | }}") == "1: expected token 'name', got 'end of print statement'");
  CHECK(error_of("{%") == "1: tag name expected");
  CHECK(error_of("{{") == "1: unexpected 'end of template'");
  CHECK(error_of("{% if x %}\n{% else %}\n{% else %}{% endif %}") ==
        "3: Encountered unknown tag 'else'. Jinja was looking for the following tags: 'endif'. "
        "The innermost block that needs to be closed is 'if'.");
  CHECK(error_of("{% for %}{% endfor %}") ==
        "1: Expected an expression, got 'end of statement block'");
  CHECK(error_of("{% break %}") == "1: Encountered unknown tag 'break'.");
  for (const char* ok :
       {"{{ a.b[1] | default('x') }}", "{{ a }}}}", "}}", "{% for x in y %}{% else %}{% endfor %}",
        "{% if x %}{% elif y %}{% else %}{% endif %}", "{% set x = 1 %}{{ x }}", "{{ \"x\" ~ y }}",
        "{% include 'x' %}", "{% import 'x' as y %}", "{{ a.1 }}", "{%- if a -%} x {%+ endif %}",
        "{% raw %}{{ not parsed {% endraw %}", "{{ x if y else z }}",
        "{{ [1, 2][0] + {'a': 1}['a'] }}", "{{ a is not none }}",
        "{% macro m(a, b=1) %}{{ a }}{% endmacro %}{{ m(1, b=2) }}", "{{ f(*args, **kwargs) }}",
        "{{ x[1:2] }}", "{# comment #}{{ 1.5e3 }}"}) {
    CHECK_MESSAGE(error_of(ok).empty(), ok, ": ", error_of(ok));
  }
}

TEST_CASE("templates are limited to 10 for loops nested at most 2 deep") {
  std::string eleven;
  for (int i = 0; i < 11; ++i) {
    eleven += "{% for x in y %}{% endfor %}";
  }
  CHECK(error_of(eleven) ==
        "0: Contains 11 for loops. Templates can contain no more than 10 for loops.");
  CHECK(error_of("{% for a in b %}{% for c in a %}{% endfor %}{% endfor %}").empty());
  CHECK(error_of("{% for a in b %}{% if a %}{% for c in a %}{% for d in c %}{% endfor %}"
                 "{% endfor %}{% endif %}{% endfor %}") ==
        "0: Contains nested for loops at a depth of 3. Templates can nest for loops no more than "
        "2 loops deep.");
}

TEST_CASE("the worker metadata view is served from the bundled data") {
  ApiFixture api;
  auto r = api.get("/api/collections/views/aggregate-worker-metadata");
  REQUIRE(r.status == 200);
  auto doc = parse_json(r);
  auto process = member(member(doc.root(), "prefect"), "process");
  CHECK(str(process, "type") == "process");
  CHECK(member(member(process, "default_base_job_configuration"), "job_configuration").is_object());
  CHECK(str(member(member(doc.root(), "prefect-kubernetes"), "kubernetes"), "type") ==
        "kubernetes");
  auto unknown = api.get("/api/collections/views/nope");
  CHECK(unknown.status == 404);
  CHECK(unknown.body == R"({"detail":"View nope not found in registry"})");
  CHECK(api.get("/api/collections/views/demo-flows").status == 404);
}
