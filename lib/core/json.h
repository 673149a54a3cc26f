#pragma once

// Reading JSON with simdjson's DOM (error codes only, no exceptions) and collecting
// pydantic-shaped validation errors for 422 answers.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <simdjson.h>

#include <prefectcore/status.h>

#include "lib/core/internal.h"

namespace prefectcore::core {

using JsonElement = simdjson::dom::element;
using JsonObject = simdjson::dom::object;
using JsonArray = simdjson::dom::array;

// A parsed document. Elements borrowed from it live as long as the document.
// Thread-bound.
class JsonDocument {
 public:
  // kInvalidArgument with a `json_invalid` detail entry on malformed input.
  static Result<JsonDocument> parse(std::string_view text);
  JsonElement root() const { return root_; }

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;
  JsonElement root_;
};

// A location in a request: ("body", "state", "type") or with array indices.
using LocPart = std::variant<std::string, std::int64_t>;
using Loc = std::vector<LocPart>;

// Collects errors in the shape of pydantic v2's `errors()`: {type, loc, msg, input, ctx?}.
class ValidationErrors {
 public:
  // `input_json` is the offending value as JSON (omit for missing fields: input is then the
  // enclosing object, pass it).
  void add(std::string_view type, const Loc& loc, std::string_view msg,
           std::string_view input_json = "null", std::string_view ctx_json = {});
  bool empty() const { return count_ == 0; }
  // kInvalidArgument "Invalid request received." with the errors as detail_json.
  Status to_status() const;

 private:
  std::string items_;
  int count_ = 0;
};

// Compact JSON text of an element.
std::string to_json(JsonElement e);
// A one-error validation Status.
Status invalid_at(const Loc& loc, std::string_view type, std::string_view msg,
                  std::string_view input_json = "null");

// Type names in pydantic's words ("a valid string", "a valid integer") for messages.
std::string_view json_type_name(JsonElement e);

}  // namespace prefectcore::core
