#include "decision/internal/decision_log.h"

#include <cmath>

#include "common/json_text.h"
#include "common/strings.h"
#include "decision/replay.h"
#include "ingest/event_diff.h"
#include "tenancy/secrets.h"

namespace finbrain::decision {
namespace {

// tenant/names_id -> JSON array of the feature names of records' "feature_values"

double Micros(DecisionLog::SteadyTime from, DecisionLog::SteadyTime to) {
  return std::chrono::duration<double, std::micro>(to - from).count();
}

const boost::json::value* Member(const boost::json::object& o, std::string_view name) {
  const boost::json::value* v = o.if_contains(name);
  return v != nullptr && !v->is_null() ? v : nullptr;
}

std::string_view Kind(const boost::json::object& record) {
  const boost::json::value* kind = Member(record, "kind");
  return kind != nullptr && kind->is_string() ? std::string_view(kind->get_string()) : "credit";
}

// The reasons (code and text) a record gives for its outcome.
std::vector<DecisionStats::Reason> ReasonsOf(const boost::json::object& record) {
  std::vector<DecisionStats::Reason> out;
  const boost::json::value* reasons = Member(record, "reasons");
  if (reasons == nullptr || !reasons->is_array()) return out;
  for (const boost::json::value& r : reasons->get_array()) {
    if (!r.is_object()) continue;
    const boost::json::value* code = Member(r.get_object(), "code");
    const boost::json::value* text = Member(r.get_object(), "text");
    if (code == nullptr || !code->is_string()) continue;
    out.push_back({std::string(code->get_string()),
                   text != nullptr && text->is_string() ? std::string(text->get_string()) : ""});
  }
  return out;
}

// What a search lists of a decision (the record itself has inputs, features and latency too).
std::string SummaryJson(const boost::json::object& record) {
  boost::json::object summary{{"kind", Kind(record)}};
  for (const char* field : {"decision_id", "application_id", "event_id", "event_type", "user_id",
                            "decided_at", "decision", "score", "pd", "limit", "apr", "risk"}) {
    if (const boost::json::value* v = Member(record, field)) summary[field] = *v;
  }
  boost::json::array codes;
  for (const DecisionStats::Reason& r : ReasonsOf(record)) codes.emplace_back(r.code);
  summary["reasons"] = std::move(codes);
  return ToJsonText(summary);
}

// A stored decision in the Prometheus metrics: its count, its server time by outcome (so that
// adverse decisions are no hidden tail) and each stage's time. `latency_us`: stage -> µs, with
// "commit" and "total".
void RecordMetrics(telemetry::Metrics& metrics, std::string_view tenant, std::string_view kind,
                   std::string_view outcome, const boost::json::object& latency_us) {
  metrics
      .Counter("finbrain_decisions_total", "Decisions stored, by tenant, kind and outcome",
               {{"tenant", tenant}, {"kind", kind}, {"outcome", outcome}})
      .Increment();
  for (const auto& [stage, micros] : latency_us) {
    if (!micros.is_number()) continue;
    const double seconds = micros.to_number<double>() / 1e6;
    if (stage == "total") {
      metrics
          .Histogram("finbrain_decision_seconds",
                     "Server time of a decision from its request to its durable record, by kind "
                     "and outcome",
                     {{"kind", kind}, {"outcome", outcome}})
          .Observe(seconds);
    } else {
      metrics
          .Histogram("finbrain_decision_stage_seconds",
                     "Time of one stage of a decision (commit: waiting for the durable write)",
                     {{"kind", kind}, {"stage", stage}})
          .Observe(seconds);
    }
  }
}

}  // namespace

std::string DecisionLog::NewDecisionId() {
  std::uint8_t bytes[10];
  tenancy::RandomBytes(bytes, sizeof bytes);
  return "dec_" + HexEncode(bytes);
}

StatusOr<DecisionLog::Claim> DecisionLog::Begin(std::string_view tenant, std::string_view id,
                                                std::string_view what, std::string_view field,
                                                const ingest::ValidatedEvent& request) {
  Claim claim{.key = std::string(tenant) + "/" + std::string(id), .decided = std::nullopt};
  {
    std::lock_guard lock(mu_);
    if (!in_flight_.insert(claim.key).second) {
      return AlreadyExistsError(std::string(what) + " " + Quote(id) +
                                    " is being decided right now; retry to get its decision",
                                std::string(field));
    }
  }
  StatusOr<std::optional<std::string>> previous = store_.Get(index_, claim.key);
  if (!previous.ok() || *previous) {
    Abandon(claim.key);
    if (!previous.ok()) return previous.status();
    FB_ASSIGN_OR_RETURN(std::optional<std::string> record, Stored(tenant, **previous));
    if (!record) return DataLossError("decision " + Quote(**previous) + " is indexed but missing");
    FB_RETURN_IF_ERROR(CheckReplay(tenant, *record, request, what, id, field));
    claim.decided = std::string(kReplayedAnswerPrefix) + record->substr(1);
  }
  return claim;
}

Status DecisionLog::CheckReplay(std::string_view tenant, std::string_view record,
                                const ingest::ValidatedEvent& request, std::string_view what,
                                std::string_view id, std::string_view field) const {
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(record, ec);
  const boost::json::object* o = ec ? nullptr : parsed.if_object();
  if (o == nullptr) return DataLossError("a stored decision record is not a JSON object");
  boost::json::value inputs;
  if (const boost::json::value* stored = o->if_contains("inputs")) {
    inputs = *stored;
  } else if (const boost::json::value* event = o->if_contains("inputs_event");
             event != nullptr && event->is_string()) {
    FB_ASSIGN_OR_RETURN(std::optional<std::string> text,
                        events_.Find(tenant, std::string_view(event->get_string())));
    if (text) inputs = boost::json::parse(*text, ec);
  }
  if (!inputs.is_object()) return OkStatus();  // nothing to compare with: an old record
  boost::json::value parsed_request;
  const boost::json::object* now = ingest::Parsed(request, parsed_request);
  if (now == nullptr) return OkStatus();  // validated events are objects
  const std::vector<ingest::FieldDifference> changed =
      ingest::DifferingFields(inputs.get_object(), *now, {"event_id"});
  if (changed.empty()) return OkStatus();
  return IdempotencyConflictError(
      std::string(what) + " " + Quote(id) +
          " was decided before with other values: " + ingest::DescribeDifferences(changed) +
          "; send the same values to get its decision, or a new " + std::string(field),
      changed.front().path);
}

void DecisionLog::Abandon(const std::string& key) {
  std::lock_guard lock(mu_);
  in_flight_.erase(key);
}

void DecisionLog::Commit(std::string_view tenant, const std::string& key,
                         const std::string& decision_id, ingest::ValidatedEvent event,
                         boost::json::object record, tenancy::AuditEntry audit, SteadyTime start,
                         Done done, const features::FeatureSet* features) {
  TimeMicros decided_at = 0;
  if (const boost::json::value* at = Member(record, "decided_at"); at && at->is_string()) {
    if (StatusOr<TimeMicros> parsed = ParseRfc3339(at->get_string()); parsed.ok())
      decided_at = *parsed;
  }
  boost::json::object latency;
  if (boost::json::value* l = record.if_contains("latency_us"); l != nullptr && l->is_object()) {
    latency = std::move(l->get_object());
    record.erase("latency_us");
  }
  const std::string_view kind = Kind(record);
  const boost::json::value* decision = Member(record, "decision");
  const std::string outcome =
      decision != nullptr && decision->is_string() ? std::string(decision->get_string()) : "";
  std::vector<DecisionStats::Reason> reasons;
  if (stats_ != nullptr && outcome != "approve" && outcome != "allow") reasons = ReasonsOf(record);

  storage::WriteBatch batch;
  batch.Put(index_, key, decision_id);
  batch.Put(storage::Column::kDecisionsByTime, DecisionTimeKey(tenant, decided_at, decision_id),
            SummaryJson(record));
  // The names of positional feature values, with the first record that needs them.
  std::string names_key;
  std::shared_ptr<std::vector<std::string>> new_names;
  if (features != nullptr) {
    names_key = std::string(tenant) + "/" + features->names_id();
    std::lock_guard lock(names_mu_);
    if (!names_.contains(names_key)) {
      new_names = std::make_shared<std::vector<std::string>>();
      boost::json::array list;
      for (const features::FeatureDef& f : features->features()) {
        new_names->push_back(f.name);
        list.emplace_back(f.name);
      }
      batch.Put(storage::Column::kDecisionFeatureNames, names_key, ToJsonText(list));
    }
  }
  // A record without "inputs" decided on `event` as they are: when the event is new it is stored
  // in this very commit, so the record names it ("inputs_event") instead of holding a second
  // copy (a third of its bytes); when its id was already in the log, perhaps with other content,
  // the record keeps the inputs itself.
  const bool inputs_from_event = !record.contains("inputs");
  const std::shared_ptr<const boost::json::object> fields = event.fields;
  const std::string event_id = event.event_id;
  // The record is serialized once: the answer is the stored text with the commit's latency
  // spliced into latency_us, which goes last (a 4-6 KB record serialized twice was a tenth of
  // the completion thread's time).
  auto body = std::make_shared<std::string>();
  const std::string stored_latency = ToJsonText(latency);  // `latency` moves to the answer below
  const auto store_record = [&](const ingest::IngestSummary& planned, storage::WriteBatch& extra) {
    if (inputs_from_event && planned.accepted == 1) {
      record["inputs_event"] = event_id;
    } else if (inputs_from_event && fields != nullptr) {
      record["inputs"] = *fields;
    }
    *body = ToJsonText(record);
    body->pop_back();  // the closing brace
    *body += body->size() > 1 ? ",\"latency_us\":" : "\"latency_us\":";
    extra.Put(storage::Column::kDecisions, std::string(tenant) + "/" + decision_id,
              *body + stored_latency + "}");
  };
  std::vector<ingest::ValidatedEvent> events;
  events.push_back(std::move(event));
  const auto commit_start = std::chrono::steady_clock::now();
  events_.Ingest(
      tenant, std::move(events), std::move(audit),
      [this, key, body, latency = std::move(latency), done = std::move(done), commit_start, start,
       decided_at, kind = std::string(kind), outcome, reasons = std::move(reasons),
       names_key = std::move(names_key), new_names = std::move(new_names),
       tenant = std::string(tenant)](const Status& written, const ingest::IngestSummary&) mutable {
        Abandon(key);
        if (!written.ok()) {
          return done(UnavailableError("the decision could not be stored; retry the request"));
        }
        if (new_names) {
          std::lock_guard lock(names_mu_);
          names_.try_emplace(names_key, std::move(new_names));
        }
        const auto now = std::chrono::steady_clock::now();
        latency["commit"] = std::round(Micros(commit_start, now) * 10) / 10;
        latency["total"] = std::round(Micros(start, now) * 10) / 10;
        if (stats_ != nullptr) {
          stats_->Record(tenant, decided_at, kind, outcome, Micros(start, now), reasons);
        }
        if (metrics_ != nullptr) RecordMetrics(*metrics_, tenant, kind, outcome, latency);
        std::string answer = std::move(*body);
        answer += ToJsonText(latency);
        answer += '}';
        done(std::move(answer));
      },
      std::move(batch), store_record);
}

StatusOr<std::optional<std::string>> DecisionLog::Get(std::string_view tenant,
                                                      std::string_view decision_id) const {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> record, Stored(tenant, decision_id));
  if (!record) return record;
  FB_ASSIGN_OR_RETURN(std::string complete, Complete(tenant, std::move(*record)));
  return std::optional<std::string>(std::move(complete));
}

StatusOr<std::optional<boost::json::object>> DecisionLog::NamedFeatures(
    std::string_view tenant, const boost::json::object& record) const {
  const boost::json::value* set = record.if_contains("feature_set");
  const boost::json::value* values = record.if_contains("feature_values");
  if (set == nullptr || !set->is_string() || values == nullptr || !values->is_array()) {
    return std::optional<boost::json::object>();
  }
  const std::string key = std::string(tenant) + "/" + std::string(set->get_string());
  std::shared_ptr<const std::vector<std::string>> names;
  {
    std::lock_guard lock(names_mu_);
    if (auto it = names_.find(key); it != names_.end()) names = it->second;
  }
  if (!names) {
    FB_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                        store_.Get(storage::Column::kDecisionFeatureNames, key));
    if (!stored) return std::optional<boost::json::object>();  // the values stay, unnamed
    boost::system::error_code ec;
    const boost::json::value list = boost::json::parse(*stored, ec);
    if (ec || !list.is_array()) {
      return DataLossError("the feature names " + Quote(key) + " are corrupt");
    }
    auto loaded = std::make_shared<std::vector<std::string>>();
    for (const boost::json::value& name : list.get_array()) {
      loaded->push_back(name.is_string() ? std::string(name.get_string()) : "");
    }
    std::lock_guard lock(names_mu_);
    names = names_.try_emplace(key, std::move(loaded)).first->second;
  }
  const boost::json::array& by_position = values->get_array();
  if (by_position.size() != names->size()) {
    return DataLossError("decision record has " + std::to_string(by_position.size()) +
                         " feature values for " + std::to_string(names->size()) + " names");
  }
  boost::json::object features;
  features.reserve(names->size());
  for (size_t i = 0; i < names->size(); ++i) features.emplace((*names)[i], by_position[i]);
  return std::optional<boost::json::object>(std::move(features));
}

StatusOr<std::string> DecisionLog::Complete(std::string_view tenant, std::string record) const {
  const bool positional = record.find("\"feature_values\":") != std::string::npos;
  const bool by_event = record.find("\"inputs_event\":") != std::string::npos;
  if (!positional && !by_event) return record;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(record, ec);
  boost::json::object* o = ec ? nullptr : parsed.if_object();
  if (o == nullptr) return DataLossError("a stored decision record is not a JSON object");
  FB_ASSIGN_OR_RETURN(std::optional<boost::json::object> features, NamedFeatures(tenant, *o));
  std::optional<boost::json::value> inputs;
  if (const boost::json::value* id = o->if_contains("inputs_event"); id && id->is_string()) {
    FB_ASSIGN_OR_RETURN(std::optional<std::string> event,
                        events_.Find(tenant, std::string_view(id->get_string())));
    if (!event) {
      return DataLossError("the inputs of this decision, event " +
                           Quote(std::string_view(id->get_string())) +
                           ", are missing from the event log");
    }
    inputs = boost::json::parse(*event, ec);
    if (ec || !inputs->is_object()) {
      return DataLossError("event " + Quote(std::string_view(id->get_string())) + " is corrupt");
    }
  }
  if (!features && !inputs) return record;
  // "features" takes the place of "feature_values" and "inputs" goes before "inputs_event" (the
  // record's keys keep their order).
  boost::json::object complete;
  complete.reserve(o->size() + 1);
  for (auto& [name, value] : *o) {
    if (name == "feature_values" && features) {
      complete.emplace("features", std::move(*features));
      continue;
    }
    if (name == "inputs_event" && inputs) complete.emplace("inputs", std::move(*inputs));
    complete.emplace(name, std::move(value));
  }
  return ToJsonText(complete);
}

StatusOr<std::optional<std::string>> DecisionLog::Stored(std::string_view tenant,
                                                         std::string_view decision_id) const {
  if (decision_id.empty() || decision_id.size() > 64 ||
      decision_id.find('/') != std::string_view::npos) {
    return std::optional<std::string>();
  }
  return store_.Get(storage::Column::kDecisions,
                    std::string(tenant) + "/" + std::string(decision_id));
}

StatusOr<std::optional<std::string>> DecisionLog::Find(std::string_view tenant,
                                                       std::string_view id) const {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> decision_id,
                      store_.Get(index_, std::string(tenant) + "/" + std::string(id)));
  if (!decision_id) return std::optional<std::string>();
  return Get(tenant, *decision_id);
}

}  // namespace finbrain::decision
