// The compiled form of a Strategy, shared by compilation (strategy.cc) and evaluation
// (strategy_run.cc). Private to src/decision.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decision/internal/decision_table.h"
#include "decision/strategy.h"
#include "expr/expr.h"
#include "ingest/event_fields.h"
#include "models/monitor.h"

namespace YAML {
class Node;
}  // namespace YAML

namespace finbrain::decision {
namespace internal {

struct ReasonSpec {
  std::string code;
  std::string text;
};

enum class Action { kDecline, kReview, kFlag, kSet, kScore };

inline std::string_view ActionName(Action a) {
  static constexpr std::string_view kNames[] = {"decline", "review", "flag", "set", "score"};
  return kNames[size_t(a)];
}

struct Rule {
  std::string id;
  int priority = 0;
  expr::Expression when;
  Action action = Action::kFlag;
  ReasonSpec reason;
  double score = 0;
  std::vector<std::pair<int, expr::Expression>> sets;  // variable slot <- value
};

enum class HitPolicy { kFirst, kAll, kScoreSum };

struct RuleSet {
  std::string name;
  HitPolicy policy = HitPolicy::kAll;
  std::vector<Rule> rules;  // by priority (highest first), then file order
  // score_sum: the set's own action when the total reaches the threshold.
  std::optional<double> threshold;
  Action action = Action::kReview;
  ReasonSpec reason;
  int score_slot = -1;
};

struct Variable {
  std::string name;
  int slot = 0;
  expr::Expression value;
};

// A model node's inputs in the feature order of one model version (null: not mapped, missing).
struct ModelBinding {
  // The version they are ordered for (weak: a retired version is not kept alive, and its
  // control block is, so a later version at the same address is never taken for it).
  std::weak_ptr<const models::ServingModel> serving;
  std::vector<const expr::Expression*> inputs;
};

struct ModelNode {
  std::string name;
  std::string model;
  std::map<std::string, expr::Expression, std::less<>> inputs;  // model feature -> value
  int pd_slot = 0, score_slot = 0;
  // The binding for the version that served last: built once per version, so a decision reads
  // its inputs by position rather than ~100 lookups by name (strategy_run.cc).
  struct BindingCache {
    std::mutex mu;
    std::shared_ptr<const ModelBinding> current;
  };
  std::shared_ptr<BindingCache> binding = std::make_shared<BindingCache>();
};

// The entity types an application links, with the list slot of each (an account strategy
// reads only the user's). "contact": the most severe list of the application's contact phones;
// it is evidence about someone the applicant knows, so lists.blacklisted & co. leave it out.
inline constexpr std::string_view kContactList = "contact";

}  // namespace internal

// The implementation files of Strategy use these unqualified.
using internal::Action;
using internal::ActionName;
using internal::HitPolicy;
using internal::kContactList;
using internal::ModelBinding;
using internal::ModelNode;
using internal::ReasonSpec;
using internal::Rule;
using internal::RuleSet;
using internal::Variable;

struct Strategy::Impl {
  std::string yaml;
  std::string description;
  const StrategyKind* kind = nullptr;
  expr::Scope scope;
  ingest::EventFields subject;                           // the kind's subject fields
  std::shared_ptr<const features::FeatureSet> features;  // the set compiled against
  std::vector<std::pair<std::string, int>> feature_slots;
  std::vector<std::pair<std::string, int>> list_slots;
  int blacklisted = 0, greylisted = 0, whitelisted = 0;
  std::vector<std::vector<int>> signal_slots;  // per signal group of the kind, per name
  std::vector<internal::Variable> variables;
  std::vector<internal::ModelNode> models;
  std::vector<internal::RuleSet> rule_sets;
  std::vector<std::shared_ptr<const DecisionTable>> tables;
  std::vector<std::pair<std::string, int>> table_outputs;  // for the explanation
  std::optional<expr::Expression> limit, apr, pd, score;
  std::optional<Experiment> experiment;
  std::optional<expr::Expression> split_key;

  Status Parse(const YAML::Node& root, const StrategyEnvironment& env);
  StatusOr<expr::Expression> Expr(const YAML::Node& node, const std::string& path,
                                  const expr::Type* want = nullptr) const;
  Status ParseRuleSet(const YAML::Node& node, const std::string& path, internal::RuleSet& set);
  Status ParseModel(const YAML::Node& node, const std::string& path, const StrategyEnvironment& env,
                    internal::ModelNode& model);
};

}  // namespace finbrain::decision
