#include "lib/schemas/saved_search.h"

#include "lib/schemas/decoder.h"

namespace prefectcore::schemas {
namespace {

// One SavedSearchFilter, re-encoded with its five fields (extra keys dropped), or nullopt
// with the errors recorded.
std::optional<std::string> decode_filter(core::JsonElement value, const core::Loc& loc,
                                         core::ValidationErrors& errors) {
  ObjectDecoder d(value, loc, errors, "SavedSearchFilter");
  if (!d.is_object()) {
    return std::nullopt;
  }
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  bool ok = true;
  for (std::string_view key : {"object", "property", "type", "operation"}) {
    auto s = d.required_string(key);
    if (auto m = d.member(key); m && m->is_null()) {
      errors.add("string_type", d.loc_of(key), "Input should be a valid string", "null");
    }
    ok = ok && s.has_value();
    if (s) {
      w.key(key).string(*s);
    }
  }
  // `value` is Any but required: null is a value, absence is not.
  if (auto v = d.member("value")) {
    w.key("value").raw(core::to_json(*v));
  } else {
    errors.add("missing", d.loc_of("value"), "Field required", core::to_json(value));
    ok = false;
  }
  w.end_object();
  return ok ? std::optional<std::string>(out) : std::nullopt;
}

std::optional<std::string> decode_filters(ObjectDecoder& d) {
  auto m = d.member("filters");
  if (!m) {
    return std::nullopt;
  }
  core::JsonArray arr;
  if (m->get_array().get(arr)) {
    d.errors().add("list_type", d.loc_of("filters"), "Input should be a valid list",
                   core::to_json(*m));
    return std::nullopt;
  }
  std::string out = "[";
  std::int64_t i = 0;
  bool ok = true;
  for (core::JsonElement item : arr) {
    core::Loc loc = d.loc_of("filters");
    loc.emplace_back(i);
    auto filter = decode_filter(item, loc, d.errors());
    ok = ok && filter.has_value();
    if (filter) {
      out += (i > 0 ? "," : "") + *filter;
    }
    ++i;
  }
  out.push_back(']');
  return ok ? std::optional<std::string>(out) : std::nullopt;
}

}  // namespace

void write_saved_search(core::JsonWriter& w, const SavedSearch& search) {
  w.begin_object();
  w.key("id").string(search.id);
  w.key("created").time(search.created);
  w.key("updated").time(search.updated);
  w.key("name").string(search.name);
  w.key("filters").raw(search.filters);
  w.end_object();
}

std::string encode_saved_search(const SavedSearch& search) {
  std::string out;
  core::JsonWriter w(out);
  write_saved_search(w, search);
  return out;
}

Result<SavedSearchCreate> decode_saved_search_create(core::JsonElement value,
                                                     const core::Loc& loc) {
  core::ValidationErrors errors;
  ObjectDecoder d(value, loc, errors, "SavedSearchCreate");
  d.forbid_extra({"name", "filters"});
  SavedSearchCreate out;
  if (auto name = d.required_string("name")) {
    out.name = std::move(*name);
  } else if (d.member("name") && d.member("name")->is_null()) {
    errors.add("string_type", d.loc_of("name"), "Input should be a valid string", "null");
  }
  if (auto filters = decode_filters(d)) {
    out.filters = std::move(*filters);
  }
  if (!errors.empty()) {
    return errors.to_status();
  }
  return out;
}

}  // namespace prefectcore::schemas
