// The engine's rule mechanics (upstream rules.py): entry order, reverse exit, invalid and
// fizzled rules, universal transforms, errors; and the version parsing helpers.

#include <doctest/doctest.h>

#include "lib/orchestration/engine.h"
#include "tests/orchestration/orchestration_fixture.h"

namespace prefectcore::testing {
namespace {

using orchestration::StateSet;
using schemas::SetStateStatus;

enum class Act { kNone, kRejectToScheduled, kRejectKeep, kAbort, kWait, kRename, kFail };

// A rule that logs its hooks and makes one configured decision before the transition.
class LoggingRule final : public orchestration::Rule {
 public:
  LoggingRule(std::string name, std::vector<std::string>& log, Act act = Act::kNone,
              StateSet from = StateSet::all(), StateSet to = StateSet::all())
      : name_(std::move(name)), log_(log), act_(act), from_(from), to_(to) {}
  std::string_view name() const override { return name_; }
  StateSet from_states() const override { return from_; }
  StateSet to_states() const override { return to_; }
  Status before_transition(OrchestrationContext& ctx) const override {
    log_.push_back("before " + name_);
    switch (act_) {
      case Act::kNone:
        break;
      case Act::kRejectToScheduled:
        orchestration::reject_transition(
            ctx, orchestration::new_state(ctx, StateType::kScheduled, "AwaitingRetry"), "no");
        break;
      case Act::kRejectKeep:
        orchestration::reject_transition(ctx, std::nullopt, "keep");
        break;
      case Act::kAbort:
        orchestration::abort_transition(ctx, "stop");
        break;
      case Act::kWait:
        orchestration::delay_transition(ctx, 7, "later");
        break;
      case Act::kRename:
        orchestration::rename_state(ctx, "Renamed");
        break;
      case Act::kFail:
        return Status::internal("boom");
    }
    return {};
  }
  Status after_transition(OrchestrationContext&) const override {
    log_.push_back("after " + name_);
    return {};
  }
  Status cleanup(OrchestrationContext&) const override {
    log_.push_back("cleanup " + name_);
    return {};
  }

 private:
  std::string name_;
  std::vector<std::string>& log_;
  Act act_;
  StateSet from_, to_;
};

class LoggingTransform final : public orchestration::UniversalTransform {
 public:
  LoggingTransform(std::string name, std::vector<std::string>& log)
      : name_(std::move(name)), log_(log) {}
  std::string_view name() const override { return name_; }
  Status before_transition(OrchestrationContext& ctx) const override {
    log_.push_back("before " + name_ + (ctx.proposed ? "" : " (nullified)"));
    return {};
  }
  Status after_transition(OrchestrationContext&) const override {
    log_.push_back("after " + name_);
    return {};
  }

 private:
  std::string name_;
  std::vector<std::string>& log_;
};

using Log = std::vector<std::string>;

TEST_SUITE("pure") {
  TEST_CASE("rules enter in priority order, globals after them, and leave in reverse") {
    RuleHarness h;
    Log log;
    LoggingRule a("A", log), b("B", log);
    LoggingTransform g("G", log);
    auto ctx = h.context(StateType::kPending, StateType::kRunning);
    REQUIRE(h.run(ctx, {&a, &b}, {&g}).ok());
    CHECK(log == Log{"before A", "before B", "before G", "after G", "after B", "after A"});
    CHECK(ctx.status == SetStateStatus::kAccept);
    REQUIRE(ctx.validated);
    CHECK(ctx.validated->type == StateType::kRunning);
  }

  TEST_CASE("a rule whose states do not include the transition never fires") {
    RuleHarness h;
    Log log;
    LoggingRule skipped("S", log, Act::kAbort, StateSet::of({StateType::kScheduled}));
    LoggingRule to_none("N", log, Act::kAbort, StateSet::all(), StateSet::none_state());
    auto ctx = h.context(StateType::kPending, StateType::kRunning);
    REQUIRE(h.run(ctx, {&skipped, &to_none}).ok());
    CHECK(log.empty());
    CHECK(ctx.status == SetStateStatus::kAccept);
  }

  TEST_CASE("a rejection to another type fizzles earlier rules and invalidates later ones") {
    RuleHarness h;
    Log log;
    LoggingRule early("early", log), rejecter("rejecter", log, Act::kRejectToScheduled),
        late("late", log);
    auto ctx = h.context(StateType::kRunning, StateType::kFailed);
    REQUIRE(h.run(ctx, {&early, &rejecter, &late}).ok());
    // The rejecting rule made the change itself, so its after hook still runs.
    CHECK(log == Log{"before early", "before rejecter", "after rejecter", "cleanup early"});
    CHECK(ctx.status == SetStateStatus::kReject);
    CHECK(ctx.reason == "no");
    REQUIRE(ctx.validated);
    CHECK(ctx.validated->name == "AwaitingRetry");
  }

  TEST_CASE("WAIT, ABORT and REJECT without a state keep the current state") {
    RuleHarness h;
    Log log;
    SUBCASE("wait") {
      LoggingRule waiter("waiter", log, Act::kWait);
      auto ctx = h.context(StateType::kScheduled, StateType::kRunning);
      REQUIRE(h.run(ctx, {&waiter}).ok());
      CHECK(ctx.status == SetStateStatus::kWait);
      CHECK(ctx.delay_seconds == 7);
      CHECK(ctx.validated->id == ctx.initial->id);
      CHECK(log == Log{"before waiter", "after waiter"});
    }
    SUBCASE("abort") {
      LoggingRule aborter("aborter", log, Act::kAbort);
      auto ctx = h.context(StateType::kRunning, StateType::kPending);
      REQUIRE(h.run(ctx, {&aborter}).ok());
      CHECK(ctx.status == SetStateStatus::kAbort);
      CHECK(ctx.reason == "stop");
      CHECK(ctx.validated->id == ctx.initial->id);
    }
    SUBCASE("reject keeping the state") {
      LoggingRule keeper("keeper", log, Act::kRejectKeep);
      auto ctx = h.context(StateType::kRunning, StateType::kPaused);
      REQUIRE(h.run(ctx, {&keeper}).ok());
      CHECK(ctx.status == SetStateStatus::kReject);
      CHECK(ctx.validated->type == StateType::kRunning);
    }
  }

  TEST_CASE("renaming the proposed state is not a change of transition") {
    RuleHarness h;
    Log log;
    LoggingRule early("early", log), renamer("renamer", log, Act::kRename);
    auto ctx = h.context(StateType::kPending, StateType::kRunning);
    REQUIRE(h.run(ctx, {&early, &renamer}).ok());
    CHECK(log == Log{"before early", "before renamer", "after renamer", "after early"});
    CHECK(ctx.validated->name == "Renamed");
  }

  TEST_CASE("universal transforms see nullified proposals and still run their after hook") {
    RuleHarness h;
    Log log;
    LoggingRule aborter("aborter", log, Act::kAbort);
    LoggingTransform g("G", log);
    auto ctx = h.context(StateType::kRunning, StateType::kPending);
    REQUIRE(h.run(ctx, {&aborter}, {&g}).ok());
    CHECK(log == Log{"before aborter", "before G (nullified)", "after G", "after aborter"});
  }

  TEST_CASE("an error in a rule aborts the transition, cleans up and is returned") {
    RuleHarness h;
    Log log;
    LoggingRule early("early", log), failing("Failing", log, Act::kFail), late("late", log);
    LoggingTransform g("G", log);
    auto ctx = h.context(StateType::kPending, StateType::kRunning);
    const Status s = h.run(ctx, {&early, &failing, &late}, {&g});
    CHECK(s.code() == ErrorCode::kInternal);
    CHECK(s.message() == "boom");
    CHECK(ctx.status == SetStateStatus::kAbort);
    CHECK(ctx.reason == "Aborting orchestration due to error in Failing: boom");
    // The universal transform skips its after hook once an error occurred.
    CHECK(log == Log{"before early", "before Failing", "before G (nullified)", "cleanup Failing",
                     "cleanup early"});
  }

  TEST_CASE("rejecting without a replacement when the run has no state is an error") {
    RuleHarness h;
    Log log;
    LoggingRule keeper("Keeper", log, Act::kRejectKeep);
    auto ctx = h.context(std::nullopt, StateType::kPending);
    const Status s = h.run(ctx, {&keeper});
    CHECK(s.code() == ErrorCode::kInternal);
    CHECK(ctx.status == SetStateStatus::kAbort);
    CHECK_FALSE(ctx.validated);
  }

  TEST_CASE("a failing validation aborts, unless it is retryable") {
    RuleHarness h;
    Log log;
    LoggingRule a("A", log);
    SUBCASE("non-retryable") {
      auto ctx = h.context(StateType::kPending, StateType::kRunning);
      const Status s = orchestration::run_rules(
          ctx, {&a}, {}, [](OrchestrationContext&) { return Status::conflict("duplicate key"); });
      REQUIRE(s.ok());
      CHECK(ctx.status == SetStateStatus::kAbort);
      CHECK(ctx.reason == "Error validating state: duplicate key");
      CHECK_FALSE(ctx.validated);
      CHECK(log == Log{"before A", "cleanup A"});
    }
    SUBCASE("retryable") {
      auto ctx = h.context(StateType::kPending, StateType::kRunning);
      const Status s = orchestration::run_rules(ctx, {&a}, {}, [](OrchestrationContext&) {
        return Status::unavailable("database is locked");
      });
      CHECK(s.code() == ErrorCode::kUnavailable);
    }
  }

  TEST_CASE("compile_transition_rules keeps the rules that govern the transition") {
    Log log;
    LoggingRule from_none("from-none", log, Act::kNone, StateSet::none_state());
    LoggingRule to_pending("to-pending", log, Act::kNone, StateSet::all(),
                           StateSet::of({StateType::kPending}));
    LoggingTransform g("G", log);
    const std::vector<const Rule*> all = {&from_none, &to_pending, &g};
    CHECK(orchestration::compile_transition_rules(all, std::nullopt, StateType::kPending) == all);
    CHECK(orchestration::compile_transition_rules(
              all, StateType::kScheduled, StateType::kRunning) == std::vector<const Rule*>{&g});
    CHECK(orchestration::find_rule(all, "to-pending") == &to_pending);
    CHECK(orchestration::find_rule(all, "missing") == nullptr);
  }

  TEST_CASE("API versions parse as x.y.z and ignore suffixes") {
    using orchestration::parse_version;
    using orchestration::Version;
    CHECK(parse_version("0.8.4") == Version{0, 8, 4});
    CHECK(parse_version("3.8.4.dev6") == Version{3, 8, 4});
    CHECK(parse_version("3.0.0rc20") == Version{3, 0, 0});
    CHECK_FALSE(parse_version("3.8"));
    CHECK_FALSE(parse_version("x.y.z"));
    CHECK_FALSE(parse_version(""));
  }

  TEST_CASE("the client version comes only from a Prefect client User-Agent") {
    using orchestration::client_version_from_user_agent;
    using orchestration::Version;
    CHECK(client_version_from_user_agent("prefect/3.8.4 (API 0.8.4)") == Version{3, 8, 4});
    CHECK(client_version_from_user_agent("prefect/3.4.11.dev3+g1a2b (API 0.8.4)") ==
          Version{3, 4, 11});
    CHECK_FALSE(client_version_from_user_agent("python-httpx/0.27.0"));
    CHECK_FALSE(client_version_from_user_agent("prefect/3.8.4"));
    CHECK_FALSE(client_version_from_user_agent("prefect/3.8.4 (API )"));
    CHECK_FALSE(client_version_from_user_agent("prefect/3.8.4-Beta (API 0.8.4)"));
    CHECK_FALSE(client_version_from_user_agent("prefect/3.8.4 (API 0.8.4) extra"));
  }
}

}  // namespace
}  // namespace prefectcore::testing
