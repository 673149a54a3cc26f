#pragma once

#include "lib/core/internal.h"

// The lexer half of the user-template syntax checker (jinja_syntax.h): Jinja's default
// lexer rules, reduced to what the parser needs (kinds, name and operator values, lines).

#include <string>
#include <string_view>
#include <vector>

namespace prefectcore::core::jinja {

enum class Kind {
  kName,
  kString,
  kInt,
  kFloat,
  kOp,
  kVarBegin,
  kVarEnd,
  kBlockBegin,
  kBlockEnd,
  kEof,
  kError
};

struct Token {
  Kind kind;
  std::string value;
  int line;
};

// Jinja's describe_token.
std::string describe(const Token& t);

// Python's repr() of a string, as Jinja's messages quote tokens with it.
std::string py_repr(std::string_view s);

// The tokens of `source`: ends with kEof, or with a kError token (message in `value`) where
// Jinja's lexer would raise; the parser reports that error when it reaches the token.
std::vector<Token> lex(std::string_view source);

}  // namespace prefectcore::core::jinja
