// Mirrors the statement half of Jinja's parser (tags with their end tags, the messages of
// _fail_ut_eof) and upstream's loop limits, so that a template Jinja rejects is rejected here
// with the same message. The lexer is jinja_lexer.cpp, expressions jinja_expressions.cpp.

#include "lib/core/jinja_syntax.h"

#include <fmt/format.h>

#include "lib/core/jinja_parser.h"

namespace prefectcore::core {
namespace jinja {
namespace {

std::string describe(const Want& w) {
  if (!w.value.empty()) {
    return std::string(w.value);
  }
  return describe(Token{w.kind, w.kind == Kind::kName ? "name" : "", 0});
}

constexpr int kMaxLoopCount = 10;
constexpr int kMaxNestedLoopDepth = 2;

}  // namespace

std::optional<TemplateError> Parser::run() {
  if (!subparse({})) {
    return error_;
  }
  if (for_count_ > kMaxLoopCount) {
    return TemplateError{0, fmt::format("Contains {} for loops. Templates can contain no more "
                                        "than {} for loops.",
                                        for_count_, kMaxLoopCount)};
  }
  if (max_depth_ > kMaxNestedLoopDepth) {
    return TemplateError{0, fmt::format("Contains nested for loops at a depth of {}. Templates "
                                        "can nest for loops no more than {} loops deep.",
                                        max_depth_, kMaxNestedLoopDepth)};
  }
  return std::nullopt;
}

bool Parser::fail(std::string message, int line) {
  if (cur().kind == Kind::kError) {  // the lexer failed first, when Jinja pulls the token
    message = cur().value;
  }
  error_ =
      TemplateError{line < 0 || cur().kind == Kind::kError ? cur().line : line, std::move(message)};
  return false;
}

bool Parser::expect(Want w) {
  if (cur().kind == w.kind && (w.value.empty() || cur().value == w.value)) {
    next();
    return true;
  }
  if (cur().kind == Kind::kEof) {
    return fail(fmt::format("unexpected end of template, expected {}.", py_repr(describe(w))));
  }
  return fail(
      fmt::format("expected token {}, got {}", py_repr(describe(w)), py_repr(describe(cur()))));
}

// Jinja's _fail_ut_eof.
bool Parser::fail_tag(const std::string* name, const std::vector<Ends>& stack, int line) {
  std::string message = name ? fmt::format("Encountered unknown tag {}.", py_repr(*name))
                             : "Unexpected end of template.";
  if (!stack.empty()) {
    std::string looking;
    bool expected = false;
    for (const Ends& ends : stack) {
      for (std::string_view e : ends) {
        expected = expected || (name && *name == e);
      }
    }
    for (std::string_view e : stack.back()) {
      looking += (looking.empty() ? "" : " or ") + py_repr(e);
    }
    message += expected ? " You probably made a nesting mistake. Jinja is expecting this tag, "
                          "but currently looking for " +
                              looking + "."
                        : " Jinja was looking for the following tags: " + looking + ".";
  }
  if (!tags_.empty()) {
    message += " The innermost block that needs to be closed is " + py_repr(tags_.back()) + ".";
  }
  return fail(message, line);
}

bool Parser::at_end(const Ends& ends) const {
  for (std::string_view e : ends) {
    if (is_name(e)) {
      return true;
    }
  }
  return false;
}

bool Parser::subparse(const Ends& ends) {
  if (!ends.empty()) {
    stack_.push_back(ends);
  }
  bool ok = subparse_body(ends);
  if (!ends.empty()) {
    stack_.pop_back();
  }
  return ok;
}

bool Parser::subparse_body(const Ends& ends) {
  for (;;) {
    if (is(Kind::kError)) {
      return fail("");
    }
    if (is(Kind::kEof)) {
      return true;
    }
    if (is(Kind::kVarBegin)) {
      next();
      PC_JINJA_TRY(tuple(false, true, {}, false));
      PC_JINJA_TRY(expect({Kind::kVarEnd}));
      continue;
    }
    next();  // block begin
    if (!ends.empty() && at_end(ends)) {
      return true;
    }
    PC_JINJA_TRY(statement());
    PC_JINJA_TRY(expect({Kind::kBlockEnd}));
  }
}

// Jinja's parse_statements: the rest of the tag, the body up to one of `ends`, and with
// `drop` the end tag's name.
bool Parser::statements(const Ends& ends, bool drop) {
  skip(Kind::kOp, ":");
  PC_JINJA_TRY(expect({Kind::kBlockEnd}));
  PC_JINJA_TRY(subparse(ends));
  if (is(Kind::kEof) || is(Kind::kError)) {
    if (is(Kind::kError)) {
      return fail("");
    }
    std::vector<Ends> stack = stack_;
    stack.push_back(ends);
    return fail_tag(nullptr, stack, cur().line);
  }
  if (drop) {
    next();
  }
  return true;
}

bool Parser::statement() {
  if (!is(Kind::kName)) {
    return fail("tag name expected");
  }
  const Token tag = cur();
  static const std::string_view kKnown[] = {"for",   "if",         "block", "extends", "print",
                                            "macro", "include",    "from",  "import",  "set",
                                            "with",  "autoescape", "call",  "filter"};
  bool known = false;
  for (auto k : kKnown) {
    known = known || tag.value == k;
  }
  if (!known) {
    return fail_tag(&tag.value, stack_, tag.line);
  }
  tags_.push_back(tag.value);
  next();
  const bool ok = dispatch(tag.value);
  tags_.pop_back();
  return ok;
}

bool Parser::dispatch(const std::string& tag) {
  if (tag == "for") return parse_for();
  if (tag == "if") return parse_if();
  if (tag == "set") return parse_set();
  if (tag == "with") return parse_with();
  if (tag == "block") return parse_block();
  if (tag == "macro") return parse_macro();
  if (tag == "call") return parse_call_block();
  if (tag == "filter") {
    PC_JINJA_TRY(filters(true));
    return statements({"endfilter"}, true);
  }
  if (tag == "autoescape") {
    PC_JINJA_TRY(expression(true));
    return statements({"endautoescape"}, true);
  }
  if (tag == "print") {
    return tuple(false, true, {}, false);
  }
  if (tag == "extends") {
    return expression(true);
  }
  return parse_import_like(tag);
}

bool Parser::parse_for() {
  ++for_count_;
  PC_JINJA_TRY(tuple(true, false, {"in"}, false));
  PC_JINJA_TRY(expect({Kind::kName, "in"}));
  PC_JINJA_TRY(tuple(false, false, {"recursive"}, false));
  if (skip(Kind::kName, "if")) {
    PC_JINJA_TRY(expression(true));
  }
  skip(Kind::kName, "recursive");
  ++depth_;
  max_depth_ = std::max(max_depth_, depth_);
  bool ok = statements({"endfor", "else"}, false);
  if (ok && cur().value == "else") {
    next();
    ok = statements({"endfor"}, true);
  } else if (ok) {
    next();
  }
  --depth_;
  return ok;
}

bool Parser::parse_if() {
  for (;;) {
    PC_JINJA_TRY(tuple(false, false, {}, false));
    PC_JINJA_TRY(statements({"elif", "else", "endif"}, false));
    const std::string which = cur().value;
    next();
    if (which == "elif") {
      continue;
    }
    return which == "else" ? statements({"endif"}, true) : true;
  }
}

bool Parser::parse_set() {
  if (is(Kind::kName) && look().kind == Kind::kOp && look().value == ".") {
    next();
    next();
    PC_JINJA_TRY(expect({Kind::kName}));
  } else {
    PC_JINJA_TRY(tuple(true, false, {}, false));
  }
  if (skip(Kind::kOp, "=")) {
    return tuple(false, true, {}, false);
  }
  if (is_op("|")) {
    PC_JINJA_TRY(filters(false));
  }
  return statements({"endset"}, true);
}

bool Parser::parse_with() {
  bool first = true;
  while (!is(Kind::kBlockEnd)) {
    if (!first) {
      PC_JINJA_TRY(expect({Kind::kOp, ","}));
    }
    first = false;
    PC_JINJA_TRY(tuple(true, false, {}, false));
    PC_JINJA_TRY(expect({Kind::kOp, "="}));
    PC_JINJA_TRY(expression(true));
  }
  return statements({"endwith"}, true);
}

bool Parser::parse_block() {
  const std::string name = cur().value;
  PC_JINJA_TRY(expect({Kind::kName}));
  skip(Kind::kName, "scoped");
  skip(Kind::kName, "required");
  PC_JINJA_TRY(statements({"endblock"}, true));
  skip(Kind::kName, name);
  return true;
}

bool Parser::signature() {
  PC_JINJA_TRY(expect({Kind::kOp, "("}));
  bool first = true;
  while (!is_op(")")) {
    if (!first) {
      PC_JINJA_TRY(expect({Kind::kOp, ","}));
    }
    first = false;
    PC_JINJA_TRY(expect({Kind::kName}));
    if (skip(Kind::kOp, "=")) {
      PC_JINJA_TRY(expression(true));
    }
  }
  return expect({Kind::kOp, ")"});
}

bool Parser::parse_macro() {
  PC_JINJA_TRY(expect({Kind::kName}));
  PC_JINJA_TRY(signature());
  return statements({"endmacro"}, true);
}

bool Parser::parse_call_block() {
  if (is_op("(")) {
    PC_JINJA_TRY(signature());
  }
  PC_JINJA_TRY(expression(true));
  return statements({"endcall"}, true);
}

bool Parser::context_modifier() {
  if ((is_name("with") || is_name("without")) && look().kind == Kind::kName &&
      look().value == "context") {
    next();
    next();
  }
  return true;
}

// include, import and from.
bool Parser::parse_import_like(const std::string& tag) {
  PC_JINJA_TRY(expression(true));
  if (tag == "include") {
    if (skip(Kind::kName, "ignore")) {
      PC_JINJA_TRY(expect({Kind::kName, "missing"}));
    }
    return context_modifier();
  }
  if (tag == "import") {
    PC_JINJA_TRY(expect({Kind::kName, "as"}));
    PC_JINJA_TRY(expect({Kind::kName}));
    return context_modifier();
  }
  PC_JINJA_TRY(expect({Kind::kName, "import"}));
  bool first = true;
  while (!is(Kind::kBlockEnd) && !is(Kind::kEof)) {
    if (!first) {
      PC_JINJA_TRY(expect({Kind::kOp, ","}));
    }
    first = false;
    if ((is_name("with") || is_name("without")) && look().value == "context") {
      return context_modifier();
    }
    PC_JINJA_TRY(expect({Kind::kName}));
    if (skip(Kind::kName, "as")) {
      PC_JINJA_TRY(expect({Kind::kName}));
    }
  }
  return true;
}

}  // namespace jinja

std::optional<TemplateError> check_user_template(std::string_view source) {
  return jinja::Parser(jinja::lex(source)).run();
}

}  // namespace prefectcore::core
