// Mirrors Jinja's lexer: data, comments, raw blocks, print and statement tags, and bracket
// balance inside tags, with Jinja's error messages and line numbers.

#include "lib/core/jinja_lexer.h"

#include <cctype>

#include <fmt/format.h>

namespace prefectcore::core::jinja {
std::string describe(const Token& t) {
  switch (t.kind) {
    case Kind::kName:
    case Kind::kOp:
      return t.value;
    case Kind::kString:
      return "string";
    case Kind::kInt:
      return "integer";
    case Kind::kFloat:
      return "float";
    case Kind::kVarBegin:
      return "begin of print statement";
    case Kind::kVarEnd:
      return "end of print statement";
    case Kind::kBlockBegin:
      return "begin of statement block";
    case Kind::kBlockEnd:
      return "end of statement block";
    default:
      return "end of template";
  }
}

std::string py_repr(std::string_view s) {
  const char quote =
      s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos ? '"' : '\'';
  std::string out(1, quote);
  for (char c : s) {
    if (c == '\\' || c == quote) {
      out += '\\';
    }
    out += c;
  }
  return out + quote;
}

namespace {

constexpr std::string_view kOperators[] = {"//", "**", "==", "!=", ">=", "<=", "+", "-", "/",
                                           "*",  "%",  "~",  "[",  "]",  "(",  ")", "{", "}",
                                           ">",  "<",  "=",  ".",  ":",  "|",  ",", ";"};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::vector<Token> run() {
    while (pos_ < s_.size() && ok_) {
      const std::size_t open = next_open();
      if (open == std::string_view::npos) {
        break;
      }
      count_lines(pos_, open);
      pos_ = open;
      const char kind = s_[open + 1];
      pos_ += 2;
      if (pos_ < s_.size() && (s_[pos_] == '-' || s_[pos_] == '+')) {
        ++pos_;
      }
      if (kind == '#') {
        comment();
      } else if (kind == '%' && raw_begins()) {
        raw();
      } else {
        tag(kind == '{');
      }
    }
    if (ok_) {
      count_lines(pos_, s_.size());
      out_.push_back({Kind::kEof, "", line_});
    }
    return std::move(out_);
  }

 private:
  std::size_t next_open() const {
    for (std::size_t i = pos_; i + 1 < s_.size(); ++i) {
      if (s_[i] == '{' && (s_[i + 1] == '{' || s_[i + 1] == '%' || s_[i + 1] == '#')) {
        return i;
      }
    }
    return std::string_view::npos;
  }

  void count_lines(std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to && i < s_.size(); ++i) {
      line_ += s_[i] == '\n' ? 1 : 0;
    }
  }

  void fail(std::string message) {
    out_.push_back({Kind::kError, std::move(message), line_});
    ok_ = false;
  }

  void comment() {
    const std::size_t end = s_.find("#}", pos_);
    if (end == std::string_view::npos) {
      fail("Missing end of comment tag");
      return;
    }
    count_lines(pos_, end);
    pos_ = end + 2;
  }

  std::size_t skip_space(std::size_t i) const {
    while (i < s_.size() && std::isspace(static_cast<unsigned char>(s_[i]))) {
      ++i;
    }
    return i;
  }

  // `{% raw %}` (optionally with whitespace control) at pos_.
  bool raw_begins() {
    std::size_t i = skip_space(pos_);
    if (s_.substr(i, 3) != "raw") {
      return false;
    }
    i = skip_space(i + 3);
    if (i < s_.size() && (s_[i] == '-' || s_[i] == '+')) {
      ++i;
    }
    if (s_.substr(i, 2) != "%}") {
      return false;
    }
    count_lines(pos_, i + 2);
    pos_ = i + 2;
    return true;
  }

  void raw() {
    for (std::size_t i = s_.find("{%", pos_); i != std::string_view::npos;
         i = s_.find("{%", i + 2)) {
      std::size_t j = i + 2;
      if (j < s_.size() && (s_[j] == '-' || s_[j] == '+')) {
        ++j;
      }
      j = skip_space(j);
      if (s_.substr(j, 6) != "endraw") {
        continue;
      }
      j = skip_space(j + 6);
      if (j < s_.size() && (s_[j] == '-' || s_[j] == '+')) {
        ++j;
      }
      if (s_.substr(j, 2) == "%}") {
        count_lines(pos_, j + 2);
        pos_ = j + 2;
        return;
      }
    }
    fail("Missing end of raw directive");
  }

  // The end of the tag at pos_ (after optional whitespace control), or 0.
  std::size_t tag_end(bool print) const {
    std::size_t i = pos_;
    if (i < s_.size() && (s_[i] == '-' || s_[i] == '+')) {
      ++i;
    }
    const std::string_view close = print ? "}}" : "%}";
    return s_.substr(i, 2) == close ? i + 2 : 0;
  }

  void tag(bool print) {
    out_.push_back({print ? Kind::kVarBegin : Kind::kBlockBegin, "", line_});
    std::vector<char> balance;
    while (ok_) {
      const std::size_t space = skip_space(pos_);
      count_lines(pos_, space);
      pos_ = space;
      if (pos_ >= s_.size()) {
        return;  // the parser reports the end of the template
      }
      if (balance.empty()) {
        if (std::size_t end = tag_end(print)) {
          out_.push_back({print ? Kind::kVarEnd : Kind::kBlockEnd, "", line_});
          pos_ = end;
          return;
        }
      }
      if (!token(balance)) {
        return;
      }
    }
  }

  bool token(std::vector<char>& balance) {
    const char c = s_[pos_];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t e = pos_;
      while (e < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[e])) || s_[e] == '_')) {
        ++e;
      }
      out_.push_back({Kind::kName, std::string(s_.substr(pos_, e - pos_)), line_});
      pos_ = e;
      return true;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      return number();
    }
    if (c == '\'' || c == '"') {
      for (std::size_t e = pos_ + 1; e < s_.size(); ++e) {
        if (s_[e] == '\\') {
          ++e;
        } else if (s_[e] == c) {
          out_.push_back({Kind::kString, "", line_});
          count_lines(pos_, e);
          pos_ = e + 1;
          return true;
        }
      }
    } else {
      for (std::string_view op : kOperators) {
        if (s_.substr(pos_, op.size()) == op) {
          return operator_token(op, balance);
        }
      }
    }
    fail(fmt::format("unexpected char {} at {}", py_repr(std::string(1, c)), pos_));
    return false;
  }

  bool number() {
    std::size_t e = pos_;
    auto digits = [&] {
      while (e < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[e])) || s_[e] == '_')) {
        ++e;
      }
    };
    digits();
    bool is_float = false;
    if (e + 1 < s_.size() && s_[e] == '.' && std::isdigit(static_cast<unsigned char>(s_[e + 1]))) {
      ++e;
      digits();
      is_float = true;
    }
    if (e < s_.size() && (s_[e] == 'e' || s_[e] == 'E')) {
      std::size_t k = e + 1;
      if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) {
        ++k;
      }
      if (k < s_.size() && std::isdigit(static_cast<unsigned char>(s_[k]))) {
        e = k;
        digits();
        is_float = true;
      }
    }
    out_.push_back({is_float ? Kind::kFloat : Kind::kInt, "", line_});
    pos_ = e;
    return true;
  }

  bool operator_token(std::string_view op, std::vector<char>& balance) {
    if (op == "(" || op == "[" || op == "{") {
      balance.push_back(op == "(" ? ')' : op == "[" ? ']' : '}');
    } else if (op == ")" || op == "]" || op == "}") {
      if (balance.empty()) {
        fail(fmt::format("unexpected '{}'", op));
        return false;
      }
      if (balance.back() != op[0]) {
        fail(fmt::format("unexpected '{}', expected '{}'", op, balance.back()));
        return false;
      }
      balance.pop_back();
    }
    out_.push_back({Kind::kOp, std::string(op), line_});
    pos_ += op.size();
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  int line_ = 1;
  bool ok_ = true;
  std::vector<Token> out_;
};

}  // namespace

std::vector<Token> lex(std::string_view source) { return Lexer(source).run(); }

}  // namespace prefectcore::core::jinja
