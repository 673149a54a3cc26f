#pragma once

// The small search language of upstream utilities/text_search_parser.py, used by the log
// filter's `text.query`: space-separated terms match any (OR); `-term` or `!term` excludes;
// `+term` is required (AND); "quoted phrases" keep their spaces, with \" and \\ escapes; a
// prefix followed by a space is ignored. Matching is a case-insensitive substring test.

#include <string>
#include <string_view>
#include <vector>

#include "lib/core/internal.h"

namespace prefectcore::models {

struct TextSearchQuery {
  std::vector<std::string> include;   // any of these
  std::vector<std::string> exclude;   // none of these
  std::vector<std::string> required;  // all of these

  bool empty() const { return include.empty() && exclude.empty() && required.empty(); }
};

TextSearchQuery parse_text_search_query(std::string_view query);

// Whether `text` satisfies the query (upstream LogFilterTextSearch.includes), comparing
// ASCII case-insensitively.
bool text_search_matches(const TextSearchQuery& query, std::string_view text);

// ASCII lower-case, as the SQL lower() of both backends treats ASCII.
std::string ascii_lower(std::string_view text);

}  // namespace prefectcore::models
