// Pure tests of parameter hydration: expected texts were taken from upstream's hydrate(),
// Python's json.loads and Jinja 3.1 rendering the same inputs.

#include "lib/schemas/parameter_hydration.h"

#include <map>

#include <doctest/doctest.h>

using namespace prefectcore;
using schemas::hydrate_parameters;
using schemas::python_json_error;
using schemas::render_user_template;

namespace {

Result<std::string> hydrate(std::string_view json) {
  static const std::map<std::string, std::string> kVariables = {{"greeting", R"("hello")"},
                                                                {"config", R"({"a":[1,2]})"}};
  schemas::VariableLookup lookup =
      [](const std::string& name) -> Result<std::optional<std::string>> {
    if (name == "broken") {
      return Status::unavailable("database is down");
    }
    auto it = kVariables.find(name);
    return it == kVariables.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  return hydrate_parameters(json, lookup, "P: ");
}

std::string ok(std::string_view json) {
  auto r = hydrate(json);
  REQUIRE_MESSAGE(r.has_value(), r.error().message());
  return *r;
}

std::string error(std::string_view json) {
  auto r = hydrate(json);
  REQUIRE(!r.has_value());
  CHECK(r.error().code() == ErrorCode::kBadRequest);
  return r.error().message();
}

std::string render(std::string_view source) {
  auto r = render_user_template(source);
  REQUIRE_MESSAGE(r.has_value(), r.error().message());
  return *r;
}

}  // namespace

TEST_CASE("hydration replaces each __prefect_kind and leaves other values alone") {
  CHECK(ok(R"({"a":1,"b":[true,null,"x"],"c":{"d":1.5}})") ==
        R"({"a":1,"b":[true,null,"x"],"c":{"d":1.5}})");
  CHECK(ok(R"({"x":{"__prefect_kind":"none","value":{"__prefect_kind":"json","value":"[1]"}}})") ==
        R"({"x":[1]})");
  CHECK(ok(R"({"x":{"__prefect_kind":"json","value":"{\"k\": [1, 2.0]}"}})") ==
        R"({"x":{"k":[1,2.0]}})");
  CHECK(ok(R"({"x":{"__prefect_kind":"json","value":5}})") == R"({"x":5})");
  CHECK(ok(R"({"x":{"__prefect_kind":"workspace_variable","variable_name":"config"}})") ==
        R"({"x":{"a":[1,2]}})");
  CHECK(ok(R"({"x":{"__prefect_kind":"jinja","template":"a {{ 'b' }}"}})") == R"({"x":"a b"})");
  CHECK(ok(R"({"x":{"__prefect_kind":"other","value":{"__prefect_kind":"json","value":"1"}}})") ==
        R"({"x":{"__prefect_kind":"json","value":"1"}})");
  CHECK(ok(R"({"x":{"__prefect_kind":"other"}})") == R"({"x":null})");
}

TEST_CASE("hydration drops value-less json and workspace_variable placeholders") {
  CHECK(ok(R"({"a":{"__prefect_kind":"json"},"b":[1,{"__prefect_kind":"workspace_variable"}]})") ==
        R"({"b":[1]})");
  CHECK(ok(R"({"__prefect_kind":"json"})") == "{}");
  CHECK(ok(R"({"a":{"__prefect_kind":"none","value":{"__prefect_kind":"json"}}})") == "{}");
}

TEST_CASE("hydration errors carry upstream's HydrationError messages") {
  CHECK(error(R"({"x":{"__prefect_kind":"json","value":"{bad"}})") ==
        "P: Invalid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char "
        "1)");
  CHECK(error(R"({"x":{"__prefect_kind":"json","value":{"__prefect_kind":"workspace_variable",)"
              R"("variable_name":"greeting"}}})") ==
        "P: Invalid JSON: Expecting value: line 1 column 1 (char 0)");
  CHECK(error(R"({"x":{"__prefect_kind":"none"}})") ==
        "P: Missing 'value' key in __prefect object");
  CHECK(error(R"({"x":{"__prefect_kind":"jinja"}})") ==
        "P: Missing 'template' key in __prefect object");
  CHECK(error(R"({"x":[{"__prefect_kind":"workspace_variable","variable_name":"nope"}]})") ==
        "P: Variable 'nope' not found in workspace.");
  CHECK(error(R"({"x":{"__prefect_kind":"jinja","template":"{{ 1 +"}})") ==
        "P: Invalid jinja: unexpected 'end of template'");
  CHECK(error(R"({"x":{"__prefect_kind":"jinja","template":"{% if x %}y{% endif %}"}})")
            .starts_with("P: Invalid jinja: this server cannot render '{% if x %}'"));
}

TEST_CASE("a failing variable lookup is passed through without the hydration prefix") {
  auto r = hydrate(R"({"x":{"__prefect_kind":"workspace_variable","variable_name":"broken"}})");
  REQUIRE(!r.has_value());
  CHECK(r.error().code() == ErrorCode::kUnavailable);
  CHECK(r.error().message() == "database is down");
}

TEST_CASE("python_json_error reproduces json.loads messages and positions") {
  CHECK(!python_json_error(R"( {"a": [1, -2.5e3, true, null, "\u00e9\ud83d\ude00"]} )"));
  CHECK(!python_json_error("NaN"));
  CHECK(*python_json_error("") == "Expecting value: line 1 column 1 (char 0)");
  CHECK(*python_json_error("{\"a\" 1}") == "Expecting ':' delimiter: line 1 column 6 (char 5)");
  CHECK(*python_json_error("{\"a\":1,}") ==
        "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)");
  CHECK(*python_json_error("[1,]") == "Expecting value: line 1 column 4 (char 3)");
  CHECK(*python_json_error("[1 2]") == "Expecting ',' delimiter: line 1 column 4 (char 3)");
  CHECK(*python_json_error("{\"a\":1") == "Expecting ',' delimiter: line 1 column 7 (char 6)");
  CHECK(*python_json_error("\"abc") == "Unterminated string starting at: line 1 column 1 (char 0)");
  CHECK(*python_json_error("\"a\\qb\"") == "Invalid \\escape: line 1 column 3 (char 2)");
  CHECK(*python_json_error("\"\\u12\"") == "Invalid \\uXXXX escape: line 1 column 3 (char 2)");
  CHECK(*python_json_error("\"\\ud800\\u12\"") ==
        "Invalid \\uXXXX escape: line 1 column 9 (char 8)");
  CHECK(*python_json_error("\"a\tb\"") == "Invalid control character at: line 1 column 3 (char 2)");
  CHECK(*python_json_error("\n\n  x") == "Expecting value: line 3 column 3 (char 4)");
  CHECK(*python_json_error("\"\xc3\xa9\" x") == "Extra data: line 1 column 5 (char 4)");
}

TEST_CASE("templates render literals and undefined names as Jinja does with an empty context") {
  CHECK(render("no tags\r\n") == "no tags\r\n");  // not a template: untouched
  CHECK(render("plain {# c #}{{ 'text' }}\n") == "plain text");
  CHECK(render("a {{ \"x\\ty\" }} b") == "a x\ty b");
  CHECK(render("{{ 1_000 }}|{{ 0 }}|{{ 1.5 }}|{{ 1e3 }}|{{ 1e16 }}|{{ 2.50 }}|{{ -1 }}") ==
        "1000|0|1.5|1000.0|1e+16|2.5|-1");
  CHECK(render("{{ true }}{{ None }}{{ false }}") == "TrueNoneFalse");
  CHECK(render("[{{ foo }}][{{ foo.bar . baz }}]") == "[][]");
  CHECK(render("a  {{- 'b' -}}  c") == "abc");
  CHECK(render("x {#- c -#} y {{ '' }}") == "xy ");
  CHECK(render("{% raw %}{{ x }}{% endraw %}") == "{{ x }}");
  CHECK(render("{{ '\\x41\\u00e9\\101\\q' }}") ==
        "A\xc3\xa9"
        "A\\q");
  CHECK(render("l1\r\nl2{{ '' }}\n\n") == "l1\nl2\n");
}

TEST_CASE("templates needing evaluation are refused, not rendered differently") {
  for (std::string_view source : {"{{ 1 + 2 }}", "{% if true %}y{% endif %}", "{{ 'a' | upper }}",
                                  "{{ range }}", "{{ self }}", "{{ 1e400 }}", "{{ x['k'] }}"}) {
    CAPTURE(source);
    auto r = render_user_template(source);
    REQUIRE(!r.has_value());
    CHECK(r.error().code() == ErrorCode::kBadRequest);
    CHECK(r.error().message().find("this server cannot render") != std::string::npos);
  }
}
