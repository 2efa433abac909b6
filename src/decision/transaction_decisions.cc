#include "decision/transaction_decisions.h"

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <set>

#include "common/json_text.h"
#include "common/strings.h"
#include "decision/internal/decision_log.h"
#include "ingest/event_schema.h"
#include "tenancy/secrets.h"
#include "tenancy/tenant_directory.h"

namespace finbrain::decision {
namespace {

namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

constexpr TimeMicros kSessionReach = 30 * 60 * 1'000'000LL;  // a payment's session: 30 min back

double Micros(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double, std::micro>(to - from).count();
}

std::string Str(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// What the rules conclude: the most severe action wins.
struct Verdict {
  int severity = 0;  // 0 allow, 1 challenge, 2 block
  double risk = 0;
  json::array reasons;

  void Add(int level, double r, std::string_view code, std::string_view text,
           std::string_view source) {
    severity = std::max(severity, level);
    risk = std::max(risk, r);
    reasons.push_back({{"code", code}, {"text", text}, {"source", source}});
  }
  std::string_view Decision() const {
    return severity == 2 ? "block" : severity == 1 ? "challenge" : "allow";
  }
};

json::object SessionJson(const fraud::SessionScore& s, std::string_view session_id) {
  json::array codes;
  for (const auto& r : s.reasons) codes.push_back(json::string(r.code));
  return {{"session_id", session_id},
          {"surprise", std::round(s.surprise * 1000) / 1000},
          {"z", std::round(s.z * 1000) / 1000},
          {"risk", std::round(s.risk * 1000) / 1000},
          {"actions", s.actions},
          {"median_gap_seconds", s.median_gap_seconds},
          {"takeover_chain", s.takeover_chain},
          {"reasons", std::move(codes)}};
}

// The emulator, rooting or hooking flag of a device, when it has one (T05).
const std::string* RiskyDevice(const fraud::DeviceInfo& d) {
  for (const std::string& flag : d.flags) {
    if (flag == "emulator" || flag == "rooted" || flag == "hook_framework") return &flag;
  }
  return nullptr;
}

// A payment or login event, validated and tokenized.
StatusOr<ingest::ValidatedEvent> Validate(std::string_view text,
                                          const tenancy::PiiTokenizer& tokenizer) {
  FB_ASSIGN_OR_RETURN(ingest::ValidatedEvent event,
                      ingest::EventSchema::Get().ValidateJson(text, tokenizer));
  if (event.event_type != "payment" && event.event_type != "login") {
    return InvalidArgumentError(
        "event_type must be payment or login, not " + Quote(event.event_type), "event_type");
  }
  return event;
}

}  // namespace

TransactionDecisions::TransactionDecisions(TransactionDecisionsDeps deps)
    : deps_(deps),
      log_(std::make_unique<DecisionLog>(
          deps.store, deps.events, storage::Column::kTransactionIndex, deps.stats, deps.metrics)) {}
TransactionDecisions::~TransactionDecisions() = default;

struct TransactionDecisions::Evaluation {
  // The record's body: everything but its id and time.
  json::object record;
  std::string decision;
  // What the strategy reads (the kind's signal groups, in order).
  std::map<std::string, std::string, std::less<>> lists;
  std::vector<std::vector<std::optional<double>>> signals =
      std::vector<std::vector<std::optional<double>>>(4);
};

StatusOr<TransactionDecisions::Evaluation> TransactionDecisions::Evaluate(
    std::string_view tenant, const ingest::ValidatedEvent& event, const Strategy* strategy,
    std::string_view strategy_name, int strategy_version) const {
  const auto start = SteadyClock::now();
  Evaluation e;
  json::object latency;
  const json::object& o = *event.fields;
  const bool payment = event.event_type == "payment";
  const std::string user = Str(o, "user_id");
  const std::string device = Str(o, "device_id");
  auto now = start;

  Verdict verdict;
  json::object signals;
  // Lists: the user, device, IP and (for payments) a merchant payee.
  auto t = SteadyClock::now();
  json::object list_hits;
  std::vector<std::pair<std::string, std::string>> entities = {
      {"user", user}, {"device", device}, {"ip", Str(o, "ip")}};
  if (payment && Str(o, "payee_type") == "merchant")
    entities.emplace_back("merchant", Str(o, "payee_id"));
  std::vector<fraud::ListStore::Lookup> lookups;
  for (const auto& [type, id] : entities) {
    if (!id.empty()) lookups.push_back({type, id});
  }
  StatusOr<std::vector<std::optional<fraud::ListKind>>> listed =
      deps_.lists.MostSevere(tenant, lookups);
  FB_RETURN_IF_ERROR(listed.status());
  for (size_t i = 0; i < lookups.size(); ++i) {
    const std::string type(lookups[i].entity_type);
    if ((*listed)[i] == fraud::ListKind::kBlacklist) {
      list_hits[type] = "blacklist";
      verdict.Add(2, 1.0, "T01", "Blacklisted " + type, "list");
    } else if ((*listed)[i] == fraud::ListKind::kGreylist) {
      list_hits[type] = "greylist";
      verdict.Add(1, 0.5, "T09", "Greylisted " + type, "list");
    }
  }
  for (size_t i = 0; i < lookups.size(); ++i) {
    if ((*listed)[i]) {
      e.lists[std::string(lookups[i].entity_type)] = fraud::ListKindName(*(*listed)[i]);
    }
  }
  signals["lists"] = std::move(list_hits);
  now = SteadyClock::now();
  latency["lists"] = Micros(t, now);

  // The session: a login is scored itself; a payment by its session (or the user's last one).
  t = now;
  std::optional<fraud::UserActivity> activity = deps_.behaviour.Activity(tenant, user);
  std::optional<fraud::SessionScore> session;
  std::string session_id;
  if (!payment) {
    FB_ASSIGN_OR_RETURN(fraud::Session s, fraud::ParseSession(event.canonical_json));
    session = deps_.behaviour.ScoreSession(tenant, s);
    session_id = s.session_id;
  } else if (activity) {
    const std::string wanted = Str(o, "session_id");
    for (auto it = activity->sessions.rbegin(); it != activity->sessions.rend(); ++it) {
      const bool same = !wanted.empty() && it->session_id == wanted;
      const bool recent = wanted.empty() && it->at <= event.occurred_at &&
                          event.occurred_at - it->at <= kSessionReach;
      if (same || recent) {
        session = it->score;
        session_id = it->session_id;
        break;
      }
    }
  }
  bool unusual_session = false;
  if (session) {
    e.signals[0] = {session->risk,
                    session->surprise,
                    session->z,
                    double(session->actions),
                    session->median_gap_seconds,
                    session->takeover_chain ? 1.0 : 0.0};
    signals["session"] = SessionJson(*session, session_id);
    for (const auto& r : session->reasons) {
      if (r.code == "B03") {
        verdict.Add(2, session->risk, "T02", r.text, "behaviour");
      } else if (r.code == "B01" || r.code == "B02") {
        unusual_session = true;
      }
    }
  }

  // Payment history: amount against the user's own, and whether the payee is new to them.
  double amount_z = 0;
  bool new_payee = false;
  if (payment) {
    const json::value* amount = o.if_contains("amount");
    const double value = amount != nullptr && amount->is_number() ? amount->to_number<double>() : 0;
    const fraud::PaymentHistory history = activity ? activity->payments : fraud::PaymentHistory{};
    amount_z = history.AmountZ(value);
    new_payee = history.count > 0 && !history.KnowsPayee(Str(o, "payee_id"));
    e.signals[1] = {value, amount_z, new_payee ? 1.0 : 0.0, double(history.count)};
    signals["payment"] = json::object{{"amount", value},
                                      {"amount_z", std::round(amount_z * 1000) / 1000},
                                      {"previous_payments", history.count},
                                      {"new_payee", new_payee}};
    if (amount_z >= 3) verdict.Add(1, 0.5, "T06", "Amount far above the user's usual", "behaviour");
  }
  const bool risky_payment = payment && (new_payee || amount_z >= 2);
  if (unusual_session) {
    if (risky_payment) {
      verdict.Add(2, std::max(0.9, session->risk), "T03",
                  "Unusual session paying a new payee or an unusual amount", "behaviour");
    } else {
      verdict.Add(1, session->risk, "T03", "Unusual sequence or pace of operations", "behaviour");
    }
  }
  now = SteadyClock::now();
  latency["behaviour"] = Micros(t, now);

  // The device: its fingerprint, whether this account used it before, its risk flags.
  t = now;
  json::object device_json{{"known", false}};
  if (!device.empty()) {
    std::optional<fraud::DeviceInfo> d = deps_.devices.For(tenant)->Find(device);
    const bool new_to_user =
        !d || std::find(d->users.begin(), d->users.end(), user) == d->users.end();
    if (d) {
      device_json = {{"known", true},
                     {"fingerprint", d->fingerprint},
                     {"accounts", d->users.size()},
                     {"flags", json::array(d->flags.begin(), d->flags.end())}};
      if (const std::string* flag = RiskyDevice(*d)) {
        verdict.Add(1, 0.6, "T05", "Device is " + *flag, "device");
      }
    }
    device_json["new_to_user"] = new_to_user;
    e.signals[2] = {d ? 1.0 : 0.0, new_to_user ? 1.0 : 0.0,
                    d ? std::optional<double>(double(d->users.size())) : std::nullopt,
                    d ? std::optional<double>(RiskyDevice(*d) ? 1.0 : 0.0) : std::nullopt};
    if (new_to_user && activity) {  // a first-ever session is not a new device
      if (risky_payment) {
        verdict.Add(2, 0.85, "T04",
                    "A device new to the account paying a new payee or an unusual amount",
                    "device");
      } else {
        verdict.Add(1, 0.4, "T04", "A device new to the account", "device");
      }
    }
  }
  signals["device"] = std::move(device_json);
  now = SteadyClock::now();
  latency["device"] = Micros(t, now);

  t = now;
  if (std::optional<graph::RingInfo> group = deps_.graph.For(tenant)->GroupOf(user)) {
    signals["graph"] = json::object{{"ring_id", group->ring_id},
                                    {"kind", group->kind},
                                    {"is_ring", group->is_ring},
                                    {"size", group->members.size()}};
    e.signals[3] = {double(group->members.size()), group->is_ring ? 1.0 : 0.0, group->risk};
    if (group->is_ring)
      verdict.Add(1, std::max(0.5, group->risk), "T08", "Member of a fraud ring", "graph");
  }
  now = SteadyClock::now();
  latency["graph"] = Micros(t, now);

  if (strategy != nullptr) {
    // The tenant's own rules: a decline blocks, a review challenges, the stricter answer wins.
    t = now;
    DecisionInput input{.subject_json = event.canonical_json,
                        .subject = event.fields.get(),
                        .lists = e.lists,
                        .signals = e.signals};
    const StrategyEnvironment env = deps_.strategies->Environment(tenant);
    if (deps_.features != nullptr && env.features != nullptr) {
      features::EntityIds ids;
      for (const auto& [type, id] : entities) {
        if (!id.empty()) ids[type] = id;
      }
      input.features = env.features;
      input.feature_values = deps_.features->Compute(tenant, ids, event.occurred_at);
    }
    const DecisionOutcome outcome = strategy->Decide(input, env);
    const int level = outcome.decision == "decline" ? 2 : outcome.decision == "review" ? 1 : 0;
    if (level > 0) {
      // The reasons of the rules that decided (a flag explains nothing about a block).
      std::set<std::string> deciding;
      for (const RuleHit& h : outcome.rule_hits) {
        if (h.action == "decline" || h.action == "review") deciding.insert(h.code);
      }
      for (const DecisionReason& r : outcome.reasons) {
        if (r.source.starts_with("rule:") && !deciding.contains(r.code)) continue;
        verdict.Add(level, level == 2 ? 0.9 : 0.5, r.code, r.text, r.source);
      }
    }
    json::array hits;
    for (const RuleHit& h : outcome.rule_hits) {
      hits.push_back(
          {{"rule_set", h.rule_set}, {"rule", h.rule}, {"action", h.action}, {"code", h.code}});
    }
    e.record["strategy"] = {{"name", strategy_name},
                            {"version", strategy_version},
                            {"decision", outcome.decision},
                            {"rule_hits", std::move(hits)}};
    now = SteadyClock::now();
    latency["strategy"] = Micros(t, now);
  }

  e.decision = std::string(verdict.Decision());
  e.record["kind"] = "transaction";
  e.record["event_id"] = event.event_id;
  e.record["event_type"] = event.event_type;
  e.record["user_id"] = user;
  e.record["tenant"] = tenant;
  e.record["decision"] = e.decision;
  e.record["risk"] = std::round(verdict.risk * 1000) / 1000;
  e.record["reasons"] = std::move(verdict.reasons);
  e.record["signals"] = std::move(signals);  // inputs: from the event log
  e.record["latency_us"] = std::move(latency);
  return e;
}

Status TransactionDecisions::Decide(std::string_view tenant, std::string_view text,
                                    const tenancy::Actor& actor, Done done) {
  const auto start = SteadyClock::now();
  FB_ASSIGN_OR_RETURN(ingest::ValidatedEvent event, Validate(text, deps_.tokenizer));
  const double validated = Micros(start, SteadyClock::now());
  FB_ASSIGN_OR_RETURN(DecisionLog::Claim claim,
                      log_->Begin(tenant, event.event_id, "event", "event_id", event));
  if (claim.decided) {  // decided before: the stored record is the answer
    done(std::move(*claim.decided));
    return OkStatus();
  }
  std::shared_ptr<const LiveStrategy> live;
  if (deps_.strategies != nullptr) {
    StatusOr<std::shared_ptr<const LiveStrategy>> active =
        deps_.strategies->Active(tenant, kTransactionStrategy);
    if (active.ok() && (*active)->strategy->kind().name == kTransactionKind) live = *active;
  }
  StatusOr<Evaluation> evaluated = Evaluate(tenant, event, live ? live->strategy.get() : nullptr,
                                            kTransactionStrategy, live ? live->version : 0);
  if (!evaluated.ok()) {
    log_->Abandon(claim.key);
    return evaluated.status();
  }
  const std::string decision_id = DecisionLog::NewDecisionId();
  json::object record{{"decision_id", decision_id},
                      {"decided_at", FormatRfc3339(deps_.clock.NowMicros())}};
  for (auto& [key, value] : evaluated->record) record[key] = std::move(value);
  json::object& latency = record["latency_us"].as_object();
  latency["validate"] = validated;
  latency["decide"] = Micros(start, SteadyClock::now());

  tenancy::AuditEntry audit{
      .tenant = std::string(tenant),
      .actor = actor.id,
      .action = actor.action,
      .entity = "decision/" + decision_id + " event/" + event.event_id + " " + evaluated->decision,
      .result = "ok"};
  log_->Commit(tenant, claim.key, decision_id, std::move(event), std::move(record),
               std::move(audit), start, std::move(done));
  return OkStatus();
}

StatusOr<std::string> TransactionDecisions::DryRun(std::string_view tenant, std::string_view text,
                                                   const Strategy& strategy, std::string_view name,
                                                   int version) {
  if (strategy.kind().name != kTransactionKind) {
    return InvalidArgumentError("strategy " + Quote(name) + " is not a transaction strategy",
                                "strategy");
  }
  FB_ASSIGN_OR_RETURN(ingest::ValidatedEvent event, Validate(text, deps_.tokenizer));
  FB_ASSIGN_OR_RETURN(Evaluation e, Evaluate(tenant, event, &strategy, name, version));
  json::object record{{"decision_id", "dry-run"},
                      {"decided_at", FormatRfc3339(deps_.clock.NowMicros())}};
  for (auto& [key, value] : e.record) record[key] = std::move(value);
  record["dry_run"] = true;
  return ToJsonText(record);
}

StrategyKind TransactionStrategyKind(TransactionDecisions* transactions) {
  // A payment's and a login's fields, as event.<field> (a field of the other type is missing).
  std::vector<ingest::EventSchema::ScalarField> fields;
  for (std::string_view type : {"payment", "login"}) {
    for (ingest::EventSchema::ScalarField& f : ingest::EventSchema::Get().ScalarFields(type)) {
      const bool known = std::any_of(fields.begin(), fields.end(),
                                     [&](const auto& other) { return other.path == f.path; });
      if (!known) fields.push_back(std::move(f));
    }
  }
  StrategyKind kind{
      .name = std::string(kTransactionKind),
      .description = "a payment or a login (POST /v1/decisions/transaction)",
      .subject_fields = std::move(fields),
      .subject_prefix = "event.",
      .subject_name = "The event",
      .model_input_prefix = "event.",
      .list_entities = {"user", "device", "ip", "merchant"},
      .signals = {{"session",
                   {"risk", "surprise", "z", "actions", "median_gap_seconds", "takeover_chain"}},
                  {"payment", {"amount", "amount_z", "new_payee", "previous_payments"}},
                  {"device", {"known", "new_to_user", "accounts", "risky"}},
                  {"graph", {"ring_size", "is_ring", "ring_risk"}}},
      .outputs = {"pd", "score"},
      .decisions = {"allow", "challenge", "block"},
      .dry_run_fields = {"event"}};
  if (transactions != nullptr) {
    kind.dry_run = [transactions](std::string_view tenant, std::string_view body,
                                  const Strategy& strategy, std::string_view name,
                                  int version) -> StatusOr<std::string> {
      boost::system::error_code ec;
      const json::value parsed = json::parse(body, ec);
      const json::value* event =
          parsed.is_object() ? parsed.get_object().if_contains("event") : nullptr;
      if (event == nullptr || !event->is_object()) {
        return InvalidArgumentError("event must be a payment or login event object", "event");
      }
      return transactions->DryRun(tenant, ToJsonText(*event), strategy, name, version);
    };
  }
  return kind;
}

}  // namespace finbrain::decision
