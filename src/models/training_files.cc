// Training, cross-validation and evaluation from files: the part of `finbrain train`, `cv` and
// `evaluate` that is not argument parsing (models/train.h, models/evaluate.h).
#include <sodium.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/json_text.h"
#include "common/strings.h"
#include "models/evaluate.h"
#include "models/train.h"

namespace finbrain::models {
namespace {

namespace json = boost::json;

StatusOr<std::string> ReadText(const std::string& path, std::string_view field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + Quote(path), std::string(field));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

StatusOr<std::string> Sha256Hex(const std::string& path) {
  if (sodium_init() < 0) return InternalError("libsodium failed to initialise");
  FB_ASSIGN_OR_RETURN(std::string text, ReadText(path, "data"));
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return HexEncode(digest);
}

}  // namespace

StatusOr<TrainingData> LoadTrainingData(const TrainingFiles& files) {
  TrainingData out;
  TrainOptions& options = out.options;
  options.kind = files.kind;
  options.target = files.target;
  if (!files.positive.empty()) options.positive = files.positive;
  if (!files.spec_path.empty()) {
    FB_ASSIGN_OR_RETURN(options.spec, LoadTrainSpec(files.spec_path));
    FB_ASSIGN_OR_RETURN(options.spec_yaml, ReadText(files.spec_path, "spec"));
  }
  options.author = files.author;
  options.log = files.log;
  FB_ASSIGN_OR_RETURN(options.data_sha256, Sha256Hex(files.data));
  FB_ASSIGN_OR_RETURN(out.data, ReadCsv(files.data, CsvOptionsFor(options.spec)));
  if (files.log) {
    files.log("read " + std::to_string(out.data.rows) + " rows × " +
              std::to_string(out.data.columns.size()) + " columns from " + files.data);
  }
  return out;
}

std::string CvResultJson(const CvResult& cv, const TrainOptions& options, unsigned seed,
                         const std::optional<Costs>& costs) {
  const auto fold_json = [&](const CvFold& f) {
    json::object j{{"auc", f.auc},
                   {"ks", f.ks},
                   {"gini", f.gini},
                   {"logloss", f.logloss},
                   {"capture_1pct", f.capture_1pct},
                   {"capture_5pct", f.capture_5pct}};
    if (costs) j["cost"] = f.cost;
    j["baseline"] = json::object{{"auc", f.baseline_auc}, {"ks", f.baseline_ks}};
    return j;
  };
  json::array folds;
  for (const CvFold& f : cv.folds) {
    json::object j = fold_json(f);
    j["rows"] = f.rows;
    folds.push_back(std::move(j));
  }
  json::object out{{"folds", std::move(folds)}, {"mean", fold_json(cv.mean)}};
  if (costs) out["cost_cutoff"] = costs->Cutoff();
  out["auc_stddev"] = cv.auc_stddev;
  out["kind"] = ModelKindName(options.kind);
  out["seed"] = seed;
  return ToJsonText(out);
}

StatusOr<Evaluation> EvaluateFiles(const std::string& model_dir, const std::string& data_path,
                                   const std::string& target, const std::string& positive,
                                   double cutoff, const std::string& out_dir) {
  FB_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, Model::Load(model_dir));
  CsvOptions csv;
  for (const ModelFeature& f : model->features()) {
    if (f.kind == ColumnKind::kCategorical) csv.categorical.push_back(f.name);
  }
  FB_ASSIGN_OR_RETURN(Dataset data, ReadCsv(data_path, csv));
  std::optional<std::string> bad_label;
  if (!positive.empty()) bad_label = positive;
  FB_ASSIGN_OR_RETURN(std::vector<std::uint8_t> y, ExtractTarget(data, target, bad_label));
  FB_ASSIGN_OR_RETURN(const std::string sha256, Sha256Hex(data_path));
  FB_ASSIGN_OR_RETURN(Evaluation result,
                      Evaluate(*model, data, y,
                               {.cutoff = cutoff,
                                .title = "Evaluation of " + model_dir + " on " + data_path,
                                .data_name = std::filesystem::path(data_path).filename().string(),
                                .data_sha256 = sha256}));
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return UnavailableError("cannot create " + Quote(out_dir) + ": " + ec.message());
  for (const auto& [name, text] : {std::pair{"metrics.json", &result.metrics_json},
                                   std::pair{"report.html", &result.report_html}}) {
    std::ofstream out(std::filesystem::path(out_dir) / name, std::ios::trunc);
    if (!(out << *text) || !out.flush()) {
      return UnavailableError("cannot write " + out_dir + "/" + name);
    }
  }
  return result;
}

}  // namespace finbrain::models
