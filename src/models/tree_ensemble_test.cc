#include "models/tree_ensemble.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "models/gbdt.h"

namespace finbrain::models {
namespace {

GbdtData Synthetic(size_t rows, size_t columns, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> u(0, 1);
  GbdtData d;
  d.columns = columns;
  for (size_t r = 0; r < rows; ++r) {
    double margin = -1.5;
    for (size_t c = 0; c < columns; ++c) {
      float x = normal(rng);
      if (c % 3 == 2 && u(rng) < 0.2f) x = NAN;  // missing values in every third column
      if (!std::isnan(x)) margin += (c % 2 ? -0.6 : 0.8) * double(x) * (c < 4 ? 1.0 : 0.2);
      d.x.push_back(x);
    }
    d.y.push_back(double(u(rng)) < 1 / (1 + std::exp(-margin)) ? 1.f : 0.f);
  }
  return d;
}

// The compiled model scores every row of `test` as XGBoost's predict does (to float rounding).
void ExpectScoresMatchXgboost(const std::string& model_json, const TreeEnsemble& model,
                              const GbdtData& test) {
  auto xgb = XgboostPredictor::Load(model_json);
  ASSERT_TRUE(xgb.ok());
  const auto expected = (*xgb)->PredictMany(test.x, test.columns, false);
  ASSERT_TRUE(expected.ok());
  for (size_t r = 0; r < test.rows(); ++r) {
    ASSERT_NEAR(model.Predict(&test.x[r * test.columns]), (*expected)[r], 1e-6) << "row " << r;
  }
}

// TreeSHAP is additive: each row's contributions sum to its margin (to float leaves).
void ExpectContributionsSumToTheMargin(const TreeEnsemble& model, const GbdtData& test) {
  std::vector<double> phi;
  for (size_t r = 0; r < test.rows(); ++r) {
    const float* row = &test.x[r * test.columns];
    model.Contributions(row, phi);
    double sum = 0;
    for (double v : phi) sum += v;
    ASSERT_NEAR(sum, model.PredictMargin(row), 1e-6) << "row " << r;
  }
}

class TreeEnsembleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const GbdtData train = Synthetic(4000, 12, 1);
    const GbdtData valid = Synthetic(1000, 12, 2);
    auto result = TrainGbdt(train, &valid, {.max_rounds = 150, .max_depth = 5, .seed = 3});
    ASSERT_TRUE(result.ok()) << result.status().message();
    result_ = new GbdtResult(*result);
  }
  static void TearDownTestSuite() { delete result_; }
  static GbdtResult* result_;
};
GbdtResult* TreeEnsembleTest::result_ = nullptr;

TEST_F(TreeEnsembleTest, EarlyStoppingKeepsTheBestRound) {
  EXPECT_GT(result_->validation_auc, 0.75);
  EXPECT_LE(result_->rounds, 150);
  ASSERT_FALSE(result_->auc_by_round.empty());
  EXPECT_DOUBLE_EQ(result_->validation_auc, result_->auc_by_round[result_->rounds - 1]);
}

TEST_F(TreeEnsembleTest, CompiledScoresMatchXgboostOnThousandsOfRows) {
  const auto model = TreeEnsemble::FromXgboostJson(result_->model_json);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(model->num_trees(), size_t(result_->rounds));
  EXPECT_EQ(model->num_features(), 12u);
  const GbdtData test = Synthetic(3000, 12, 9);
  ExpectScoresMatchXgboost(result_->model_json, *model, test);
  auto xgb = XgboostPredictor::Load(result_->model_json);
  ASSERT_TRUE(xgb.ok());
  for (size_t r = 0; r < 50; ++r) {
    EXPECT_NEAR(model->Predict(&test.x[r * 12]), (*xgb)->PredictOne(&test.x[r * 12], 12).value(),
                1e-6);
  }
}

TEST_F(TreeEnsembleTest, ShapIsAdditiveAndMatchesXgboostContributions) {
  const auto model = TreeEnsemble::FromXgboostJson(result_->model_json);
  auto xgb = XgboostPredictor::Load(result_->model_json);
  const GbdtData test = Synthetic(200, 12, 10);
  const auto expected = (*xgb)->PredictMany(test.x, 12, true);
  ASSERT_TRUE(expected.ok());
  ASSERT_EQ(expected->size(), 200u * 13);
  ExpectContributionsSumToTheMargin(*model, test);
  std::vector<double> phi;
  for (size_t r = 0; r < test.rows(); ++r) {
    model->Contributions(&test.x[r * 12], phi);
    for (size_t f = 0; f <= 12; ++f) {
      ASSERT_NEAR(phi[f], (*expected)[r * 13 + f], 2e-4) << "row " << r << " feature " << f;
    }
  }
}

TEST_F(TreeEnsembleTest, PathAttributionsAreAdditiveAndAgreeWithShapOnTheTopReason) {
  const auto model = TreeEnsemble::FromXgboostJson(result_->model_json);
  ASSERT_TRUE(model.ok());
  const GbdtData test = Synthetic(500, 12, 11);
  std::vector<double> path, shap;
  size_t same_top = 0;
  for (size_t r = 0; r < test.rows(); ++r) {
    const float* row = &test.x[r * 12];
    model->ApproxContributions(row, path);
    double sum = 0;
    for (double v : path) sum += v;
    ASSERT_NEAR(sum, model->PredictMargin(row), 1e-6) << "row " << r;
    model->Contributions(row, shap);
    const auto top = [](const std::vector<double>& phi) {
      return std::max_element(phi.begin(), phi.end() - 1) - phi.begin();
    };
    same_top += top(path) == top(shap);
  }
  // Not the same numbers, but the same leading risk driver for most applicants.
  EXPECT_GT(double(same_top) / double(test.rows()), 0.8);
}

TEST(TreeEnsemble, DartModelsScaleEachTreeByItsWeight) {
  // With a third of the trees dropped per round, DART's tree weights fall well below 1: a loader
  // that ignored them would be far from XGBoost's predictions.
  const GbdtData train = Synthetic(3000, 12, 11);
  auto result =
      TrainGbdt(train, nullptr,
                {.max_rounds = 60, .booster = "dart", .rate_drop = 0.3, .skip_drop = 0, .seed = 4});
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_THAT(result->model_json, ::testing::HasSubstr("\"weight_drop\""));
  const auto model = TreeEnsemble::FromXgboostJson(result->model_json);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(model->num_trees(), 60u);
  const GbdtData test = Synthetic(2000, 12, 12);
  ExpectScoresMatchXgboost(result->model_json, *model, test);
  ExpectContributionsSumToTheMargin(*model, test);
}

TEST(TreeEnsemble, MonotoneConstraintsHold) {
  const GbdtData train = Synthetic(3000, 4, 5);
  auto result = TrainGbdt(train, nullptr, {.max_rounds = 60, .monotone = {1, -1, 0, 0}});
  ASSERT_TRUE(result.ok());
  const auto model = TreeEnsemble::FromXgboostJson(result->model_json);
  float row[4] = {0, 0, 0.5f, -0.5f};
  double previous = -1;
  for (float x = -3; x <= 3; x += 0.05f) {
    row[0] = x;
    const double pd = model->Predict(row);
    EXPECT_GE(pd, previous - 1e-12);
    previous = pd;
  }
  EXPECT_FALSE(model->Thresholds(0).empty());
}

TEST(TreeEnsemble, CorruptModelsAreRejectedWithAReason) {
  EXPECT_THAT(TreeEnsemble::FromXgboostJson("{").status().message(),
              ::testing::HasSubstr("invalid JSON"));
  EXPECT_FALSE(TreeEnsemble::FromXgboostJson("{}").ok());
  EXPECT_THAT(
      TreeEnsemble::FromXgboostJson(
          R"({"learner":{"gradient_booster":{"name":"gblinear"},"objective":{"name":"binary:logistic"}}})")
          .status()
          .message(),
      ::testing::HasSubstr("gblinear"));
}

// An XGBoost JSON model of one tree that is a chain `depth` levels deep (each split has a leaf
// on its left and the rest of the chain on its right).
std::string ChainModel(size_t depth) {
  std::string left, right, split, condition, default_left, hessian;
  const size_t nodes = 2 * depth + 1;
  for (size_t i = 0; i < nodes; ++i) {
    const bool internal = i % 2 == 0 && i < 2 * depth;
    const std::string sep = i ? "," : "";
    left += sep + (internal ? std::to_string(i + 1) : "-1");
    right += sep + (internal ? std::to_string(i + 2) : "-1");
    split += sep + "0";
    condition += sep + (internal ? "0.5" : "0.1");
    default_left += sep + "0";
    hessian += sep + "1";
  }
  return R"({"learner":{"gradient_booster":{"name":"gbtree","model":{"trees":[{"tree_param":)"
         R"({"num_nodes":")" +
         std::to_string(nodes) + R"("},"left_children":[)" + left + R"(],"right_children":[)" +
         right + R"(],"split_indices":[)" + split + R"(],"split_conditions":[)" + condition +
         R"(],"default_left":[)" + default_left + R"(],"sum_hessian":[)" + hessian +
         R"(]}]}},"objective":{"name":"binary:logistic"},)"
         R"("learner_model_param":{"base_score":"0.5","num_feature":"1"}}})";
}

// Regression: TreeSHAP recurses per level and keeps a path per level, so a registered model of
// absurd depth could exhaust the stack or memory. Depth is bounded with a clear error.
TEST(TreeEnsemble, TreesDeeperThanTheLimitAreRejected) {
  auto deep_enough = TreeEnsemble::FromXgboostJson(ChainModel(128));
  ASSERT_TRUE(deep_enough.ok()) << deep_enough.status().ToString();
  std::vector<double> phi;
  const float row[] = {1.0f};
  deep_enough->Contributions(row, phi);
  EXPECT_EQ(phi.size(), 2u);
  EXPECT_EQ(
      TreeEnsemble::FromXgboostJson(ChainModel(129)).status().message(),
      "not a usable XGBoost JSON model: a tree is 129 levels deep; at most 128 are supported");
  EXPECT_FALSE(TreeEnsemble::FromXgboostJson(ChainModel(100'000)).ok());
}

}  // namespace
}  // namespace finbrain::models
