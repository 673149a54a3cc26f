// Mirrors the expression grammar of Jinja's parser (parse_tuple down to primaries, postfix
// subscripts and calls, filters and tests), with Jinja's error messages.

#include <fmt/format.h>

#include "lib/core/jinja_parser.h"

namespace prefectcore::core::jinja {

bool Parser::tuple_end(const Ends& extra) const {
  return is(Kind::kVarEnd) || is(Kind::kBlockEnd) || is_op(")") || at_end(extra);
}

// Jinja's parse_tuple; `simplified` parses primaries only (assignment targets).
bool Parser::tuple(bool simplified, bool condexpr, const Ends& extra, bool parenthesized) {
  int args = 0;
  for (;;) {
    if (args > 0) {
      PC_JINJA_TRY(expect({Kind::kOp, ","}));
    }
    if (tuple_end(extra)) {
      break;
    }
    PC_JINJA_TRY(simplified ? primary() : expression(condexpr));
    ++args;
    if (!is_op(",")) {
      break;
    }
  }
  if (args == 0 && !parenthesized) {
    return fail(fmt::format("Expected an expression, got {}", py_repr(describe(cur()))));
  }
  return true;
}

bool Parser::expression(bool condexpr) {
  PC_JINJA_TRY(parse_or());
  while (condexpr && skip(Kind::kName, "if")) {
    PC_JINJA_TRY(parse_or());
    if (skip(Kind::kName, "else")) {
      return expression(true);
    }
  }
  return true;
}

bool Parser::parse_or() {
  PC_JINJA_TRY(parse_and());
  while (skip(Kind::kName, "or")) {
    PC_JINJA_TRY(parse_and());
  }
  return true;
}

bool Parser::parse_and() {
  PC_JINJA_TRY(parse_not());
  while (skip(Kind::kName, "and")) {
    PC_JINJA_TRY(parse_not());
  }
  return true;
}

bool Parser::parse_not() {
  if (skip(Kind::kName, "not")) {
    return parse_not();
  }
  PC_JINJA_TRY(binary(0));
  for (;;) {
    if (is_op("==") || is_op("!=") || is_op(">") || is_op(">=") || is_op("<") || is_op("<=") ||
        skip(Kind::kName, "in")) {
      if (cur().kind == Kind::kOp) {
        next();
      }
    } else if (is_name("not") && look().kind == Kind::kName && look().value == "in") {
      next();
      next();
    } else {
      return true;
    }
    PC_JINJA_TRY(binary(0));
  }
}

// math1 (+ -), concat (~), math2 (* / // %), pow (**), then unary.
bool Parser::binary(int level) {
  static const std::vector<std::vector<std::string_view>> kLevels = {
      {"+", "-"}, {"~"}, {"*", "/", "//", "%"}, {"**"}};
  if (level == static_cast<int>(kLevels.size())) {
    return unary(true);
  }
  PC_JINJA_TRY(binary(level + 1));
  for (;;) {
    bool matched = false;
    for (std::string_view op : kLevels[static_cast<std::size_t>(level)]) {
      matched = matched || is_op(op);
    }
    if (!matched) {
      return true;
    }
    next();
    PC_JINJA_TRY(binary(level + 1));
  }
}

bool Parser::unary(bool with_filter) {
  if (is_op("-") || is_op("+")) {
    next();
    PC_JINJA_TRY(unary(false));
  } else {
    PC_JINJA_TRY(primary());
  }
  PC_JINJA_TRY(postfix());
  return with_filter ? filter_expr() : true;
}

bool Parser::primary() {
  switch (cur().kind) {
    case Kind::kName:
    case Kind::kInt:
    case Kind::kFloat:
      next();
      return true;
    case Kind::kString:
      while (is(Kind::kString)) {
        next();
      }
      return true;
    default:
      break;
  }
  if (skip(Kind::kOp, "(")) {
    PC_JINJA_TRY(tuple(false, true, {}, true));
    return expect({Kind::kOp, ")"});
  }
  if (is_op("[") || is_op("{")) {
    const bool dict = is_op("{");
    next();
    const std::string_view close = dict ? "}" : "]";
    bool first = true;
    while (!is_op(close)) {
      if (!first) {
        PC_JINJA_TRY(expect({Kind::kOp, ","}));
      }
      first = false;
      if (is_op(close)) {
        break;
      }
      PC_JINJA_TRY(expression(true));
      if (dict) {
        PC_JINJA_TRY(expect({Kind::kOp, ":"}));
        PC_JINJA_TRY(expression(true));
      }
    }
    return expect({Kind::kOp, close});
  }
  if (is(Kind::kError)) {
    return fail("");
  }
  return fail(fmt::format("unexpected {}", py_repr(describe(cur()))));
}

bool Parser::postfix() {
  for (;;) {
    if (skip(Kind::kOp, ".")) {
      if (!is(Kind::kName) && !is(Kind::kInt)) {
        return fail("expected name or number");
      }
      next();
    } else if (skip(Kind::kOp, "[")) {
      bool first = true;
      while (!is_op("]")) {
        if (!first) {
          PC_JINJA_TRY(expect({Kind::kOp, ","}));
        }
        first = false;
        PC_JINJA_TRY(subscribed());
      }
      PC_JINJA_TRY(expect({Kind::kOp, "]"}));
    } else if (is_op("(")) {
      PC_JINJA_TRY(call_args());
    } else {
      return true;
    }
  }
}

bool Parser::subscribed() {
  for (int part = 0; part < 3; ++part) {
    if (!is_op(":") && !is_op("]") && !is_op(",")) {
      PC_JINJA_TRY(expression(true));
    }
    if (!skip(Kind::kOp, ":")) {
      return true;
    }
  }
  return true;
}

bool Parser::call_args() {
  PC_JINJA_TRY(expect({Kind::kOp, "("}));
  bool comma = false;
  while (!is_op(")")) {
    if (comma) {
      PC_JINJA_TRY(expect({Kind::kOp, ","}));
      if (is_op(")")) {
        break;
      }
    }
    if (is_op("*") || is_op("**")) {
      next();
    } else if (is(Kind::kName) && look().kind == Kind::kOp && look().value == "=") {
      next();
      next();
    }
    PC_JINJA_TRY(expression(true));
    comma = true;
  }
  return expect({Kind::kOp, ")"});
}

bool Parser::dotted_name() {
  PC_JINJA_TRY(expect({Kind::kName}));
  while (skip(Kind::kOp, ".")) {
    PC_JINJA_TRY(expect({Kind::kName}));
  }
  return true;
}

bool Parser::filters(bool inline_first) {
  while (is_op("|") || inline_first) {
    if (!inline_first) {
      next();
    }
    inline_first = false;
    PC_JINJA_TRY(dotted_name());
    if (is_op("(")) {
      PC_JINJA_TRY(call_args());
    }
  }
  return true;
}

bool Parser::filter_expr() {
  for (;;) {
    if (is_op("|")) {
      PC_JINJA_TRY(filters(false));
    } else if (skip(Kind::kName, "is")) {
      skip(Kind::kName, "not");
      PC_JINJA_TRY(dotted_name());
      if (is_op("(")) {
        PC_JINJA_TRY(call_args());
      } else if ((is(Kind::kName) || is(Kind::kString) || is(Kind::kInt) || is(Kind::kFloat) ||
                  is_op("(") || is_op("[") || is_op("{")) &&
                 !is_name("else") && !is_name("or") && !is_name("and")) {
        if (is_name("is")) {
          return fail("You cannot chain multiple tests with is");
        }
        PC_JINJA_TRY(primary());
        PC_JINJA_TRY(postfix());
      }
    } else if (is_op("(")) {
      PC_JINJA_TRY(call_args());
    } else {
      return true;
    }
  }
}

}  // namespace prefectcore::core::jinja
