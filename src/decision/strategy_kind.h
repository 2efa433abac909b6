// StrategyKind: what a kind of strategy decides, registered by the domain that owns the decision
// (credit applications in src/decision, payments and logins in src/decision's transaction path,
// existing accounts in src/lifecycle; offers, collections and financing next). A kind says what a
// strategy of it may read, what its outcome holds and how it is dry-run; the strategy language,
// compiler and runner are the same for every kind.
//
// Example (a domain's registration, done once by the composition root):
//   StrategyKinds kinds;
//   FB_RETURN_IF_ERROR(kinds.Register({.name = "offer",
//                                      .description = "a product offer while the user shops",
//                                      .subject_fields = OfferFields(),
//                                      .list_entities = {"user", "device"},
//                                      .outputs = {"limit", "apr"},
//                                      .dry_run_fields = {"user_id"},
//                                      .dry_run = RunOfferDry}));
//   // a strategy YAML with `kind: offer` now compiles against those names
//
// Thread-safety: register every kind before strategies are compiled; afterwards the registry is
// read-only and may be read from any thread.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingest/event_schema.h"

namespace finbrain::decision {

class Strategy;

// Request-time numbers a kind's caller computes, read as `<prefix>.<name>` (graph.ring_size).
struct SignalGroup {
  std::string prefix;
  std::vector<std::string> names;
};

// What a dry run decides on: the request body (JSON text of an object whose members are the
// kind's dry_run_fields, plus "version" or "yaml", which the API has handled), the compiled
// strategy and its name and version (0 for a draft). Returns the decision record (JSON text);
// stores nothing.
using DryRun = std::function<StatusOr<std::string>(
    std::string_view tenant, std::string_view body_json, const Strategy& strategy,
    std::string_view name, int version)>;

struct StrategyKind {
  std::string name;         // `kind:` in a strategy's YAML; "credit" is the default
  std::string description;  // what it decides, for errors and the API
  // The subject decided on (a JSON object): each field's path in it, read by a strategy as
  // <subject_prefix><path> ("app." + "bureau.score"; an account review's subject is
  // {"account": {...}, "event": {...}} with an empty prefix). `subject_name` names it in errors.
  std::vector<ingest::EventSchema::ScalarField> subject_fields;
  std::string subject_prefix;
  std::string subject_name = "the subject";
  // Where a model feature without an `inputs` mapping is looked for after a same-named
  // variable and feature: "app." + its name.
  std::string model_input_prefix;
  // Entity types whose most severe list hit is read as lists.<type> (and summarised as
  // lists.blacklisted / greylisted / whitelisted, "contact" excepted).
  std::vector<std::string> list_entities;
  std::vector<SignalGroup> signals;
  // The outcome's numbers a strategy may set: of limit, apr, pd, score.
  std::vector<std::string> outputs = {"limit", "apr", "pd", "score"};
  // What the three decisions mean to the caller, for the API and docs: the names it answers
  // for approve, review and decline (a transaction: allow, challenge, block).
  std::array<std::string, 3> decisions = {"approve", "review", "decline"};
  // An approval without a limit is referred (SYS_NO_LIMIT), and only approvals carry terms.
  bool approval_needs_terms = false;
  // The dry-run request's members besides "version" and "yaml", and the run itself; without a
  // run the kind cannot be dry-run.
  std::vector<std::string> dry_run_fields;
  DryRun dry_run;
};

// The kinds of one deployment, by name.
class StrategyKinds {
 public:
  // kAlreadyExists when a kind of that name is registered; kInvalidArgument for a kind
  // without a name or subject.
  Status Register(StrategyKind kind);
  // Null when unknown.
  const StrategyKind* Find(std::string_view name) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::unique_ptr<const StrategyKind>, std::less<>> kinds_;
};

}  // namespace finbrain::decision
