// A backtest from files (decision/backtest.h): the part of `finbrain backtest` that is not
// argument parsing.
#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "common/json_text.h"
#include "common/strings.h"
#include "decision/backtest.h"
#include "decision/credit_decisions.h"
#include "decision/internal/application.h"
#include "features/backfill.h"
#include "ingest/jsonl.h"
#include "models/model.h"
#include "tenancy/pii.h"
#include "tenancy/secrets.h"

namespace finbrain::decision {
namespace {

namespace json = boost::json;

StatusOr<std::string> ReadText(const std::string& path, const char* field) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read " + Quote(path), field);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

StatusOr<BacktestReport> RunBacktestFiles(const BacktestFiles& o) {
  // Models, served from their folders.
  std::map<std::string, std::shared_ptr<models::ServingModel>, std::less<>> served;
  for (const auto& [name, folder] : o.models) {
    auto serving = std::make_shared<models::ServingModel>();
    serving->name = name;
    serving->version = 1;
    FB_ASSIGN_OR_RETURN(std::unique_ptr<models::Model> model, models::Model::Load(folder));
    serving->monitor = std::make_unique<models::ModelMonitor>(*model);
    serving->model = std::move(model);
    served[serving->name] = std::move(serving);
  }
  // A backtest replays credit applications.
  StrategyKinds kinds;
  FB_RETURN_IF_ERROR(kinds.Register(CreditStrategyKind()));
  StrategyEnvironment env{.kinds = &kinds};
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
  const auto compile = [&](const std::string& path) -> StatusOr<std::shared_ptr<const Strategy>> {
    FB_ASSIGN_OR_RETURN(std::string yaml, ReadText(path, "strategy"));
    auto s = Strategy::Compile(yaml, env);
    if (!s.ok()) return Status(s.status().code(), path + ": " + s.status().message(), "strategy");
    return s;
  };
  FB_ASSIGN_OR_RETURN(auto champion, compile(o.strategy));
  std::shared_ptr<const Strategy> challenger;
  if (!o.challenger.empty()) {
    FB_ASSIGN_OR_RETURN(challenger, compile(o.challenger));
  }

  // Outcomes by application id.
  std::unordered_map<std::string, bool> outcomes;
  Status read_outcomes = ingest::ForEachJsonObject(
      {o.outcomes}, [&](const json::object& obj, std::string_view) -> Status {
        const json::value* id = obj.if_contains(o.on);
        const json::value* bad = obj.if_contains(o.outcome);
        if (id == nullptr || !id->is_string() || bad == nullptr ||
            !(bad->is_bool() || bad->is_number())) {
          return InvalidArgumentError("needs a text " + Quote(o.on) + " and a 0/1 or boolean " +
                                      Quote(o.outcome));
        }
        outcomes[std::string(id->get_string())] =
            bad->is_bool() ? bad->get_bool() : bad->to_number<double>() != 0;
        return OkStatus();
      });
  if (!read_outcomes.ok()) {
    return Status(read_outcomes.code(), read_outcomes.message(), "outcomes");
  }

  // Applications: validated and tokenized (one throwaway key, shared with the events).
  const tenancy::PiiTokenizer tokenizer(tenancy::RandomSecretKey());
  std::vector<BacktestCase> cases;
  std::vector<features::PointInTime> points;
  Status read_applications = ingest::ForEachEvent(
      {o.applications}, tokenizer, {},
      [&](ingest::ValidatedEvent e) -> Status {
        if (e.event_type != "credit_application") {
          return InvalidArgumentError("not a credit_application event", "event_type");
        }
        const json::object& app = *e.fields;
        BacktestCase c;
        const auto text = [&](std::string_view field) {
          const json::value* f = app.if_contains(field);
          return f && f->is_string() ? std::string(f->get_string()) : std::string();
        };
        if (auto it = outcomes.find(text(o.on)); it != outcomes.end()) c.bad = it->second;
        const json::value* segment = app.if_contains(o.segment);
        c.segment = segment == nullptr     ? "(none)"
                    : segment->is_string() ? std::string(segment->get_string())
                                           : ToJsonText(*segment);
        if (const json::value* amount = app.if_contains("requested_amount")) {
          c.exposure = amount->to_number<double>();
        }
        features::PointInTime p{.ids = internal::ApplicationEntityIds(app), .at = e.occurred_at};
        if (env.features) p.listed = env.features->Listed(app);
        c.application_json = std::move(e.canonical_json);
        points.push_back(std::move(p));
        cases.push_back(std::move(c));
        return OkStatus();
      },
      "applications");
  if (!read_applications.ok()) {
    return Status(read_applications.code(), read_applications.message(), "data");
  }
  if (cases.empty()) return InvalidArgumentError(o.applications + " holds no applications", "data");

  // Point-in-time features from the event history.
  if (env.features) {
    if (o.events.empty()) return InvalidArgumentError("a feature set needs events", "events");
    features::Backfill backfill(env.features);
    FB_ASSIGN_OR_RETURN(std::vector<std::string> files, ingest::ListEventFiles(o.events));
    Status read_events = ingest::ForEachEvent(
        files, tokenizer, [&](std::string_view type) { return env.features->Consumes(type); },
        [&](ingest::ValidatedEvent e) { return backfill.AddEvent(e); });
    if (!read_events.ok()) return Status(read_events.code(), read_events.message(), "events");
    auto values = backfill.Compute(points);
    for (size_t i = 0; i < cases.size(); ++i) {
      cases[i].features = env.features;
      cases[i].feature_values = std::move(values[i]);
    }
  }

  return RunBacktest(cases, *champion, challenger.get(), env,
                     {.lgd = o.lgd, .segment_name = o.segment});
}

}  // namespace finbrain::decision
