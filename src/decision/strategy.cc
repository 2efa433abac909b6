#include "decision/strategy.h"

#include <algorithm>
#include <set>
#include <span>

#include "common/strings.h"
#include "common/yaml_helpers.h"
#include "decision/internal/strategy_impl.h"

namespace finbrain::decision {

namespace {

bool IsName(std::string_view name) {
  return !name.empty() && !std::isdigit(static_cast<unsigned char>(name.front())) &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
         });
}

// What an account strategy reads: the account under review and the event that triggered it.

}  // namespace

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
    // By default a model feature reads the same-named variable, feature or subject field.
    bool found = false;
    for (const std::string& candidate :
         {f.name, "features." + f.name, kind->model_input_prefix + f.name}) {
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
                           " has no same-named variable, feature or " + kind->name +
                           " subject field; map it "
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
      {"kind", "description", "variables", "models", "rules", "tables", "outcome", "challenger"}));
  FB_RETURN_IF_ERROR(ReadScalar(root, "description", "", description));
  std::string kind_name = "credit";
  FB_RETURN_IF_ERROR(ReadScalar(root, "kind", "", kind_name));
  kind = env.kinds != nullptr ? env.kinds->Find(kind_name) : nullptr;
  if (kind == nullptr) {
    const std::string known = env.kinds != nullptr ? Join(env.kinds->Names()) : "";
    return YamlError(root["kind"] ? root["kind"] : root, "kind",
                     "unknown kind " + Quote(kind_name) +
                         (known.empty() ? "" : " (expected one of " + known + ")"));
  }
  FB_ASSIGN_OR_RETURN(
      subject, ingest::EventFields::Declare(kind->subject_fields, kind->subject_prefix, scope));
  subject.NeedAll();
  features = env.features;
  if (features) {
    for (const features::FeatureDef& f : features->features()) {
      FB_ASSIGN_OR_RETURN(int slot, scope.Declare("features." + f.name, expr::Type::kNumber));
      feature_slots.emplace_back(f.name, slot);
    }
  }
  for (const std::string& entity : kind->list_entities) {
    FB_ASSIGN_OR_RETURN(int slot, scope.Declare("lists." + entity, expr::Type::kText));
    list_slots.emplace_back(entity, slot);
  }
  FB_ASSIGN_OR_RETURN(blacklisted, scope.Declare("lists.blacklisted", expr::Type::kBool));
  FB_ASSIGN_OR_RETURN(greylisted, scope.Declare("lists.greylisted", expr::Type::kBool));
  FB_ASSIGN_OR_RETURN(whitelisted, scope.Declare("lists.whitelisted", expr::Type::kBool));
  // Request-time signals, numbers named prefix.name.
  for (const SignalGroup& group : kind->signals) {
    std::vector<int>& slots = signal_slots.emplace_back();
    for (const std::string& name : group.names) {
      FB_ASSIGN_OR_RETURN(int slot, scope.Declare(group.prefix + "." + name, expr::Type::kNumber));
      slots.push_back(slot);
    }
  }

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
    FB_RETURN_IF_ERROR(CheckKeys(
        outcome, "outcome", std::set<std::string>(kind->outputs.begin(), kind->outputs.end())));
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
const StrategyKind& Strategy::kind() const { return *impl_->kind; }
const std::optional<Experiment>& Strategy::experiment() const { return impl_->experiment; }

std::vector<std::string> Strategy::model_names() const {
  std::vector<std::string> names;
  for (const ModelNode& m : impl_->models) names.push_back(m.model);
  return names;
}

}  // namespace finbrain::decision
