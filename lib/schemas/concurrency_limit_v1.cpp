#include "lib/schemas/concurrency_limit_v1.h"

#include "lib/schemas/decoder.h"

namespace prefectcore::schemas {

void write_tag_concurrency_limit(core::JsonWriter& w, const TagConcurrencyLimit& limit) {
  w.begin_object();
  w.key("id").string(limit.id);
  w.key("created").time(limit.created);
  w.key("updated").time(limit.updated);
  w.key("tag").string(limit.tag);
  w.key("concurrency_limit").integer(limit.concurrency_limit);
  w.key("active_slots").string_array(limit.active_slots);
  w.end_object();
}

std::string encode_tag_concurrency_limit(const TagConcurrencyLimit& limit) {
  std::string out;
  core::JsonWriter w(out);
  write_tag_concurrency_limit(w, limit);
  return out;
}

void write_minimal_concurrency_limit(core::JsonWriter& w, const MinimalConcurrencyLimit& limit) {
  w.begin_object().key("id").string(limit.id).key("name").string(limit.name);
  w.key("limit").integer(limit.limit).end_object();
}

Result<TagConcurrencyLimitCreate> decode_tag_concurrency_limit_create(core::JsonElement value,
                                                                      const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "ConcurrencyLimitCreate");
  d.forbid_extra({"tag", "concurrency_limit"});
  TagConcurrencyLimitCreate out;
  if (auto tag = d.required_string("tag")) {
    out.tag = std::move(*tag);
  } else if (auto m = d.member("tag"); m && m->is_null()) {
    errors.add("string_type", d.loc_of("tag"), "Input should be a valid string", "null");
  }
  if (d.is_object() && !d.has("concurrency_limit")) {
    errors.add("missing", d.loc_of("concurrency_limit"), "Field required", core::to_json(value));
  } else if (auto m = d.member("concurrency_limit"); m && m->is_null()) {
    errors.add("int_type", d.loc_of("concurrency_limit"), "Input should be a valid integer",
               "null");
  } else if (auto limit = d.integer("concurrency_limit", 0)) {
    // The limit becomes a v2 limit, whose `limit` is a NonNegativeInteger.
    out.concurrency_limit = *limit;
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

}  // namespace prefectcore::schemas
