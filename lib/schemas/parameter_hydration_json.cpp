// Python's json.loads error messages (json/decoder.py and the C scanner), for upstream's
// InvalidJSON detail: "<what>: line L column C (char N)", positions counted in code points.

#include <cctype>

#include <fmt/format.h>

#include "lib/schemas/parameter_hydration.h"

namespace prefectcore::schemas {
namespace {

struct JsonFailure {
  std::string_view what;
  std::size_t pos;  // byte offset
};

#define PC_JSON_TRY(expr) \
  do {                    \
    if (!(expr)) {        \
      return false;       \
    }                     \
  } while (0)

class PyJsonChecker {
 public:
  explicit PyJsonChecker(std::string_view s) : s_(s) {}

  std::optional<JsonFailure> run() {
    std::size_t i = ws(0);
    if (!value(i)) {
      return failure_;
    }
    i = ws(i);
    if (i != s_.size()) {
      return JsonFailure{"Extra data", i};
    }
    return std::nullopt;
  }

 private:
  std::size_t ws(std::size_t i) const {
    while (i < s_.size() && (s_[i] == ' ' || s_[i] == '\t' || s_[i] == '\n' || s_[i] == '\r')) {
      ++i;
    }
    return i;
  }
  bool fail(std::string_view what, std::size_t pos) {
    failure_ = JsonFailure{what, pos};
    return false;
  }
  bool starts(std::size_t i, std::string_view word) const {
    return s_.substr(i, word.size()) == word;
  }
  bool digit(std::size_t i) const {
    return i < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i]));
  }

  // scan_once: a value at i; on success i is past it.
  bool value(std::size_t& i) {
    if (++depth_ > 900) {  // Python raises RecursionError near here; stay bounded
      return fail("Expecting value", i);
    }
    bool ok = value_inner(i);
    --depth_;
    return ok;
  }

  bool value_inner(std::size_t& i) {
    if (i >= s_.size()) {
      return fail("Expecting value", i);
    }
    const char c = s_[i];
    if (c == '"') {
      return string(i);
    }
    if (c == '{') {
      return object(i);
    }
    if (c == '[') {
      return array(i);
    }
    for (std::string_view word : {"null", "true", "false", "NaN", "Infinity", "-Infinity"}) {
      if (starts(i, word)) {
        i += word.size();
        return true;
      }
    }
    // -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?
    std::size_t j = i + (c == '-' ? 1 : 0);
    if (!digit(j)) {
      return fail("Expecting value", i);
    }
    if (s_[j] == '0') {
      ++j;
    } else {
      while (digit(j)) {
        ++j;
      }
    }
    if (j + 1 < s_.size() && s_[j] == '.' && digit(j + 1)) {
      j += 2;
      while (digit(j)) {
        ++j;
      }
    }
    if (j < s_.size() && (s_[j] == 'e' || s_[j] == 'E')) {
      std::size_t k = j + 1;
      if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) {
        ++k;
      }
      if (digit(k)) {
        while (digit(k)) {
          ++k;
        }
        j = k;
      }
    }
    i = j;
    return true;
  }

  bool hex4(std::size_t at) const {
    if (at + 4 > s_.size()) {
      return false;
    }
    for (std::size_t k = at; k < at + 4; ++k) {
      if (!std::isxdigit(static_cast<unsigned char>(s_[k]))) {
        return false;
      }
    }
    return true;
  }

  bool string(std::size_t& i) {
    const std::size_t begin = i;
    std::size_t j = i + 1;
    while (true) {
      if (j >= s_.size()) {
        return fail("Unterminated string starting at", begin);
      }
      const auto c = static_cast<unsigned char>(s_[j]);
      if (c == '"') {
        i = j + 1;
        return true;
      }
      if (c <= 0x1f) {
        return fail("Invalid control character at", j);
      }
      if (c != '\\') {
        ++j;
        continue;
      }
      if (j + 1 >= s_.size()) {
        return fail("Unterminated string starting at", begin);
      }
      const char e = s_[j + 1];
      if (e != 'u') {
        if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return fail("Invalid \\escape", j);
        }
        j += 2;
        continue;
      }
      // The C scanner needs the four digits and one more character before the end.
      if (j + 6 >= s_.size() || !hex4(j + 2)) {
        return fail("Invalid \\uXXXX escape", j + 1);
      }
      const bool high = (s_[j + 2] == 'd' || s_[j + 2] == 'D') &&
                        std::string_view("89abAB").find(s_[j + 3]) != std::string_view::npos;
      j += 6;
      if (high && j + 6 < s_.size() && s_[j] == '\\' && s_[j + 1] == 'u') {
        if (!hex4(j + 2)) {
          return fail("Invalid \\uXXXX escape", j + 1);
        }
        j += 6;
      }
    }
  }

  bool object(std::size_t& i) {
    std::size_t j = ws(i + 1);
    if (j < s_.size() && s_[j] == '}') {
      i = j + 1;
      return true;
    }
    while (true) {
      if (j >= s_.size() || s_[j] != '"') {
        return fail("Expecting property name enclosed in double quotes", j);
      }
      PC_JSON_TRY(string(j));
      j = ws(j);
      if (j >= s_.size() || s_[j] != ':') {
        return fail("Expecting ':' delimiter", j);
      }
      j = ws(j + 1);
      PC_JSON_TRY(value(j));
      j = ws(j);
      if (j < s_.size() && s_[j] == '}') {
        i = j + 1;
        return true;
      }
      if (j >= s_.size() || s_[j] != ',') {
        return fail("Expecting ',' delimiter", j);
      }
      j = ws(j + 1);
    }
  }

  bool array(std::size_t& i) {
    std::size_t j = ws(i + 1);
    if (j < s_.size() && s_[j] == ']') {
      i = j + 1;
      return true;
    }
    while (true) {
      PC_JSON_TRY(value(j));
      j = ws(j);
      if (j < s_.size() && s_[j] == ']') {
        i = j + 1;
        return true;
      }
      if (j >= s_.size() || s_[j] != ',') {
        return fail("Expecting ',' delimiter", j);
      }
      j = ws(j + 1);
    }
  }

  std::string_view s_;
  std::optional<JsonFailure> failure_;
  int depth_ = 0;
};

}  // namespace

std::optional<std::string> python_json_error(std::string_view text) {
  auto failure = PyJsonChecker(text).run();
  if (!failure) {
    return std::nullopt;
  }
  std::size_t chars = 0;
  std::size_t line = 1;
  std::size_t column = 0;  // code points since the last newline
  for (std::size_t k = 0; k < failure->pos && k < text.size(); ++k) {
    if ((static_cast<unsigned char>(text[k]) & 0xC0) == 0x80) {
      continue;  // a UTF-8 continuation byte
    }
    ++chars;
    ++column;
    if (text[k] == '\n') {
      ++line;
      column = 0;
    }
  }
  return fmt::format("{}: line {} column {} (char {})", failure->what, line, column + 1, chars);
}

}  // namespace prefectcore::schemas
