#include "decision/strategy.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <set>

#include "common/entity_types.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "common/yaml_helpers.h"
#include "decision/decision_table.h"
#include "ingest/event_fields.h"

namespace finbrain::decision {
namespace {

struct ReasonSpec {
  std::string code;
  std::string text;
};

enum class Action { kDecline, kReview, kFlag, kSet, kScore };

std::string_view ActionName(Action a) {
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

struct ModelNode {
  std::string name;
  std::string model;
  std::map<std::string, expr::Expression, std::less<>> inputs;  // model feature -> value
  int pd_slot = 0, score_slot = 0;
};

// The entity types an application links, with the list slot of each.
constexpr std::string_view kListEntities[] = {"user", "phone",   "id_number",  "device",
                                              "ip",   "address", "application"};

bool IsName(std::string_view name) {
  return !name.empty() && !std::isdigit(static_cast<unsigned char>(name.front())) &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
         });
}

std::string ValueJson(const expr::Value& v) {
  if (v.missing) return "null";
  switch (v.type) {
    case expr::Type::kNumber:
      return ToJsonText(boost::json::value(v.number));
    case expr::Type::kBool:
      return v.number != 0 ? "true" : "false";
    case expr::Type::kText:
      break;
  }
  return ToJsonText(boost::json::value(boost::json::string_view(v.text.data(), v.text.size())));
}

std::optional<double> Number(const expr::Value& v) {
  if (v.missing || v.type != expr::Type::kNumber) return std::nullopt;
  return v.number;
}

}  // namespace

struct Strategy::Impl {
  std::string yaml;
  std::string description;
  expr::Scope scope;
  ingest::EventFields app;
  std::shared_ptr<const features::FeatureSet> features;  // the set compiled against
  std::vector<std::pair<std::string, int>> feature_slots;
  std::vector<std::pair<std::string, int>> list_slots;
  int blacklisted = 0, greylisted = 0, whitelisted = 0;
  std::vector<Variable> variables;
  std::vector<ModelNode> models;
  std::vector<RuleSet> rule_sets;
  std::vector<std::shared_ptr<const DecisionTable>> tables;
  std::vector<std::pair<std::string, int>> table_outputs;  // for the explanation
  std::optional<expr::Expression> limit, apr, pd, score;
  std::optional<Experiment> experiment;
  std::optional<expr::Expression> split_key;

  Status Parse(const YAML::Node& root, const StrategyEnvironment& env);
  StatusOr<expr::Expression> Expr(const YAML::Node& node, const std::string& path,
                                  const expr::Type* want = nullptr) const;
  Status ParseRuleSet(const YAML::Node& node, const std::string& path, RuleSet& set);
  Status ParseModel(const YAML::Node& node, const std::string& path, const StrategyEnvironment& env,
                    ModelNode& model);
};

StatusOr<expr::Expression> Strategy::Impl::Expr(const YAML::Node& node, const std::string& path,
                                                const expr::Type* want) const {
  if (!node || !node.IsScalar()) return YamlError(node, path, "must be an expression");
  const auto [line, column] = ScalarStart(node);
  return expr::Expression::Compile(node.as<std::string>(), scope, {line, column, path}, want);
}

namespace {

StatusOr<ReasonSpec> ParseReason(const YAML::Node& node, const std::string& path) {
  FB_RETURN_IF_ERROR(CheckKeys(node, path, {"code", "text"}));
  ReasonSpec r;
  FB_RETURN_IF_ERROR(ReadScalar(node, "code", path, r.code));
  FB_RETURN_IF_ERROR(ReadScalar(node, "text", path, r.text));
  if (r.code.empty()) return YamlError(node, path, "needs a 'code'");
  return r;
}

StatusOr<Action> ParseAction(const YAML::Node& node, const std::string& path, bool allow_set) {
  const std::string text = node.as<std::string>();
  if (text == "decline") return Action::kDecline;
  if (text == "review") return Action::kReview;
  if (text == "flag") return Action::kFlag;
  if (text == "set" && allow_set) return Action::kSet;
  return YamlError(node, path,
                   "unknown action " + Quote(text) +
                       (allow_set ? " (expected decline, review, flag or set)"
                                  : " (expected decline, review or flag)"));
}

}  // namespace

Status Strategy::Impl::ParseRuleSet(const YAML::Node& node, const std::string& path, RuleSet& set) {
  FB_RETURN_IF_ERROR(
      CheckKeys(node, path, {"name", "hit_policy", "rules", "threshold", "action", "reason"}));
  if (!node["name"]) return YamlError(node, path, "missing 'name'");
  FB_RETURN_IF_ERROR(ReadScalar(node, "name", path, set.name));
  if (!IsName(set.name)) return YamlError(node["name"], path + ".name", "must be a plain name");
  std::string policy = "all";
  FB_RETURN_IF_ERROR(ReadScalar(node, "hit_policy", path, policy));
  if (policy == "first") {
    set.policy = HitPolicy::kFirst;
  } else if (policy == "all") {
    set.policy = HitPolicy::kAll;
  } else if (policy == "score_sum") {
    set.policy = HitPolicy::kScoreSum;
  } else {
    return YamlError(node["hit_policy"], path + ".hit_policy", "must be first, all or score_sum");
  }
  const bool scored = set.policy == HitPolicy::kScoreSum;
  if (scored) {
    if (const YAML::Node t = node["threshold"]) {
      double threshold = 0;
      FB_RETURN_IF_ERROR(ReadScalar(node, "threshold", path, threshold));
      set.threshold = threshold;
      if (!node["action"]) return YamlError(node, path, "a threshold needs an 'action'");
      FB_ASSIGN_OR_RETURN(set.action, ParseAction(node["action"], path + ".action", false));
      if (!node["reason"]) return YamlError(node, path, "a threshold needs a 'reason'");
      FB_ASSIGN_OR_RETURN(set.reason, ParseReason(node["reason"], path + ".reason"));
    }
  } else {
    for (const char* key : {"threshold", "action", "reason"}) {
      if (node[key]) {
        return YamlError(node[key], path + "." + key, "only score_sum rule sets take this");
      }
    }
  }
  const YAML::Node rules = node["rules"];
  if (!rules || !rules.IsSequence() || rules.size() == 0) {
    return YamlError(rules ? rules : node, path + ".rules", "must be a non-empty list");
  }
  const expr::Type kBool = expr::Type::kBool;
  std::set<std::string> ids;
  for (size_t i = 0; i < rules.size(); ++i) {
    const YAML::Node r = rules[i];
    const std::string where = path + ".rules[" + std::to_string(i) + "]";
    FB_RETURN_IF_ERROR(CheckKeys(
        r, where, {"id", "when", "action", "reason", "priority", "score", "set", "description"}));
    Rule rule;
    if (!r["id"]) return YamlError(r, where, "missing 'id'");
    FB_RETURN_IF_ERROR(ReadScalar(r, "id", where, rule.id));
    if (!ids.insert(rule.id).second) {
      return YamlError(r["id"], where + ".id", "duplicate rule id " + Quote(rule.id));
    }
    FB_RETURN_IF_ERROR(ReadScalar(r, "priority", where, rule.priority));
    if (!r["when"]) return YamlError(r, where, "missing 'when'");
    FB_ASSIGN_OR_RETURN(rule.when, Expr(r["when"], where + ".when", &kBool));
    if (scored) {
      if (!r["score"]) return YamlError(r, where, "score_sum rules need a 'score'");
      FB_RETURN_IF_ERROR(ReadScalar(r, "score", where, rule.score));
      if (r["action"])
        return YamlError(r["action"], where + ".action", "score_sum rules only score");
      rule.action = Action::kScore;
      if (r["reason"]) {
        FB_ASSIGN_OR_RETURN(rule.reason, ParseReason(r["reason"], where + ".reason"));
      }
    } else {
      if (r["score"]) return YamlError(r["score"], where + ".score", "only score_sum rules score");
      if (!r["action"]) return YamlError(r, where, "missing 'action'");
      FB_ASSIGN_OR_RETURN(rule.action, ParseAction(r["action"], where + ".action", true));
      if (rule.action == Action::kSet) {
        const YAML::Node sets = r["set"];
        if (!sets || !sets.IsMap() || sets.size() == 0) {
          return YamlError(sets ? sets : r, where + ".set", "must map variables to values");
        }
        for (const auto& entry : sets) {
          const std::string name = entry.first.as<std::string>();
          auto var = std::find_if(variables.begin(), variables.end(),
                                  [&](const Variable& v) { return v.name == name; });
          if (var == variables.end()) {
            return YamlError(entry.first, where + ".set." + name,
                             "not a variable (declare it under variables first)");
          }
          const expr::Type type = scope.type_of(var->slot);
          FB_ASSIGN_OR_RETURN(expr::Expression value,
                              Expr(entry.second, where + ".set." + name, &type));
          rule.sets.emplace_back(var->slot, std::move(value));
        }
      } else if (r["set"]) {
        return YamlError(r["set"], where + ".set", "only 'action: set' rules set variables");
      }
      if (rule.action != Action::kSet) {
        if (!r["reason"])
          return YamlError(r, where,
                           "a " + std::string(ActionName(rule.action)) + " rule needs a 'reason'");
        FB_ASSIGN_OR_RETURN(rule.reason, ParseReason(r["reason"], where + ".reason"));
      }
    }
    set.rules.push_back(std::move(rule));
  }
  std::stable_sort(set.rules.begin(), set.rules.end(),
                   [](const Rule& a, const Rule& b) { return a.priority > b.priority; });
  if (scored) {
    StatusOr<int> slot = scope.Declare("rules." + set.name + ".score", expr::Type::kNumber);
    if (!slot.ok()) return YamlError(node["name"], path + ".name", slot.status().message());
    set.score_slot = *slot;
  }
  return OkStatus();
}

Status Strategy::Impl::ParseModel(const YAML::Node& node, const std::string& path,
                                  const StrategyEnvironment& env, ModelNode& m) {
  FB_RETURN_IF_ERROR(CheckKeys(node, path, {"name", "model", "inputs"}));
  if (!node["name"] || !node["model"]) return YamlError(node, path, "needs 'name' and 'model'");
  FB_RETURN_IF_ERROR(ReadScalar(node, "name", path, m.name));
  FB_RETURN_IF_ERROR(ReadScalar(node, "model", path, m.model));
  if (!IsName(m.name)) return YamlError(node["name"], path + ".name", "must be a plain name");
  if (!env.model) return YamlError(node["model"], path + ".model", "no model registry available");
  StatusOr<std::shared_ptr<models::ServingModel>> serving = env.model(m.model);
  if (!serving.ok()) {
    return YamlError(node["model"], path + ".model",
                     "model " + Quote(m.model) + " cannot be used: " + serving.status().message());
  }
  const YAML::Node inputs = node["inputs"];
  if (inputs && !inputs.IsMap()) {
    return YamlError(inputs, path + ".inputs", "must map model features to expressions");
  }
  std::set<std::string> known;
  for (const models::ModelFeature& f : (*serving)->model->features()) {
    known.insert(f.name);
    const expr::Type want =
        f.kind == models::ColumnKind::kNumeric ? expr::Type::kNumber : expr::Type::kText;
    const std::string where = path + ".inputs." + f.name;
    if (inputs && inputs[f.name]) {
      FB_ASSIGN_OR_RETURN(expr::Expression e, Expr(inputs[f.name], where));
      if (e.type() != want && !(want == expr::Type::kNumber && e.type() == expr::Type::kBool)) {
        return YamlError(inputs[f.name], where,
                         "the model reads a " + std::string(expr::TypeName(want)) + ", got " +
                             std::string(expr::TypeName(e.type())));
      }
      m.inputs.emplace(f.name, std::move(e));
      continue;
    }
    // By default a model feature reads the same-named variable, feature or application field.
    bool found = false;
    for (const std::string& candidate : {f.name, "features." + f.name, "app." + f.name}) {
      const expr::Scope::Entry* entry = scope.Find(candidate);
      if (entry == nullptr) continue;
      FB_ASSIGN_OR_RETURN(expr::Expression e, expr::Expression::Compile(candidate, scope));
      if (e.type() != want && !(want == expr::Type::kNumber && e.type() == expr::Type::kBool)) {
        return YamlError(node["model"], path + ".model",
                         "model feature " + Quote(f.name) + " is a " +
                             std::string(expr::TypeName(want)) + " but " + candidate + " is a " +
                             std::string(expr::TypeName(e.type())) + "; map it under inputs");
      }
      m.inputs.emplace(f.name, std::move(e));
      found = true;
      break;
    }
    if (!found) {
      return YamlError(node["model"], path + ".model",
                       "model feature " + Quote(f.name) +
                           " has no same-named variable, feature or application field; map it "
                           "under inputs");
    }
  }
  if (inputs) {
    for (const auto& entry : inputs) {
      const std::string name = entry.first.as<std::string>();
      if (!known.contains(name)) {
        return YamlError(entry.first, path + ".inputs." + name,
                         "model " + Quote(m.model) + " has no feature " + Quote(name));
      }
    }
  }
  FB_ASSIGN_OR_RETURN(m.pd_slot, scope.Declare("models." + m.name + ".pd", expr::Type::kNumber));
  FB_ASSIGN_OR_RETURN(m.score_slot,
                      scope.Declare("models." + m.name + ".score", expr::Type::kNumber));
  return OkStatus();
}

Status Strategy::Impl::Parse(const YAML::Node& root, const StrategyEnvironment& env) {
  FB_RETURN_IF_ERROR(CheckKeys(
      root, "",
      {"description", "variables", "models", "rules", "tables", "outcome", "challenger"}));
  FB_RETURN_IF_ERROR(ReadScalar(root, "description", "", description));
  FB_ASSIGN_OR_RETURN(app, ingest::EventFields::Declare("credit_application", "app.", scope));
  app.NeedAll();
  features = env.features;
  if (features) {
    for (const features::FeatureDef& f : features->features()) {
      FB_ASSIGN_OR_RETURN(int slot, scope.Declare("features." + f.name, expr::Type::kNumber));
      feature_slots.emplace_back(f.name, slot);
    }
  }
  for (std::string_view entity : kListEntities) {
    FB_ASSIGN_OR_RETURN(int slot, scope.Declare("lists." + std::string(entity), expr::Type::kText));
    list_slots.emplace_back(std::string(entity), slot);
  }
  FB_ASSIGN_OR_RETURN(blacklisted, scope.Declare("lists.blacklisted", expr::Type::kBool));
  FB_ASSIGN_OR_RETURN(greylisted, scope.Declare("lists.greylisted", expr::Type::kBool));
  FB_ASSIGN_OR_RETURN(whitelisted, scope.Declare("lists.whitelisted", expr::Type::kBool));

  const auto list = [&](const char* key) -> StatusOr<YAML::Node> {
    const YAML::Node n = root[key];
    if (n && !n.IsSequence()) return YamlError(n, key, "must be a list");
    return n;
  };
  FB_ASSIGN_OR_RETURN(const YAML::Node vars, list("variables"));
  for (size_t i = 0; vars && i < vars.size(); ++i) {
    const std::string path = "variables[" + std::to_string(i) + "]";
    FB_RETURN_IF_ERROR(CheckKeys(vars[i], path, {"name", "expr", "description"}));
    Variable v;
    if (!vars[i]["name"] || !vars[i]["expr"])
      return YamlError(vars[i], path, "needs 'name' and 'expr'");
    FB_RETURN_IF_ERROR(ReadScalar(vars[i], "name", path, v.name));
    if (!IsName(v.name)) {
      return YamlError(vars[i]["name"], path + ".name",
                       "must be a plain name (letters, digits, _), not " + Quote(v.name));
    }
    if (scope.Find(v.name) != nullptr) {
      return YamlError(vars[i]["name"], path + ".name", "duplicate variable " + Quote(v.name));
    }
    FB_ASSIGN_OR_RETURN(v.value, Expr(vars[i]["expr"], path + ".expr"));
    FB_ASSIGN_OR_RETURN(v.slot, scope.Declare(v.name, v.value.type()));
    variables.push_back(std::move(v));
  }
  FB_ASSIGN_OR_RETURN(const YAML::Node model_nodes, list("models"));
  for (size_t i = 0; model_nodes && i < model_nodes.size(); ++i) {
    ModelNode m;
    FB_RETURN_IF_ERROR(ParseModel(model_nodes[i], "models[" + std::to_string(i) + "]", env, m));
    for (const ModelNode& other : models) {
      if (other.name == m.name) {
        return YamlError(model_nodes[i]["name"], "models[" + std::to_string(i) + "].name",
                         "duplicate model node " + Quote(m.name));
      }
    }
    models.push_back(std::move(m));
  }
  FB_ASSIGN_OR_RETURN(const YAML::Node sets, list("rules"));
  for (size_t i = 0; sets && i < sets.size(); ++i) {
    RuleSet set;
    FB_RETURN_IF_ERROR(ParseRuleSet(sets[i], "rules[" + std::to_string(i) + "]", set));
    rule_sets.push_back(std::move(set));
  }
  FB_ASSIGN_OR_RETURN(const YAML::Node table_nodes, list("tables"));
  for (size_t i = 0; table_nodes && i < table_nodes.size(); ++i) {
    const size_t before = scope.size();
    FB_ASSIGN_OR_RETURN(
        auto table,
        DecisionTable::Compile(table_nodes[i], "tables[" + std::to_string(i) + "]", scope));
    for (size_t slot = before; slot < scope.size(); ++slot) {
      table_outputs.emplace_back(scope.names()[slot], int(slot));
    }
    tables.push_back(std::move(table));
  }
  if (const YAML::Node outcome = root["outcome"]) {
    FB_RETURN_IF_ERROR(CheckKeys(outcome, "outcome", {"limit", "apr", "pd", "score"}));
    const expr::Type kNumber = expr::Type::kNumber;
    for (auto [key, target] : {std::pair{"limit", &limit}, std::pair{"apr", &apr},
                               std::pair{"pd", &pd}, std::pair{"score", &score}}) {
      if (outcome[key]) {
        FB_ASSIGN_OR_RETURN(*target, Expr(outcome[key], std::string("outcome.") + key, &kNumber));
      }
    }
  }
  if (!pd && !models.empty())
    pd = expr::Expression::Compile("models." + models[0].name + ".pd", scope).value();
  if (!score && !models.empty()) {
    score = expr::Expression::Compile("models." + models[0].name + ".score", scope).value();
  }
  if (const YAML::Node c = root["challenger"]) {
    FB_RETURN_IF_ERROR(CheckKeys(c, "challenger", {"version", "share", "key"}));
    Experiment e;
    if (!c["version"] || !c["share"] || !c["key"]) {
      return YamlError(c, "challenger", "needs 'version', 'share' and 'key'");
    }
    FB_RETURN_IF_ERROR(ReadScalar(c, "version", "challenger", e.challenger_version));
    FB_RETURN_IF_ERROR(ReadScalar(c, "share", "challenger", e.share));
    if (e.challenger_version < 1) {
      return YamlError(c["version"], "challenger.version", "must be a version number");
    }
    if (!(e.share > 0 && e.share <= 1)) {
      return YamlError(c["share"], "challenger.share", "must be in (0, 1]");
    }
    FB_ASSIGN_OR_RETURN(split_key, Expr(c["key"], "challenger.key"));
    experiment = e;
  }
  if (rule_sets.empty() && models.empty() && tables.empty()) {
    return InvalidArgumentError("a strategy needs at least one of rules, models or tables");
  }
  return OkStatus();
}

Strategy::Strategy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Strategy::~Strategy() = default;

StatusOr<std::shared_ptr<const Strategy>> Strategy::Compile(std::string_view yaml,
                                                            const StrategyEnvironment& env) {
  auto impl = std::make_unique<Impl>();
  impl->yaml = std::string(yaml);
  try {
    FB_ASSIGN_OR_RETURN(const YAML::Node root, ParseYaml(yaml));
    if (!root.IsMap()) return InvalidArgumentError("a strategy must be a YAML mapping");
    FB_RETURN_IF_ERROR(impl->Parse(root, env));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("line " + std::to_string(e.mark.line + 1) + ":" +
                                std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return std::shared_ptr<const Strategy>(std::make_shared<Strategy>(std::move(impl)));
}

const std::string& Strategy::yaml() const { return impl_->yaml; }
const std::string& Strategy::description() const { return impl_->description; }
const std::optional<Experiment>& Strategy::experiment() const { return impl_->experiment; }

std::vector<std::string> Strategy::model_names() const {
  std::vector<std::string> names;
  for (const ModelNode& m : impl_->models) names.push_back(m.model);
  return names;
}

namespace {

// Binds the application, features and list hits into a fresh frame.
void BindInputs(const Strategy::Impl& s, const DecisionInput& input, expr::Frame& frame,
                ingest::EventFields::Texts& texts, DecisionOutcome& out) {
  if (Status bound = s.app.Bind(input.application_json, frame, texts); !bound.ok()) {
    out.reasons.push_back({"SYS_INPUT", "The application could not be read", "strategy"});
  }
  if (input.features) {
    const bool same = input.features == s.features;
    for (size_t i = 0; i < s.feature_slots.size(); ++i) {
      const int index = same ? int(i) : input.features->Find(s.feature_slots[i].first);
      if (index >= 0 && size_t(index) < input.feature_values.size() &&
          input.feature_values[size_t(index)]) {
        frame.values[size_t(s.feature_slots[i].second)] =
            expr::Value::Number(*input.feature_values[size_t(index)]);
      }
    }
  }
  bool black = false, grey = false, white = false;
  for (const auto& [entity, slot] : s.list_slots) {
    auto it = input.lists.find(entity);
    if (it == input.lists.end()) continue;
    texts.push_back(it->second);
    frame.values[size_t(slot)] = expr::Value::Text(texts.back());
    black |= it->second == "blacklist";
    grey |= it->second == "greylist";
    white |= it->second == "whitelist";
  }
  frame.values[size_t(s.blacklisted)] = expr::Value::Bool(black);
  frame.values[size_t(s.greylisted)] = expr::Value::Bool(grey);
  frame.values[size_t(s.whitelisted)] = expr::Value::Bool(white);
}

// A model node's score, with what is needed to explain it later.
struct ScoredModel {
  ModelOutput output;
  std::shared_ptr<models::ServingModel> serving;
  std::vector<models::FeatureValue> values;  // in the model's feature order
};

ScoredModel RunModel(const ModelNode& node, const StrategyEnvironment& env,
                     const expr::Frame& frame) {
  ScoredModel scored_model{.output = {.node = node.name, .model = node.model}};
  ModelOutput& out = scored_model.output;
  StatusOr<std::shared_ptr<models::ServingModel>> serving =
      env.model
          ? env.model(node.model)
          : StatusOr<std::shared_ptr<models::ServingModel>>(UnavailableError("no model registry"));
  if (!serving.ok()) {
    out.error = serving.status().message();
    return scored_model;
  }
  out.version = (*serving)->version;
  // The live version's features, fed by name: a promoted version with other features still
  // scores (features the strategy does not map are missing).
  std::vector<models::FeatureValue>& values = scored_model.values;
  values.reserve((*serving)->model->features().size());
  for (const models::ModelFeature& f : (*serving)->model->features()) {
    auto it = node.inputs.find(f.name);
    const expr::Value v = it == node.inputs.end() ? expr::Value::Missing(expr::Type::kNumber)
                                                  : it->second.Eval(frame);
    if (v.missing) {
      values.push_back(models::FeatureValue::Missing());
    } else if (v.type == expr::Type::kText) {
      values.push_back(models::FeatureValue::Text(std::string(v.text)));
    } else {
      values.push_back(models::FeatureValue::Number(v.number));
    }
  }
  // Reasons (TreeSHAP) are computed later, and only for declines and reviews.
  StatusOr<models::ScoreResult> scored = (*serving)->model->ScoreValues(values, 0);
  if (!scored.ok()) {
    out.error = scored.status().message();
    return scored_model;
  }
  (*serving)->monitor->Record(scored->pd, (*serving)->model->FeatureBins(values));
  out.pd = scored->pd;
  out.score = scored->score;
  scored_model.serving = std::move(*serving);
  return scored_model;
}

// The model's top reasons for the row it scored (adverse-action reasons), from path
// attributions: TreeSHAP costs ~1 ms on a 300-tree model, too much for the hot path.
void Explain(ScoredModel& m) {
  if (!m.serving) return;
  StatusOr<models::ScoreResult> scored = m.serving->model->ScoreValues(m.values, 4, true);
  if (!scored.ok()) return;
  for (const models::Reason& r : scored->reasons) {
    m.output.reasons.push_back({r.code, r.text, "model:" + m.output.node});
  }
}

}  // namespace

DecisionOutcome Strategy::Decide(const DecisionInput& input, const StrategyEnvironment& env) const {
  using Clock = std::chrono::steady_clock;
  const Impl& s = *impl_;
  DecisionOutcome out;
  auto stage_start = Clock::now();
  const auto stage = [&](const char* name) {
    const auto now = Clock::now();
    out.latency_us.emplace_back(
        name, std::chrono::duration<double, std::micro>(now - stage_start).count());
    stage_start = now;
  };
  expr::Frame frame(s.scope);
  ingest::EventFields::Texts texts;
  BindInputs(s, input, frame, texts, out);
  for (const Variable& v : s.variables) frame.values[size_t(v.slot)] = v.value.Eval(frame);
  stage("variables");

  bool model_failed = false;
  std::vector<ScoredModel> scored;
  scored.reserve(s.models.size());
  for (const ModelNode& node : s.models) {
    scored.push_back(RunModel(node, env, frame));
    const ModelOutput& m = scored.back().output;
    if (m.pd) frame.values[size_t(node.pd_slot)] = expr::Value::Number(*m.pd);
    if (m.score) frame.values[size_t(node.score_slot)] = expr::Value::Number(*m.score);
    model_failed |= !m.error.empty();
  }
  stage("models");

  bool decline = false, review = false;
  const auto fire = [&](const std::string& set, const std::string& id, Action action,
                        const ReasonSpec& reason, double score) {
    out.rule_hits.push_back(
        {set, id, std::string(ActionName(action)), reason.code, reason.text, score});
    decline |= action == Action::kDecline;
    review |= action == Action::kReview;
    if (!reason.code.empty() && action != Action::kScore && action != Action::kSet) {
      out.reasons.push_back({reason.code, reason.text, "rule:" + set + "/" + id});
    }
  };
  for (const RuleSet& set : s.rule_sets) {
    double total = 0;
    for (const Rule& rule : set.rules) {
      if (!rule.when.Holds(frame)) continue;
      if (rule.action == Action::kSet) {
        // Values first, then assignments: the rule's sets do not see each other.
        std::vector<expr::Value> values;
        for (const auto& [slot, value] : rule.sets) values.push_back(value.Eval(frame));
        for (size_t i = 0; i < values.size(); ++i)
          frame.values[size_t(rule.sets[i].first)] = values[i];
      }
      total += rule.score;
      fire(set.name, rule.id, rule.action, rule.reason, rule.score);
      if (set.policy == HitPolicy::kFirst) break;
    }
    if (set.policy == HitPolicy::kScoreSum) {
      frame.values[size_t(set.score_slot)] = expr::Value::Number(total);
      out.values.emplace_back("rules." + set.name + ".score",
                              ValueJson(expr::Value::Number(total)));
      if (set.threshold && total >= *set.threshold) {
        fire(set.name, "threshold", set.action, set.reason, total);
      }
    }
  }
  stage("rules");

  for (const auto& table : s.tables) out.table_rows[table->name()] = table->Apply(frame);
  const auto number = [&](const std::optional<expr::Expression>& e) {
    return e ? Number(e->Eval(frame)) : std::nullopt;
  };
  out.pd = number(s.pd);
  out.score = number(s.score);
  out.limit = number(s.limit);
  out.apr = number(s.apr);
  stage("tables");

  for (const Variable& v : s.variables)
    out.values.emplace_back(v.name, ValueJson(frame.values[size_t(v.slot)]));
  for (const auto& [name, slot] : s.table_outputs)
    out.values.emplace_back(name, ValueJson(frame.values[size_t(slot)]));
  const bool adverse = decline || review;
  if (adverse) {
    for (ScoredModel& m : scored) Explain(m);
  }
  for (ScoredModel& m : scored) {
    out.reasons.insert(out.reasons.end(), m.output.reasons.begin(), m.output.reasons.end());
    out.models.push_back(std::move(m.output));
  }
  if (adverse) stage("explain");
  if (decline) {
    out.decision = "decline";
  } else if (review) {
    out.decision = "review";
  } else if (model_failed) {
    out.decision = "review";
    out.reasons.push_back(
        {"SYS_MODEL", "A credit model could not score the application", "strategy"});
  } else if (s.limit && !out.limit) {
    out.decision = "review";
    out.reasons.push_back({"SYS_NO_LIMIT", "No credit limit could be set", "strategy"});
  } else {
    out.decision = "approve";
  }
  if (out.decision != "approve") {
    out.limit.reset();
    out.apr.reset();
  }
  return out;
}

std::optional<double> Strategy::SplitPoint(const DecisionInput& input) const {
  const Impl& s = *impl_;
  if (!s.experiment || !s.split_key) return std::nullopt;
  expr::Frame frame(s.scope);
  ingest::EventFields::Texts texts;
  DecisionOutcome ignored;
  BindInputs(s, input, frame, texts, ignored);
  for (const Variable& v : s.variables) frame.values[size_t(v.slot)] = v.value.Eval(frame);
  const expr::Value key = s.split_key->Eval(frame);
  if (key.missing) return std::nullopt;
  const std::string text = key.type == expr::Type::kText ? std::string(key.text) : ValueJson(key);
  // FNV-1a then a splitmix finaliser: stable across builds and well spread over [0, 1).
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return double(h >> 11) * 0x1.0p-53;
}

}  // namespace finbrain::decision
