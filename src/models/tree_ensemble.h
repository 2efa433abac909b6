// TreeEnsemble: gradient-boosted trees compiled for fast single-row scoring and explanation.
//
// Loads XGBoost's JSON model format (binary:logistic, gbtree or dart, numeric splits), so models
// trained by `finbrain train` and by XGBoost elsewhere score the same. Nodes are flattened
// into one array of 16-byte records laid out breadth-first with siblings adjacent; a prediction
// walks eight trees in lockstep without data-dependent branches and without allocating.
// Scores match XGBoost's predict to float rounding.
//
// Contributions() is TreeSHAP (Lundberg et al. 2018, "Consistent individualized feature
// attribution for tree ensembles", algorithm 2) over the node covers stored in the model: the
// same numbers as XGBoost's pred_contribs, summing exactly to the margin.
//
// Example:
//   FB_ASSIGN_OR_RETURN(TreeEnsemble model, TreeEnsemble::FromXgboostJson(text));
//   float row[] = {35.f, NAN, 1200.f};
//   double pd = model.Predict(row);
//
// Thread-safety: immutable after loading; any number of threads may score concurrently.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace finbrain::models {

class TreeEnsemble {
 public:
  static StatusOr<TreeEnsemble> FromXgboostJson(std::string_view json);

  // The raw score (log-odds of the bad outcome). `row` has num_features() values; NaN is
  // missing and follows each split's default direction.
  double PredictMargin(const float* row) const;
  // The probability of the bad outcome.
  double Predict(const float* row) const;
  // SHAP values: out[f] for each feature, out[num_features()] the bias (expected margin).
  // They sum to PredictMargin(row).
  void Contributions(const float* row, std::vector<double>& out) const;
  // Path attributions (Saabas; XGBoost's approx_contribs): along each tree's decision path,
  // the change in the cover-weighted mean prediction at every split goes to its feature. Also
  // sums exactly to the margin, costs O(depth) per tree instead of TreeSHAP's O(leaves·depth²),
  // and ranks reasons much like it: the decision hot path uses it for adverse-action reasons.
  void ApproxContributions(const float* row, std::vector<double>& out) const;

  size_t num_features() const { return num_features_; }
  size_t num_trees() const { return roots_.size(); }
  size_t max_depth() const { return max_depth_; }
  double base_margin() const { return base_margin_; }
  const std::vector<std::string>& feature_names() const { return feature_names_; }
  // Every split threshold on `feature`, ascending and distinct (counterfactual search).
  const std::vector<float>& Thresholds(size_t feature) const;

 private:
  struct Node {
    float value;            // split threshold, or the leaf value
    std::uint32_t feature;  // low 30 bits: feature; flags kDefaultLeft, kLeaf
    std::uint32_t left;     // children in nodes_, side by side (right == left + 1);
    std::uint32_t right;    // a leaf points at itself
  };
  static constexpr std::uint32_t kDefaultLeft = 0x80000000u;  // missing values go left
  static constexpr std::uint32_t kLeaf = 0x40000000u;
  static constexpr std::uint32_t kFeatureMask = 0x3fffffffu;
  struct PathElement;

  // PredictMargin and ApproxContributions walk this many trees in lockstep, for as many levels as
  // the deepest of them: no branch depends on the data, and their node loads overlap.
  static constexpr size_t kLanes = 8;
  // The roots of trees [first, first + lanes) into `at`; returns the deepest one's levels.
  std::uint32_t StartLanes(size_t first, size_t lanes, std::uint32_t* at) const;
  // The child of split `node` that `row` goes to (NaN: the default side).
  static std::uint32_t ChildOf(const Node& node, const float* row) {
    const float x = row[node.feature & kFeatureMask];
    const bool missing_left = std::isnan(x) && (node.feature & kDefaultLeft) != 0;
    return node.left + std::uint32_t(!(x < node.value) && !missing_left);
  }

  void Shap(std::uint32_t node, const float* row, double* phi, PathElement* path, unsigned depth,
            double zero_fraction, double one_fraction, int feature) const;

  std::vector<Node> nodes_;
  std::vector<double> cover_;  // sum of hessians per node (TreeSHAP weights)
  std::vector<double> mean_;   // cover-weighted mean leaf value under each node
  std::vector<std::uint32_t> roots_;
  std::vector<std::uint32_t> depths_;           // levels of each tree
  std::vector<std::vector<float>> thresholds_;  // per feature, ascending
  double base_margin_ = 0;
  double expected_margin_ = 0;  // base margin plus each tree's cover-weighted mean leaf
  size_t num_features_ = 0;
  size_t max_depth_ = 0;
  std::vector<std::string> feature_names_;
};

}  // namespace finbrain::models
