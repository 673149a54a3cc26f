#pragma once

// Orchestration rules (upstream orchestration/rules.py): each is a small stateless class
// naming the transitions it applies to and hooks that inspect or change the proposal.
// Decisions are values on the context (reject / delay / abort / rename), never exceptions.
// A returned non-ok Status is an error inside a rule: the engine aborts the transition and
// the request fails (upstream re-raises: HTTP 500).

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "lib/core/internal.h"
#include "lib/orchestration/context.h"

namespace prefectcore::orchestration {

// A set of state types plus "no state" (bit 9), as a bitmask.
class StateSet {
 public:
  constexpr StateSet() = default;
  static constexpr StateSet all() { return StateSet(0x3ff); }
  static constexpr StateSet all_types() { return StateSet(0x1ff); }  // every type, not "none"
  static constexpr StateSet none_state() { return StateSet(1u << 9); }
  static StateSet of(std::initializer_list<StateType> types);
  static StateSet terminal();
  bool contains(std::optional<StateType> t) const {
    return (bits_ >> (t ? static_cast<int>(*t) : 9)) & 1u;
  }
  StateSet operator|(StateSet o) const { return StateSet(bits_ | o.bits_); }
  StateSet minus(StateSet o) const { return StateSet(bits_ & ~o.bits_); }

 private:
  constexpr explicit StateSet(std::uint16_t bits) : bits_(bits) {}
  std::uint16_t bits_ = 0;
};

class Rule {
 public:
  Rule() = default;
  Rule(const Rule&) = delete;
  Rule& operator=(const Rule&) = delete;
  virtual ~Rule() = default;

  // The upstream class name, for logs and abort reasons.
  virtual std::string_view name() const = 0;
  virtual StateSet from_states() const = 0;
  virtual StateSet to_states() const = 0;
  // Universal transforms (upstream BaseUniversalTransform) run on every transition, see a
  // nullified proposal and must check for it, and never fizzle.
  virtual bool universal() const { return false; }

  virtual Status before_transition(OrchestrationContext& /*ctx*/) const { return {}; }
  virtual Status after_transition(OrchestrationContext& /*ctx*/) const { return {}; }
  // Undoes side effects of before_transition when a later rule changed the transition.
  virtual Status cleanup(OrchestrationContext& /*ctx*/) const { return {}; }
};

// A universal transform (upstream BaseUniversalTransform): applies to every transition.
class UniversalTransform : public Rule {
 public:
  StateSet from_states() const final { return StateSet::all(); }
  StateSet to_states() const final { return StateSet::all(); }
  bool universal() const final { return true; }
};

// Decisions a rule makes (upstream BaseOrchestrationRule methods). The engine notices which
// rule made the change so that rule does not fizzle itself.
// REJECT with a replacement state (a new id and timestamp are minted by the caller) or,
// with nullopt, keep the current state (nothing is written). Rejecting with nullopt a run
// that has no state is an error in the rule (upstream OrchestrationError): the engine
// aborts and the request fails.
void reject_transition(OrchestrationContext& ctx, std::optional<State> state, std::string reason);
// WAIT: nothing is written; the client retries after `seconds`.
void delay_transition(OrchestrationContext& ctx, std::int64_t seconds, std::string reason);
// ABORT: nothing is written.
void abort_transition(OrchestrationContext& ctx, std::string reason);
// Renames the proposed state (type unchanged).
void rename_state(OrchestrationContext& ctx, std::string name);

// A fresh state of `type` for a rule to propose (id minted, timestamp = ctx.now, name
// defaulting to the capitalised type, and a SCHEDULED state scheduled for now), as upstream's
// state constructors (Scheduled(), Cancelled(), ...) build them.
State new_state(OrchestrationContext& ctx, StateType type, std::string name = {},
                std::optional<std::string> message = std::nullopt);

}  // namespace prefectcore::orchestration
