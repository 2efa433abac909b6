// `finbrain train`, `finbrain evaluate` and `finbrain cv`: credit models from CSV files
// (models/train.h, models/evaluate.h).
#include <iostream>
#include <sstream>

#include "apps/finbrain/cli.h"
#include "models/evaluate.h"
#include "models/train.h"

namespace finbrain::cli {
namespace {

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

StatusOr<models::TrainingData> Load(const ModelCliOptions& o) {
  FB_ASSIGN_OR_RETURN(models::ModelKind kind, models::ParseModelKind(o.kind));
  return models::LoadTrainingData(
      {.data = o.data,
       .target = o.target,
       .positive = o.positive,
       .kind = kind,
       .spec_path = o.spec,
       .author = o.author,
       .log = [](std::string_view line) { std::cerr << line << "\n"; }});
}

std::string Fixed(double v) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(4);
  out << v;
  return out.str();
}

Status RunTrain(const ModelCliOptions& o) {
  FB_ASSIGN_OR_RETURN(models::TrainingData training, Load(o));
  FB_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> model,
                      models::Train(training.data, training.options));
  FB_RETURN_IF_ERROR(model->Save(o.out));
  const auto& v = model->info().validation_metrics;
  std::cout << "wrote " << o.out << ": " << models::ModelKindName(model->kind()) << " over "
            << model->features().size() << " features";
  if (model->kind() == models::ModelKind::kGbdt) {
    std::cout << ", " << model->info().rounds << " trees";
  }
  std::cout << "; validation AUC " << Fixed(v.at("auc")) << ", KS " << Fixed(v.at("ks")) << "\n";
  return OkStatus();
}

Status RunEvaluate(const ModelCliOptions& o) {
  FB_ASSIGN_OR_RETURN(
      models::Evaluation result,
      models::EvaluateFiles(o.model, o.data, o.target, o.positive, o.cutoff, o.out));
  const auto& h = result.headline;
  std::cout << "AUC " << Fixed(h.at("auc")) << ", KS " << Fixed(h.at("ks")) << ", Gini "
            << Fixed(h.at("gini")) << ", log-loss " << Fixed(h.at("logloss"));
  if (h.count("psi")) std::cout << ", PSI " << Fixed(h.at("psi"));
  std::cout << "\nwrote " << o.out << "/metrics.json and " << o.out << "/report.html\n";
  return OkStatus();
}

Status RunCv(const ModelCliOptions& o) {
  FB_ASSIGN_OR_RETURN(models::TrainingData training, Load(o));
  std::optional<models::Costs> costs;
  if (o.cost.size() == 2) costs = models::Costs{o.cost[0], o.cost[1]};
  FB_ASSIGN_OR_RETURN(models::CvResult cv, models::CrossValidate(training.data, training.options,
                                                                 o.folds, o.seed, costs));
  std::cout << models::CvResultJson(cv, training.options, o.seed, costs) << "\n";
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
