// `finbrain train`, `finbrain evaluate` and `finbrain cv`: credit models from CSV files.
#include <sodium.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "apps/finbrain/cli.h"
#include "common/json_text.h"
#include "common/progress.h"
#include "common/strings.h"
#include "models/evaluate.h"
#include "models/train.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

struct ModelCliOptions {
  std::string data;
  std::string target;
  std::string kind = "gbdt";
  std::string out;
  std::string positive;
  std::string spec;
  std::string author;
  std::string model;
  int folds = 5;
  unsigned seed = 42;
  double cutoff = -1;
  std::vector<double> cost;  // approved bad, declined good
};

StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + Quote(path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

StatusOr<std::string> Sha256Hex(const std::string& path) {
  if (sodium_init() < 0) return InternalError("libsodium failed to initialise");
  FB_ASSIGN_OR_RETURN(std::string text, ReadText(path));
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return HexEncode(digest);
}

void LogLine(std::string_view line) { std::cerr << line << "\n"; }

// The training options and dataset shared by `train` and `cv`.
StatusOr<std::pair<models::TrainOptions, models::Dataset>> Prepare(const ModelCliOptions& o) {
  models::TrainOptions options;
  FB_ASSIGN_OR_RETURN(options.kind, models::ParseModelKind(o.kind));
  options.target = o.target;
  if (!o.positive.empty()) options.positive = o.positive;
  if (!o.spec.empty()) {
    FB_ASSIGN_OR_RETURN(options.spec, models::LoadTrainSpec(o.spec));
    FB_ASSIGN_OR_RETURN(options.spec_yaml, ReadText(o.spec));
  }
  options.author = o.author;
  options.log = LogLine;
  FB_ASSIGN_OR_RETURN(options.data_sha256, Sha256Hex(o.data));
  FB_ASSIGN_OR_RETURN(models::Dataset data,
                      models::ReadCsv(o.data, models::CsvOptionsFor(options.spec)));
  LogLine("read " + std::to_string(data.rows) + " rows × " + std::to_string(data.columns.size()) +
          " columns from " + o.data);
  return std::make_pair(std::move(options), std::move(data));
}

std::string Fixed(double v, int digits = 4) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(digits);
  out << v;
  return out.str();
}

Status RunTrain(const ModelCliOptions& o) {
  FB_ASSIGN_OR_RETURN(auto prepared, Prepare(o));
  auto& [options, data] = prepared;
  FB_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> model, models::Train(data, options));
  FB_RETURN_IF_ERROR(model->Save(o.out));
  const auto& v = model->info().validation_metrics;
  std::cout << "wrote " << o.out << ": " << models::ModelKindName(model->kind()) << " over "
            << model->features().size() << " features";
  if (model->kind() == models::ModelKind::kGbdt)
    std::cout << ", " << model->info().rounds << " trees";
  std::cout << "; validation AUC " << Fixed(v.at("auc")) << ", KS " << Fixed(v.at("ks")) << "\n";
  return OkStatus();
}

Status RunEvaluate(const ModelCliOptions& o) {
  FB_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> model, models::Model::Load(o.model));
  models::CsvOptions csv;
  for (const models::ModelFeature& f : model->features()) {
    if (f.kind == models::ColumnKind::kCategorical) csv.categorical.push_back(f.name);
  }
  FB_ASSIGN_OR_RETURN(models::Dataset data, models::ReadCsv(o.data, csv));
  std::optional<std::string> positive;
  if (!o.positive.empty()) positive = o.positive;
  FB_ASSIGN_OR_RETURN(std::vector<std::uint8_t> y, models::ExtractTarget(data, o.target, positive));
  models::EvaluationOptions eval{.cutoff = o.cutoff,
                                 .title = "Evaluation of " + o.model + " on " + o.data};
  FB_ASSIGN_OR_RETURN(models::Evaluation result, models::Evaluate(*model, data, y, eval));
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) return InternalError("cannot create " + Quote(o.out) + ": " + ec.message());
  for (const auto& [name, text] : {std::pair{"metrics.json", &result.metrics_json},
                                   std::pair{"report.html", &result.report_html}}) {
    std::ofstream out(std::filesystem::path(o.out) / name, std::ios::trunc);
    out << *text;
    if (!out) return InternalError("cannot write " + o.out + "/" + name);
  }
  const auto& h = result.headline;
  std::cout << "AUC " << Fixed(h.at("auc")) << ", KS " << Fixed(h.at("ks")) << ", Gini "
            << Fixed(h.at("gini")) << ", log-loss " << Fixed(h.at("logloss"));
  if (h.count("psi")) std::cout << ", PSI " << Fixed(h.at("psi"));
  std::cout << "\nwrote " << o.out << "/metrics.json and " << o.out << "/report.html\n";
  return OkStatus();
}

Status RunCv(const ModelCliOptions& o) {
  FB_ASSIGN_OR_RETURN(auto prepared, Prepare(o));
  auto& [options, data] = prepared;
  options.log = LogLine;
  std::optional<models::Costs> costs;
  if (o.cost.size() == 2) costs = models::Costs{o.cost[0], o.cost[1]};
  FB_ASSIGN_OR_RETURN(models::CvResult cv,
                      models::CrossValidate(data, options, o.folds, o.seed, costs));
  const auto fold_json = [&](const models::CvFold& f) {
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
  for (const models::CvFold& f : cv.folds) {
    json::object j = fold_json(f);
    j["rows"] = f.rows;
    folds.push_back(std::move(j));
  }
  json::object out;
  out["folds"] = std::move(folds);
  out["mean"] = fold_json(cv.mean);
  if (costs) out["cost_cutoff"] = costs->Cutoff();
  out["auc_stddev"] = cv.auc_stddev;
  out["kind"] = o.kind;
  out["seed"] = o.seed;
  std::cout << ToJsonText(out) << "\n";
  return OkStatus();
}

void AddDataOptions(CLI::App* cmd, ModelCliOptions& o) {
  cmd->add_option("--data", o.data, "CSV file with a header row")->required();
  cmd->add_option("--target", o.target, "Outcome column: 0/1, or two labels with --positive")
      ->required();
  cmd->add_option("--positive", o.positive, "The label of the bad outcome in the target column");
}

}  // namespace

void AddModelCommands(CLI::App& app, GlobalOptions&, Action& run) {
  auto o = std::make_shared<ModelCliOptions>();

  CLI::App* train =
      app.add_subcommand("train", "Train a credit model (scorecard or gbdt) from CSV");
  AddDataOptions(train, *o);
  train->add_option("--kind", o->kind, "scorecard or gbdt")
      ->check(CLI::IsMember({"scorecard", "gbdt"}));
  train->add_option("--out", o->out, "Model folder to write")->required();
  train->add_option("--spec", o->spec, "YAML training spec (column types, constraints, split)")
      ->check(CLI::ExistingFile);
  train->add_option("--author", o->author, "Recorded in the model's metadata");
  train->callback([&run, o] { run = [o] { return RunTrain(*o); }; });

  CLI::App* evaluate = app.add_subcommand(
      "evaluate", "Evaluate a model on labelled CSV: metrics.json + report.html");
  AddDataOptions(evaluate, *o);
  evaluate->add_option("--model", o->model, "Model folder written by train")->required();
  evaluate->add_option("--out", o->out, "Folder for metrics.json and report.html")->required();
  evaluate
      ->add_option("--cutoff", o->cutoff,
                   "Decline when PD >= cutoff (default: the training default rate)")
      ->check(CLI::Range(0.0, 1.0));
  evaluate->callback([&run, o] { run = [o] { return RunEvaluate(*o); }; });

  CLI::App* cv = app.add_subcommand(
      "cv", "Cross-validate a model kind on CSV; prints one JSON object with per-fold AUC/KS");
  AddDataOptions(cv, *o);
  cv->add_option("--kind", o->kind, "scorecard or gbdt")
      ->check(CLI::IsMember({"scorecard", "gbdt"}));
  cv->add_option("--folds", o->folds, "Number of stratified folds")->check(CLI::Range(2, 100));
  cv->add_option("--seed", o->seed, "Seed for the fold assignment");
  cv->add_option("--spec", o->spec, "YAML training spec")->check(CLI::ExistingFile);
  cv->add_option("--cost", o->cost,
                 "Costs of approving a bad and declining a good case (e.g. 5,1): adds the average "
                 "cost per case at the cost-optimal cutoff")
      ->delimiter(',')
      ->expected(2)
      ->check(CLI::PositiveNumber);
  cv->callback([&run, o] { run = [o] { return RunCv(*o); }; });
}

}  // namespace finbrain::cli
