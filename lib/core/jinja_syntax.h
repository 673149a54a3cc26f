#pragma once

#include "lib/core/internal.h"

// A Jinja template syntax checker for user templates (upstream
// utilities/user_templates.py validate_user_template): the lexer and parser rules of Jinja's
// default environment, with Jinja's error messages and line numbers, plus upstream's loop
// limits (at most 10 for loops, nested at most 2 deep). It checks syntax only: names,
// filters and tests are not resolved, as Jinja's parser does not resolve them either.
//
// Reentrant: no shared state.

#include <optional>
#include <string>
#include <string_view>

namespace prefectcore::core {

struct TemplateError {
  int line = 0;  // 1-based; 0 for the loop limits, as upstream's TemplateSecurityError
  std::string message;
};

// nullopt when `source` is a valid template.
std::optional<TemplateError> check_user_template(std::string_view source);

}  // namespace prefectcore::core
