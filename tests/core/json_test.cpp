#include "lib/core/json.h"

#include <doctest/doctest.h>

#include "lib/core/json_writer.h"

using namespace prefectcore;
using namespace prefectcore::core;

TEST_CASE("strings are escaped like Python's json.dumps with ensure_ascii off") {
  CHECK(json_quote("plain") == "\"plain\"");
  CHECK(json_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(json_quote("\n\r\t\b\f") == "\"\\n\\r\\t\\b\\f\"");
  CHECK(json_quote(std::string("\x01\x1f", 2)) == "\"\\u0001\\u001f\"");
  CHECK(json_quote(std::string("nul\0x", 5)) == "\"nul\\u0000x\"");
  CHECK(json_quote("caf\xc3\xa9 \xf0\x9f\x91\x8b") == "\"caf\xc3\xa9 \xf0\x9f\x91\x8b\"");
  CHECK(json_quote("\x7f") == "\"\x7f\"");
}

TEST_CASE("invalid UTF-8 is replaced so the output always parses") {
  for (std::string bad : {std::string("\xff"), std::string("\xc3"), std::string("\xed\xa0\x80"),
                          std::string("\xc0\xaf"), std::string("ok\xf4\x90\x80\x80")}) {
    const std::string quoted = json_quote(bad);
    CHECK(quoted.find("\xef\xbf\xbd") != std::string::npos);
    CHECK(JsonDocument::parse(quoted).has_value());
  }
}

TEST_CASE("doubles print like Python floats") {
  auto d = [](double v) {
    std::string s;
    append_json_double(s, v);
    return s;
  };
  CHECK(d(5.0) == "5.0");
  CHECK(d(0.1) == "0.1");
  CHECK(d(-2.5) == "-2.5");
  CHECK(d(1e16) == "1e+16");
  CHECK(d(1e-5) == "1e-05");
  CHECK(d(123456.789) == "123456.789");
  CHECK(d(0.0 / 0.0) == "null");
}

TEST_CASE("the writer places commas and nests containers") {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("a").integer(1).key("b").begin_array().string("x").null().boolean(true);
  w.end_array().key("c").begin_object().end_object().key("d").number(2.0).end_object();
  CHECK(out == R"({"a":1,"b":["x",null,true],"c":{},"d":2.0})");
  REQUIRE(JsonDocument::parse(out).has_value());
}

TEST_CASE("malformed JSON becomes a 422-shaped validation error") {
  auto doc = JsonDocument::parse("{\"a\": ");
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().code() == ErrorCode::kInvalidArgument);
  CHECK(doc.error().detail_json().find("json_invalid") != std::string::npos);
  auto detail = JsonDocument::parse(doc.error().detail_json());
  REQUIRE(detail.has_value());
  CHECK(detail->root().is_array());
}

TEST_CASE("validation errors collect pydantic-shaped entries") {
  ValidationErrors errors;
  CHECK(errors.empty());
  errors.add("missing", {std::string("body"), std::string("name")}, "Field required", "{}");
  errors.add("int_parsing", {std::string("body"), std::int64_t{2}}, "bad", "\"x\"");
  const Status st = errors.to_status();
  CHECK(st.code() == ErrorCode::kInvalidArgument);
  CHECK(st.detail_json() ==
        R"([{"type":"missing","loc":["body","name"],"msg":"Field required","input":{}},)"
        R"({"type":"int_parsing","loc":["body",2],"msg":"bad","input":"x"}])");
}
