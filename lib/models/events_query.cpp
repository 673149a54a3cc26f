// EventFilter -> SQL (upstream events/filters.py build_where_clauses). Label filters go to
// event_resources, whose `resource` column holds the labels without id and role; prefix
// matches use substr() rather than LIKE, because SQLite's LIKE ignores case.

#include <fmt/format.h>

#include "lib/core/time.h"
#include "lib/models/events.h"

namespace prefectcore::models {
namespace {

using events::EventFilter;
using events::ResourceSpec;

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    n += (c & 0xC0) != 0x80;
  }
  return n;
}

class Clauses {
 public:
  Clauses(std::vector<SqlValue>& params, const Dialect& dialect)
      : params_(params), dialect_(dialect) {}

  void add(std::string clause) { clauses_.push_back(std::move(clause)); }
  bool empty() const { return clauses_.empty(); }

  std::string in(std::string_view column, const std::vector<std::string>& values, bool negate) {
    std::string sql = fmt::format("{} {}IN (", column, negate ? "NOT " : "");
    for (std::size_t i = 0; i < values.size(); ++i) {
      sql += i ? ",?" : "?";
      params_.emplace_back(values[i]);
    }
    return sql + ")";
  }
  std::string starts_with(std::string_view column, const std::string& prefix) {
    params_.emplace_back(prefix);
    return fmt::format("substr({}, 1, {}) = ?", column, utf8_length(prefix));
  }
  std::string any_prefix(std::string_view column, const std::vector<std::string>& prefixes) {
    std::string sql = "(";
    for (std::size_t i = 0; i < prefixes.size(); ++i) {
      sql += (i ? " OR " : "") + starts_with(column, prefixes[i]);
    }
    return sql + ")";
  }
  // The text of label `label` in event_resources.resource, or null.
  std::optional<std::string> label_column(const std::string& label) {
    if (dialect_.backend == Backend::kPostgres) {
      params_.emplace_back(label);
      return std::string("(er.resource::jsonb ->> CAST(? AS TEXT))");
    }
    if (label.find('"') != std::string::npos) {
      return std::nullopt;  // not expressible as a SQLite JSON path: matches nothing
    }
    params_.emplace_back("$.\"" + label + "\"");
    return std::string("json_extract(er.resource, ?)");
  }

  // upstream's LabelOperations: "!" negates, a trailing "*" is a prefix.
  void label_ops(const std::string& column_sql, bool column_is_param,
                 const std::vector<std::string>& values, const std::string& label) {
    std::vector<std::string> pos, neg, pos_prefix, neg_prefix;
    for (std::string v : values) {
      bool negative = !v.empty() && v.front() == '!';
      if (negative) {
        v.erase(0, 1);
      }
      if (!v.empty() && v.back() == '*') {
        while (!v.empty() && v.back() == '*') {
          v.pop_back();
        }
        (negative ? neg_prefix : pos_prefix).push_back(v);
      } else {
        (negative ? neg : pos).push_back(v);
      }
    }
    // Each use of a parameterised column re-binds its label.
    auto column = [&]() -> std::string {
      if (!column_is_param) {
        return column_sql;
      }
      return label_column(label).value_or("NULL");
    };
    if (column_is_param && (!neg.empty() || !neg_prefix.empty())) {
      add(column() + " IS NOT NULL");
    }
    if (!pos.empty()) {
      add(in(column(), pos, false));
    }
    if (!neg.empty()) {
      add(in(column(), neg, true));
    }
    for (const auto& p : pos_prefix) {
      add(starts_with(column(), p));
    }
    for (const auto& p : neg_prefix) {
      add("NOT " + starts_with(column(), p));
    }
  }

  void labels(const ResourceSpec& spec, bool pop_role) {
    for (const auto& [label, values] : spec) {
      if (label == "prefect.resource.id") {
        if (!values.empty()) {
          label_ops("er.resource_id", false, values, label);
        }
      } else if (pop_role && label == "prefect.resource.role") {
        if (!values.empty()) {
          add(in("er.resource_role", values, false));
        }
      } else if (values.empty()) {
        add("1 = 0");  // upstream: an empty value list matches nothing
      } else if (!label_column_ok(label)) {
        add("1 = 0");
      } else {
        label_ops("", true, values, label);
      }
    }
  }

  bool label_column_ok(const std::string& label) const {
    return dialect_.backend == Backend::kPostgres || label.find('"') == std::string::npos;
  }

  std::string joined(std::string_view sep) const {
    std::string sql;
    for (std::size_t i = 0; i < clauses_.size(); ++i) {
      sql += (i ? std::string(sep) : "") + clauses_[i];
    }
    return sql;
  }

 private:
  std::vector<SqlValue>& params_;
  const Dialect& dialect_;
  std::vector<std::string> clauses_;
};

bool has(const std::optional<std::vector<std::string>>& v) { return v && !v->empty(); }

// `events.id IN (event_resources scoped to the filter's occurred range WHERE ...)`.
std::string scoped(const EventFilter& f, std::vector<SqlValue>& params, const Clauses& inner,
                   std::vector<SqlValue> inner_params) {
  params.emplace_back(core::format_storage_time(f.since));
  params.emplace_back(core::format_storage_time(f.until));
  for (auto& p : inner_params) {
    params.push_back(std::move(p));
  }
  return "events.id IN (SELECT er.event_id FROM event_resources er WHERE er.occurred >= ? AND "
         "er.occurred <= ? AND " +
         inner.joined(" AND ") + ")";
}

void resource_clauses(const EventFilter& f, Clauses& out, std::vector<SqlValue>& params,
                      const Dialect& dialect) {
  const auto& r = *f.resource;
  if (has(r.id)) {
    out.add(out.in("events.resource_id", *r.id, false));
  }
  if (has(r.id_prefix)) {
    out.add(out.any_prefix("events.resource_id", *r.id_prefix));
  }
  if (r.labels && !r.labels->empty()) {
    std::vector<SqlValue> inner_params;
    Clauses inner(inner_params, dialect);
    inner.add("er.resource_role = ''");
    inner.labels(*r.labels, false);
    out.add(scoped(f, params, inner, std::move(inner_params)));
  }
}

void related_clauses(const EventFilter& f, const events::EventRelatedFilter& r, Clauses& out,
                     std::vector<SqlValue>& params, const Dialect& dialect) {
  std::vector<SqlValue> inner_params;
  Clauses inner(inner_params, dialect);
  if (has(r.id)) {
    inner.add(inner.in("er.resource_id", *r.id, false));
  }
  if (has(r.role)) {
    inner.add(inner.in("er.resource_role", *r.role, false));
  }
  if (r.resources_in_roles && !r.resources_in_roles->empty()) {
    std::string any = "(";
    for (std::size_t i = 0; i < r.resources_in_roles->size(); ++i) {
      any += i ? " OR " : "";
      any += "(er.resource_id = ? AND er.resource_role = ?)";
      inner_params.emplace_back((*r.resources_in_roles)[i].first);
      inner_params.emplace_back((*r.resources_in_roles)[i].second);
    }
    inner.add(any + ")");
  }
  if (r.labels && !r.labels->empty()) {
    inner.labels(*r.labels, true);
  }
  if (inner.empty()) {
    return;
  }
  if (!has(r.role)) {
    inner.add("er.resource_role <> ''");
  }
  out.add(scoped(f, params, inner, std::move(inner_params)));
}

void any_resource_clauses(const EventFilter& f, const events::EventAnyResourceFilter& a,
                          Clauses& out, std::vector<SqlValue>& params, const Dialect& dialect) {
  std::vector<SqlValue> inner_params;
  Clauses inner(inner_params, dialect);
  if (has(a.id)) {
    inner.add(inner.in("er.resource_id", *a.id, false));
  }
  if (has(a.id_prefix)) {
    inner.add(inner.any_prefix("er.resource_id", *a.id_prefix));
  }
  if (a.labels && !a.labels->empty()) {
    inner.labels(*a.labels, true);
  }
  if (!inner.empty()) {
    out.add(scoped(f, params, inner, std::move(inner_params)));
  }
}

void text_clauses(const std::string& query, Clauses& out, std::vector<SqlValue>& params) {
  const events::TextQuery parsed = events::parse_text_query(query);
  const std::string searchable =
      "lower(events.event || ' ' || events.resource || ' ' || events.related || ' ' || "
      "events.payload) LIKE ? ESCAPE '\\'";
  auto pattern = [](const std::string& term) {
    std::string lowered;
    for (unsigned char c : term) {
      lowered += static_cast<char>(std::tolower(c));
    }
    return "%" + Dialect::escape_like(lowered) + "%";
  };
  if (!parsed.include.empty()) {
    std::string any = "(";
    for (std::size_t i = 0; i < parsed.include.size(); ++i) {
      any += (i ? " OR " : "") + searchable;
      params.emplace_back(pattern(parsed.include[i]));
    }
    out.add(any + ")");
  }
  for (const auto& term : parsed.exclude) {
    out.add("NOT " + searchable);
    params.emplace_back(pattern(term));
  }
  for (const auto& term : parsed.required) {
    out.add(searchable);
    params.emplace_back(pattern(term));
  }
}

}  // namespace

SqlWhere event_filter_where(const EventFilter& f, const Dialect& dialect) {
  SqlWhere where;
  auto& params = where.params;
  Clauses out(params, dialect);
  out.add("events.occurred >= ? AND events.occurred <= ?");
  params.emplace_back(core::format_storage_time(f.since));
  params.emplace_back(core::format_storage_time(f.until));
  if (f.event) {
    const auto& n = *f.event;
    if (has(n.prefix)) {
      out.add(out.any_prefix("events.event", *n.prefix));
    }
    if (has(n.exclude_prefix)) {
      for (const auto& p : *n.exclude_prefix) {
        out.add("NOT " + out.starts_with("events.event", p));
      }
    }
    if (has(n.name)) {
      out.add(out.in("events.event", *n.name, false));
    }
    if (has(n.exclude_name)) {
      out.add(out.in("events.event", *n.exclude_name, true));
    }
  }
  if (f.resource) {
    resource_clauses(f, out, params, dialect);
  }
  for (const auto& r : f.related) {
    related_clauses(f, r, out, params, dialect);
  }
  for (const auto& a : f.any_resource) {
    any_resource_clauses(f, a, out, params, dialect);
  }
  if (has(f.ids)) {
    out.add(out.in("events.id", *f.ids, false));
  }
  if (f.text && !f.text->empty()) {
    text_clauses(*f.text, out, params);
  }
  where.sql = out.joined(" AND ");
  return where;
}

}  // namespace prefectcore::models
