// Running a compiled strategy for one application (the decision hot path).
#include <boost/json.hpp>
#include <chrono>
#include <cmath>

#include "common/json_text.h"
#include "decision/internal/strategy_impl.h"

namespace finbrain::decision {

namespace {

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

namespace {

// Binds the application, features and list hits into a fresh frame.
void BindInputs(const Strategy::Impl& s, const DecisionInput& input, expr::Frame& frame,
                ingest::EventFields::Texts& texts, DecisionOutcome& out) {
  if (input.subject != nullptr) {
    s.subject.Bind(*input.subject, frame);
  } else if (Status bound = s.subject.Bind(input.subject_json, frame, texts); !bound.ok()) {
    out.reasons.push_back({"SYS_INPUT", s.kind->subject_name + " could not be read", "strategy"});
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
    if (entity == kContactList) continue;
    black |= it->second == "blacklist";
    grey |= it->second == "greylist";
    white |= it->second == "whitelist";
  }
  frame.values[size_t(s.blacklisted)] = expr::Value::Bool(black);
  frame.values[size_t(s.greylisted)] = expr::Value::Bool(grey);
  frame.values[size_t(s.whitelisted)] = expr::Value::Bool(white);
  const auto fill = [&](const std::vector<int>& slots,
                        const std::vector<std::optional<double>>& values) {
    for (size_t i = 0; i < slots.size() && i < values.size(); ++i) {
      if (values[i]) frame.values[size_t(slots[i])] = expr::Value::Number(*values[i]);
    }
  };
  for (size_t g = 0; g < s.signal_slots.size() && g < input.signals.size(); ++g) {
    fill(s.signal_slots[g], input.signals[g]);
  }
}

// A model node's score, with what is needed to explain it later.
struct ScoredModel {
  ModelOutput output;
  std::shared_ptr<models::ServingModel> serving;
  std::vector<models::FeatureValue> values;  // in the model's feature order
};

// `node`'s inputs in the feature order of `serving`, from the node's cache while it serves.
std::shared_ptr<const ModelBinding> Bind(const ModelNode& node,
                                         const std::shared_ptr<models::ServingModel>& serving) {
  const auto same = [&](const std::weak_ptr<const models::ServingModel>& bound) {
    return !bound.owner_before(serving) && !serving.owner_before(bound);
  };
  {
    std::lock_guard lock(node.binding->mu);
    if (node.binding->current && same(node.binding->current->serving)) {
      return node.binding->current;
    }
  }
  auto bound = std::make_shared<ModelBinding>();
  bound->serving = serving;
  for (const models::ModelFeature& f : serving->model->features()) {
    auto it = node.inputs.find(f.name);
    bound->inputs.push_back(it == node.inputs.end() ? nullptr : &it->second);
  }
  std::lock_guard lock(node.binding->mu);
  node.binding->current = bound;
  return bound;
}

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
  const std::shared_ptr<const ModelBinding> binding = Bind(node, *serving);
  std::vector<models::FeatureValue>& values = scored_model.values;
  values.reserve(binding->inputs.size());
  for (const expr::Expression* input : binding->inputs) {
    const expr::Value v =
        input == nullptr ? expr::Value::Missing(expr::Type::kNumber) : input->Eval(frame);
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
  StatusOr<std::vector<models::Reason>> reasons =
      m.serving->model->ReasonsForValues(m.values, 4, /*path_reasons=*/true);
  if (!reasons.ok()) return;
  for (const models::Reason& r : *reasons) {
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
  } else if (s.limit && !out.limit && s.kind->approval_needs_terms) {
    out.decision = "review";
    out.reasons.push_back({"SYS_NO_LIMIT", "No credit limit could be set", "strategy"});
  } else {
    out.decision = "approve";
  }
  // A declined or referred application gets no terms; an account review keeps the proposal for
  // the person who reviews it.
  if (out.decision != "approve" && s.kind->approval_needs_terms) {
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
