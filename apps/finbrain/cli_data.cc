// The subcommands that work on files: simulate, flatten events, train, evaluate, cross-validate,
// backtest, backfill features, build an account table, evaluate the fraud models.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "apps/finbrain/cli.h"
#include "common/progress.h"
#include "common/strings.h"
#include "common/yaml_helpers.h"
#include "decision/backtest.h"
#include "features/training_table.h"
#include "fraud/evaluation.h"
#include "graph/graph_features.h"
#include "ingest/events_to_csv.h"
#include "lifecycle/account_table.h"
#include "models/evaluate.h"
#include "models/train.h"
#include "sim/simulator.h"
#include "sim/truth.h"

namespace finbrain::cli {
namespace {

using Targets = Commands::Targets;

Status Write(const std::string& path, const std::string& text) {
  if (path.empty()) return OkStatus();
  std::ofstream out(path);
  if (!(out << text) || !out.flush()) return UnavailableError("cannot write " + path);
  return OkStatus();
}

std::string Fixed(double v) {
  return (std::ostringstream() << std::fixed << std::setprecision(4) << v).str();
}

Status Simulate(Args& a) {
  namespace fs = std::filesystem;
  const std::string out = a["out"];
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_empty(out, ec) && !a.Flag("force")) {
    return FailedPreconditionError("'" + out + "' is not empty; use --force to overwrite it",
                                   "out");
  }
  fs::remove_all(fs::path(out) / "events", ec);
  fs::remove_all(fs::path(out) / "truth", ec);
  sim::SimConfig config;
  const auto set = [&a](const char* name, auto& field) {
    if (!a[name].empty()) field = static_cast<std::decay_t<decltype(field)>>(a.Number(name));
  };
  set("users", config.users);
  set("days", config.days);
  set("seed", config.seed);
  set("fraud-rings", config.fraud_rings);
  set("ring-size-min", config.ring_size_min);
  set("ring-size-max", config.ring_size_max);
  set("ring-burst-days", config.ring_burst_days);
  set("camouflaged-ring-share", config.camouflaged_ring_share);
  set("device-farms", config.device_farms);
  set("account-takeovers", config.account_takeovers);
  Progress progress("simulate", 1000);
  const auto start = std::chrono::steady_clock::now();
  FB_ASSIGN_OR_RETURN(sim::SimManifest manifest, sim::Simulate(config, out, [&progress](double f) {
                        progress.Update(static_cast<std::uint64_t>(f * 1000));
                      }));
  progress.Finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "wrote " << manifest.total_events << " events (" << manifest.event_counts.size()
            << " types) to " << out << " in " << std::fixed << std::setprecision(2) << seconds
            << " s (" << static_cast<long long>(double(manifest.total_events) / seconds)
            << " events/s)\n";
  for (const auto& [type, n] : manifest.event_counts) {
    std::cerr << "  " << std::left << std::setw(22) << type << n << "\n";
  }
  return OkStatus();
}

Status EventsToCsv(Args& a) {
  ingest::EventsToCsvOptions options{
      .events = a["events"], .out = a["out"], .lists = a.List("list")};
  // --join, --on and --take repeat together, paired in order.
  const auto &files = a.List("join"), &on = a.List("on"), &take = a.List("take");
  if (on.size() != files.size() || take.size() != files.size()) {
    return InvalidArgumentError("each --join FILE needs its --on KEY and --take COLUMNS", "join");
  }
  for (size_t i = 0; i < files.size(); ++i) {
    options.joins.push_back(
        {.file = files[i], .on = on[i], .take = CLI::detail::split(take[i], ',')});
  }
  FB_ASSIGN_OR_RETURN(ingest::EventsToCsvSummary s, ingest::EventsToCsv(options));
  std::cerr << "wrote " << s.rows << " rows to " << a["out"];
  if (s.unmatched > 0) std::cerr << " (" << s.unmatched << " events without a joined row left out)";
  std::cerr << "\n";
  return OkStatus();
}

StatusOr<models::TrainingData> LoadTraining(const Args& a) {
  FB_ASSIGN_OR_RETURN(models::ModelKind kind, models::ParseModelKind(a["kind"]));
  return models::LoadTrainingData(
      {.data = a["data"],
       .target = a["target"],
       .positive = a["positive"],
       .kind = kind,
       .spec_path = a["spec"],
       .author = a["author"],
       .log = [](std::string_view line) { std::cerr << line << "\n"; }});
}

Status Train(Args& a) {
  FB_ASSIGN_OR_RETURN(models::TrainingData training, LoadTraining(a));
  FB_ASSIGN_OR_RETURN(auto model, models::Train(training.data, training.options));
  FB_RETURN_IF_ERROR(model->Save(a["out"]));
  const auto& v = model->info().validation_metrics;
  std::cout << "wrote " << a["out"] << ": " << models::ModelKindName(model->kind()) << " over "
            << model->features().size() << " features";
  if (model->kind() == models::ModelKind::kGbdt) {
    std::cout << ", " << model->info().rounds << " trees";
  }
  std::cout << "; validation AUC " << Fixed(v.at("auc")) << ", KS " << Fixed(v.at("ks")) << "\n";
  return OkStatus();
}

Status Evaluate(Args& a) {
  FB_ASSIGN_OR_RETURN(models::Evaluation e,
                      models::EvaluateFiles(a["model"], a["data"], a["target"], a["positive"],
                                            a.Number("cutoff"), a["out"]));
  const auto& h = e.headline;
  std::cout << "AUC " << Fixed(h.at("auc")) << ", KS " << Fixed(h.at("ks")) << ", Gini "
            << Fixed(h.at("gini")) << ", log-loss " << Fixed(h.at("logloss"));
  if (h.count("psi")) std::cout << ", PSI " << Fixed(h.at("psi"));
  std::cout << "\nwrote " << a["out"] << "/metrics.json and " << a["out"] << "/report.html\n";
  return OkStatus();
}

Status CrossValidate(Args& a) {
  FB_ASSIGN_OR_RETURN(models::TrainingData training, LoadTraining(a));
  std::optional<models::Costs> costs;
  if (const auto& cost = a.List("cost"); !cost.empty()) {
    if (cost.size() != 2) return InvalidArgumentError("--cost takes two numbers, e.g. 5,1", "cost");
    costs = models::Costs{std::stod(cost[0]), std::stod(cost[1])};
  }
  const auto seed = static_cast<unsigned>(a.Number("seed"));
  FB_ASSIGN_OR_RETURN(
      models::CvResult cv,
      models::CrossValidate(training.data, training.options, int(a.Number("folds")), seed, costs));
  std::cout << models::CvResultJson(cv, training.options, seed, costs) << "\n";
  return OkStatus();
}

Status Backtest(Args& a) {
  decision::BacktestFiles files{.strategy = a["strategy"],
                                .challenger = a["challenger"],
                                .applications = a["data"],
                                .outcomes = a["outcomes"],
                                .on = a["on"],
                                .outcome = a["outcome"],
                                .features = a["features"],
                                .events = a["events"],
                                .segment = a["segment"],
                                .lgd = a.Number("lgd")};
  for (const std::string& spec : a.List("model")) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("--model takes NAME=DIR, not " + Quote(spec), "model");
    }
    files.models[spec.substr(0, eq)] = spec.substr(eq + 1);
  }
  if (!files.features.empty() && files.events.empty()) {
    return InvalidArgumentError("--features needs --events", "events");
  }
  FB_ASSIGN_OR_RETURN(decision::BacktestReport report, decision::RunBacktestFiles(files));
  std::filesystem::create_directories(a["out"]);
  FB_RETURN_IF_ERROR(Write(a["out"] + "/backtest.json", report.json));
  FB_RETURN_IF_ERROR(Write(a["out"] + "/backtest.html", report.html));
  std::cout << report.json << "\n";
  std::cerr << "wrote " << a["out"] << "/backtest.json and backtest.html\n";
  return OkStatus();
}

Status Backfill(Args& a) {
  FB_ASSIGN_OR_RETURN(auto set, features::FeatureSet::Load(a["features"]));
  FB_ASSIGN_OR_RETURN(auto columns, a.Assignments("entity"));
  // graph.* as columns graph_<name>, from an entity graph of every event before each row.
  features::ExtraColumns graph{.entities = {"user", "device", "phone", "address"}};
  for (std::string_view name : graph::kGraphFeatures) {
    graph.names.push_back("graph_" + std::string(name));
  }
  graph.compute = [](std::vector<ingest::ValidatedEvent> events,
                     const std::vector<features::PointInTime>& rows) {
    std::vector<graph::GraphQuery> queries;
    for (const features::PointInTime& row : rows) queries.push_back({row.at, row.ids});
    return graph::PointInTimeGraphFeatures(std::move(events), queries);
  };
  FB_ASSIGN_OR_RETURN(
      features::TrainingTableSummary summary,
      features::BuildTrainingTable(*set, {.data = a["data"],
                                          .events = a["events"],
                                          .out = a["out"],
                                          .time_column = a["time-column"],
                                          .entity_columns = std::move(columns),
                                          .extra = a.Flag("graph") ? &graph : nullptr}));
  for (const std::string& note : summary.notes) std::cerr << "note: " << note << "\n";
  std::cerr << "wrote " << summary.rows << " rows with " << summary.features << " features to "
            << a["out"] << "\n";
  return OkStatus();
}

Status AccountTable(Args& a) {
  lifecycle::AccountTableOptions options{.bad_days_past_due = int(a.Number("bad-days-past-due"))};
  for (const auto& [name, into] :
       {std::pair{"every", &options.every}, {"horizon", &options.horizon}}) {
    StatusOr<TimeMicros> d = ParseDuration(a[name]);
    if (!d.ok() || *d <= 0) {
      return InvalidArgumentError(
          std::string("--") + name + " must be a duration like 30d, not " + Quote(a[name]), name);
    }
    *into = *d;
  }
  FB_ASSIGN_OR_RETURN(lifecycle::AccountTableSummary s,
                      lifecycle::WriteAccountTable(a["events"], a["out"], options));
  std::cerr << "wrote " << s.points << " review points (" << s.bad << " bad within " << a["horizon"]
            << ") to " << a["out"] << "\n";
  return OkStatus();
}

Status EvaluateDevices(Args& a) {
  FB_ASSIGN_OR_RETURN(const sim::DeviceTruth truth, sim::ReadDeviceTruth(a["world"]));
  FB_ASSIGN_OR_RETURN(const auto reports,
                      fraud::ReadDeviceReports(a["world"] + "/events/device_report.jsonl"));
  if (reports.empty()) return InvalidArgumentError("the world has no device reports", "world");
  const fraud::DeviceEvaluation e =
      fraud::EvaluateFingerprints(reports, truth.hardware, truth.farm_install_ids);
  std::cout << fraud::DeviceEvaluationJson(e) << "\n";
  return Write(a["report"], fraud::DeviceEvaluationHtml(e));
}

Status EvaluateBehaviour(Args& a) {
  FB_ASSIGN_OR_RETURN(const auto sessions, fraud::ReadSessions(a["world"] + "/events/login.jsonl"));
  FB_ASSIGN_OR_RETURN(const auto fraud_users, sim::ReadFraudUsers(a["world"]));
  FB_ASSIGN_OR_RETURN(const auto takeovers, sim::ReadTakeoverSessions(a["world"]));
  const fraud::BehaviourEvaluation e = fraud::EvaluateBehaviour(sessions, fraud_users, takeovers);
  std::cout << fraud::BehaviourEvaluationJson(e) << "\n";
  return Write(a["report"], fraud::BehaviourEvaluationHtml(e));
}

}  // namespace

void AddDataCommands(Commands& c) {
  const auto count = [](const char* name, const char* help, int low, int high) {
    return Arg{name, help, "", false, CLI::Range(low, high)};
  };
  c.Add(
      nullptr, "simulate",
      "Write a simulated finance world: events/*.jsonl, truth/*.jsonl, manifest.json",
      {count("--users", "Number of honest users", 1, 10'000'000),
       count("--days", "Days simulated, from 2026-01-01", 1, 3650),
       {"--seed", "Random seed: the same seed gives byte-identical output", "", false,
        CLI::NonNegativeNumber},
       {"--out", "Output directory (created if missing)", "", true},
       {"--force", "Write into a non-empty directory (replacing its files)", "", false, {}, true},
       count("--fraud-rings", "Number of fraud rings (default: users/2000, at least 2)", 0, 100000),
       count("--ring-size-min", "Smallest ring", 2, 1000),
       count("--ring-size-max", "Largest ring", 2, 1000),
       count("--ring-burst-days", "Days over which a ring's members register and apply", 1, 365),
       {"--camouflaged-ring-share",
        "Share of rings that apply with ordinary bureau records and amounts", "", false,
        CLI::Range(0.0, 1.0)},
       count("--device-farms", "Number of device farms (default: users/5000, at least 1)", 0,
             100000),
       count("--account-takeovers", "Number of account takeovers (default: users/1000)", 0,
             10'000'000)},
      Targets::kNone, Simulate);
  c.Add(
      c.Group("events", "Work with event files"), "to-csv",
      "Flatten one event type's JSONL into a CSV (nested fields as a.b columns)",
      {{"--events", "JSONL file of one event type", "", true, CLI::ExistingFile},
       {"--out", "CSV to write", "", true},
       Repeated(
           "--join",
           "JSONL to join (labels such as truth/applications.jsonl); repeats with --on and --take",
           CLI::ExistingFile),
       Repeated("--on", "Field the events and the joined file share (e.g. application_id)"),
       Repeated("--take", "Columns of the joined file to add, comma-separated (e.g. defaulted)"),
       Repeated(
           "--list",
           "ARRAY[].FIELD: a column of the items' values, comma-separated, for features read for "
           "each listed id (e.g. contacts[].phone)")},
      Targets::kNone, EventsToCsv);

  const std::vector<Arg> data = {
      {"--data", "CSV file with a header row", "", true},
      {"--target", "Outcome column: 0/1, or two labels with --positive", "", true},
      {"--positive", "The label of the bad outcome in the target column"}};
  const Arg kind{"--kind", "scorecard or gbdt", "gbdt", false,
                 CLI::IsMember({"scorecard", "gbdt"})};
  const Arg spec{"--spec", "YAML training spec (column types, constraints, split)", "", false,
                 CLI::ExistingFile};
  const auto with = [&data](std::vector<Arg> more) {
    more.insert(more.begin(), data.begin(), data.end());
    return more;
  };
  c.Add(nullptr, "train", "Train a credit model (scorecard or gbdt) from CSV",
        with({kind,
              {"--out", "Model folder to write", "", true},
              spec,
              {"--author", "Recorded in the model's metadata"}}),
        Targets::kNone, Train);
  c.Add(nullptr, "evaluate", "Evaluate a model on labelled CSV: metrics.json + report.html",
        with({{"--model", "Model folder written by train", "", true},
              {"--out", "Folder for metrics.json and report.html", "", true},
              {"--cutoff", "Decline when PD >= cutoff (default: the training default rate)", "-1",
               false, CLI::Range(-1.0, 1.0)}}),
        Targets::kNone, Evaluate);
  c.Add(nullptr, "cv",
        "Cross-validate a model kind on CSV; prints one JSON object with per-fold AUC/KS",
        with({kind,
              {"--folds", "Number of stratified folds", "5", false, CLI::Range(2, 100)},
              {"--seed", "Seed for the fold assignment", "42", false, CLI::NonNegativeNumber},
              spec,
              {"--cost",
               "Costs of approving a bad and declining a good case (e.g. 5,1): adds the average "
               "cost per case at the cost-optimal cutoff",
               "", false, CLI::PositiveNumber, false, ','}}),
        Targets::kNone, CrossValidate);
  c.Add(nullptr, "backtest",
        "Run a strategy (and a challenger) over past applications with outcomes",
        {{"--strategy", "Strategy YAML", "", true, CLI::ExistingFile},
         {"--challenger", "Challenger strategy YAML", "", false, CLI::ExistingFile},
         {"--data", "credit_application events (JSONL)", "", true, CLI::ExistingFile},
         {"--outcomes", "JSONL of outcomes (e.g. truth/applications.jsonl)", "", true,
          CLI::ExistingFile},
         {"--on", "Field naming the application in both", "application_id"},
         {"--outcome", "The bad outcome field (true/1 = bad)", "defaulted"},
         {"--features", "Feature set YAML the strategies read", "", false, CLI::ExistingFile},
         {"--events", "Event history for the features (file or directory)"},
         Repeated("--model", "NAME=DIR: a model folder the strategies name"),
         {"--segment", "Application field to break results down by", "product"},
         {"--lgd", "Loss given default for loss estimates", "0.6", false, CLI::Range(0.0, 1.0)},
         {"--out", "Folder for backtest.json and backtest.html", "", true}},
        Targets::kNone, Backtest);
  c.Add(c.Group("features", "Feature windows: declare, read, backfill"), "backfill",
        "Compute features point in time for the rows of a CSV file from past events",
        {{"--features", "Feature set YAML", "", true, CLI::ExistingFile},
         {"--events", "JSONL file or directory of *.jsonl", "", true},
         {"--data", "CSV with a time column and entity id columns", "", true, CLI::ExistingFile},
         {"--out", "CSV to write: the input plus one column per feature", "", true},
         {"--time-column", "Column with each row's time (RFC 3339); events before it count",
          "occurred_at"},
         Repeated("--entity",
                  "TYPE=COLUMN when an id column is not named user_id, phone, device_id, ..."),
         {"--graph",
          "Also the graph.* features (columns graph_<name>), from an entity graph of every event "
          "before each row",
          "",
          false,
          {},
          true}},
        Targets::kNone, Backfill);
  c.Add(c.Group("accounts", "Credit accounts under the account lifecycle"), "table",
        "A behaviour model's training table: accounts at review points, bad or not",
        {{"--events", "JSONL file or directory of *.jsonl", "", true},
         {"--out", "CSV to write (then `features backfill`, `train`)", "", true},
         {"--every", "Review points every (from opening)", "30d"},
         {"--horizon", "Outcome window after each point", "90d"},
         {"--bad-days-past-due", "Bad: an instalment missed, or paid this many days late or more",
          "30", false, CLI::Range(1, 3650)}},
        Targets::kNone, AccountTable);
  const std::vector<Arg> world = {{"--world", "Directory written by finbrain simulate", "", true},
                                  {"--report", "Also write an HTML report with the plot here"}};
  c.Add(c.Group("devices", "Device fingerprints"), "evaluate",
        "Measure fingerprint precision and recall on a simulated world's device truth", world,
        Targets::kNone, EvaluateDevices);
  c.Add(c.Group("behaviour", "Behaviour sequences of sessions"), "evaluate",
        "Flag rates of the session model on a simulated world's logins, by truth", world,
        Targets::kNone, EvaluateBehaviour);
}

}  // namespace finbrain::cli
