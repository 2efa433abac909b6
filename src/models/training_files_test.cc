#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/temp_dir.h"
#include "models/evaluate.h"
#include "models/train.h"

namespace finbrain::models {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

// 600 applicants: income and utilisation drive the outcome; region is noise.
std::string WriteCsv(const std::string& path) {
  std::mt19937 rng(3);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> u(0, 1);
  std::ofstream out(path);
  out << "income,utilisation,region,bad\n";
  for (int i = 0; i < 600; ++i) {
    const double income = 8000 + 3000 * normal(rng);
    const double utilisation = u(rng);
    const double margin = -2 - (income - 8000) / 2000 + 3 * (utilisation - 0.5);
    const bool bad = u(rng) < 1 / (1 + std::exp(-margin));
    out << income << "," << utilisation << "," << (i % 3 ? "east" : "west") << "," << (bad ? 1 : 0)
        << "\n";
  }
  return path;
}

TEST(TrainingFiles, TrainCrossValidateAndEvaluateFromFiles) {
  TempDir dir;
  const std::string csv = WriteCsv(dir.path() + "/apps.csv");
  std::vector<std::string> log;
  auto training = LoadTrainingData({.data = csv,
                                    .target = "bad",
                                    .kind = ModelKind::kScorecard,
                                    .author = "tester",
                                    .log = [&](std::string_view line) { log.emplace_back(line); }});
  ASSERT_TRUE(training.ok()) << training.status().ToString();
  EXPECT_EQ(training->data.rows, 600u);
  EXPECT_EQ(training->options.data_sha256.size(), 64u);
  EXPECT_THAT(log.at(0), HasSubstr("read 600 rows"));

  auto model = Train(training->data, training->options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ASSERT_TRUE((*model)->Save(dir.path() + "/model").ok());
  auto evaluation =
      EvaluateFiles(dir.path() + "/model", csv, "bad", "", -1, dir.path() + "/evaluation");
  ASSERT_TRUE(evaluation.ok()) << evaluation.status().ToString();
  EXPECT_GT(evaluation->headline.at("auc"), 0.7);
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/evaluation/metrics.json"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/evaluation/report.html"));
  // The report names its data, and that it is the model's own training data here.
  const json::object data = json::parse(evaluation->metrics_json).at("data").as_object();
  EXPECT_EQ(data.at("name"), "apps.csv");
  EXPECT_EQ(data.at("rows"), 600);
  EXPECT_EQ(data.at("sha256"), training->options.data_sha256.c_str());
  EXPECT_EQ(data.at("is_training_data"), true);

  auto cv = CrossValidate(training->data, training->options, 3, 7, Costs{5, 1});
  ASSERT_TRUE(cv.ok()) << cv.status().ToString();
  const std::string text = CvResultJson(*cv, training->options, 7, Costs{5, 1});
  const json::value parsed = json::parse(text);
  EXPECT_EQ(parsed.at("folds").as_array().size(), 3u);
  EXPECT_EQ(parsed.at("kind"), "scorecard");
  EXPECT_EQ(parsed.at("seed"), 7);
  EXPECT_TRUE(parsed.at("mean").as_object().contains("cost"));
  EXPECT_THAT(text, Not(HasSubstr("E-")));
}

TEST(TrainingFiles, ErrorsNameWhatIsWrong) {
  TempDir dir;
  const std::string csv = WriteCsv(dir.path() + "/apps.csv");
  EXPECT_EQ(LoadTrainingData({.data = dir.path() + "/none.csv", .target = "bad"}).status().code(),
            StatusCode::kNotFound);
  auto training = LoadTrainingData({.data = csv, .target = "bad", .spec_path = csv + ".yaml"});
  EXPECT_EQ(training.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(EvaluateFiles(dir.path() + "/no-model", csv, "bad", "", -1, dir.path()).ok());
}

}  // namespace
}  // namespace finbrain::models
