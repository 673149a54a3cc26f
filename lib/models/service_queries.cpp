#include "lib/models/service_queries.h"

#include <memory>

#include <fmt/format.h>

#include "lib/core/logging.h"
#include "lib/core/time.h"
#include "lib/events/event_codec.h"
#include "lib/schemas/state.h"

namespace prefectcore::models {
namespace {

// upstream NON_TERMINAL_STATES.
constexpr std::string_view kNonTerminal =
    "('SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED', 'CANCELLING')";

std::vector<std::string> first_column(const Rows& rows) {
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    out.push_back(row.text(0));
  }
  return out;
}

Result<PausedRun> paused_from_row(const Row& row) {
  PausedRun run{row.text(0), row.text(1), std::nullopt};
  // An unreadable state_details has no usable timeout: the run stays paused.
  if (auto details = schemas::parse_state_details(row.opt_text(2).value_or("{}"))) {
    run.pause_timeout = details->pause_timeout;
  }
  return run;
}

}  // namespace

Result<std::vector<std::string>> late_run_ids(Transaction& tx, Timestamp before,
                                              std::int64_t limit) {
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx.query("SELECT id FROM flow_run WHERE state_type = 'SCHEDULED' AND state_name = "
                          "'Scheduled' AND next_scheduled_start_time <= ? "
                          "ORDER BY next_scheduled_start_time LIMIT ?",
                          {core::format_storage_time(before), limit}));
  return first_column(rows);
}

Result<std::vector<PausedRun>> paused_runs(Transaction& tx, const std::string& after_id,
                                           std::int64_t limit) {
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx.query("SELECT fr.id, s.id, s.state_details FROM flow_run fr JOIN "
                               "flow_run_state s ON s.id = fr.state_id WHERE fr.state_type = "
                               "'PAUSED' AND fr.id > ? ORDER BY fr.id LIMIT ?",
                               {after_id, limit}));
  std::vector<PausedRun> out;
  for (const Row& row : rows) {
    PC_ASSIGN_OR_RETURN(PausedRun run, paused_from_row(row));
    out.push_back(std::move(run));
  }
  return out;
}

Result<std::optional<PausedRun>> paused_run(Transaction& tx, const std::string& id) {
  PC_ASSIGN_OR_RETURN(
      Rows rows, tx.query(fmt::format("SELECT fr.id, s.id, s.state_details FROM flow_run fr JOIN "
                                      "flow_run_state s ON s.id = fr.state_id WHERE fr.id = ? AND "
                                      "fr.state_type = 'PAUSED'{}",
                                      tx.dialect().for_update()),
                          {id}));
  if (rows.empty()) {
    return std::optional<PausedRun>();
  }
  PC_ASSIGN_OR_RETURN(PausedRun run, paused_from_row(rows.front()));
  return std::optional<PausedRun>(std::move(run));
}

Result<std::vector<std::string>> recently_cancelled_runs(Transaction& tx, Timestamp since,
                                                         std::int64_t limit) {
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx.query("SELECT id FROM flow_run WHERE state_type = 'CANCELLED' AND "
                               "end_time IS NOT NULL AND end_time >= ? ORDER BY id LIMIT ?",
                               {core::format_storage_time(since), limit}));
  return first_column(rows);
}

Result<std::vector<std::string>> unfinished_task_runs(Transaction& tx,
                                                      const std::string& flow_run_id,
                                                      std::int64_t limit) {
  PC_ASSIGN_OR_RETURN(Rows rows,
                      tx.query(fmt::format("SELECT id FROM task_run WHERE flow_run_id = ? AND "
                                           "state_type IN {} ORDER BY id LIMIT ?",
                                           kNonTerminal),
                               {flow_run_id, limit}));
  return first_column(rows);
}

Result<std::vector<OrphanedSubflow>> orphaned_subflows(Transaction& tx, const std::string& after_id,
                                                       std::int64_t limit) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx.query(fmt::format(
                   "SELECT fr.id, fr.deployment_id FROM flow_run fr JOIN task_run tr ON tr.id = "
                   "fr.parent_task_run_id JOIN flow_run parent ON parent.id = tr.flow_run_id "
                   "WHERE fr.state_type IN {} AND parent.state_type = 'CANCELLED' AND NOT "
                   "(fr.deployment_id IS NOT NULL AND fr.state_type = 'CANCELLING') AND fr.id > ? "
                   "ORDER BY fr.id LIMIT ?",
                   kNonTerminal),
               {after_id, limit}));
  std::vector<OrphanedSubflow> out;
  for (const Row& row : rows) {
    out.push_back({row.text(0), !row.is_null(1)});
  }
  return out;
}

Result<std::vector<CancellingRun>> stale_cancelling_runs(Transaction& tx, Timestamp before,
                                                         std::int64_t limit) {
  PC_ASSIGN_OR_RETURN(
      Rows rows,
      tx.query("SELECT id, state_id FROM flow_run WHERE state_type = 'CANCELLING' AND state_id IS "
               "NOT NULL AND state_timestamp IS NOT NULL AND state_timestamp <= ? ORDER BY "
               "state_timestamp, id LIMIT ?",
               {core::format_storage_time(before), limit}));
  std::vector<CancellingRun> out;
  for (const Row& row : rows) {
    out.push_back({row.text(0), row.text(1)});
  }
  return out;
}

Result<bool> still_cancelling(Transaction& tx, const std::string& id, const std::string& state_id) {
  PC_ASSIGN_OR_RETURN(Rows rows, tx.query("SELECT 1 FROM flow_run WHERE id = ? AND state_id = ? "
                                          "AND state_type = 'CANCELLING'",
                                          {id, state_id}));
  return !rows.empty();
}

void publish_event_texts(events::EventBus& bus, const EventsSettings& settings, Timestamp now,
                         const std::vector<std::string>& texts) {
  if (texts.empty()) {
    return;
  }
  const auto limits = events::EventLimits::from(settings);
  std::vector<events::EventPtr> batch;
  for (const std::string& text : texts) {
    auto event = events::decode_event_text(text, limits);
    if (!event) {
      PC_LOG_WARNING("not publishing a service event: {}", event.error().message());
      continue;
    }
    event->received = now;
    batch.push_back(std::make_shared<const events::Event>(std::move(*event)));
  }
  bus.publish(batch);
}

}  // namespace prefectcore::models
