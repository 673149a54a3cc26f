#include "lib/models/state_rows.h"

#include "lib/core/time.h"

namespace prefectcore::models {

bool json_truthy(std::string_view json) {
  return !(json.empty() || json == "null" || json == "false" || json == "0" || json == "0.0" ||
           json == "\"\"" || json == "[]" || json == "{}");
}

Result<schemas::State> state_from_row(const Row& row, std::size_t at) {
  schemas::State s;
  s.id = row.text(at);
  auto type = schemas::parse_state_type(row.text(at + 1));
  if (!type) {
    return Status::internal("state " + s.id + " has an unknown type");
  }
  s.type = *type;
  s.name = row.text(at + 2);
  PC_ASSIGN_OR_RETURN(s.timestamp, core::parse_time(row.text(at + 3)));
  s.message = row.opt_text(at + 4);
  PC_ASSIGN_OR_RETURN(s.details, schemas::parse_state_details(row.text(at + 5)));
  const std::string inline_data = row.is_null(at + 6) ? "null" : row.text(at + 6);
  if (json_truthy(inline_data)) {
    s.data = inline_data;
  } else if (!row.is_null(at + 7)) {
    s.data = row.is_null(at + 8) ? "null" : row.text(at + 8);
  }
  return s;
}

}  // namespace prefectcore::models
