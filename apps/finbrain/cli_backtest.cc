// `finbrain backtest`: a strategy (and a challenger) over past applications with outcomes
// (decision/backtest.h).
//
//   finbrain backtest --strategy strategies/credit.yaml --challenger new.yaml
//       --data world/events/credit_application.jsonl --outcomes world/truth/applications.jsonl
//       --features strategies/credit_features.yaml --events world/events
//       --model credit_pd=models/pd --out backtest/
//
// Writes backtest.json and backtest.html into --out and prints the JSON.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "apps/finbrain/cli.h"
#include "common/strings.h"
#include "decision/backtest.h"

namespace finbrain::cli {
namespace {

struct BacktestCli {
  decision::BacktestFiles files;
  std::vector<std::string> models;  // NAME=DIR
  std::string out;
};

Status Run(BacktestCli o) {
  for (const std::string& spec : o.models) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("--model takes NAME=DIR, not " + Quote(spec), "model");
    }
    o.files.models[spec.substr(0, eq)] = spec.substr(eq + 1);
  }
  if (!o.files.features.empty() && o.files.events.empty()) {
    return InvalidArgumentError("--features needs --events", "events");
  }
  FB_ASSIGN_OR_RETURN(decision::BacktestReport report, decision::RunBacktestFiles(o.files));
  std::filesystem::create_directories(o.out);
  for (const auto& [name, text] :
       {std::pair{"/backtest.json", &report.json}, std::pair{"/backtest.html", &report.html}}) {
    std::ofstream file(o.out + name);
    if (!(file << *text) || !file.flush()) return UnavailableError("cannot write " + o.out + name);
  }
  std::cout << report.json << "\n";
  std::cerr << "wrote " << o.out << "/backtest.json and backtest.html\n";
  return OkStatus();
}

}  // namespace

void AddBacktestCommand(CLI::App& app, GlobalOptions&, Action& run) {
  auto o = std::make_shared<BacktestCli>();
  decision::BacktestFiles& f = o->files;
  CLI::App* cmd = app.add_subcommand(
      "backtest", "Run a strategy (and a challenger) over past applications with outcomes");
  cmd->add_option("--strategy", f.strategy, "Strategy YAML")->required()->check(CLI::ExistingFile);
  cmd->add_option("--challenger", f.challenger, "Challenger strategy YAML")
      ->check(CLI::ExistingFile);
  cmd->add_option("--data", f.applications, "credit_application events (JSONL)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--outcomes", f.outcomes, "JSONL of outcomes (e.g. truth/applications.jsonl)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--on", f.on, "Field naming the application in both")->capture_default_str();
  cmd->add_option("--outcome", f.outcome, "The bad outcome field (true/1 = bad)")
      ->capture_default_str();
  cmd->add_option("--features", f.features, "Feature set YAML the strategies read")
      ->check(CLI::ExistingFile);
  cmd->add_option("--events", f.events, "Event history for the features (file or directory)");
  cmd->add_option("--model", o->models, "NAME=DIR: a model folder the strategies name");
  cmd->add_option("--segment", f.segment, "Application field to break results down by")
      ->capture_default_str();
  cmd->add_option("--lgd", f.lgd, "Loss given default for loss estimates")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--out", o->out, "Folder for backtest.json and backtest.html")->required();
  cmd->callback([&run, o] { run = [o] { return Run(*o); }; });
}

}  // namespace finbrain::cli
