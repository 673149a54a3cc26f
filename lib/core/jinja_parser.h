#pragma once

#include "lib/core/internal.h"

// The parser half of the user-template syntax checker (jinja_syntax.h): Jinja's parser
// rules over the lexer's tokens. Statements (tags and their end tags) are in
// jinja_syntax.cpp, the expression grammar in jinja_expressions.cpp.

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/core/jinja_lexer.h"
#include "lib/core/jinja_syntax.h"

// Every parse step returns false after recording the first error; callers stop there.
#define PC_JINJA_TRY(expr) \
  do {                     \
    if (!(expr)) {         \
      return false;        \
    }                      \
  } while (0)

namespace prefectcore::core::jinja {

// An expected token: a kind, and for names and operators a value.
struct Want {
  Kind kind;
  std::string_view value = {};
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  // The first syntax error, then the loop limits; nullopt when the template is valid.
  std::optional<TemplateError> run();

 private:
  using Ends = std::vector<std::string_view>;

  const Token& cur() const { return t_[i_]; }
  const Token& look() const { return t_[std::min(i_ + 1, t_.size() - 1)]; }
  void next() { i_ = std::min(i_ + 1, t_.size() - 1); }
  bool is(Kind k, std::string_view v = {}) const {
    return cur().kind == k && (v.empty() || cur().value == v);
  }
  bool is_op(std::string_view v) const { return is(Kind::kOp, v); }
  bool is_name(std::string_view v) const { return is(Kind::kName, v); }
  bool skip(Kind k, std::string_view v) {
    if (is(k, v)) {
      next();
      return true;
    }
    return false;
  }

  // Errors (jinja_syntax.cpp).
  bool fail(std::string message, int line = -1);
  bool expect(Want w);
  bool fail_tag(const std::string* name, const std::vector<Ends>& stack, int line);

  // Statements (jinja_syntax.cpp).
  bool at_end(const Ends& ends) const;
  bool subparse(const Ends& ends);
  bool subparse_body(const Ends& ends);
  bool statements(const Ends& ends, bool drop);
  bool statement();
  bool dispatch(const std::string& tag);
  bool parse_for();
  bool parse_if();
  bool parse_set();
  bool parse_with();
  bool parse_block();
  bool signature();
  bool parse_macro();
  bool parse_call_block();
  bool context_modifier();
  bool parse_import_like(const std::string& tag);

  // Expressions (jinja_expressions.cpp).
  bool tuple_end(const Ends& extra) const;
  bool tuple(bool simplified, bool condexpr, const Ends& extra, bool parenthesized);
  bool expression(bool condexpr);
  bool parse_or();
  bool parse_and();
  bool parse_not();
  bool binary(int level);
  bool unary(bool with_filter);
  bool primary();
  bool postfix();
  bool subscribed();
  bool call_args();
  bool dotted_name();
  bool filters(bool inline_first);
  bool filter_expr();

  std::vector<Token> t_;
  std::size_t i_ = 0;
  std::vector<Ends> stack_;
  std::vector<std::string> tags_;
  std::optional<TemplateError> error_;
  int for_count_ = 0;
  int depth_ = 0;
  int max_depth_ = 0;
};

}  // namespace prefectcore::core::jinja
