#include "models/registry.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <thread>

#include "common/temp_dir.h"
#include "models/train.h"
#include "storage/commit_queue.h"
#include "tenancy/secrets.h"

namespace finbrain::models {
namespace {

std::unique_ptr<Model> TrainSmall(ModelKind kind, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::ostringstream csv;
  csv << "income,utilisation,bad\n";
  for (int i = 0; i < 1500; ++i) {
    const double income = 2000 + 18000 * u(rng), util = u(rng);
    const double margin = -2 + 2.5 * (util - 0.5) - (income - 11000) / 6000;
    csv << std::round(income) << ',' << util << ',' << (u(rng) < 1 / (1 + std::exp(-margin)))
        << "\n";
  }
  TrainOptions o{.kind = kind, .target = "bad"};
  o.spec.gbdt.max_rounds = 30;
  return Train(ParseCsv(csv.str(), {}).value(), o).value();
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    registry_.reset();
    audit_.reset();
    commits_.reset();
    store_.reset();
    keys_ = tenancy::LoadOrCreateDeploymentKeys(dir_.path()).value();
    store_ = std::move(storage::OpenRocksDb({.path = dir_.path() + "/db"})).value();
    commits_ = std::make_unique<storage::CommitQueue>(*store_);
    audit_ = std::move(tenancy::AuditLog::Open(*store_, *commits_, keys_.audit, clock_)).value();
    registry_ = std::make_unique<ModelRegistry>(*store_, *audit_, clock_);
  }

  TempDir dir_;
  ManualClock clock_{1'700'000'000'000'000};
  tenancy::DeploymentKeys keys_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<storage::CommitQueue> commits_;
  std::unique_ptr<tenancy::AuditLog> audit_;
  std::unique_ptr<ModelRegistry> registry_;
  const tenancy::Actor actor_{"cli", "test"};
};

TEST_F(RegistryTest, RegisterPromoteRollbackAndSurviveRestart) {
  auto v1 = TrainSmall(ModelKind::kGbdt, 1);
  auto v2 = TrainSmall(ModelKind::kScorecard, 2);
  EXPECT_EQ(registry_->Register("acme", "pd", *v1, actor_).value().version, 1);
  EXPECT_EQ(registry_->Active("acme", "pd").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(registry_->Register("acme", "pd", *v2, actor_).value().version, 2);
  EXPECT_EQ(registry_->Versions("acme", "pd").value().size(), 2u);
  EXPECT_EQ(registry_->Versions("other", "pd").status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(registry_->Promote("acme", "pd", 1, actor_).ok());
  std::shared_ptr<ServingModel> first = registry_->Active("acme", "pd").value();
  EXPECT_EQ(first->version, 1);
  ASSERT_TRUE(registry_->Promote("acme", "pd", 2, actor_).ok());
  EXPECT_EQ(registry_->Active("acme", "pd").value()->version, 2);
  // The request holding version 1 still scores with it.
  InputRow row = {{"income", FeatureValue::Number(5000)}};
  EXPECT_TRUE(first->model->Score(row).ok());
  EXPECT_EQ(first->model->kind(), ModelKind::kGbdt);

  const auto listed = registry_->List("acme").value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].version, 2);
  EXPECT_TRUE(listed[0].active);

  EXPECT_EQ(registry_->Rollback("acme", "pd", actor_).value().version, 1);
  EXPECT_EQ(registry_->Active("acme", "pd").value()->version, 1);
  EXPECT_EQ(registry_->Rollback("acme", "pd", actor_).status().code(),
            StatusCode::kFailedPrecondition);

  Open();  // the active version is read back from the store
  EXPECT_EQ(registry_->Active("acme", "pd").value()->version, 1);
  EXPECT_EQ(registry_->Versions("acme", "pd").value()[0].validation_metrics.count("auc"), 1u);
  EXPECT_TRUE(tenancy::AuditLog::Verify(*store_, keys_.audit).ok());
}

TEST_F(RegistryTest, RejectsBadNamesAndUnknownVersions) {
  auto model = TrainSmall(ModelKind::kScorecard, 3);
  EXPECT_EQ(registry_->Register("acme", "Bad Name", *model, actor_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(registry_->Promote("acme", "pd", 1, actor_).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(registry_->Register("acme", "pd", *model, actor_).ok());
  EXPECT_EQ(registry_->Promote("acme", "pd", 9, actor_).status().code(), StatusCode::kNotFound);
}

TEST_F(RegistryTest, MonitorComparesLiveScoresWithTheTrainingBaseline) {
  auto model = TrainSmall(ModelKind::kGbdt, 4);
  ASSERT_TRUE(registry_->Register("acme", "pd", *model, actor_).ok());
  ASSERT_TRUE(registry_->Promote("acme", "pd", 1, actor_).ok());
  auto serving = registry_->Active("acme", "pd").value();
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  // Same population as training: low PSI. Then only rich applicants: the score shifts.
  for (int i = 0; i < 3000; ++i) {
    InputRow row = {{"income", FeatureValue::Number(std::round(2000 + 18000 * u(rng)))},
                    {"utilisation", FeatureValue::Number(u(rng))}};
    serving->monitor->Record(serving->model->Score(row).value().pd,
                             serving->model->FeatureBins(row));
  }
  const auto stable = serving->monitor->Compute();
  EXPECT_EQ(stable.scored, 3000u);
  EXPECT_LT(stable.psi, 0.05);
  for (int i = 0; i < 3000; ++i) {
    InputRow row = {{"income", FeatureValue::Number(19000 + 500 * u(rng))},
                    {"utilisation", FeatureValue::Number(u(rng) * 0.1)}};
    serving->monitor->Record(serving->model->Score(row).value().pd,
                             serving->model->FeatureBins(row));
  }
  const auto shifted = serving->monitor->Compute();
  EXPECT_GT(shifted.psi, 0.25);
  ASSERT_EQ(shifted.csi.size(), 2u);
  for (const auto& [feature, csi] : shifted.csi) EXPECT_GT(csi, 0.1) << feature;
}

}  // namespace
}  // namespace finbrain::models
