#include "lib/models/scheduled_runs.h"

#include <cstdlib>

#include <fmt/format.h>

#include "lib/core/json.h"
#include "lib/core/json_writer.h"
#include "lib/core/time.h"
#include "lib/models/deployments.h"
#include "lib/models/flow_runs.h"
#include "lib/models/run_store.h"
#include "lib/schemas/schedule.h"
#include "lib/schemas/timezone.h"

namespace prefectcore::models {
namespace {

struct ReadSchedule {
  schemas::Schedule schedule;
  std::optional<std::string> timezone;
};

std::optional<ReadSchedule> read_schedule(const std::string& json) {
  auto doc = core::JsonDocument::parse(json);
  if (!doc) {
    return std::nullopt;
  }
  core::ValidationErrors errors;
  auto schedule = schemas::decode_schedule(doc->root(), {std::string("schedule")}, errors);
  if (!schedule) {
    return std::nullopt;
  }
  std::optional<std::string> tz = std::visit([](const auto& s) { return s.timezone; }, *schedule);
  return ReadSchedule{std::move(*schedule), std::move(tz)};
}

// The schedule's class name, upstream's display_value when the schedule has no slug.
std::string_view schedule_class(const schemas::Schedule& s) {
  switch (s.index()) {
    case 0:
      return "IntervalSchedule";
    case 1:
      return "CronSchedule";
    default:
      return "RRuleSchedule";
  }
}

std::string created_by(const schemas::DeploymentSchedule& s, std::string_view class_name) {
  std::string out;
  core::JsonWriter(out)
      .begin_object()
      .key("id")
      .string(s.id)
      .key("display_value")
      .string(s.slug ? std::string_view(*s.slug) : class_name)
      .key("type")
      .string("SCHEDULE")
      .end_object();
  return out;
}

std::string auto_scheduled_tags(const std::string& deployment_tags, bool auto_scheduled) {
  std::vector<std::string> tags = json_strings(deployment_tags);
  if (auto_scheduled) {
    tags.insert(tags.begin(), "auto-scheduled");
  }
  std::string out;
  core::JsonWriter(out).string_array(tags);
  return out;
}

// "SCHEDULED runs that never ran" as upstream _delete_scheduled_runs selects them.
constexpr std::string_view kDeletableRuns =
    "deployment_id = ? AND state_type = 'SCHEDULED' AND "
    "(state_name IS NULL OR state_name <> 'AwaitingConcurrencySlot') AND run_count = 0 AND "
    "auto_scheduled = 1 AND next_scheduled_start_time > ?";

}  // namespace

std::string python_datetime_str(Timestamp t, const std::optional<std::string>& timezone) {
  const schemas::TimeZone* zone = schemas::TimeZone::find(timezone.value_or("UTC"));
  if (zone == nullptr) {
    zone = &schemas::TimeZone::utc();
  }
  const int offset = zone->offset_at(t);
  const Timestamp local = t + std::chrono::seconds(offset);
  // The storage form is "YYYY-MM-DDTHH:MM:SS.ffffffZ"; Python prints a space, no zone
  // letter, and no fraction when the microseconds are zero.
  std::string text = core::format_storage_time(local);
  if (!text.empty() && text.back() == 'Z') {
    text.pop_back();
  }
  if (text.size() > 10 && text[10] == 'T') {
    text[10] = ' ';
  }
  if (text.size() == 26 && text.compare(19, 7, ".000000") == 0) {
    text.resize(19);
  }
  const int abs_offset = std::abs(offset);
  text += fmt::format("{}{:02}:{:02}", offset < 0 ? '-' : '+', abs_offset / 3600,
                      (abs_offset % 3600) / 60);
  return text;
}

Result<std::vector<GeneratedRun>> generate_scheduled_runs(Transaction& tx, core::IdGenerator& ids,
                                                          const std::string& deployment_id,
                                                          const ScheduleWindow& window,
                                                          Timestamp now) {
  std::vector<GeneratedRun> out;
  DeploymentRepository deployments(tx, ids);
  PC_ASSIGN_OR_RETURN(auto deployment, deployments.find(deployment_id));
  if (!deployment) {
    return out;
  }
  const schemas::Deployment& d = *deployment;
  FlowRunRepository runs(tx);
  PC_ASSIGN_OR_RETURN(std::string labels, runs.system_labels(d.flow_id, d.id, std::nullopt));
  const std::string tags = auto_scheduled_tags(d.tags, window.auto_scheduled);
  const std::size_t max_runs =
      window.max_runs > 0 ? static_cast<std::size_t>(window.max_runs) : std::size_t{0};
  for (const schemas::DeploymentSchedule& s : d.schedules) {
    if (!s.active) {
      continue;
    }
    auto schedule = read_schedule(s.schedule);
    if (!schedule) {
      continue;
    }
    std::vector<Timestamp> candidates =
        schemas::schedule_dates(schedule->schedule, max_runs, window.start, window.end);
    std::vector<Timestamp> dates;
    for (Timestamp date : candidates) {
      dates.push_back(date);
      // Both minimums met: enough runs, far enough out.
      if (static_cast<std::int64_t>(dates.size()) >= window.min_runs &&
          date >= window.start + window.min_time) {
        break;
      }
    }
    const std::string parameters = schemas::merge_json_objects(d.parameters, s.parameters);
    const std::string creator = created_by(s, schedule_class(schedule->schedule));
    for (Timestamp date : dates) {
      GeneratedRun g;
      g.date = date;
      schemas::FlowRun& r = g.run;
      r.id = ids.ordered_id(now);
      r.created = now;
      r.updated = now;
      r.name = schemas::generate_run_name(ids);
      r.flow_id = d.flow_id;
      r.deployment_id = d.id;
      r.deployment_version = d.version;
      r.work_queue_name = d.work_queue_name;
      r.work_queue_id = d.work_queue_id;
      r.parameters = parameters;
      r.infrastructure_document_id = d.infrastructure_document_id;
      r.idempotency_key = fmt::format("scheduled {} {} {}", d.id, s.id,
                                      python_datetime_str(date, schedule->timezone));
      r.tags = tags;
      r.labels = labels;
      r.auto_scheduled = window.auto_scheduled;
      r.expected_start_time = date;
      r.next_scheduled_start_time = date;
      r.created_by = creator;
      out.push_back(std::move(g));
    }
  }
  return out;
}

Result<std::vector<std::string>> insert_scheduled_runs(Transaction& tx, core::IdGenerator& ids,
                                                       const std::vector<GeneratedRun>& runs,
                                                       Timestamp now) {
  std::vector<std::string> inserted;
  FlowRunRepository repo(tx);
  RunStore store(tx);
  for (const GeneratedRun& g : runs) {
    PC_ASSIGN_OR_RETURN(bool is_new, repo.insert(g.run));
    if (!is_new) {
      continue;  // the idempotency key is taken: this date is already scheduled
    }
    RunRecord record;
    record.kind = RunKind::kFlow;
    record.id = g.run.id;
    schemas::State state;
    state.id = ids.ordered_id(now);
    state.type = schemas::StateType::kScheduled;
    state.name = "Scheduled";
    state.timestamp = now;
    state.message = "Flow run scheduled";
    state.details.scheduled_time = g.date;
    PC_ASSIGN_OR_RETURN(state, store.insert_state(record, std::move(state), ids, now));
    PC_RETURN_IF_ERROR(tx.exec("UPDATE flow_run SET state_id = ?, state_type = 'SCHEDULED', "
                               "state_name = 'Scheduled', state_timestamp = ? WHERE id = ?",
                               {state.id, core::format_storage_time(state.timestamp), record.id})
                           .status());
    inserted.push_back(record.id);
  }
  return inserted;
}

Result<std::vector<std::string>> schedule_runs(Transaction& tx, core::IdGenerator& ids,
                                               const std::string& deployment_id,
                                               const ScheduleWindow& window, Timestamp now) {
  PC_ASSIGN_OR_RETURN(auto runs, generate_scheduled_runs(tx, ids, deployment_id, window, now));
  return insert_scheduled_runs(tx, ids, runs, now);
}

Result<std::vector<std::string>> deployments_needing_runs(
    Transaction& tx, Timestamp now, std::int64_t min_runs, Micros min_time,
    const std::optional<std::string>& after_id, std::int64_t limit) {
  const std::string after = after_id.value_or("");
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx.query("SELECT d.id FROM deployment d LEFT JOIN flow_run fr ON fr.deployment_id = d.id "
               "AND fr.state_type = 'SCHEDULED' AND fr.next_scheduled_start_time >= ? AND "
               "fr.auto_scheduled = 1 "
               "WHERE d.paused = 0 AND d.id > ? AND EXISTS (SELECT 1 FROM deployment_schedule s "
               "WHERE s.deployment_id = d.id AND s.active = 1) "
               "GROUP BY d.id HAVING COUNT(fr.next_scheduled_start_time) < ? OR "
               "MAX(fr.next_scheduled_start_time) < ? ORDER BY d.id LIMIT ?",
               {core::format_storage_time(now), after, min_runs,
                core::format_storage_time(now + min_time), limit}));
  std::vector<std::string> ids;
  for (const Row& row : rows) {
    ids.push_back(row.text(0));
  }
  return ids;
}

Result<std::vector<std::string>> recently_updated_deployments(
    Transaction& tx, Timestamp since, const std::optional<std::string>& after_id,
    std::int64_t limit) {
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx.query("SELECT d.id FROM deployment d WHERE d.paused = 0 AND d.updated >= ? "
                          "AND d.id > ? AND EXISTS (SELECT 1 FROM deployment_schedule s WHERE "
                          "s.deployment_id = d.id AND s.active = 1) ORDER BY d.id LIMIT ?",
                          {core::format_storage_time(since), after_id.value_or(""), limit}));
  std::vector<std::string> ids;
  for (const Row& row : rows) {
    ids.push_back(row.text(0));
  }
  return ids;
}

Result<std::int64_t> delete_future_auto_scheduled_runs(Transaction& tx,
                                                       const std::string& deployment_id,
                                                       Timestamp now) {
  return tx.exec(fmt::format("DELETE FROM flow_run WHERE {}", kDeletableRuns),
                 {deployment_id, core::format_storage_time(now)});
}

Result<std::int64_t> delete_future_auto_scheduled_runs(Transaction& tx,
                                                       const std::string& deployment_id,
                                                       const std::string& schedule_id,
                                                       Timestamp now) {
  return tx.exec(fmt::format("DELETE FROM flow_run WHERE {} AND {} = ?", kDeletableRuns,
                             tx.dialect().json_text("created_by", "id")),
                 {deployment_id, core::format_storage_time(now), schedule_id});
}

}  // namespace prefectcore::models
