#include "models/spec.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "common/strings.h"

namespace finbrain::models {
namespace {

Status Bad(const YAML::Node& node, const std::string& path, const std::string& what) {
  const YAML::Mark mark = node.Mark();
  std::string where = mark.is_null() ? ""
                                     : "line " + std::to_string(mark.line + 1) + ":" +
                                           std::to_string(mark.column + 1) + ": ";
  return InvalidArgumentError(where + path + ": " + what, path);
}

Status CheckKeys(const YAML::Node& node, const std::string& path,
                 const std::set<std::string>& allowed) {
  if (!node.IsMap()) return Bad(node, path, "must be a mapping");
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    if (!allowed.contains(key)) {
      return Bad(entry.first, path.empty() ? key : path + "." + key,
                 "unknown key (expected one of: " + Join(allowed, ", ") + ")");
    }
  }
  return OkStatus();
}

template <typename T>
Status Read(const YAML::Node& parent, const std::string& key, const std::string& path, T& out) {
  const YAML::Node node = parent[key];
  if (!node) return OkStatus();
  try {
    out = node.as<T>();
  } catch (const YAML::Exception&) {
    return Bad(node, path + "." + key, "has the wrong type");
  }
  return OkStatus();
}

StatusOr<std::vector<std::string>> Strings(const YAML::Node& node, const std::string& path) {
  if (!node.IsSequence()) return Bad(node, path, "must be a list of column names");
  std::vector<std::string> out;
  for (const auto& item : node) out.push_back(item.as<std::string>());
  return out;
}

Status ParseRoot(const YAML::Node& root, TrainSpec& spec) {
  FB_RETURN_IF_ERROR(
      CheckKeys(root, "",
                {"columns", "ignore", "special_values", "protected", "use_protected_as_features",
                 "monotone", "split", "binning", "scorecard", "gbdt", "reasons"}));
  if (const YAML::Node columns = root["columns"]) {
    if (!columns.IsMap()) return Bad(columns, "columns", "must map column names to types");
    for (const auto& entry : columns) {
      const std::string name = entry.first.as<std::string>();
      const std::string type = entry.second.as<std::string>();
      if (type == "categorical") {
        spec.categorical.push_back(name);
      } else if (type == "numeric") {
        spec.numeric.push_back(name);
      } else {
        return Bad(entry.second, "columns." + name, "must be numeric or categorical");
      }
    }
  }
  if (const YAML::Node ignore = root["ignore"]) {
    FB_ASSIGN_OR_RETURN(spec.ignore, Strings(ignore, "ignore"));
  }
  if (const YAML::Node specials = root["special_values"]) {
    if (!specials.IsMap()) return Bad(specials, "special_values", "must map columns to lists");
    for (const auto& entry : specials) {
      const std::string name = entry.first.as<std::string>();
      try {
        spec.special_values[name] = entry.second.as<std::vector<double>>();
      } catch (const YAML::Exception&) {
        return Bad(entry.second, "special_values." + name, "must be a list of numbers");
      }
    }
  }
  if (const YAML::Node prot = root["protected"]) {
    if (!prot.IsSequence()) return Bad(prot, "protected", "must be a list");
    for (const auto& item : prot) {
      ProtectedAttribute attribute;
      if (item.IsScalar()) {
        attribute.name = item.as<std::string>();
      } else {
        FB_RETURN_IF_ERROR(CheckKeys(item, "protected[]", {"name", "cuts"}));
        FB_RETURN_IF_ERROR(Read(item, "name", "protected[]", attribute.name));
        FB_RETURN_IF_ERROR(Read(item, "cuts", "protected[]", attribute.cuts));
        if (attribute.name.empty()) return Bad(item, "protected[]", "needs a name");
      }
      spec.protected_attributes.push_back(attribute);
    }
  }
  FB_RETURN_IF_ERROR(Read(root, "use_protected_as_features", "", spec.use_protected_as_features));
  if (const YAML::Node monotone = root["monotone"]) {
    if (!monotone.IsMap()) return Bad(monotone, "monotone", "must map columns to trends");
    for (const auto& entry : monotone) {
      const std::string name = entry.first.as<std::string>();
      StatusOr<Trend> trend = ParseTrend(entry.second.as<std::string>());
      if (!trend.ok()) return Bad(entry.second, "monotone." + name, trend.status().message());
      spec.monotone[name] = *trend;
    }
  }
  if (const YAML::Node split = root["split"]) {
    FB_RETURN_IF_ERROR(CheckKeys(split, "split", {"method", "validation", "time_column", "seed"}));
    std::string method = "stratified";
    FB_RETURN_IF_ERROR(Read(split, "method", "split", method));
    if (method == "random") {
      spec.split.method = SplitSpec::Method::kRandom;
    } else if (method == "stratified") {
      spec.split.method = SplitSpec::Method::kStratified;
    } else if (method == "time") {
      spec.split.method = SplitSpec::Method::kTime;
    } else {
      return Bad(split["method"], "split.method", "must be random, stratified or time");
    }
    FB_RETURN_IF_ERROR(Read(split, "validation", "split", spec.split.validation));
    FB_RETURN_IF_ERROR(Read(split, "time_column", "split", spec.split.time_column));
    FB_RETURN_IF_ERROR(Read(split, "seed", "split", spec.split.seed));
    if (!(spec.split.validation > 0 && spec.split.validation < 0.9)) {
      return Bad(split, "split.validation", "must be between 0 and 0.9");
    }
    if (spec.split.method == SplitSpec::Method::kTime && spec.split.time_column.empty()) {
      return Bad(split, "split.time_column", "is required for a time split");
    }
  }
  if (const YAML::Node b = root["binning"]) {
    FB_RETURN_IF_ERROR(CheckKeys(b, "binning", {"max_bins", "min_bin_share", "prebins"}));
    FB_RETURN_IF_ERROR(Read(b, "max_bins", "binning", spec.binning.max_bins));
    FB_RETURN_IF_ERROR(Read(b, "min_bin_share", "binning", spec.binning.min_bin_share));
    FB_RETURN_IF_ERROR(Read(b, "prebins", "binning", spec.binning.prebins));
    if (spec.binning.max_bins < 1 || spec.binning.max_bins > 50) {
      return Bad(b, "binning.max_bins", "must be between 1 and 50");
    }
    if (spec.binning.prebins < 2 || spec.binning.prebins > 200) {
      return Bad(b, "binning.prebins", "must be between 2 and 200");
    }
    if (!(spec.binning.min_bin_share >= 0 && spec.binning.min_bin_share < 0.5)) {
      return Bad(b, "binning.min_bin_share", "must be in [0, 0.5)");
    }
  }
  if (const YAML::Node s = root["scorecard"]) {
    FB_RETURN_IF_ERROR(CheckKeys(s, "scorecard",
                                 {"pdo", "base_score", "base_odds", "l2", "min_iv",
                                  "max_correlation", "stepwise", "max_features"}));
    FB_RETURN_IF_ERROR(Read(s, "pdo", "scorecard", spec.scaling.pdo));
    FB_RETURN_IF_ERROR(Read(s, "base_score", "scorecard", spec.scaling.base_score));
    FB_RETURN_IF_ERROR(Read(s, "base_odds", "scorecard", spec.scaling.base_odds));
    FB_RETURN_IF_ERROR(Read(s, "l2", "scorecard", spec.selection.l2));
    FB_RETURN_IF_ERROR(Read(s, "min_iv", "scorecard", spec.selection.min_iv));
    FB_RETURN_IF_ERROR(Read(s, "max_correlation", "scorecard", spec.selection.max_correlation));
    FB_RETURN_IF_ERROR(Read(s, "stepwise", "scorecard", spec.selection.stepwise));
    FB_RETURN_IF_ERROR(Read(s, "max_features", "scorecard", spec.selection.max_features));
    if (!(spec.scaling.pdo > 0) || !(spec.scaling.base_odds > 0)) {
      return Bad(s, "scorecard", "pdo and base_odds must be positive");
    }
  }
  if (const YAML::Node g = root["gbdt"]) {
    FB_RETURN_IF_ERROR(CheckKeys(g, "gbdt",
                                 {"max_rounds",
                                  "early_stopping_rounds",
                                  "max_depth",
                                  "learning_rate",
                                  "subsample",
                                  "colsample_bytree",
                                  "colsample_bynode",
                                  "parallel_trees",
                                  "tree_method",
                                  "booster",
                                  "rate_drop",
                                  "skip_drop",
                                  "min_child_weight",
                                  "reg_lambda",
                                  "reg_alpha",
                                  "class_weight",
                                  "refit",
                                  "threads",
                                  "seed",
                                  "rounds"}));
    GbdtParams& p = spec.gbdt;
    FB_RETURN_IF_ERROR(Read(g, "max_rounds", "gbdt", p.max_rounds));
    FB_RETURN_IF_ERROR(Read(g, "early_stopping_rounds", "gbdt", p.early_stopping_rounds));
    FB_RETURN_IF_ERROR(Read(g, "max_depth", "gbdt", p.max_depth));
    FB_RETURN_IF_ERROR(Read(g, "learning_rate", "gbdt", p.learning_rate));
    FB_RETURN_IF_ERROR(Read(g, "subsample", "gbdt", p.subsample));
    FB_RETURN_IF_ERROR(Read(g, "colsample_bytree", "gbdt", p.colsample_bytree));
    FB_RETURN_IF_ERROR(Read(g, "colsample_bynode", "gbdt", p.colsample_bynode));
    FB_RETURN_IF_ERROR(Read(g, "parallel_trees", "gbdt", p.parallel_trees));
    FB_RETURN_IF_ERROR(Read(g, "tree_method", "gbdt", p.tree_method));
    if (p.tree_method != "hist" && p.tree_method != "exact" && p.tree_method != "approx") {
      return Bad(g["tree_method"], "gbdt.tree_method", "must be hist, exact or approx");
    }
    FB_RETURN_IF_ERROR(Read(g, "booster", "gbdt", p.booster));
    if (p.booster != "gbtree" && p.booster != "dart") {
      return Bad(g["booster"], "gbdt.booster", "must be gbtree or dart");
    }
    FB_RETURN_IF_ERROR(Read(g, "rate_drop", "gbdt", p.rate_drop));
    FB_RETURN_IF_ERROR(Read(g, "skip_drop", "gbdt", p.skip_drop));
    if (!(p.rate_drop >= 0 && p.rate_drop <= 1) || !(p.skip_drop >= 0 && p.skip_drop <= 1)) {
      return Bad(g, "gbdt", "rate_drop and skip_drop must be between 0 and 1");
    }
    if (p.parallel_trees < 1 || p.parallel_trees > 100) {
      return Bad(g["parallel_trees"], "gbdt.parallel_trees", "must be between 1 and 100");
    }
    FB_RETURN_IF_ERROR(Read(g, "min_child_weight", "gbdt", p.min_child_weight));
    FB_RETURN_IF_ERROR(Read(g, "reg_lambda", "gbdt", p.reg_lambda));
    FB_RETURN_IF_ERROR(Read(g, "reg_alpha", "gbdt", p.reg_alpha));
    FB_RETURN_IF_ERROR(Read(g, "class_weight", "gbdt", spec.class_weight));
    FB_RETURN_IF_ERROR(Read(g, "refit", "gbdt", spec.refit));
    FB_RETURN_IF_ERROR(Read(g, "threads", "gbdt", p.threads));
    FB_RETURN_IF_ERROR(Read(g, "seed", "gbdt", p.seed));
    FB_RETURN_IF_ERROR(Read(g, "rounds", "gbdt", spec.fixed_rounds));
    if (spec.fixed_rounds < 0 || spec.fixed_rounds > 100000) {
      return Bad(g["rounds"], "gbdt.rounds", "must be between 1 and 100000");
    }
    if (p.max_rounds < 1 || p.max_depth < 1 || p.max_depth > 16 || !(p.learning_rate > 0)) {
      return Bad(g, "gbdt",
                 "max_rounds and max_depth (1..16) must be positive, as must "
                 "learning_rate");
    }
    if (spec.class_weight != "none" && spec.class_weight != "balanced") {
      try {
        if (std::stod(spec.class_weight) <= 0) throw std::invalid_argument("not positive");
      } catch (const std::exception&) {
        return Bad(g["class_weight"], "gbdt.class_weight",
                   "must be none, balanced or a positive number");
      }
    }
  }
  if (const YAML::Node reasons = root["reasons"]) {
    if (!reasons.IsMap()) return Bad(reasons, "reasons", "must map features to {code, text}");
    for (const auto& entry : reasons) {
      const std::string name = entry.first.as<std::string>();
      FB_RETURN_IF_ERROR(CheckKeys(entry.second, "reasons." + name, {"code", "text"}));
      ReasonText text;
      FB_RETURN_IF_ERROR(Read(entry.second, "code", "reasons." + name, text.code));
      FB_RETURN_IF_ERROR(Read(entry.second, "text", "reasons." + name, text.text));
      spec.reasons[name] = text;
    }
  }
  return OkStatus();
}

}  // namespace

bool TrainSpec::IsProtected(std::string_view column) const {
  for (const ProtectedAttribute& p : protected_attributes) {
    if (p.name == column) return true;
  }
  return false;
}

StatusOr<TrainSpec> ParseTrainSpec(std::string_view yaml) {
  TrainSpec spec;
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    if (root.IsNull()) return spec;
    FB_RETURN_IF_ERROR(ParseRoot(root, spec));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("line " + std::to_string(e.mark.line + 1) + ":" +
                                std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return spec;
}

StatusOr<TrainSpec> LoadTrainSpec(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read spec " + Quote(path));
  std::ostringstream text;
  text << in.rdbuf();
  StatusOr<TrainSpec> spec = ParseTrainSpec(text.str());
  if (!spec.ok()) {
    return Status(spec.status().code(), path + ": " + spec.status().message(),
                  spec.status().field());
  }
  return spec;
}

}  // namespace finbrain::models
