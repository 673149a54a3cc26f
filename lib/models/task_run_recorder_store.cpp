#include "lib/models/task_run_recorder_store.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "lib/core/time.h"
#include "lib/schemas/flow_run.h"  // generate_run_name

namespace prefectcore::models {
namespace {

// Rows per multi-row statement: few round trips on PostgreSQL, far below either backend's
// bound-parameter limit.
constexpr std::size_t kRowsPerStatement = 64;
constexpr std::size_t kKeysPerQuery = 128;

// Upstream's upsert keys ("id", id) and ("natural-key", flow_run_id, task_key, dynamic_key)
// as strings; the length prefix keeps task keys containing separators apart.
std::string id_key(const std::string& id) { return "i" + id; }
std::string natural_key(const std::string& flow_run_id, const std::string& task_key,
                        const std::string& dynamic_key) {
  return fmt::format("n{}|{}|{}{}", flow_run_id, task_key.size(), task_key, dynamic_key);
}
std::string natural_key(const RecordedTaskRun& r) {
  return natural_key(*r.flow_run_id, r.task_key, r.dynamic_key);
}
std::string upsert_key(const RecordedTaskRun& r) {
  return r.flow_run_id ? natural_key(r) : id_key(r.id);
}

class UnionFind {
 public:
  const std::string& find(const std::string& key) {
    auto it = parent_.try_emplace(key, key).first;
    if (it->second != key) {
      it->second = find(std::string(it->second));
    }
    return it->second;
  }
  void unite(const std::string& left, const std::string& right) {
    std::string l = find(left);
    std::string r = find(right);
    if (l != r) {
      parent_[r] = l;
    }
  }

 private:
  std::unordered_map<std::string, std::string> parent_;
};

std::string placeholders(std::size_t n) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) {
    out += i == 0 ? "?" : ", ?";
  }
  return out + ")";
}

SqlValue opt_text(const std::optional<std::string>& s) {
  return s ? SqlValue(*s) : SqlValue(SqlNull{});
}

// Existing task_run rows reachable by any key of the batch: key -> id.
struct Existing {
  std::unordered_set<std::string> ids;
  std::unordered_map<std::string, std::string> by_key;

  void add(const Row& row) {
    const std::string id = row.text(0);
    ids.insert(id);
    by_key[id_key(id)] = id;
    if (!row.is_null(1)) {
      by_key[natural_key(row.text(1), row.text(2), row.text(3))] = id;
    }
  }
};

constexpr std::string_view kKeyColumns =
    "SELECT id, flow_run_id, task_key, dynamic_key FROM task_run";

Result<Existing> find_existing(Transaction& tx, const std::vector<std::string>& ids,
                               const std::vector<const RecordedTaskRun*>& naturals) {
  Existing existing;
  for (std::size_t at = 0; at < ids.size(); at += kKeysPerQuery) {
    const std::size_t n = std::min(kKeysPerQuery, ids.size() - at);
    std::vector<SqlValue> params(ids.begin() + at, ids.begin() + at + n);
    PC_ASSIGN_OR_RETURN(
        Rows rows,
        tx.query(fmt::format("{} WHERE id IN {}", kKeyColumns, placeholders(n)), params));
    for (const Row& row : rows) {
      existing.add(row);
    }
  }
  for (std::size_t at = 0; at < naturals.size(); at += kKeysPerQuery) {
    const std::size_t n = std::min(kKeysPerQuery, naturals.size() - at);
    std::string where;
    std::vector<SqlValue> params;
    for (std::size_t i = 0; i < n; ++i) {
      const RecordedTaskRun& r = *naturals[at + i];
      where += i == 0 ? "" : " OR ";
      where += "(flow_run_id = ? AND task_key = ? AND dynamic_key = ?)";
      params.insert(params.end(), {*r.flow_run_id, r.task_key, r.dynamic_key});
    }
    PC_ASSIGN_OR_RETURN(Rows rows,
                        tx.query(fmt::format("{} WHERE {}", kKeyColumns, where), params));
    for (const Row& row : rows) {
      existing.add(row);
    }
  }
  return existing;
}

// Upstream's conflict-target choice; true for the natural key. May point the run at the id
// an existing row already holds.
bool natural_target(RecordedTaskRun& r, const std::set<std::string>& group_keys,
                    const Existing& existing) {
  if (r.flow_run_id && existing.by_key.count(natural_key(r))) {
    return true;
  }
  if (existing.ids.count(r.id)) {
    return false;
  }
  for (const std::string& key : group_keys) {  // sorted, as upstream's sorted(key=str)
    if (auto it = existing.by_key.find(key); it != existing.by_key.end()) {
      r.id = it->second;
      return false;
    }
  }
  return r.flow_run_id.has_value();
}

// The columns a run writes besides the fixed ones; rows sharing it share a statement.
std::string signature(const RecordedTaskRun& r, bool natural) {
  std::string sig = natural ? "n" : "i";
  for (const auto& [column, value] : r.columns) {
    sig += "," + column;
  }
  return sig;
}

bool names_itself(const RecordedTaskRun& r) {
  return std::any_of(r.columns.begin(), r.columns.end(),
                     [](const auto& c) { return c.first == "name"; });
}

// One INSERT ... ON CONFLICT DO UPDATE for runs of equal signature.
Status upsert(Transaction& tx, const std::vector<RecordedTaskRun*>& rows, bool natural,
              core::IdGenerator& ids, const std::string& now) {
  const RecordedTaskRun& first = *rows.front();
  const bool named = names_itself(first);
  std::vector<std::string> columns = {"id",         "created",        "updated",  "flow_run_id",
                                      "task_key",   "dynamic_key",    "state_id", "state_type",
                                      "state_name", "state_timestamp"};
  for (const auto& c : first.columns) {
    columns.push_back(c.first);
  }
  if (!named) {
    columns.emplace_back("name");  // inserted only: the ORM default, never an update
  }
  std::string sql =
      "INSERT INTO task_run (" + fmt::format("{}", fmt::join(columns, ", ")) + ") VALUES ";
  std::vector<SqlValue> params;
  params.reserve(rows.size() * columns.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const RecordedTaskRun& r = *rows[i];
    sql += (i == 0 ? "" : ", ") + placeholders(columns.size());
    params.insert(params.end(), {r.id, now, now, opt_text(r.flow_run_id), r.task_key, r.dynamic_key,
                                 r.state.id, std::string(schemas::to_string(r.state.type)),
                                 r.state.name, core::format_storage_time(r.state.timestamp)});
    for (const auto& c : r.columns) {
      params.push_back(c.second);
    }
    if (!named) {
      params.emplace_back(schemas::generate_run_name(ids));
    }
  }
  sql += natural ? " ON CONFLICT (flow_run_id, task_key, dynamic_key)" : " ON CONFLICT (id)";
  sql += " DO UPDATE SET ";
  const std::size_t update_end = named ? columns.size() : columns.size() - 1;
  for (std::size_t c = 2; c < update_end; ++c) {  // not id, created
    sql += fmt::format("{}{} = excluded.{}", c == 2 ? "" : ", ", columns[c], columns[c]);
  }
  sql += " WHERE task_run.state_timestamp < excluded.state_timestamp";
  return tx.exec(sql, params).status();
}

// The ids the natural-key rows ended up with (an existing row keeps its own).
Status natural_ids(Transaction& tx, const std::vector<const RecordedTaskRun*>& naturals,
                   std::unordered_map<std::string, std::string>& canonical) {
  PC_ASSIGN_OR_RETURN(Existing found, find_existing(tx, {}, naturals));
  for (const RecordedTaskRun* r : naturals) {
    auto it = found.by_key.find(natural_key(*r));
    if (it == found.by_key.end()) {
      return Status::internal("task run " + r->id + " vanished during its upsert");
    }
    canonical[natural_key(*r)] = it->second;
  }
  return {};
}

Result<std::int64_t> insert_states(Transaction& tx, const std::vector<RecordedTaskRun>& runs,
                                   const std::string& now) {
  std::int64_t inserted = 0;
  std::unordered_set<std::string> seen;
  std::vector<const RecordedTaskRun*> batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) {
      return {};
    }
    std::string sql =
        "INSERT INTO task_run_state (id, created, updated, task_run_id, type, name, timestamp, "
        "message, state_details, data) VALUES ";
    std::vector<SqlValue> params;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const schemas::State& s = batch[i]->state;
      sql += (i == 0 ? "" : ", ") + placeholders(10);
      params.insert(params.end(),
                    {s.id, now, now, batch[i]->id, std::string(schemas::to_string(s.type)), s.name,
                     core::format_storage_time(s.timestamp), opt_text(s.message),
                     JsonText{schemas::encode_state_details(s.details)},
                     s.data == "null" ? SqlValue(SqlNull{}) : SqlValue(JsonText{s.data})});
    }
    // No target: a duplicate event id and a second state at the same instant both skip.
    sql += " ON CONFLICT DO NOTHING";
    PC_ASSIGN_OR_RETURN(std::int64_t n, tx.exec(sql, params));
    inserted += n;
    batch.clear();
    return {};
  };
  for (const RecordedTaskRun& r : runs) {
    if (!seen.insert(r.state.id).second) {
      continue;
    }
    batch.push_back(&r);
    if (batch.size() == kRowsPerStatement) {
      PC_RETURN_IF_ERROR(flush());
    }
  }
  PC_RETURN_IF_ERROR(flush());
  return inserted;
}

}  // namespace

Result<std::vector<RecordedTaskRun>> TaskRunRecorderStore::drop_orphans(
    std::vector<RecordedTaskRun> runs, RecordOutcome& outcome) {
  std::set<std::string> wanted;
  for (const RecordedTaskRun& r : runs) {
    if (r.flow_run_id) {
      wanted.insert(*r.flow_run_id);
    }
  }
  if (wanted.empty()) {
    return runs;
  }
  const std::vector<std::string> all(wanted.begin(), wanted.end());
  std::unordered_set<std::string> found;
  for (std::size_t at = 0; at < all.size(); at += kKeysPerQuery) {
    const std::size_t n = std::min(kKeysPerQuery, all.size() - at);
    std::vector<SqlValue> params(all.begin() + at, all.begin() + at + n);
    PC_ASSIGN_OR_RETURN(
        Rows rows, tx_.query("SELECT id FROM flow_run WHERE id IN " + placeholders(n), params));
    for (const Row& row : rows) {
      found.insert(row.text(0));
    }
  }
  std::vector<RecordedTaskRun> kept;
  kept.reserve(runs.size());
  for (RecordedTaskRun& r : runs) {
    if (r.flow_run_id && !found.count(*r.flow_run_id)) {
      ++outcome.dropped;
    } else {
      kept.push_back(std::move(r));
    }
  }
  return kept;
}

Result<RecordOutcome> TaskRunRecorderStore::record(std::vector<RecordedTaskRun> runs,
                                                   core::IdGenerator& ids, Timestamp now_time) {
  RecordOutcome outcome;
  PC_ASSIGN_OR_RETURN(runs, drop_orphans(std::move(runs), outcome));
  if (runs.empty()) {
    return outcome;
  }
  const std::string now = core::format_storage_time(now_time);
  std::stable_sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) {
    return a.state.timestamp < b.state.timestamp;
  });

  // Coalesce runs connected by either key; the latest state in a group wins.
  UnionFind groups;
  for (const RecordedTaskRun& r : runs) {
    if (r.flow_run_id) {
      groups.unite(id_key(r.id), natural_key(r));
    }
  }
  std::vector<std::string> group_of(runs.size());
  std::vector<std::string> upsert_of(runs.size());
  std::map<std::string, std::size_t> winner;
  std::map<std::string, std::set<std::string>> group_keys;
  std::vector<std::string> lookup_ids;
  std::vector<const RecordedTaskRun*> lookup_naturals;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const RecordedTaskRun& r = runs[i];
    group_of[i] = groups.find(id_key(r.id));
    upsert_of[i] = upsert_key(r);
    winner[group_of[i]] = i;
    auto& keys = group_keys[group_of[i]];
    if (keys.insert(id_key(r.id)).second) {
      lookup_ids.push_back(r.id);
    }
    if (r.flow_run_id && keys.insert(natural_key(r)).second) {
      lookup_naturals.push_back(&r);
    }
  }
  PC_ASSIGN_OR_RETURN(Existing existing, find_existing(tx_, lookup_ids, lookup_naturals));

  // Winners in upsert-key order, so concurrent recorders lock rows in the same order.
  std::vector<std::size_t> order;
  for (const auto& [group, i] : winner) {
    order.push_back(i);
  }
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return upsert_of[a] < upsert_of[b]; });
  std::vector<char> natural(runs.size(), 0);
  for (std::size_t i : order) {
    natural[i] = natural_target(runs[i], group_keys[group_of[i]], existing);
  }

  std::vector<RecordedTaskRun*> segment;
  std::set<std::string> targets;
  std::string segment_sig;
  std::unordered_map<std::string, std::string> canonical;  // winner's upsert key -> id
  std::vector<const RecordedTaskRun*> naturals;
  bool segment_natural = false;
  auto emit = [&]() -> Status {
    if (segment.empty()) {
      return {};
    }
    PC_RETURN_IF_ERROR(upsert(tx_, segment, segment_natural, ids, now));
    segment.clear();
    targets.clear();
    return {};
  };
  for (std::size_t i : order) {
    RecordedTaskRun& r = runs[i];
    const bool nat = natural[i] != 0;
    const std::string sig = signature(r, nat);
    const std::string target = nat ? natural_key(r) : id_key(r.id);
    if (!segment.empty() &&
        (sig != segment_sig || targets.count(target) || segment.size() == kRowsPerStatement)) {
      PC_RETURN_IF_ERROR(emit());
    }
    segment_sig = sig;
    segment_natural = nat;
    targets.insert(target);
    segment.push_back(&r);
    if (nat) {
      naturals.push_back(&r);
    } else {
      canonical[upsert_of[i]] = r.id;
    }
  }
  PC_RETURN_IF_ERROR(emit());
  std::unordered_map<std::string, std::string> by_natural;
  PC_RETURN_IF_ERROR(natural_ids(tx_, naturals, by_natural));
  for (std::size_t i : order) {
    if (natural[i]) {
      canonical[upsert_of[i]] = by_natural.at(natural_key(runs[i]));
    }
  }

  // Every event's state points at its group's row.
  for (std::size_t i = 0; i < runs.size(); ++i) {
    RecordedTaskRun& r = runs[i];
    r.id = canonical.at(upsert_of[winner[group_of[i]]]);
    r.state.details.task_run_id = r.id;
    r.state.details.flow_run_id = r.flow_run_id;
  }
  PC_ASSIGN_OR_RETURN(outcome.states_inserted, insert_states(tx_, runs, now));
  return outcome;
}

}  // namespace prefectcore::models
