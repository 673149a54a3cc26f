#include "lib/schemas/artifact.h"

#include "lib/schemas/decoder.h"

namespace prefectcore::schemas {
namespace {

// upstream validate_max_metadata_length: longer values are cut to 500 characters + "...".
constexpr std::size_t kMaxMetadataValueLength = 500;

// The byte offset just past the first `n` code points of `s` (s.size() if shorter).
std::size_t code_point_prefix(std::string_view s, std::size_t n) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == n) {
        return i;
      }
      ++seen;
    }
  }
  return s.size();
}

// upstream ArtifactKey: raise_on_name_alphanumeric_dashes_only (^[a-z0-9-]*$).
std::optional<std::string> artifact_key(ObjectDecoder& d) {
  auto key = d.string("key");
  if (!key) {
    return std::nullopt;
  }
  for (char c : *key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      d.errors().add("value_error", d.loc_of("key"),
                     "Value error, Artifact key must only contain lowercase letters, numbers, "
                     "and dashes.",
                     core::json_quote(*key));
      return std::nullopt;
    }
  }
  return key;
}

// metadata_: dict[str, str] | None, long values truncated. "null" when null.
std::optional<std::string> metadata(ObjectDecoder& d) {
  auto m = d.member("metadata_");
  if (!m) {
    return std::nullopt;
  }
  if (m->is_null()) {
    return std::string("null");
  }
  core::JsonObject obj;
  if (m->get_object().get(obj)) {
    d.errors().add("dict_type", d.loc_of("metadata_"), "Input should be a valid dictionary",
                   core::to_json(*m));
    return std::nullopt;
  }
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  bool ok = true;
  for (auto [key, v] : obj) {
    std::string_view s;
    if (v.get_string().get(s)) {
      core::Loc loc = d.loc_of("metadata_");
      loc.emplace_back(std::string(key));
      d.errors().add("string_type", loc, "Input should be a valid string", core::to_json(v));
      ok = false;
      continue;
    }
    const std::size_t cut = code_point_prefix(s, kMaxMetadataValueLength);
    w.key(key).string(cut < s.size() ? std::string(s.substr(0, cut)) + "..." : std::string(s));
  }
  w.end_object();
  return ok ? std::optional<std::string>(std::move(out)) : std::nullopt;
}

void write_fields(core::JsonWriter& w, const ArtifactFields& a) {
  w.key("key").opt_string(a.key);
  w.key("type").opt_string(a.type);
  w.key("description").opt_string(a.description);
  w.key("data").raw(a.data);
  w.key("metadata_").raw(a.metadata_);
  w.key("flow_run_id").opt_string(a.flow_run_id);
  w.key("task_run_id").opt_string(a.task_run_id);
}

}  // namespace

void write_artifact(core::JsonWriter& w, const Artifact& artifact) {
  w.begin_object();
  w.key("id").string(artifact.id);
  w.key("created").time(artifact.created);
  w.key("updated").time(artifact.updated);
  write_fields(w, artifact);
  w.end_object();
}

std::string encode_artifact(const Artifact& artifact) {
  std::string out;
  core::JsonWriter w(out);
  write_artifact(w, artifact);
  return out;
}

void write_artifact_collection(core::JsonWriter& w, const ArtifactCollection& collection) {
  w.begin_object();
  w.key("id").string(collection.id);
  w.key("created").time(collection.created);
  w.key("updated").time(collection.updated);
  w.key("latest_id").string(collection.latest_id);
  write_fields(w, collection);
  w.end_object();
}

Result<ArtifactCreate> decode_artifact_create(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "ArtifactCreate");
  d.forbid_extra({"key", "type", "description", "data", "metadata_", "flow_run_id", "task_run_id"});
  ArtifactCreate out;
  out.key = artifact_key(d);
  out.type = d.string("type");
  out.description = d.string("description");
  out.data = d.any_json("data").value_or("null");
  out.metadata_ = metadata(d).value_or("null");
  out.flow_run_id = d.uuid("flow_run_id");
  out.task_run_id = d.uuid("task_run_id");
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

Result<ArtifactUpdate> decode_artifact_update(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "ArtifactUpdate");
  d.forbid_extra({"data", "description", "metadata_"});
  ArtifactUpdate out;
  out.data = d.any_json("data");
  out.description_sent = d.has("description");
  out.description = d.string("description");
  out.metadata_ = metadata(d);
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

}  // namespace prefectcore::schemas
