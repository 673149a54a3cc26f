#include "lib/models/text_search.h"

#include <algorithm>

namespace prefectcore::models {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// upstream _unescape_phrase: \" and \\ are escapes; any other backslash stays.
std::string unescape_phrase(std::string_view phrase) {
  std::string out;
  for (std::size_t i = 0; i < phrase.size(); ++i) {
    if (phrase[i] == '\\' && i + 1 < phrase.size() &&
        (phrase[i + 1] == '"' || phrase[i + 1] == '\\')) {
      out.push_back(phrase[++i]);
    } else {
      out.push_back(phrase[i]);
    }
  }
  return out;
}

void add_term(TextSearchQuery& q, char prefix, std::string term) {
  if (prefix == '-' || prefix == '!') {
    q.exclude.push_back(std::move(term));
  } else if (prefix == '+') {
    q.required.push_back(std::move(term));
  } else {
    q.include.push_back(std::move(term));
  }
}

bool contains(std::string_view haystack_lower, std::string_view term) {
  return haystack_lower.find(ascii_lower(term)) != std::string_view::npos;
}

}  // namespace

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

TextSearchQuery parse_text_search_query(std::string_view query) {
  TextSearchQuery q;
  std::size_t i = 0;
  while (i < query.size()) {
    if (is_space(query[i])) {
      ++i;
      continue;
    }
    char prefix = 0;
    if (query[i] == '-' || query[i] == '!' || query[i] == '+') {
      // A prefix counts only when a term follows it directly.
      if (i + 1 >= query.size() || is_space(query[i + 1])) {
        ++i;
        continue;
      }
      prefix = query[i++];
    }
    if (query[i] == '"') {
      const std::size_t start = ++i;
      while (i < query.size() && query[i] != '"') {
        i += (query[i] == '\\' && i + 1 < query.size()) ? 2 : 1;
      }
      std::string phrase = unescape_phrase(query.substr(start, std::min(i, query.size()) - start));
      if (i < query.size()) {
        ++i;  // the closing quote; an unclosed phrase runs to the end
      }
      const bool blank = std::all_of(phrase.begin(), phrase.end(), is_space);
      if (!blank) {
        add_term(q, prefix, std::move(phrase));
      }
      continue;
    }
    const std::size_t start = i;
    while (i < query.size() && !is_space(query[i]) && query[i] != '"') {
      ++i;
    }
    if (i > start) {
      add_term(q, prefix, std::string(query.substr(start, i - start)));
    }
  }
  return q;
}

bool text_search_matches(const TextSearchQuery& query, std::string_view text) {
  const std::string lower = ascii_lower(text);
  const auto has = [&](const std::string& term) { return contains(lower, term); };
  if (!query.include.empty() && std::none_of(query.include.begin(), query.include.end(), has)) {
    return false;
  }
  if (std::any_of(query.exclude.begin(), query.exclude.end(), has)) {
    return false;
  }
  return std::all_of(query.required.begin(), query.required.end(), has);
}

}  // namespace prefectcore::models
