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

// Applicants like the training population, or (shifted) only rich ones with low utilisation.
void Score(ServingModel& serving, int rows, bool shifted, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < rows; ++i) {
    InputRow row =
        shifted ? InputRow{{"income", FeatureValue::Number(19000 + 500 * u(rng))},
                           {"utilisation", FeatureValue::Number(u(rng) * 0.1)}}
                : InputRow{{"income", FeatureValue::Number(std::round(2000 + 18000 * u(rng)))},
                           {"utilisation", FeatureValue::Number(u(rng))}};
    serving.monitor->Record(serving.model->Score(row).value().pd, serving.model->FeatureBins(row));
  }
}

TEST_F(RegistryTest, MonitorComparesLiveScoresWithTheTrainingBaseline) {
  auto model = TrainSmall(ModelKind::kGbdt, 4);
  ASSERT_TRUE(registry_->Register("acme", "pd", *model, actor_).ok());
  ASSERT_TRUE(registry_->Promote("acme", "pd", 1, actor_).ok());
  auto serving = registry_->Active("acme", "pd").value();
  std::mt19937_64 rng(5);
  Score(*serving, 3000, false, rng);
  const MonitorReport stable = CompareWithBaseline(*serving->model, serving->monitor->Pending());
  EXPECT_EQ(stable.scored, 3000u);
  EXPECT_LT(stable.psi, 0.05);
  Score(*serving, 3000, true, rng);
  const MonitorReport shifted = CompareWithBaseline(*serving->model, serving->monitor->Pending());
  EXPECT_GT(shifted.psi, 0.25);
  ASSERT_EQ(shifted.csi.size(), 2u);
  for (const auto& [feature, csi] : shifted.csi) EXPECT_GT(csi, 0.1) << feature;
}

TEST_F(RegistryTest, MonitoringIsKeptByDayAndSurvivesRestarts) {
  auto model = TrainSmall(ModelKind::kGbdt, 4);
  ASSERT_TRUE(registry_->Register("acme", "pd", *model, actor_).ok());
  ASSERT_TRUE(registry_->Promote("acme", "pd", 1, actor_).ok());
  std::mt19937_64 rng(5);
  Score(*registry_->Active("acme", "pd").value(), 3000, false, rng);
  // Not flushed yet: the window includes the pending counts.
  EXPECT_EQ(registry_->Monitoring("acme", "pd", 7).value().total.scored, 3000u);
  ASSERT_TRUE(registry_->FlushMonitoring().ok());
  EXPECT_EQ(registry_->Active("acme", "pd").value()->monitor->Pending().scored, 0u);
  EXPECT_EQ(registry_->Monitoring("acme", "pd", 7).value().total.scored, 3000u);

  clock_.AdvanceMicros(86'400'000'000);
  Score(*registry_->Active("acme", "pd").value(), 2000, true, rng);
  ASSERT_TRUE(registry_->FlushMonitoring().ok());
  Score(*registry_->Active("acme", "pd").value(), 1000, true, rng);
  ASSERT_TRUE(registry_->FlushMonitoring().ok());  // adds to the day's stored totals

  Open();  // a restart reads the day totals back
  const MonitoringWindow week = registry_->Monitoring("acme", "pd", 7).value();
  EXPECT_EQ(week.total.scored, 6000u);
  EXPECT_EQ(week.last_day, FormatRfc3339(clock_.NowMicros()).substr(0, 10));
  ASSERT_EQ(week.daily.size(), 2u);
  EXPECT_EQ(week.daily[0].scored, 3000u);
  EXPECT_LT(week.daily[0].psi, 0.05);
  EXPECT_EQ(week.daily[1].scored, 3000u);
  EXPECT_GT(week.daily[1].psi, 0.25);
  EXPECT_EQ(week.daily[1].day, week.last_day);
  const MonitoringWindow today = registry_->Monitoring("acme", "pd", 1).value();
  EXPECT_EQ(today.total.scored, 3000u);
  EXPECT_GT(today.total.psi, 0.25);
  ASSERT_EQ(today.daily.size(), 1u);

  clock_.AdvanceMicros(7 * 86'400'000'000);  // both days have left the week
  EXPECT_EQ(registry_->Monitoring("acme", "pd", 7).value().total.scored, 0u);
  EXPECT_EQ(registry_->Monitoring("acme", "pd", 9).value().total.scored, 6000u);
  for (int days : {0, -1, ModelRegistry::kMaxMonitoringDays + 1}) {
    EXPECT_EQ(registry_->Monitoring("acme", "pd", days).status().code(),
              StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(registry_->Monitoring("acme", "nope", 7).status().code(), StatusCode::kNotFound);
}

TEST_F(RegistryTest, ScoresOfAReplacedVersionStillInUseAreStored) {
  ASSERT_TRUE(registry_->Register("acme", "pd", *TrainSmall(ModelKind::kGbdt, 1), actor_).ok());
  ASSERT_TRUE(registry_->Register("acme", "pd", *TrainSmall(ModelKind::kGbdt, 2), actor_).ok());
  ASSERT_TRUE(registry_->Promote("acme", "pd", 1, actor_).ok());
  std::shared_ptr<ServingModel> in_flight = registry_->Active("acme", "pd").value();
  std::mt19937_64 rng(6);
  Score(*in_flight, 100, false, rng);
  ASSERT_TRUE(registry_->Promote("acme", "pd", 2, actor_).ok());
  ASSERT_TRUE(registry_->FlushMonitoring().ok());
  Score(*in_flight, 20, false, rng);  // a request that started on version 1 finishes on it
  in_flight.reset();
  ASSERT_TRUE(registry_->FlushMonitoring().ok());
  Score(*registry_->Active("acme", "pd").value(), 7, false, rng);
  EXPECT_EQ(registry_->Monitoring("acme", "pd", 1).value().total.scored, 7u);  // version 2

  ASSERT_TRUE(registry_->Rollback("acme", "pd", actor_).ok());
  const MonitoringWindow v1 = registry_->Monitoring("acme", "pd", 1).value();
  EXPECT_EQ(v1.serving->version, 1);
  EXPECT_EQ(v1.total.scored, 120u);
}

}  // namespace
}  // namespace finbrain::models
