// Strategy: a risk team's decision flow for credit applications, written in YAML, compiled once
// (every expression parsed and type-checked, decision tables checked for gaps and overlaps) and
// then run per application without touching text. docs/strategies.md is the reference.
//
//   description: Consumer credit line
//   variables:                       # derived values, in order; later ones may use earlier ones
//     - {name: dti, expr: "app.requested_amount / (coalesce(app.declared_income, 0) *
//     app.term_months)"}
//   models:                          # registry models (their active version) ->
//   models.<node>.pd/score
//     - {name: pd, model: credit_gbdt, inputs: {bureau_score: app.bureau.score}}
//   rules:
//     - name: fraud
//       hit_policy: all              # first | all | score_sum
//       rules:
//         - {id: F01, when: lists.blacklisted, action: decline,
//            reason: {code: F01, text: "An identifier is on a blacklist"}}
//   tables: [...]                    # decision_table.h
//   outcome: {limit: tables.pricing.limit, apr: tables.pricing.apr}
//   challenger: {version: 3, share: 0.1, key: app.user_id}
//
// `kind:` names what the strategy decides (decision/strategy_kind.h; credit by default), which
// the domain that owns the decision registers: the subject's fields, the lists and request-time
// signals a strategy of that kind may read, and the outcome's numbers. An account strategy
// (`kind: account`, src/lifecycle) reads account.<field> and event.<field> instead of app.*; a
// transaction strategy (`kind: transaction`) reads the payment or login as event.<field>.
//
// Names an expression may read: the kind's subject (app.<field> for a credit application, nested
// with dots), features.<name> (the tenant's feature windows), lists.<entity> ('blacklist' |
// 'greylist' | 'whitelist', the most severe hit; lists.contact: of the contact phones) and
// lists.blacklisted / greylisted / whitelisted (the subject's own identifiers), the kind's
// signals (graph.<name>, device.<name>, ...), variables by name, models.<node>.pd / .score,
// rules.<set>.score, tables.<table>.<output>.
//
// The decision: any decline -> decline; else any review -> review; else approve. An approval
// without a limit becomes a review (reason SYS_NO_LIMIT); a model that cannot score leaves its
// outputs missing and turns the decision into a review (reason SYS_MODEL). Declines and reviews
// also carry each model's top reasons (path attributions); approvals need none.
//
// Thread-safety: a compiled Strategy is immutable; Decide from any number of threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "decision/strategy_kind.h"
#include "features/feature_set.h"
#include "graph/graph_features.h"
#include "models/monitor.h"

namespace finbrain::decision {

// What a strategy compiles and runs against: the kinds of strategy there are, the tenant's
// feature windows and models.
struct StrategyEnvironment {
  const StrategyKinds* kinds = nullptr;                  // REQUIRED to compile
  std::shared_ptr<const features::FeatureSet> features;  // null when none are declared
  // The active version of a registry model; kNotFound when it has none.
  std::function<StatusOr<std::shared_ptr<models::ServingModel>>(std::string_view name)> model;
};

struct DecisionReason {
  std::string code;
  std::string text;
  std::string source;  // "rule:fraud/F01", "model:pd", "strategy"
};

struct RuleHit {
  std::string rule_set;
  std::string rule;
  std::string action;  // decline | review | flag | set | score
  std::string code;
  std::string text;
  double score = 0;
};

struct ModelOutput {
  std::string node;
  std::string model;
  int version = 0;
  std::optional<double> pd, score;
  std::vector<DecisionReason> reasons;
  std::string error;  // why it could not score, when it could not
};

struct DecisionOutcome {
  std::string decision;  // approve | decline | review
  std::optional<double> limit, apr, pd, score;
  std::vector<DecisionReason> reasons;
  std::vector<RuleHit> rule_hits;
  std::vector<ModelOutput> models;
  // name -> value as JSON text ("0.42", "\"app\"", "null"): variables, table outputs, rule-set
  // scores, for the explanation.
  std::vector<std::pair<std::string, std::string>> values;
  std::map<std::string, int> table_rows;  // table -> matched row (-1: none, default used)
  std::vector<std::pair<std::string, double>> latency_us;  // stage -> microseconds
};

// Request-time graph features of a credit application (src/graph), read as `graph.<name>`.
using graph::kGraphFeatures;

// Request-time device features of a credit application (src/fraud device fingerprints), read
// as `device.<name>`: whether the application's device_id belongs to a fingerprinted phone
// (known 0/1), how many accounts and install ids that phone has had, its age in days, its risk
// flags (0/1), and on how many phones the applicant has been seen. All but known and
// user_devices are missing for an unknown device.
inline constexpr std::string_view kDeviceFeatures[] = {
    "known",          "accounts", "install_ids", "age_days",    "emulator",    "rooted",
    "hook_framework", "vpn",      "proxy",       "id_conflict", "user_devices"};

// Request-time behaviour features of the applicant (src/fraud behaviour sequences), read as
// `behaviour.<name>`: how many of the user's recent sessions are held (up to 5; 0 when none was
// seen), the latest and the highest session risk among them (0..1; missing without sessions),
// how many were flagged (any B reason), ran at machine speed (B02) or followed the
// account-takeover chain (B03), and how many payments the user has made.
inline constexpr std::string_view kBehaviourFeatures[] = {
    "recent_sessions",        "last_session_risk", "max_session_risk", "flagged_sessions",
    "machine_speed_sessions", "takeover_sessions", "payments"};

struct DecisionInput {
  // What is decided, as JSON: a validated credit_application event (canonical JSON) for a
  // credit strategy; {"account": {...}, "event": {...}} for an account strategy.
  std::string_view subject_json;
  // The same subject already parsed (ValidatedEvent::fields), when the caller has it: read
  // instead of parsing subject_json again. Must outlive Decide.
  const boost::json::object* subject = nullptr;
  // Feature values in the order of `features` (FeatureStore::Compute for that set).
  std::shared_ptr<const features::FeatureSet> features;
  std::vector<std::optional<double>> feature_values;
  std::map<std::string, std::string, std::less<>> lists;  // entity type -> list name
  // The kind's signal groups' values, in the order of StrategyKind::signals and of each group's
  // names; a group left empty (or shorter) reads as missing.
  std::vector<std::vector<std::optional<double>>> signals;
};

struct Experiment {
  int challenger_version = 0;
  double share = 0;  // of traffic decided by the challenger
};

class Strategy {
 public:
  // Errors name line:column and the key path.
  static StatusOr<std::shared_ptr<const Strategy>> Compile(std::string_view yaml,
                                                           const StrategyEnvironment& env);

  DecisionOutcome Decide(const DecisionInput& input, const StrategyEnvironment& env) const;

  const std::string& yaml() const;
  const std::string& description() const;
  const StrategyKind& kind() const;
  const std::optional<Experiment>& experiment() const;
  // Where the input falls in [0, 1) for the champion/challenger split: a stable hash of the
  // experiment's key, so one applicant always gets the same branch. nullopt when there is no
  // experiment or the key is missing (then the champion decides).
  std::optional<double> SplitPoint(const DecisionInput& input) const;
  // The registry models the strategy reads.
  std::vector<std::string> model_names() const;

  struct Impl;
  explicit Strategy(std::unique_ptr<Impl> impl);
  ~Strategy();

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace finbrain::decision
