#include "decision/credit_decisions.h"

#include <boost/json.hpp>
#include <chrono>
#include <span>

#include "common/json_text.h"
#include "common/strings.h"
#include "decision/internal/application.h"
#include "decision/internal/decision_log.h"
#include "decision/outcome_json.h"
#include "tenancy/secrets.h"

namespace finbrain::decision {
namespace {

namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

double Micros(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double, std::micro>(to - from).count();
}

// device.* of the application: its device_id's fingerprinted phone and the applicant's phones.
std::vector<std::optional<double>> DeviceFeatures(const fraud::DeviceRegistry& registry,
                                                  const features::EntityIds& ids, TimeMicros at) {
  std::vector<std::optional<double>> v(std::size(kDeviceFeatures));
  v[0] = 0;
  if (auto device = ids.find("device"); device != ids.end() && !device->second.empty()) {
    if (std::optional<fraud::DeviceInfo> d = registry.Find(device->second)) {
      v[0] = 1;
      v[1] = double(d->users.size());
      v[2] = double(d->install_ids.size());
      v[3] = std::max(0.0, double(at - d->first_seen) / 86'400'000'000.0);
      for (size_t i = 4; i < 10; ++i) {
        v[i] = std::find(d->flags.begin(), d->flags.end(), kDeviceFeatures[i]) != d->flags.end();
      }
    }
  }
  if (auto user = ids.find("user"); user != ids.end() && !user->second.empty()) {
    v[10] = double(registry.OfUser(user->second).size());
  }
  return v;
}

// behaviour.* of the applicant: the recent sessions' scores and the payment count.
std::vector<std::optional<double>> BehaviourFeatures(fraud::BehaviourStore& store,
                                                     std::string_view tenant,
                                                     const features::EntityIds& ids) {
  std::vector<std::optional<double>> v(std::size(kBehaviourFeatures));
  v[0] = v[3] = v[4] = v[5] = v[6] = 0;
  auto user = ids.find("user");
  if (user == ids.end() || user->second.empty()) return v;
  const std::optional<fraud::UserActivity> activity = store.Activity(tenant, user->second);
  if (!activity) return v;
  const auto has = [](const fraud::SessionScore& score, std::string_view code) {
    return std::any_of(score.reasons.begin(), score.reasons.end(),
                       [&](const fraud::Reason& r) { return r.code == code; });
  };
  v[0] = double(activity->sessions.size());
  for (const fraud::ScoredSession& s : activity->sessions) {
    v[1] = s.score.risk;  // newest last
    v[2] = std::max(v[2].value_or(0), s.score.risk);
    *v[3] += s.score.reasons.empty() ? 0 : 1;
    *v[4] += has(s.score, "B02") ? 1 : 0;
    *v[5] += has(s.score, "B03") ? 1 : 0;
  }
  v[6] = double(activity->payments.count);
  return v;
}

}  // namespace

struct CreditDecisions::Prepared {
  ingest::ValidatedEvent event;  // its `fields`: the application parsed once, read by all
  std::string application_id;
  features::EntityIds ids;
  std::shared_ptr<const features::FeatureSet> feature_set;
  std::vector<std::optional<double>> feature_values;
  std::map<std::string, std::string, std::less<>> lists;
  std::vector<std::optional<double>> graph;
  std::vector<std::optional<double>> device;
  std::vector<std::optional<double>> behaviour;
  std::vector<std::pair<std::string, double>> latency_us;
  SteadyClock::time_point start;

  DecisionInput Input() const {
    return {.subject_json = event.canonical_json,
            .subject = event.fields.get(),
            .features = feature_set,
            .feature_values = feature_values,
            .lists = lists,
            .signals = {graph, device, behaviour}};
  }
};

StatusOr<CreditDecisions::Prepared> CreditDecisions::Prepare(std::string_view tenant,
                                                             std::string_view application) const {
  Prepared p;
  p.start = SteadyClock::now();
  FB_ASSIGN_OR_RETURN(p.event,
                      ingest::EventSchema::Get().ValidateJson(application, deps_.tokenizer));
  if (p.event.event_type != "credit_application") {
    return InvalidArgumentError(
        "event_type must be credit_application, not " + Quote(p.event.event_type), "event_type");
  }
  const json::object& app = *p.event.fields;
  p.ids = internal::ApplicationEntityIds(app);
  p.application_id = p.ids["application"];
  auto now = SteadyClock::now();
  p.latency_us.emplace_back("validate", Micros(p.start, now));

  // Features as of the application's time: what was known before it (as in training).
  auto t = now;
  p.feature_set = deps_.features.For(tenant);
  if (p.feature_set) {
    p.feature_values =
        deps_.features.Compute(tenant, p.ids, p.event.occurred_at, p.feature_set->Listed(app));
  }
  now = SteadyClock::now();
  p.latency_us.emplace_back("features", Micros(t, now));

  t = now;
  // The applicant's own identifiers, then the contact phones it names (lists.contact: the most
  // severe list of any of them), all in one lookup.
  std::vector<fraud::ListStore::Lookup> lookups;
  for (const auto& [entity, id] : p.ids) lookups.push_back({entity, id});
  const size_t own = lookups.size();
  static const ingest::EventSchema::ItemPath kContactPhones{"contacts", "phone"};
  std::vector<std::string_view> contact_phones;
  ingest::AppendItemTexts(app, kContactPhones, contact_phones);
  for (std::string_view phone : contact_phones) lookups.push_back({"phone", phone});
  FB_ASSIGN_OR_RETURN(std::vector<std::optional<fraud::ListKind>> listed,
                      deps_.lists.MostSevere(tenant, lookups));
  std::optional<fraud::ListKind> contact;  // the enum is in order of severity
  for (size_t i = 0; i < lookups.size(); ++i) {
    if (!listed[i]) continue;
    if (i < own) {
      p.lists[std::string(lookups[i].entity_type)] = std::string(fraud::ListKindName(*listed[i]));
    } else if (!contact || *listed[i] < *contact) {
      contact = listed[i];
    }
  }
  if (contact) p.lists["contact"] = std::string(fraud::ListKindName(*contact));
  now = SteadyClock::now();
  p.latency_us.emplace_back("lists", Micros(t, now));
  if (deps_.devices != nullptr) {
    t = SteadyClock::now();
    p.device = DeviceFeatures(*deps_.devices->For(tenant), p.ids, p.event.occurred_at);
    p.latency_us.emplace_back("device", Micros(t, SteadyClock::now()));
  }
  if (deps_.behaviour != nullptr) {
    t = SteadyClock::now();
    p.behaviour = BehaviourFeatures(*deps_.behaviour, tenant, p.ids);
    p.latency_us.emplace_back("behaviour", Micros(t, SteadyClock::now()));
  }
  return p;
}

void CreditDecisions::ReadGraph(std::string_view tenant, Prepared& p, bool own_links) const {
  if (deps_.graph == nullptr) return;
  const auto t = SteadyClock::now();
  // A ring member's first tie to the ring is often what this application lists (contacts).
  if (own_links) deps_.graph->AddAhead(tenant, p.event);
  p.graph = graph::GraphFeatures(*deps_.graph->For(tenant), p.ids, p.event.occurred_at);
  p.latency_us.emplace_back("graph", Micros(t, SteadyClock::now()));
}

namespace {

// The decision record. `for_log`: the form DecisionLog stores (feature values by position,
// inputs from the event log); otherwise self-contained (dry runs).
json::object RecordJson(const std::string& decision_id, const std::string& application_id,
                        const std::string& tenant, TimeMicros decided_at, std::string_view name,
                        int version, const DecisionOutcome& served, std::string_view branch,
                        const DecisionOutcome* other, int other_version, const json::object& inputs,
                        const DecisionInput& input,
                        std::vector<std::pair<std::string, double>> latency, bool for_log) {
  json::object record = OutcomeJson(served);
  record["decision_id"] = decision_id;
  record["application_id"] = application_id;
  record["tenant"] = tenant;
  record["decided_at"] = FormatRfc3339(decided_at);
  record["strategy"] = {{"name", name}, {"version", version}, {"branch", branch}};
  if (other != nullptr) {
    json::object shadow = OutcomeJson(*other);
    shadow["version"] = other_version;
    shadow["branch"] = branch == "champion" ? "challenger" : "champion";
    record["shadow"] = std::move(shadow);
  }
  if (for_log && input.features != nullptr) {
    // Values in the feature set's order; DecisionLog stores the names once (a third of the
    // record's bytes otherwise) and names them again when the record is read.
    record["feature_set"] = input.features->names_id();
    json::array values;
    values.reserve(input.feature_values.size());
    for (const std::optional<double>& v : input.feature_values) values.push_back(OptionalJson(v));
    record["feature_values"] = std::move(values);
  } else {
    json::object features;
    features.reserve(input.feature_values.size());  // ~100 names: no rehash on the way
    for (size_t i = 0; input.features != nullptr && i < input.feature_values.size(); ++i) {
      features.emplace(input.features->features()[i].name, OptionalJson(input.feature_values[i]));
    }
    record["features"] = std::move(features);
  }
  json::object list_hits;
  for (const auto& [entity, list] : input.lists) list_hits[entity] = list;
  record["lists"] = std::move(list_hits);
  // Request-time signals by name, when they were read.
  const auto signals = [&](const char* key, std::span<const std::string_view> names,
                           const std::vector<std::optional<double>>& values) {
    json::object o;
    for (size_t i = 0; i < values.size() && i < names.size(); ++i) {
      o[names[i]] = OptionalJson(values[i]);
    }
    if (!o.empty()) record[key] = std::move(o);
  };
  const std::vector<std::optional<double>> none;
  const auto group = [&](size_t i) -> const auto& {
    return i < input.signals.size() ? input.signals[i] : none;
  };
  signals("graph", kGraphFeatures, group(0));
  signals("device", kDeviceFeatures, group(1));
  signals("behaviour", kBehaviourFeatures, group(2));
  // PII already tokens. A stored record takes its inputs from the event log (DecisionLog).
  if (!for_log) record["inputs"] = inputs;
  for (const auto& stage : served.latency_us) latency.push_back(stage);
  json::object latency_json;
  double total = 0;
  for (const auto& [stage, us] : latency) {
    latency_json[stage] = std::round(us * 10) / 10;
    total += us;
  }
  latency_json["total"] = std::round(total * 10) / 10;
  record["latency_us"] = std::move(latency_json);
  return record;
}

Status CheckCreditKind(const Strategy& strategy, std::string_view name) {
  if (strategy.kind().name == kCreditKind) return OkStatus();
  return InvalidArgumentError("strategy " + Quote(name) + " is of kind " + strategy.kind().name +
                                  "; credit applications need a credit strategy",
                              "strategy");
}

std::vector<std::string> Names(std::span<const std::string_view> names) {
  return {names.begin(), names.end()};
}

}  // namespace

CreditDecisions::CreditDecisions(CreditDecisionsDeps deps)
    : deps_(deps),
      log_(std::make_unique<DecisionLog>(deps.store, deps.events, storage::Column::kDecisionIndex,
                                         deps.stats, deps.metrics)) {}
CreditDecisions::~CreditDecisions() = default;

Status CreditDecisions::Decide(std::string_view tenant, std::string_view application,
                               std::string_view strategy_name, const tenancy::Actor& actor,
                               Done done) {
  FB_ASSIGN_OR_RETURN(Prepared p, Prepare(tenant, application));
  FB_ASSIGN_OR_RETURN(DecisionLog::Claim claim, log_->Begin(tenant, p.application_id, "application",
                                                            "application_id", p.event));
  if (claim.decided) {  // decided before: the stored record is the answer
    done(std::move(*claim.decided));
    return OkStatus();
  }
  StatusOr<std::shared_ptr<const LiveStrategy>> live =
      deps_.strategies.Active(tenant, strategy_name);
  Status usable = live.ok() ? CheckCreditKind(*(*live)->strategy, strategy_name) : live.status();
  if (!usable.ok()) {
    log_->Abandon(claim.key);
    return usable;
  }
  ReadGraph(tenant, p, /*own_links=*/true);
  const StrategyEnvironment env = deps_.strategies.Environment(tenant);
  const DecisionInput input = p.Input();
  DecisionOutcome champion = (*live)->strategy->Decide(input, env);
  std::optional<DecisionOutcome> challenger;
  bool challenger_serves = false;
  if ((*live)->challenger) {
    challenger = (*live)->challenger->Decide(input, env);
    const std::optional<double> point = (*live)->strategy->SplitPoint(input);
    challenger_serves = point && *point < (*live)->strategy->experiment()->share;
  }
  const DecisionOutcome& served = challenger_serves ? *challenger : champion;
  const DecisionOutcome* other =
      challenger ? (challenger_serves ? &champion : &*challenger) : nullptr;
  const std::string decision_id = DecisionLog::NewDecisionId();
  json::object record(RecordJson(decision_id, p.application_id, std::string(tenant),
                                 deps_.clock.NowMicros(), strategy_name,
                                 challenger_serves ? (*live)->challenger_version : (*live)->version,
                                 served, challenger_serves ? "challenger" : "champion", other,
                                 challenger_serves ? (*live)->version : (*live)->challenger_version,
                                 *p.event.fields, input, p.latency_us, /*for_log=*/true));
  tenancy::AuditEntry audit{.tenant = std::string(tenant),
                            .actor = actor.id,
                            .action = actor.action,
                            .entity = "decision/" + decision_id + " application/" +
                                      p.application_id + " " + served.decision,
                            .result = "ok"};
  log_->Commit(tenant, claim.key, decision_id, std::move(p.event), std::move(record),
               std::move(audit), p.start, std::move(done), p.feature_set.get());
  return OkStatus();
}

StatusOr<std::optional<std::string>> CreditDecisions::Get(std::string_view tenant,
                                                          std::string_view decision_id) const {
  return log_->Get(tenant, decision_id);
}

StatusOr<std::optional<std::string>> CreditDecisions::FindByApplication(
    std::string_view tenant, std::string_view application_id) const {
  return log_->Find(tenant, application_id);
}

StatusOr<std::string> CreditDecisions::DryRun(std::string_view tenant, std::string_view application,
                                              const Strategy& strategy, std::string_view name,
                                              int version) {
  FB_RETURN_IF_ERROR(CheckCreditKind(strategy, name));
  FB_ASSIGN_OR_RETURN(Prepared p, Prepare(tenant, application));
  ReadGraph(tenant, p, /*own_links=*/false);
  const DecisionInput input = p.Input();
  const DecisionOutcome outcome = strategy.Decide(input, deps_.strategies.Environment(tenant));
  json::object record =
      RecordJson("dry-run", p.application_id, std::string(tenant), deps_.clock.NowMicros(), name,
                 version, outcome, "champion", nullptr, 0, *p.event.fields, input, p.latency_us,
                 /*for_log=*/false);
  record["dry_run"] = true;
  return ToJsonText(record);
}

StrategyKind CreditStrategyKind(CreditDecisions* decisions) {
  StrategyKind kind{.name = std::string(kCreditKind),
                    .description = "a credit application (POST /v1/decisions/credit)",
                    .subject_fields = ingest::EventSchema::Get().ScalarFields("credit_application"),
                    .subject_prefix = "app.",
                    .subject_name = "The application",
                    .model_input_prefix = "app.",
                    .list_entities = {"user", "phone", "id_number", "device", "ip", "address",
                                      "application", "contact"},
                    .signals = {{"graph", Names(kGraphFeatures)},
                                {"device", Names(kDeviceFeatures)},
                                {"behaviour", Names(kBehaviourFeatures)}},
                    .approval_needs_terms = true,
                    .dry_run_fields = {"application"}};
  if (decisions != nullptr) {
    kind.dry_run = [decisions](std::string_view tenant, std::string_view body,
                               const Strategy& strategy, std::string_view name,
                               int version) -> StatusOr<std::string> {
      boost::system::error_code ec;
      const json::value parsed = json::parse(body, ec);
      const json::value* application =
          parsed.is_object() ? parsed.get_object().if_contains("application") : nullptr;
      if (application == nullptr || !application->is_object()) {
        return InvalidArgumentError("application must be a credit_application event object",
                                    "application");
      }
      return decisions->DryRun(tenant, ToJsonText(*application), strategy, name, version);
    };
  }
  return kind;
}

}  // namespace finbrain::decision
