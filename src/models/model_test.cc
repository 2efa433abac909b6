#include "models/model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/temp_dir.h"
#include "models/baseline.h"
#include "models/evaluate.h"
#include "models/train.h"

namespace finbrain::models {
namespace {

using ::testing::HasSubstr;

// A loan book whose risk rises with utilisation, falls with income, and depends on the city.
std::string LoanCsv(int rows, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::ostringstream csv;
  csv << "id,income,utilisation,city,age,constant,empty,bad\n";
  const char* cities[] = {"Beijing", "Shanghai", "Chengdu", "Lhasa"};
  const double city_risk[] = {-0.3, -0.2, 0.3, 0.8};
  for (int i = 0; i < rows; ++i) {
    const double income = 2000 + 18000 * u(rng);
    const bool has_util = u(rng) > 0.1;
    const double util = u(rng);
    const int city = int(u(rng) * 4);
    const int age = 20 + int(u(rng) * 45);
    const double margin =
        -2.2 + 2.5 * (has_util ? util - 0.5 : 0.6) - (income - 11000) / 6000 + city_risk[city];
    const int bad = u(rng) < 1 / (1 + std::exp(-margin)) ? 1 : 0;
    csv << i << ',' << std::round(income) << ',';
    if (has_util) csv << util;
    csv << ',' << cities[city] << ',' << age << ",7,," << bad << "\n";
  }
  return csv.str();
}

TrainOptions Options(ModelKind kind) {
  TrainOptions o;
  o.kind = kind;
  o.target = "bad";
  o.spec.protected_attributes = {{"age", {30, 45}}};
  o.spec.gbdt.max_rounds = 150;  // keeps the suite quick; quality is not what these test
  return o;
}

InputRow Applicant(double income, double util, const std::string& city) {
  return {{"income", FeatureValue::Number(income)},
          {"utilisation", FeatureValue::Number(util)},
          {"city", FeatureValue::Text(city)}};
}

TEST(Train, ExcludesUnusableColumnsWithReasons) {
  const Dataset data = ParseCsv(LoanCsv(3000, 1), {}).value();
  TrainOptions o = Options(ModelKind::kScorecard);
  std::vector<std::string> log;
  o.log = [&](std::string_view line) { log.emplace_back(line); };
  auto model = Train(data, o);
  ASSERT_TRUE(model.ok()) << model.status().message();
  std::map<std::string, std::string> excluded(model.value()->info().excluded.begin(),
                                              model.value()->info().excluded.end());
  EXPECT_THAT(excluded["id"], HasSubstr("identifier"));
  EXPECT_THAT(excluded["constant"], HasSubstr("constant"));
  EXPECT_THAT(excluded["empty"], HasSubstr("all values missing"));
  EXPECT_THAT(excluded["age"], HasSubstr("protected"));
  for (const ModelFeature& f : model.value()->features()) {
    EXPECT_TRUE(f.name == "income" || f.name == "utilisation" || f.name == "city") << f.name;
  }
  EXPECT_FALSE(log.empty());
}

TEST(Train, BadTargetsAndSpecsAreClearErrors) {
  const Dataset data = ParseCsv(LoanCsv(500, 2), {}).value();
  TrainOptions o = Options(ModelKind::kGbdt);
  o.target = "nope";
  EXPECT_THAT(Train(data, o).status().message(), HasSubstr("not in the data"));
  o.target = "city";
  EXPECT_THAT(Train(data, o).status().message(), HasSubstr("it must be 0/1"));
  o = Options(ModelKind::kGbdt);
  o.spec.monotone["incme"] = Trend::kAscending;
  EXPECT_THAT(Train(data, o).status().message(), HasSubstr("'incme'"));
  const Dataset useless = ParseCsv("a,b,bad\n1,,0\n1,,1\n1,,0\n", {}).value();
  EXPECT_THAT(Train(useless, {.kind = ModelKind::kGbdt, .target = "bad"}).status().message(),
              HasSubstr("no usable feature"));
}

TEST(Scorecard, PointsAddUpToTheScoreAndReasonsNameTheWeakestFeatures) {
  const Dataset data = ParseCsv(LoanCsv(6000, 3), {}).value();
  auto trained = Train(data, Options(ModelKind::kScorecard));
  ASSERT_TRUE(trained.ok()) << trained.status().message();
  const Model& model = **trained;
  EXPECT_GT(model.info().validation_metrics.at("auc"), 0.7);
  for (const ModelFeature& f : model.features()) EXPECT_LT(f.coefficient, 0) << f.name;

  const InputRow risky = Applicant(2500, 0.97, "Lhasa");
  const ScoreResult r = model.Score(risky).value();
  const std::vector<float> x = model.Encode(risky).value();
  double points = 0;
  for (size_t i = 0; i < model.features().size(); ++i) {
    points += model.features()[i].points[static_cast<size_t>(x[i])];
  }
  EXPECT_NEAR(points, r.score, 1e-6);
  EXPECT_NEAR(model.scaling().ScoreFromPd(r.pd), r.score, 1e-6);
  ASSERT_FALSE(r.reasons.empty());
  EXPECT_GT(r.reasons.front().impact, 0);
  EXPECT_THAT(r.reasons.front().code, HasSubstr("RC_"));

  const ScoreResult safe = model.Score(Applicant(19000, 0.05, "Beijing")).value();
  EXPECT_LT(safe.pd, r.pd);
  EXPECT_GT(safe.score, r.score);
}

TEST(Model, ScoringRejectsUnknownFieldsAndWrongTypes) {
  const Dataset data = ParseCsv(LoanCsv(2000, 4), {}).value();
  auto model = Train(data, Options(ModelKind::kGbdt)).value();
  InputRow row = Applicant(5000, 0.5, "Beijing");
  row["salary"] = FeatureValue::Number(1);
  auto unknown = model->Score(row);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().field(), "salary");
  InputRow text = Applicant(5000, 0.5, "Beijing");
  text["income"] = FeatureValue::Text("lots");
  EXPECT_EQ(model->Score(text).status().field(), "income");
  // Absent fields are missing values, and unseen categories are neutral.
  EXPECT_TRUE(model->Score({{"city", FeatureValue::Text("Atlantis")}}).ok());
}

TEST(Gbdt, SavedModelScoresTheSameAfterLoadingAndExplainsItself) {
  const Dataset data = ParseCsv(LoanCsv(6000, 5), {}).value();
  auto trained = Train(data, Options(ModelKind::kGbdt));
  ASSERT_TRUE(trained.ok()) << trained.status().message();
  TempDir dir;
  const std::string path = dir.path() + "/model";
  ASSERT_TRUE((*trained)->Save(path).ok());
  EXPECT_TRUE(std::filesystem::exists(path + "/xgboost.json"));
  EXPECT_TRUE(std::filesystem::exists(path + "/binning/city.csv"));
  auto loaded = Model::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const auto before = (*trained)->ScoreDataset(data).value();
  const auto after = (*loaded)->ScoreDataset(data).value();
  for (size_t r = 0; r < before.size(); ++r) ASSERT_DOUBLE_EQ(before[r], after[r]);

  const ScoreResult risky = (*loaded)->Score(Applicant(2100, 0.99, "Lhasa")).value();
  ASSERT_FALSE(risky.reasons.empty());
  double total = 0;
  for (const Reason& reason : risky.reasons) total += reason.impact;
  EXPECT_GT(total, 0);
  EXPECT_EQ(risky.reasons.front().value.empty(), false);

  // In feature order (the decision path): the reasons given alone match those given with the
  // score, and reason values keep ten significant digits.
  const InputRow row = Applicant(2100, 0.99, "Lhasa");
  std::vector<FeatureValue> values;
  for (const ModelFeature& f : (*loaded)->features()) {
    auto it = row.find(f.name);
    values.push_back(it == row.end() ? FeatureValue::Missing() : it->second);
  }
  const ScoreResult scored = (*loaded)->ScoreValues(values, 4, true).value();
  const std::vector<Reason> alone = (*loaded)->ReasonsForValues(values, 4, true).value();
  ASSERT_EQ(alone.size(), scored.reasons.size());
  for (size_t i = 0; i < alone.size(); ++i) {
    EXPECT_EQ(alone[i].code, scored.reasons[i].code);
    EXPECT_EQ(alone[i].value, scored.reasons[i].value);
    EXPECT_DOUBLE_EQ(alone[i].impact, scored.reasons[i].impact);
  }
  EXPECT_EQ(FeatureValue::Number(0.1234567891234).ToString(), "0.1234567891");
  EXPECT_EQ(FeatureValue::Number(2100).ToString(), "2100");
  EXPECT_EQ(FeatureValue::Number(1e-7).ToString(), "1e-07");
  values.pop_back();
  EXPECT_FALSE((*loaded)->ReasonsForValues(values, 4).ok());
}

TEST(Model, CounterfactualCrossesTheCutoffWithOneChange) {
  const Dataset data = ParseCsv(LoanCsv(6000, 6), {}).value();
  for (ModelKind kind : {ModelKind::kGbdt, ModelKind::kScorecard}) {
    auto model = Train(data, Options(kind)).value();
    const InputRow row = Applicant(6000, 0.9, "Chengdu");
    const double pd = model->Score(row).value().pd;
    const double cutoff = pd * 0.8;  // declined now; what would get it approved?
    const Counterfactual c = model->FindCounterfactual(row, cutoff).value();
    ASSERT_TRUE(c.found) << ModelKindName(kind);
    EXPECT_LT(c.pd, cutoff);
    InputRow changed = row;
    changed[c.feature] =
        c.feature == "city" ? FeatureValue::Text(c.to) : FeatureValue::Number(std::stod(c.to));
    EXPECT_NEAR(model->Score(changed).value().pd, c.pd, 1e-6) << c.feature << " -> " << c.to;
  }
}

TEST(Model, LoadsAModelTrainedElsewhereWithXgboost) {
  const Dataset data = ParseCsv(LoanCsv(2000, 11), {}).value();
  auto trained = Train(data, Options(ModelKind::kGbdt)).value();
  TempDir dir;
  { std::ofstream(dir.path() + "/external.json") << trained->xgboost_json(); }
  auto external = Model::Load(dir.path() + "/external.json");
  ASSERT_TRUE(external.ok()) << external.status().message();
  ASSERT_EQ((*external)->features().size(), trained->features().size());
  EXPECT_EQ((*external)->features()[0].name, "f0");
  // Same trees, so the same margin for the same encoded inputs.
  const std::vector<float> x = trained->Encode(Applicant(4000, 0.7, "Chengdu")).value();
  EXPECT_DOUBLE_EQ((*external)->Margin(x.data()), trained->Margin(x.data()));
  InputRow row;
  for (size_t i = 0; i < x.size(); ++i) row["f" + std::to_string(i)] = FeatureValue::Number(x[i]);
  EXPECT_TRUE((*external)->Score(row).ok());
}

TEST(Model, CorruptFilesAreRejected) {
  TempDir dir;
  EXPECT_FALSE(Model::Load(dir.path() + "/missing").ok());
  std::ofstream(dir.path() + "/model.json") << "{\"format\": \"finbrain-model\"";
  auto bad = Model::Load(dir.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("model.json"));
  std::ofstream(dir.path() + "/model.json", std::ios::trunc)
      << R"({"format": "finbrain-model", "format_version": 1, "kind": "gbdt", "intercept": 0,
             "scaling": {"pdo": 20, "base_score": 600, "base_odds": 50}, "features": []})";
  EXPECT_THAT(Model::Load(dir.path()).status().message(), HasSubstr("features"));
}

TEST(Evaluate, WritesMetricsFairnessAndAReportWithPlots) {
  const Dataset train = ParseCsv(LoanCsv(5000, 7), {}).value();
  auto model = Train(train, Options(ModelKind::kGbdt)).value();
  const Dataset test = ParseCsv(LoanCsv(3000, 8), {}).value();
  const auto y = ExtractTarget(test, "bad", std::nullopt).value();
  auto result = Evaluate(*model, test, y, {});
  ASSERT_TRUE(result.ok()) << result.status().message();
  for (const char* key : {"auc", "ks", "gini", "logloss", "brier", "psi"}) {
    EXPECT_TRUE(result->headline.count(key)) << key;
  }
  EXPECT_LT(result->headline.at("psi"), 0.1);  // same population
  EXPECT_THAT(result->metrics_json, HasSubstr("\"fairness\":{\"age\""));
  EXPECT_THAT(result->metrics_json, HasSubstr("approval_rate_ratio"));
  EXPECT_THAT(result->report_html, HasSubstr("<svg"));
  EXPECT_THAT(result->report_html, HasSubstr("Calibration"));
  EXPECT_THAT(result->report_html, HasSubstr("Approval rate by age"));
}

TEST(CrossValidate, GivesOneResultPerFold) {
  const Dataset data = ParseCsv(LoanCsv(2000, 9), {}).value();
  auto cv = CrossValidate(data, Options(ModelKind::kScorecard), 4, 1);
  ASSERT_TRUE(cv.ok()) << cv.status().message();
  ASSERT_EQ(cv->folds.size(), 4u);
  EXPECT_EQ(cv->mean.rows, 2000u);
  EXPECT_GT(cv->mean.auc, 0.65);
  // The data is logistic-linear in income and utilisation (with missing utilisation and a city
  // effect), so the plain regression baseline is about as good as the scorecard.
  EXPECT_GT(cv->mean.baseline_auc, 0.65);
  EXPECT_NEAR(cv->mean.baseline_auc, cv->mean.auc, 0.03);
  EXPECT_FALSE(CrossValidate(data, Options(ModelKind::kScorecard), 1, 1).ok());
}

TEST(PlainLogisticBaseline, HandlesMissingValuesAndCategoriesUnseenInTraining) {
  const Dataset train = ParseCsv(LoanCsv(1500, 4), {}).value();
  const Dataset test = ParseCsv(
                           "id,income,utilisation,city,age,constant,empty,bad\n"
                           "1,3000,0.9,Lhasa,30,7,,1\n"
                           "2,19000,0.1,Beijing,30,7,,0\n"
                           "3,19000,,Atlantis,30,7,,0\n",
                           {})
                           .value();
  std::vector<std::uint8_t> y;
  for (double v : train.Find("bad")->numbers) y.push_back(v > 0.5 ? 1 : 0);
  std::vector<size_t> columns;
  for (const char* name : {"income", "utilisation", "city"}) {
    for (size_t c = 0; c < train.columns.size(); ++c) {
      if (train.columns[c].name == name) columns.push_back(c);
    }
  }
  auto pd = PlainLogisticPd(train, y, test, columns);
  ASSERT_TRUE(pd.ok()) << pd.status().message();
  ASSERT_EQ(pd->size(), 3u);
  EXPECT_GT((*pd)[0], 0.5);   // low income, high utilisation, riskiest city
  EXPECT_LT((*pd)[1], 0.05);  // high income, low utilisation
  // Missing utilisation is risky in this book (it adds 1.5 to the margin), and Atlantis falls
  // back to the reference city.
  EXPECT_TRUE(std::isfinite((*pd)[2]));
  EXPECT_GT((*pd)[2], 2 * (*pd)[1]);
  EXPECT_LT((*pd)[2], (*pd)[0]);
}

TEST(Spec, ParsesAndRejectsUnknownKeysWithTheirPosition) {
  auto spec = ParseTrainSpec(R"(
columns: {city: categorical}
protected: [sex, {name: age, cuts: [25, 40]}]
monotone: {income: descending}
split: {method: time, time_column: applied_at, validation: 0.3}
gbdt: {max_depth: 3, class_weight: balanced}
reasons: {income: {code: R01, text: "Income too low"}}
)");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->categorical, std::vector<std::string>{"city"});
  EXPECT_EQ(spec->protected_attributes[1].cuts, (std::vector<double>{25, 40}));
  EXPECT_EQ(spec->monotone.at("income"), Trend::kDescending);
  EXPECT_EQ(spec->split.method, SplitSpec::Method::kTime);
  EXPECT_EQ(spec->gbdt.max_depth, 3);
  EXPECT_EQ(spec->reasons.at("income").code, "R01");
  auto typo = ParseTrainSpec("gbdt:\n  max_dept: 3\n");
  ASSERT_FALSE(typo.ok());
  EXPECT_THAT(typo.status().message(), HasSubstr("line 2:3: gbdt.max_dept: unknown key"));
  EXPECT_FALSE(ParseTrainSpec("split: {method: sideways}").ok());
  EXPECT_FALSE(ParseTrainSpec("gbdt: {class_weight: heavy}").ok());
  EXPECT_THAT(ParseTrainSpec("gbdt: {booster: gblinear}").status().message(),
              HasSubstr("gbdt.booster: must be gbtree or dart"));
  EXPECT_FALSE(ParseTrainSpec("gbdt: {booster: dart, rate_drop: 1.5}").ok());
  auto dart = ParseTrainSpec("gbdt: {booster: dart, rate_drop: 0.2, skip_drop: 0}");
  ASSERT_TRUE(dart.ok()) << dart.status().message();
  EXPECT_EQ(dart->gbdt.booster, "dart");
  EXPECT_EQ(dart->gbdt.rate_drop, 0.2);
  EXPECT_FALSE(ParseTrainSpec("monotone: {x: up}").ok());
  EXPECT_FALSE(ParseTrainSpec("columns: [").ok());
}

}  // namespace
}  // namespace finbrain::models
