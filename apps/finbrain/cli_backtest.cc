// `finbrain backtest`: a strategy (and a challenger) over past applications with outcomes.
//
//   finbrain backtest --strategy strategies/credit.yaml --challenger new.yaml
//       --data world/events/credit_application.jsonl --outcomes world/truth/applications.jsonl
//       --features strategies/credit_features.yaml --events world/events
//       --model credit_pd=models/pd --out backtest/
//
// Writes backtest.json and backtest.html into --out and prints the JSON.
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unordered_map>

#include "apps/finbrain/cli.h"
#include "common/json_text.h"
#include "common/progress.h"
#include "common/strings.h"
#include "decision/backtest.h"
#include "decision/credit_decisions.h"
#include "features/backfill.h"
#include "ingest/jsonl.h"
#include "models/model.h"
#include "tenancy/pii.h"
#include "tenancy/secrets.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

struct BacktestCli {
  std::string strategy, challenger, data, outcomes, features, events, out;
  std::string on = "application_id";
  std::string outcome = "defaulted";
  std::string segment = "product";
  std::vector<std::string> models;  // NAME=DIR
  double lgd = 0.6;
};

StatusOr<std::string> ReadText(const std::string& path, const char* field) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read " + Quote(path), field);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every JSONL line of `path` parsed; `what` names the flag in errors.
Status ForEachLine(
    const std::string& path, const char* what,
    const std::function<Status(const std::string& position, std::string& line)>& use) {
  ingest::JsonlReader reader({path});
  ingest::JsonlReader::Batch batch;
  while (reader.Next(4096, batch)) {
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      Status s = use(batch.positions[i], batch.lines[i]);
      if (!s.ok()) return Status(s.code(), batch.positions[i] + ": " + s.message(), what);
    }
  }
  return reader.status();
}

Status RunBacktestCli(const BacktestCli& o) {
  // Models, served from their folders.
  std::map<std::string, std::shared_ptr<models::ServingModel>, std::less<>> served;
  for (const std::string& spec : o.models) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("--model takes NAME=DIR, not " + Quote(spec), "model");
    }
    auto serving = std::make_shared<models::ServingModel>();
    serving->name = spec.substr(0, eq);
    serving->version = 1;
    FB_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> model,
                        models::Model::Load(spec.substr(eq + 1)));
    serving->monitor = std::make_unique<models::ModelMonitor>(*model);
    serving->model = std::move(model);
    served[serving->name] = std::move(serving);
  }
  // A backtest replays credit applications.
  decision::StrategyKinds kinds;
  FB_RETURN_IF_ERROR(kinds.Register(decision::CreditStrategyKind()));
  decision::StrategyEnvironment env{.kinds = &kinds};
  env.model = [&served](std::string_view name) -> StatusOr<std::shared_ptr<models::ServingModel>> {
    auto it = served.find(name);
    if (it == served.end()) {
      return NotFoundError("no model " + Quote(name) + " (give it with --model " +
                           std::string(name) + "=DIR)");
    }
    return it->second;
  };
  if (!o.features.empty()) {
    FB_ASSIGN_OR_RETURN(env.features, features::FeatureSet::Load(o.features));
  }
  const auto compile =
      [&](const std::string& path) -> StatusOr<std::shared_ptr<const decision::Strategy>> {
    FB_ASSIGN_OR_RETURN(std::string yaml, ReadText(path, "strategy"));
    auto s = decision::Strategy::Compile(yaml, env);
    if (!s.ok()) return Status(s.status().code(), path + ": " + s.status().message(), "strategy");
    return s;
  };
  FB_ASSIGN_OR_RETURN(auto champion, compile(o.strategy));
  std::shared_ptr<const decision::Strategy> challenger;
  if (!o.challenger.empty()) {
    FB_ASSIGN_OR_RETURN(challenger, compile(o.challenger));
  }

  // Outcomes by application id.
  std::unordered_map<std::string, bool> outcomes;
  FB_RETURN_IF_ERROR(
      ForEachLine(o.outcomes, "outcomes", [&](const std::string&, std::string& line) {
        boost::system::error_code ec;
        const json::value v = json::parse(line, ec);
        const json::object* obj = ec ? nullptr : v.if_object();
        const json::value* id = obj ? obj->if_contains(o.on) : nullptr;
        const json::value* bad = obj ? obj->if_contains(o.outcome) : nullptr;
        if (id == nullptr || !id->is_string() || bad == nullptr ||
            !(bad->is_bool() || bad->is_number())) {
          return InvalidArgumentError("needs a text " + Quote(o.on) + " and a 0/1 or boolean " +
                                      Quote(o.outcome));
        }
        outcomes[std::string(id->get_string())] =
            bad->is_bool() ? bad->get_bool() : bad->to_number<double>() != 0;
        return OkStatus();
      }));

  // Applications: validated and tokenized (one throwaway key, shared with the events).
  tenancy::SecretKey key;
  tenancy::RandomBytes(key.data(), key.size());
  const tenancy::PiiTokenizer tokenizer(key);
  const ingest::EventSchema& schema = ingest::EventSchema::Get();
  std::vector<decision::BacktestCase> cases;
  std::vector<features::PointInTime> points;
  FB_RETURN_IF_ERROR(ForEachLine(o.data, "data", [&](const std::string&, std::string& line) {
    FB_ASSIGN_OR_RETURN(ingest::ValidatedEvent e, schema.ValidateJson(line, tokenizer));
    if (e.event_type != "credit_application") {
      return InvalidArgumentError("not a credit_application event", "event_type");
    }
    const json::value v = json::parse(e.canonical_json);
    const json::object& app = v.as_object();
    decision::BacktestCase c;
    const auto text = [&](const char* field) {
      const json::value* f = app.if_contains(field);
      return f && f->is_string() ? std::string(f->get_string()) : std::string();
    };
    if (auto it = outcomes.find(text(o.on.c_str())); it != outcomes.end()) c.bad = it->second;
    const json::value* segment = app.if_contains(o.segment);
    c.segment = segment == nullptr     ? "(none)"
                : segment->is_string() ? std::string(segment->get_string())
                                       : ToJsonText(*segment);
    c.exposure = app.at("requested_amount").to_number<double>();
    features::PointInTime p{.at = e.occurred_at};
    for (const auto& [entity, field] : {std::pair{"user", "user_id"},
                                        {"phone", "phone"},
                                        {"id_number", "id_number"},
                                        {"device", "device_id"},
                                        {"ip", "ip"},
                                        {"address", "address"},
                                        {"application", "application_id"}}) {
      if (std::string id = text(field); !id.empty()) p.ids[entity] = std::move(id);
    }
    if (env.features) p.listed = env.features->Listed(app);
    c.application_json = std::move(e.canonical_json);
    points.push_back(std::move(p));
    cases.push_back(std::move(c));
    return OkStatus();
  }));
  if (cases.empty()) return InvalidArgumentError(o.data + " holds no applications", "data");

  // Point-in-time features from the event history.
  if (env.features) {
    if (o.events.empty()) return InvalidArgumentError("--features needs --events", "events");
    features::Backfill backfill(env.features);
    FB_ASSIGN_OR_RETURN(std::vector<std::string> files, ingest::ListEventFiles(o.events));
    ingest::JsonlReader reader(files);
    ingest::JsonlReader::Batch batch;
    Progress progress("events", reader.total_bytes());
    while (reader.Next(4096, batch)) {
      for (size_t i = 0; i < batch.lines.size(); ++i) {
        StatusOr<ingest::ValidatedEvent> e = schema.ValidateJson(batch.lines[i], tokenizer);
        if (!e.ok()) {
          return InvalidArgumentError(batch.positions[i] + ": " + e.status().message(), "events");
        }
        if (env.features->Consumes(e->event_type)) FB_RETURN_IF_ERROR(backfill.AddEvent(*e));
      }
      progress.Update(reader.bytes_read());
    }
    FB_RETURN_IF_ERROR(reader.status());
    progress.Finish();
    auto values = backfill.Compute(points);
    for (size_t i = 0; i < cases.size(); ++i) {
      cases[i].features = env.features;
      cases[i].feature_values = std::move(values[i]);
    }
  }

  const decision::BacktestReport report = decision::RunBacktest(
      cases, *champion, challenger.get(), env, {.lgd = o.lgd, .segment_name = o.segment});
  std::filesystem::create_directories(o.out);
  for (const auto& [name, text] :
       {std::pair{"/backtest.json", &report.json}, std::pair{"/backtest.html", &report.html}}) {
    std::ofstream file(o.out + name);
    file << *text;
    if (!file.flush()) return UnavailableError("cannot write " + Quote(o.out + name));
  }
  std::cout << report.json << "\n";
  std::cerr << "wrote " << o.out << "/backtest.json and backtest.html\n";
  return OkStatus();
}

}  // namespace

void AddBacktestCommand(CLI::App& app, GlobalOptions&, Action& run) {
  auto o = std::make_shared<BacktestCli>();
  CLI::App* cmd = app.add_subcommand(
      "backtest", "Run a strategy (and a challenger) over past applications with outcomes");
  cmd->add_option("--strategy", o->strategy, "Strategy YAML")->required()->check(CLI::ExistingFile);
  cmd->add_option("--challenger", o->challenger, "Challenger strategy YAML")
      ->check(CLI::ExistingFile);
  cmd->add_option("--data", o->data, "credit_application events (JSONL)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--outcomes", o->outcomes, "JSONL of outcomes (e.g. truth/applications.jsonl)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--on", o->on, "Field naming the application in both")->capture_default_str();
  cmd->add_option("--outcome", o->outcome, "The bad outcome field (true/1 = bad)")
      ->capture_default_str();
  cmd->add_option("--features", o->features, "Feature set YAML the strategies read")
      ->check(CLI::ExistingFile);
  cmd->add_option("--events", o->events, "Event history for the features (file or directory)");
  cmd->add_option("--model", o->models, "NAME=DIR: a model folder the strategies name");
  cmd->add_option("--segment", o->segment, "Application field to break results down by")
      ->capture_default_str();
  cmd->add_option("--lgd", o->lgd, "Loss given default for loss estimates")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--out", o->out, "Folder for backtest.json and backtest.html")->required();
  cmd->callback([&run, o] { run = [o] { return RunBacktestCli(*o); }; });
}

}  // namespace finbrain::cli
