#include "lib/models/artifacts.h"

#include <fmt/format.h>

#include "lib/core/time.h"

namespace prefectcore::models {
namespace {

using schemas::Artifact;
using schemas::ArtifactCollection;
using schemas::ArtifactFields;

// The shared column list; `{t}` is the table.
constexpr std::string_view kFieldColumns =
    "{t}.id, {t}.created, {t}.updated, {t}.key, {t}.type, {t}.description, {t}.data, "
    "{t}.metadata_, {t}.flow_run_id, {t}.task_run_id";

std::string columns(std::string_view table) {
  return fmt::format(fmt::runtime(kFieldColumns), fmt::arg("t", table));
}

SqlValue opt(const std::optional<std::string>& s) { return s ? SqlValue(*s) : SqlValue(SqlNull{}); }

// JSON columns hold "null" or NULL for an unset value; both read back as null.
std::string json_or_null(const Row& row, std::size_t i) {
  return row.is_null(i) ? "null" : row.text(i);
}

template <typename T>
Status read_common(const Row& row, T& out) {
  out.id = row.text(0);
  PC_ASSIGN_OR_RETURN(out.created, core::parse_time(row.text(1)));
  PC_ASSIGN_OR_RETURN(out.updated, core::parse_time(row.text(2)));
  out.key = row.opt_text(3);
  out.type = row.opt_text(4);
  out.description = row.opt_text(5);
  out.data = json_or_null(row, 6);
  out.metadata_ = json_or_null(row, 7);
  out.flow_run_id = row.opt_text(8);
  out.task_run_id = row.opt_text(9);
  return {};
}

std::string order_by(ArtifactSort sort, std::string_view t) {
  switch (sort) {
    case ArtifactSort::kCreatedDesc:
      return fmt::format("{0}.created DESC, {0}.id DESC", t);
    case ArtifactSort::kUpdatedDesc:
      return fmt::format("{0}.updated DESC, {0}.id DESC", t);
    case ArtifactSort::kIdDesc:
      return fmt::format("{0}.id DESC", t);
    // NULL keys sort as PostgreSQL sorts them (last ascending, first descending) on both
    // backends.
    case ArtifactSort::kKeyDesc:
      return fmt::format("({0}.key IS NULL) DESC, {0}.key DESC, {0}.id DESC", t);
    case ArtifactSort::kKeyAsc:
      return fmt::format("({0}.key IS NULL), {0}.key ASC, {0}.id DESC", t);
  }
  return fmt::format("{0}.id DESC", t);
}

// upstream _apply_artifact_filters / _apply_artifact_collection_filters: related filters
// become EXISTS subqueries over the row's flow run (joined to its flow and deployment) and
// task run.
SqlCondition where_for(const ArtifactFilters& f, std::string_view t) {
  SqlCondition where = f.artifacts;
  if (where.sql.empty()) {
    where.sql = "1=1";
  }
  if (!f.flow_runs.empty() || !f.flows.empty() || !f.deployments.empty()) {
    SqlCondition c;
    c.sql = "EXISTS (SELECT 1 FROM flow_run";
    if (!f.flows.empty()) {
      c.sql += " JOIN flow ON flow.id = flow_run.flow_id";
    }
    if (!f.deployments.empty()) {
      c.sql += " JOIN deployment ON deployment.id = flow_run.deployment_id";
    }
    c.sql += fmt::format(" WHERE flow_run.id = {}.flow_run_id", t);
    for (const SqlCondition* inner : {&f.flow_runs, &f.flows, &f.deployments}) {
      if (!inner->empty()) {
        c.sql += " AND (" + inner->sql + ")";
        c.params.insert(c.params.end(), inner->params.begin(), inner->params.end());
      }
    }
    c.sql += ")";
    where.and_with(std::move(c));
  }
  if (!f.task_runs.empty()) {
    SqlCondition c;
    c.sql =
        fmt::format("EXISTS (SELECT 1 FROM task_run WHERE task_run.id = {}.task_run_id AND ({}))",
                    t, f.task_runs.sql);
    c.params = f.task_runs.params;
    where.and_with(std::move(c));
  }
  return where;
}

std::vector<SqlValue> field_values(const ArtifactFields& a) {
  return {opt(a.key),        opt(a.type),           opt(a.description),
          JsonText{a.data},  JsonText{a.metadata_}, opt(a.flow_run_id),
          opt(a.task_run_id)};
}

}  // namespace

Result<std::vector<Artifact>> ArtifactRepository::select(const std::string& where,
                                                         const std::vector<SqlValue>& params,
                                                         std::string_view tail) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx_.query(fmt::format("SELECT {} FROM artifact WHERE {}{}",
                                                       columns("artifact"), where, tail),
                                           params));
  std::vector<Artifact> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    Artifact a;
    PC_RETURN_IF_ERROR(read_common(row, a));
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<ArtifactCollection>> ArtifactRepository::select_collections(
    const std::string& where, const std::vector<SqlValue>& params, std::string_view tail) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query(fmt::format("SELECT {}, artifact_collection.latest_id FROM artifact_collection "
                            "WHERE {}{}",
                            columns("artifact_collection"), where, tail),
                params));
  std::vector<ArtifactCollection> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    ArtifactCollection c;
    PC_RETURN_IF_ERROR(read_common(row, c));
    c.latest_id = row.text(10);
    out.push_back(std::move(c));
  }
  return out;
}

Result<Artifact> ArtifactRepository::create(const schemas::ArtifactCreate& artifact,
                                            const std::string& id, const std::string& collection_id,
                                            Timestamp now) {
  const std::string ts = core::format_storage_time(now);
  const std::vector<SqlValue> fields = field_values(artifact);
  if (artifact.key) {
    // Every field is replaced, nulls included: upstream builds the row from a full model.
    std::vector<SqlValue> params{collection_id, ts, ts, id};
    params.insert(params.end(), fields.begin(), fields.end());
    PC_RETURN_IF_ERROR(tx_.exec(
        "INSERT INTO artifact_collection (id, created, updated, latest_id, key, type, "
        "description, data, metadata_, flow_run_id, task_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET latest_id = excluded.latest_id, "
        "updated = excluded.updated, type = excluded.type, description = excluded.description, "
        "data = excluded.data, metadata_ = excluded.metadata_, flow_run_id = "
        "excluded.flow_run_id, task_run_id = excluded.task_run_id",
        params));
  }
  std::vector<SqlValue> params{id, ts, ts};
  params.insert(params.end(), fields.begin(), fields.end());
  PC_RETURN_IF_ERROR(
      tx_.exec("INSERT INTO artifact (id, created, updated, key, type, description, data, "
               "metadata_, flow_run_id, task_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               params));
  return get(id);
}

Result<Artifact> ArtifactRepository::get(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto rows, select("artifact.id = ?", {id}, ""));
  if (rows.empty()) {
    return Status::not_found("Artifact not found.");
  }
  return std::move(rows.front());
}

Result<Artifact> ArtifactRepository::latest(const std::string& key) {
  PC_ASSIGN_OR_RETURN(auto rows, select_collections("artifact_collection.key = ?", {key}, ""));
  if (rows.empty()) {
    return Status::not_found("Artifact not found.");
  }
  Artifact a;
  static_cast<ArtifactFields&>(a) = rows.front();
  a.id = rows.front().id;
  a.created = rows.front().created;
  a.updated = rows.front().updated;
  return a;
}

Result<bool> ArtifactRepository::update(const std::string& id,
                                        const schemas::ArtifactUpdate& update) {
  if (update.empty()) {
    // Nothing to set: upstream's UPDATE still matches (and counts) the existing rows.
    PC_ASSIGN_OR_RETURN(Rows rows,
                        tx_.query("SELECT 1 FROM artifact WHERE id = ? UNION ALL "
                                  "SELECT 1 FROM artifact_collection WHERE latest_id = ?",
                                  {id, id}));
    return !rows.empty();
  }
  std::string sets;
  std::vector<SqlValue> params;
  auto set = [&](std::string_view column, SqlValue value) {
    sets += fmt::format("{}{} = ?", sets.empty() ? "" : ", ", column);
    params.push_back(std::move(value));
  };
  if (update.data) set("data", JsonText{*update.data});
  if (update.description_sent) set("description", opt(update.description));
  if (update.metadata_) set("metadata_", JsonText{*update.metadata_});
  params.emplace_back(id);
  PC_ASSIGN_OR_RETURN(std::int64_t artifacts,
                      tx_.exec(fmt::format("UPDATE artifact SET {} WHERE id = ?", sets), params));
  PC_ASSIGN_OR_RETURN(
      std::int64_t collections,
      tx_.exec(fmt::format("UPDATE artifact_collection SET {} WHERE latest_id = ?", sets), params));
  return artifacts + collections > 0;
}

Result<bool> ArtifactRepository::remove(const std::string& id) {
  PC_ASSIGN_OR_RETURN(auto found, select("artifact.id = ?", {id}, ""));
  if (found.empty()) {
    return false;
  }
  const Artifact& artifact = found.front();
  if (artifact.key) {
    PC_ASSIGN_OR_RETURN(Rows latest, tx_.query("SELECT 1 FROM artifact_collection WHERE key = ? "
                                               "AND latest_id = ?",
                                               {*artifact.key, id}));
    if (!latest.empty()) {
      PC_ASSIGN_OR_RETURN(auto previous,
                          select("artifact.key = ? AND artifact.id <> ?", {*artifact.key, id},
                                 " ORDER BY artifact.created DESC, artifact.id DESC LIMIT 1"));
      if (previous.empty()) {
        PC_RETURN_IF_ERROR(
            tx_.exec("DELETE FROM artifact_collection WHERE key = ? AND "
                     "latest_id = ?",
                     {*artifact.key, id}));
      } else {
        // The collection takes the previous version's values, timestamps included.
        const Artifact& p = previous.front();
        std::vector<SqlValue> params{p.id, core::format_storage_time(p.created),
                                     core::format_storage_time(p.updated)};
        for (SqlValue& v : field_values(p)) {
          params.push_back(std::move(v));
        }
        params.emplace_back(*artifact.key);
        PC_RETURN_IF_ERROR(tx_.exec(
            "UPDATE artifact_collection SET latest_id = ?, created = ?, updated = ?, key = ?, "
            "type = ?, description = ?, data = ?, metadata_ = ?, flow_run_id = ?, "
            "task_run_id = ? WHERE key = ?",
            params));
      }
    }
  }
  PC_ASSIGN_OR_RETURN(std::int64_t n, tx_.exec("DELETE FROM artifact WHERE id = ?", {id}));
  return n > 0;
}

Result<std::vector<Artifact>> ArtifactRepository::list(const ArtifactFilters& filters,
                                                       ArtifactSort sort, std::int64_t limit,
                                                       std::int64_t offset) {
  SqlCondition where = where_for(filters, "artifact");
  where.params.emplace_back(limit);
  where.params.emplace_back(offset);
  return select(where.sql, where.params,
                fmt::format(" ORDER BY {} LIMIT ? OFFSET ?", order_by(sort, "artifact")));
}

Result<std::int64_t> ArtifactRepository::count(const ArtifactFilters& filters) {
  const SqlCondition where = where_for(filters, "artifact");
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx_.query("SELECT COUNT(*) FROM artifact WHERE " + where.sql, where.params));
  return rows.empty() ? 0 : rows.front().int64(0);
}

Result<std::vector<ArtifactCollection>> ArtifactRepository::list_latest(
    const ArtifactFilters& filters, ArtifactSort sort, std::int64_t limit, std::int64_t offset) {
  SqlCondition where = where_for(filters, "artifact_collection");
  where.params.emplace_back(limit);
  where.params.emplace_back(offset);
  return select_collections(
      where.sql, where.params,
      fmt::format(" ORDER BY {} LIMIT ? OFFSET ?", order_by(sort, "artifact_collection")));
}

Result<std::int64_t> ArtifactRepository::count_latest(const ArtifactFilters& filters) {
  const SqlCondition where = where_for(filters, "artifact_collection");
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx_.query("SELECT COUNT(*) FROM artifact_collection WHERE " + where.sql, where.params));
  return rows.empty() ? 0 : rows.front().int64(0);
}

}  // namespace prefectcore::models
