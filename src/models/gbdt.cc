#include "models/gbdt.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace finbrain::models {
namespace {

Status XgbError(std::string_view what) {
  return InternalError("XGBoost " + std::string(what) + ": " + XGBGetLastError());
}

#define FB_XGB(call, what)                  \
  do {                                      \
    if ((call) != 0) return XgbError(what); \
  } while (false)

// Owns a DMatrix handle.
class Matrix {
 public:
  ~Matrix() {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
  }
  Status Create(const GbdtData& data) {
    FB_XGB(XGDMatrixCreateFromMat(data.x.data(), data.rows(), data.columns,
                                  std::numeric_limits<float>::quiet_NaN(), &handle_),
           "DMatrix");
    if (!data.y.empty()) {
      FB_XGB(XGDMatrixSetFloatInfo(handle_, "label", data.y.data(), data.y.size()), "labels");
    }
    return OkStatus();
  }
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

// Owns a Booster handle.
class Booster {
 public:
  ~Booster() {
    if (handle_ != nullptr) XGBoosterFree(handle_);
  }
  BoosterHandle* out() { return &handle_; }
  BoosterHandle get() const { return handle_; }
  BoosterHandle release() {
    BoosterHandle h = handle_;
    handle_ = nullptr;
    return h;
  }

 private:
  BoosterHandle handle_ = nullptr;
};

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// The weighted share of positives: the trees then start from the base rate, so that a model
// stopped early on validation AUC after few rounds still gives calibrated PDs (XGBoost 1.7
// starts every model from 0.5).
double BaseScore(const GbdtData& train, double scale_pos_weight) {
  double positive = 0;
  for (float y : train.y) positive += double(y);
  const double weighted = positive * scale_pos_weight;
  const double total = weighted + (double(train.y.size()) - positive);
  return total > 0 ? std::clamp(weighted / total, 1e-6, 1 - 1e-6) : 0.5;
}

Status SetParams(BoosterHandle booster, const GbdtParams& p, const GbdtData& train) {
  const size_t columns = train.columns;
  const std::pair<const char*, std::string> params[] = {
      {"objective", "binary:logistic"},
      {"base_score", Num(BaseScore(train, p.scale_pos_weight))},
      {"eval_metric", "auc"},
      {"tree_method", p.tree_method},
      {"booster", p.booster},
      {"max_depth", std::to_string(p.max_depth)},
      {"eta", Num(p.learning_rate)},
      {"subsample", Num(p.subsample)},
      {"colsample_bytree", Num(p.colsample_bytree)},
      {"colsample_bynode", Num(p.colsample_bynode)},
      {"num_parallel_tree", std::to_string(p.parallel_trees)},
      {"min_child_weight", Num(p.min_child_weight)},
      {"lambda", Num(p.reg_lambda)},
      {"alpha", Num(p.reg_alpha)},
      {"scale_pos_weight", Num(p.scale_pos_weight)},
      {"nthread", std::to_string(p.threads)},
      {"seed", std::to_string(p.seed)},
      {"verbosity", "0"},
  };
  for (const auto& [key, value] : params) {
    FB_XGB(XGBoosterSetParam(booster, key, value.c_str()), std::string("parameter ") + key);
  }
  if (p.booster == "dart") {
    FB_XGB(XGBoosterSetParam(booster, "rate_drop", Num(p.rate_drop).c_str()), "rate_drop");
    FB_XGB(XGBoosterSetParam(booster, "skip_drop", Num(p.skip_drop).c_str()), "skip_drop");
  }
  if (!p.monotone.empty()) {
    if (p.monotone.size() != columns) {
      return InvalidArgumentError("monotone constraints must give one entry per feature");
    }
    std::string m = "(";
    for (size_t i = 0; i < p.monotone.size(); ++i) {
      if (i) m += ',';
      m += std::to_string(p.monotone[i]);
    }
    m += ')';
    FB_XGB(XGBoosterSetParam(booster, "monotone_constraints", m.c_str()), "monotone constraints");
  }
  return OkStatus();
}

// Reads "valid-auc:0.7312" from XGBoosterEvalOneIter's report.
double ParseAuc(const char* report) {
  const char* at = report ? std::strstr(report, "auc:") : nullptr;
  return at ? std::strtod(at + 4, nullptr) : 0;
}

}  // namespace

StatusOr<GbdtResult> TrainGbdt(const GbdtData& train, const GbdtData* valid,
                               const GbdtParams& params) {
  if (train.columns == 0 || train.rows() == 0) return InvalidArgumentError("no training rows");
  if (train.y.size() != train.rows()) return InvalidArgumentError("labels and rows differ");
  if (params.max_rounds < 1) return InvalidArgumentError("max_rounds must be at least 1");
  Matrix dtrain, dvalid;
  FB_RETURN_IF_ERROR(dtrain.Create(train));
  if (valid != nullptr) FB_RETURN_IF_ERROR(dvalid.Create(*valid));
  DMatrixHandle cache[2] = {dtrain.get(), dvalid.get()};
  Booster booster;
  FB_XGB(XGBoosterCreate(cache, valid ? 2 : 1, booster.out()), "booster");
  FB_RETURN_IF_ERROR(SetParams(booster.get(), params, train));

  GbdtResult result;
  int best_round = 0;
  double best_auc = -1;
  for (int round = 0; round < params.max_rounds; ++round) {
    FB_XGB(XGBoosterUpdateOneIter(booster.get(), round, dtrain.get()), "training round");
    if (valid == nullptr) {
      if (params.on_round) params.on_round(round + 1, 0);
      continue;
    }
    DMatrixHandle evals[1] = {dvalid.get()};
    const char* names[1] = {"valid"};
    const char* report = nullptr;
    FB_XGB(XGBoosterEvalOneIter(booster.get(), round, evals, names, 1, &report), "evaluation");
    const double auc = ParseAuc(report);
    result.auc_by_round.push_back(auc);
    if (params.on_round) params.on_round(round + 1, auc);
    if (auc > best_auc + 1e-9) {
      best_auc = auc;
      best_round = round;
    } else if (round - best_round >= params.early_stopping_rounds) {
      break;
    }
  }
  BoosterHandle keep = booster.get();
  Booster sliced;
  if (valid != nullptr) {
    FB_XGB(XGBoosterSlice(booster.get(), 0, best_round + 1, 1, sliced.out()), "slice");
    keep = sliced.get();
    result.rounds = best_round + 1;
    result.validation_auc = best_auc;
  } else {
    result.rounds = params.max_rounds;
  }
  bst_ulong length = 0;
  const char* buffer = nullptr;
  FB_XGB(XGBoosterSaveModelToBuffer(keep, R"({"format": "json"})", &length, &buffer), "save");
  result.model_json.assign(buffer, length);
  return result;
}

StatusOr<int> CrossValidatedRounds(const std::vector<std::pair<GbdtData, GbdtData>>& folds,
                                   const GbdtParams& params) {
  if (folds.empty()) return InvalidArgumentError("no folds");
  const size_t k = folds.size();
  std::vector<Matrix> train(k), valid(k);
  std::vector<Booster> boosters(k);
  for (size_t f = 0; f < k; ++f) {
    FB_RETURN_IF_ERROR(train[f].Create(folds[f].first));
    FB_RETURN_IF_ERROR(valid[f].Create(folds[f].second));
    DMatrixHandle cache[2] = {train[f].get(), valid[f].get()};
    FB_XGB(XGBoosterCreate(cache, 2, boosters[f].out()), "booster");
    FB_RETURN_IF_ERROR(SetParams(boosters[f].get(), params, folds[f].first));
  }
  int best_round = 0;
  double best_auc = -1;
  for (int round = 0; round < params.max_rounds; ++round) {
    double mean = 0;
    for (size_t f = 0; f < k; ++f) {
      FB_XGB(XGBoosterUpdateOneIter(boosters[f].get(), round, train[f].get()), "training round");
      DMatrixHandle evals[1] = {valid[f].get()};
      const char* names[1] = {"valid"};
      const char* report = nullptr;
      FB_XGB(XGBoosterEvalOneIter(boosters[f].get(), round, evals, names, 1, &report),
             "evaluation");
      mean += ParseAuc(report) / double(k);
    }
    if (params.on_round) params.on_round(round + 1, mean);
    if (mean > best_auc + 1e-9) {
      best_auc = mean;
      best_round = round;
    } else if (round - best_round >= params.early_stopping_rounds) {
      break;
    }
  }
  return best_round + 1;
}

StatusOr<std::unique_ptr<XgboostPredictor>> XgboostPredictor::Load(const std::string& model_json) {
  Booster booster;
  FB_XGB(XGBoosterCreate(nullptr, 0, booster.out()), "booster");
  FB_XGB(XGBoosterLoadModelFromBuffer(booster.get(), model_json.data(), model_json.size()),
         "load model");
  FB_XGB(XGBoosterSetParam(booster.get(), "nthread", "1"), "nthread");
  std::unique_ptr<XgboostPredictor> predictor(new XgboostPredictor());
  predictor->booster_ = booster.release();
  return predictor;
}

XgboostPredictor::~XgboostPredictor() {
  if (booster_ != nullptr) XGBoosterFree(booster_);
}

StatusOr<double> XgboostPredictor::PredictOne(const float* row, size_t columns) {
  char values[160];
  std::snprintf(values, sizeof values,
                R"({"data": [%zu, true], "shape": [1, %zu], "typestr": "<f4", "version": 3})",
                reinterpret_cast<std::size_t>(row), columns);
  static constexpr char kConfig[] =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
      R"( "strict_shape": false, "missing": NaN, "cache_id": 0})";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* out = nullptr;
  FB_XGB(XGBoosterPredictFromDense(booster_, values, kConfig, nullptr, &shape, &dims, &out),
         "predict");
  return double(out[0]);
}

StatusOr<std::vector<float>> XgboostPredictor::PredictMany(const std::vector<float>& x,
                                                           size_t columns, bool contributions) {
  GbdtData data{.x = x, .columns = columns};
  Matrix matrix;
  FB_RETURN_IF_ERROR(matrix.Create(data));
  const std::string config = std::string(R"({"type": )") + (contributions ? "2" : "0") +
                             R"(, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
                             R"( "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* out = nullptr;
  FB_XGB(XGBoosterPredictFromDMatrix(booster_, matrix.get(), config.c_str(), &shape, &dims, &out),
         "predict");
  bst_ulong size = 1;
  for (bst_ulong d = 0; d < dims; ++d) size *= shape[d];
  return std::vector<float>(out, out + size);
}

}  // namespace finbrain::models
