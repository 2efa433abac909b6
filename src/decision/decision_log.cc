#include "decision/internal/decision_log.h"

#include <cmath>

#include "common/json_text.h"
#include "common/strings.h"
#include "tenancy/secrets.h"

namespace finbrain::decision {
namespace {

constexpr std::string_view kRecords = "decisions";  // tenant/decision_id -> record

double Micros(DecisionLog::SteadyTime from, DecisionLog::SteadyTime to) {
  return std::chrono::duration<double, std::micro>(to - from).count();
}

}  // namespace

std::string DecisionLog::NewDecisionId() {
  std::uint8_t bytes[10];
  tenancy::RandomBytes(bytes, sizeof bytes);
  return "dec_" + HexEncode(bytes);
}

StatusOr<DecisionLog::Claim> DecisionLog::Begin(std::string_view tenant, std::string_view id,
                                                std::string_view what, std::string_view field) {
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
    FB_ASSIGN_OR_RETURN(std::optional<std::string> record, Get(tenant, **previous));
    if (!record) return DataLossError("decision " + Quote(**previous) + " is indexed but missing");
    claim.decided = std::move(record);
  }
  return claim;
}

void DecisionLog::Abandon(const std::string& key) {
  std::lock_guard lock(mu_);
  in_flight_.erase(key);
}

void DecisionLog::Commit(std::string_view tenant, const std::string& key,
                         const std::string& decision_id, ingest::ValidatedEvent event,
                         std::shared_ptr<boost::json::object> record, tenancy::AuditEntry audit,
                         SteadyTime start, Done done) {
  storage::WriteBatch batch;
  batch.Put(kRecords, std::string(tenant) + "/" + decision_id, ToJsonText(*record));
  batch.Put(index_, key, decision_id);
  std::vector<ingest::ValidatedEvent> events;
  events.push_back(std::move(event));
  const auto commit_start = std::chrono::steady_clock::now();
  events_.Ingest(
      tenant, std::move(events), std::move(audit),
      [this, key, record, done = std::move(done), commit_start, start](
          const Status& written, const ingest::IngestSummary&) {
        Abandon(key);
        if (!written.ok()) {
          return done(UnavailableError("the decision could not be stored; retry the request"));
        }
        const auto now = std::chrono::steady_clock::now();
        boost::json::object& latency = (*record)["latency_us"].as_object();
        latency["commit"] = std::round(Micros(commit_start, now) * 10) / 10;
        latency["total"] = std::round(Micros(start, now) * 10) / 10;
        done(ToJsonText(*record));
      },
      std::move(batch));
}

StatusOr<std::optional<std::string>> DecisionLog::Get(std::string_view tenant,
                                                      std::string_view decision_id) const {
  if (decision_id.empty() || decision_id.size() > 64 ||
      decision_id.find('/') != std::string_view::npos) {
    return std::optional<std::string>();
  }
  return store_.Get(kRecords, std::string(tenant) + "/" + std::string(decision_id));
}

StatusOr<std::optional<std::string>> DecisionLog::Find(std::string_view tenant,
                                                       std::string_view id) const {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> decision_id,
                      store_.Get(index_, std::string(tenant) + "/" + std::string(id)));
  if (!decision_id) return std::optional<std::string>();
  return Get(tenant, *decision_id);
}

}  // namespace finbrain::decision
