#include "lib/schemas/flow.h"

#include "lib/schemas/decoder.h"

namespace prefectcore::schemas {

void write_flow(core::JsonWriter& w, const Flow& flow) {
  w.begin_object();
  w.key("id").string(flow.id);
  w.key("created").time(flow.created);
  w.key("updated").time(flow.updated);
  w.key("name").string(flow.name);
  w.key("tags").raw(flow.tags);
  w.key("labels").raw(flow.labels);
  w.end_object();
}

std::string encode_flow(const Flow& flow) {
  std::string out;
  core::JsonWriter w(out);
  write_flow(w, flow);
  return out;
}

Result<FlowCreate> decode_flow_create(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "FlowCreate");
  d.forbid_extra({"name", "tags", "labels"});
  FlowCreate out;
  if (auto name = d.required_name("name")) {
    out.name = std::move(*name);
  }
  if (auto tags = d.string_list_json("tags")) {
    out.tags = std::move(*tags);
  }
  if (auto labels = d.labels_json("labels")) {
    out.labels = std::move(*labels);
  } else if (d.member("labels") && d.member("labels")->is_null()) {
    out.labels = "null";
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

Result<FlowUpdate> decode_flow_update(core::JsonElement value, const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "FlowUpdate");
  d.forbid_extra({"tags"});
  FlowUpdate out;
  out.tags = d.string_list_json("tags");
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

}  // namespace prefectcore::schemas
