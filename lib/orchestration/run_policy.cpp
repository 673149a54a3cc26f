#include "lib/orchestration/run_policy.h"

#include "lib/core/json.h"
#include "lib/core/json_writer.h"
#include "lib/models/run_store.h"

namespace prefectcore::orchestration {

std::optional<double> policy_number(const RunRecord& run, std::string_view key) {
  auto member = models::json_member(run.empirical_policy, key);
  if (!member) {
    return std::nullopt;
  }
  auto doc = core::JsonDocument::parse(*member);
  double value = 0;
  if (!doc || doc->root().get_double().get(value) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return value;
}

bool policy_flag(const RunRecord& run, std::string_view key) {
  auto member = models::json_member(run.empirical_policy, key);
  return member && *member == "true";
}

std::vector<std::string> policy_strings(const RunRecord& run, std::string_view key) {
  auto member = models::json_member(run.empirical_policy, key);
  return member ? models::json_strings(*member) : std::vector<std::string>();
}

Status set_policy_member(RunRecord& run, std::string_view key, const std::string& value) {
  PC_ASSIGN_OR_RETURN(run.empirical_policy,
                      models::with_json_member(run.empirical_policy, key, value));
  return {};
}

Status set_policy_flag(RunRecord& run, std::string_view key, bool value) {
  return set_policy_member(run, key, value ? "true" : "false");
}

Status set_policy_strings(RunRecord& run, std::string_view key,
                          const std::vector<std::string>& values) {
  std::string json;
  core::JsonWriter(json).string_array(values);
  return set_policy_member(run, key, json);
}

Status set_retry_type(RunRecord& run, std::optional<std::string_view> retry_type) {
  return set_policy_member(run, "retry_type",
                           retry_type ? core::json_quote(*retry_type) : std::string("null"));
}

}  // namespace prefectcore::orchestration
