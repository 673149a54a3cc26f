// Rendering user templates with upstream's hydration context, which is empty: every name is
// undefined (ChainableUndefined: renders as ""). Only what needs no evaluator is rendered:
// text (with Jinja's newline normalisation, trailing-newline drop and '-' whitespace control),
// comments, raw blocks, and {{ }} tags holding one string, integer, float, boolean or none
// literal or one (dotted) undefined name. Other tags are refused with a clear message
// rather than rendered differently from Jinja. The template has passed check_user_template.

#include <cctype>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "lib/core/json_writer.h"
#include "lib/schemas/parameter_hydration.h"

namespace prefectcore::schemas {
namespace {

bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool ident(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Jinja's lexer: \r\n and \r become \n, and one trailing newline is dropped.
std::string normalize(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') {
        ++i;
      }
    } else {
      out += s[i];
    }
  }
  if (!out.empty() && out.back() == '\n') {
    out.pop_back();
  }
  return out;
}

bool append_utf8(std::string& out, unsigned long cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return false;
  }
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return true;
}

class Renderer {
 public:
  explicit Renderer(std::string s) : s_(std::move(s)) {}

  Result<std::string> run() {
    while (pos_ < s_.size()) {
      const std::size_t open = next_open();
      std::string_view text = std::string_view(s_).substr(pos_, open - pos_);
      if (open == s_.size()) {
        append_text(text);
        break;
      }
      const char kind = s_[open + 1];
      std::size_t i = open + 2;
      const bool strip_before = i < s_.size() && s_[i] == '-';
      if (i < s_.size() && (s_[i] == '-' || s_[i] == '+')) {
        ++i;
      }
      if (strip_before) {
        while (!text.empty() && space(text.back())) {
          text.remove_suffix(1);
        }
      }
      append_text(text);
      bool ok = kind == '#' ? comment(i) : kind == '%' ? raw(i) : print(i);
      if (!ok) {
        const std::size_t end = s_.find(kind == '{' ? "}}" : kind == '%' ? "%}" : "#}", open);
        const std::string_view tag = std::string_view(s_).substr(
            open, end == std::string::npos ? std::string::npos : end + 2 - open);
        return Status::bad_request(
            fmt::format("this server cannot render '{}': it renders text, comments, raw blocks and "
                        "'{{{{ }}}}' tags holding a single literal or an (undefined) name",
                        tag.substr(0, 80)));
      }
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
    return s_.size();
  }

  void append_text(std::string_view text) {
    if (lstrip_) {
      while (!text.empty() && space(text.front())) {
        text.remove_prefix(1);
      }
      lstrip_ = false;
    }
    out_ += text;
  }

  std::size_t skip_space(std::size_t i) const {
    while (i < s_.size() && space(s_[i])) {
      ++i;
    }
    return i;
  }

  bool comment(std::size_t i) {
    const std::size_t end = s_.find("#}", i);
    if (end == std::string::npos) {
      return false;
    }
    lstrip_ = end > i && s_[end - 1] == '-';
    pos_ = end + 2;
    return true;
  }

  // Only a plain {% raw %} ... {% endraw %}; every other statement is refused.
  bool raw(std::size_t i) {
    i = skip_space(i);
    if (s_.compare(i, 3, "raw") != 0) {
      return false;
    }
    i = skip_space(i + 3);
    if (s_.compare(i, 2, "%}") != 0) {
      return false;
    }
    for (std::size_t k = s_.find("{%", i); k != std::string::npos; k = s_.find("{%", k + 2)) {
      std::size_t j = skip_space(k + 2);
      if (s_.compare(j, 6, "endraw") != 0) {
        continue;
      }
      j = skip_space(j + 6);
      if (s_.compare(j, 2, "%}") != 0) {
        return false;
      }
      out_ += std::string_view(s_).substr(i + 2, k - (i + 2));
      pos_ = j + 2;
      return true;
    }
    return false;
  }

  bool print(std::size_t i) {
    i = skip_space(i);
    if (i >= s_.size()) {
      return false;
    }
    std::string value;
    if (s_[i] == '\'' || s_[i] == '"') {
      if (!string_literal(i, value)) {
        return false;
      }
    } else if (digit(s_[i]) || (s_[i] == '-' && i + 1 < s_.size() && digit(s_[i + 1]))) {
      const bool negative = s_[i] == '-';
      i += negative ? 1 : 0;
      if (!number(i, value)) {
        return false;
      }
      if (negative && value != "0") {
        value.insert(0, "-");  // Python prints -0 as 0, -0.0 as -0.0
      }
    } else if (ident_start(s_[i])) {
      if (!name(i, value)) {
        return false;
      }
    } else {
      return false;
    }
    i = skip_space(i);
    if (s_.compare(i, 3, "-}}") == 0) {
      lstrip_ = true;
      ++i;
    }
    if (s_.compare(i, 2, "}}") != 0) {
      return false;
    }
    out_ += value;
    pos_ = i + 2;
    return true;
  }

  // Jinja decodes string literals with Python's unicode-escape codec.
  bool string_literal(std::size_t& i, std::string& value) {
    const char quote = s_[i++];
    while (i < s_.size() && s_[i] != quote) {
      const char c = s_[i++];
      if (c != '\\') {
        value += c;
        continue;
      }
      if (i >= s_.size() || static_cast<unsigned char>(s_[i]) >= 0x80) {
        return false;
      }
      const char e = s_[i++];
      static constexpr std::string_view kFrom = "\\'\"abfnrtv";
      static constexpr std::string_view kTo = "\\'\"\a\b\f\n\r\t\v";
      if (auto k = kFrom.find(e); k != std::string_view::npos) {
        value += kTo[k];
      } else if (e == '\n') {
        // a line continuation: nothing
      } else if (e >= '0' && e <= '7') {
        unsigned long cp = static_cast<unsigned long>(e - '0');
        for (int n = 0; n < 2 && i < s_.size() && s_[i] >= '0' && s_[i] <= '7'; ++n) {
          cp = cp * 8 + static_cast<unsigned long>(s_[i++] - '0');
        }
        if (!append_utf8(value, cp)) {
          return false;
        }
      } else if (e == 'x' || e == 'u' || e == 'U') {
        const std::size_t width = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + width > s_.size()) {
          return false;
        }
        for (std::size_t h = i; h < i + width; ++h) {
          if (!std::isxdigit(static_cast<unsigned char>(s_[h]))) {
            return false;
          }
        }
        const unsigned long cp = std::strtoul(s_.substr(i, width).c_str(), nullptr, 16);
        i += width;
        if (!append_utf8(value, cp)) {
          return false;
        }
      } else if (e == 'N') {
        return false;  // \N{name}: no Unicode name table here
      } else {
        value += '\\';  // unknown escapes stay as written
        value += e;
      }
    }
    if (i >= s_.size()) {
      return false;
    }
    ++i;
    return true;
  }

  bool number(std::size_t& i, std::string& value) {
    std::string digits;
    bool is_float = false;
    while (i < s_.size()) {
      const char c = s_[i];
      const bool exponent_sign =
          (c == '+' || c == '-') && is_float && (s_[i - 1] == 'e' || s_[i - 1] == 'E');
      if (digit(c) || c == '_' || exponent_sign) {
        digits += c == '_' ? "" : std::string(1, c);
      } else if (c == '.' && !is_float && i + 1 < s_.size() && digit(s_[i + 1])) {
        digits += c;
        is_float = true;
      } else if ((c == 'e' || c == 'E') && digits.find_first_of("eE") == std::string::npos) {
        digits += c;
        is_float = true;
      } else {
        break;
      }
      ++i;
    }
    if (i < s_.size() && ident(s_[i])) {
      return false;  // 0x1f, 1j and the like
    }
    if (!is_float) {
      const bool leading_zero = digits.size() > 1 && digits.front() == '0';
      if (leading_zero && digits.find_first_not_of('0') != std::string::npos) {
        return false;  // Jinja's lexer does not read 007 as one integer
      }
      value = leading_zero ? "0" : digits;
      return true;
    }
    char* end = nullptr;
    const double v = std::strtod(digits.c_str(), &end);
    if (end != digits.c_str() + digits.size() || !std::isfinite(v)) {
      return false;
    }
    core::append_json_double(value, v);  // Python's float repr
    return true;
  }

  bool name(std::size_t& i, std::string& value) {
    const std::size_t start = i;
    while (i < s_.size() && ident(s_[i])) {
      ++i;
    }
    const std::string word = s_.substr(start, i - start);
    for (auto [literal, text] : {std::pair{"true", "True"},
                                 {"True", "True"},
                                 {"false", "False"},
                                 {"False", "False"},
                                 {"none", "None"},
                                 {"None", "None"}}) {
      if (word == literal) {
        value = text;
        return true;
      }
    }
    // Globals and `self` render as Python objects: refused.
    for (std::string_view global :
         {"range", "dict", "lipsum", "cycler", "joiner", "namespace", "self"}) {
      if (word == global) {
        return false;
      }
    }
    // Other names are undefined (empty context), and so are their attributes.
    while (true) {
      std::size_t j = skip_space(i);
      if (j >= s_.size() || s_[j] != '.') {
        break;
      }
      j = skip_space(j + 1);
      if (j >= s_.size() || !ident_start(s_[j])) {
        return false;
      }
      while (j < s_.size() && ident(s_[j])) {
        ++j;
      }
      i = j;
    }
    value.clear();
    return true;
  }

  std::string s_;
  std::size_t pos_ = 0;
  bool lstrip_ = false;
  std::string out_;
};

}  // namespace

Result<std::string> render_user_template(std::string_view source) {
  if (source.find("{{") == std::string_view::npos && source.find("{%") == std::string_view::npos) {
    return std::string(source);  // upstream's maybe_template: returned untouched
  }
  return Renderer(normalize(source)).run();
}

}  // namespace prefectcore::schemas
