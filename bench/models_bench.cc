// Credit-model inference and binning speed (Google Benchmark).
//
// The compiled tree ensemble is measured against XGBoost's own single-row predictor
// (XGBoosterPredictFromDense) on the same model in the same run: ~300 trees of depth 6 over
// 100 features. Run: build/release/bench/models_bench
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <random>

#include "models/binning.h"
#include "models/gbdt.h"
#include "models/tree_ensemble.h"

namespace finbrain::models {
namespace {

constexpr size_t kFeatures = 100;

GbdtData Synthetic(size_t rows, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<double> u(0, 1);
  GbdtData d;
  d.columns = kFeatures;
  for (size_t r = 0; r < rows; ++r) {
    double margin = -2;
    for (size_t c = 0; c < kFeatures; ++c) {
      float x = normal(rng);
      if (c % 10 == 9 && u(rng) < 0.1) x = std::numeric_limits<float>::quiet_NaN();
      if (!std::isnan(x)) margin += double(x) * (c < 20 ? 0.3 : 0.02) * (c % 2 ? 1 : -1);
      d.x.push_back(x);
    }
    d.y.push_back(u(rng) < 1 / (1 + std::exp(-margin)) ? 1.f : 0.f);
  }
  return d;
}

// One model shared by the benchmarks: 300 rounds, depth 6, no early stopping.
struct Fixture {
  Fixture() : rows(Synthetic(2000, 2)) {
    GbdtParams params{.max_rounds = 300, .max_depth = 6, .subsample = 0.8};
    auto result = TrainGbdt(Synthetic(20000, 1), nullptr, params);
    if (!result.ok()) std::abort();
    compiled =
        std::make_unique<TreeEnsemble>(TreeEnsemble::FromXgboostJson(result->model_json).value());
    xgboost = std::move(XgboostPredictor::Load(result->model_json).value());
  }
  GbdtData rows;
  std::unique_ptr<TreeEnsemble> compiled;
  std::unique_ptr<XgboostPredictor> xgboost;
};

Fixture& Shared() {
  // Never destroyed: XGBoost's own globals may be gone by the time static destructors run.
  static Fixture* fixture = new Fixture;
  return *fixture;
}

void BM_XgboostPredictFromDense(benchmark::State& state) {
  Fixture& f = Shared();
  size_t r = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.xgboost->PredictOne(&f.rows.x[r * kFeatures], kFeatures).value());
    r = (r + 1) % f.rows.rows();
  }
}
BENCHMARK(BM_XgboostPredictFromDense);

void BM_CompiledPredict(benchmark::State& state) {
  Fixture& f = Shared();
  state.counters["trees"] = double(f.compiled->num_trees());
  state.counters["depth"] = double(f.compiled->max_depth());
  size_t r = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.compiled->Predict(&f.rows.x[r * kFeatures]));
    r = (r + 1) % f.rows.rows();
  }
}
BENCHMARK(BM_CompiledPredict);

void BM_CompiledTreeShap(benchmark::State& state) {
  Fixture& f = Shared();
  std::vector<double> phi;
  size_t r = 0;
  for (auto _ : state) {
    f.compiled->Contributions(&f.rows.x[r * kFeatures], phi);
    benchmark::DoNotOptimize(phi.data());
    r = (r + 1) % f.rows.rows();
  }
}
BENCHMARK(BM_CompiledTreeShap);

// The path attributions behind a decline's model reasons (Model::Reasons with path_reasons).
void BM_CompiledPathContributions(benchmark::State& state) {
  Fixture& f = Shared();
  std::vector<double> phi;
  size_t r = 0;
  for (auto _ : state) {
    f.compiled->ApproxContributions(&f.rows.x[r * kFeatures], phi);
    benchmark::DoNotOptimize(phi.data());
    r = (r + 1) % f.rows.rows();
  }
}
BENCHMARK(BM_CompiledPathContributions);

// Optimal binning of 150,000 rows × 20 numeric features (the "well under a second").
void BM_Binning150kBy20(benchmark::State& state) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Column> columns(20);
  std::vector<std::uint8_t> y;
  for (size_t r = 0; r < 150000; ++r) {
    double margin = -2.5;
    for (size_t c = 0; c < columns.size(); ++c) {
      const double x = normal(rng);
      columns[c].numbers.push_back(x);
      margin += 0.2 * x * (c % 3 == 0 ? 1 : -0.5);
    }
    y.push_back(u(rng) < 1 / (1 + std::exp(-margin)) ? 1 : 0);
  }
  for (auto _ : state) {
    for (const Column& c : columns) benchmark::DoNotOptimize(BinFeature(c, y, {}).value().iv);
  }
}
BENCHMARK(BM_Binning150kBy20)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace finbrain::models

BENCHMARK_MAIN();
