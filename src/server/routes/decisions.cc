// /v1/decisions: credit decisions (the hot path), transaction decisions (payments and logins),
// decision records, their search, and the overview's live counts.
#include "common/json_text.h"
#include "common/strings.h"
#include "decision/credit_decisions.h"
#include "decision/decision_history.h"
#include "decision/replay.h"
#include "decision/transaction_decisions.h"
#include "runtime/runtime.h"
#include "server/internal/errors.h"
#include "server/internal/request.h"
#include "server/internal/route.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;

// A decision's answer; a replay of an earlier identical request says so in a header too.
HttpResponse DecisionResponse(StatusOr<std::string> record) {
  if (!record.ok()) return ErrorResponse(record.status());
  const bool replayed = decision::IsReplayedAnswer(*record);
  HttpResponse response = JsonResponse(200, std::move(*record));
  if (replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
  return response;
}

class DecisionRoutes final : public RouteGroup {
 public:
  DecisionRoutes(decision::CreditDecisions& decisions, decision::TransactionDecisions& transactions,
                 decision::DecisionStats& stats, const storage::KvStore& store, const Clock& clock)
      : decisions_(decisions),
        transactions_(transactions),
        stats_(stats),
        store_(store),
        clock_(clock) {}

  std::vector<Route> Routes() override {
    return {
        {.method = "POST",
         .pattern = "/v1/decisions/credit",
         .async_handler = Bind(this, &DecisionRoutes::PostCredit)},
        {.method = "POST",
         .pattern = "/v1/decisions/transaction",
         .async_handler = Bind(this, &DecisionRoutes::PostTransaction)},
        {.method = "GET", .pattern = "/v1/decisions", .handler = Bind(this, &DecisionRoutes::List)},
        {.method = "GET",
         .pattern = "/v1/decisions/{decision_id}",
         .handler = Bind(this, &DecisionRoutes::Get)},
        {.method = "GET",
         .pattern = "/v1/stats/decisions",
         .handler = Bind(this, &DecisionRoutes::Stats)},
    };
  }

 private:
  Status PostCredit(RequestContext& c, Responder respond);
  Status PostTransaction(RequestContext& c, Responder respond);
  StatusOr<HttpResponse> Get(RequestContext& c);
  StatusOr<HttpResponse> List(RequestContext& c);
  StatusOr<HttpResponse> Stats(RequestContext& c);

  decision::CreditDecisions& decisions_;
  decision::TransactionDecisions& transactions_;
  decision::DecisionStats& stats_;
  const storage::KvStore& store_;  // the decision search reads its time index
  const Clock& clock_;
};

Status DecisionRoutes::PostCredit(RequestContext& c, Responder respond) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"strategy"}));
  const std::string strategy = query.contains("strategy") ? query["strategy"] : "credit";
  if (Status name = decision::ValidateStrategyName(strategy); !name.ok()) {
    return InvalidArgumentError(name.message(), "strategy");
  }
  if (c.request.body.empty()) {
    return InvalidArgumentError("the body must be a credit_application event", "body");
  }
  c.entity = "decision";
  return decisions_.Decide(
      c.tenant, c.request.body, strategy, {c.actor, c.action},
      [respond](StatusOr<std::string> record) { respond(DecisionResponse(std::move(record))); });
}

Status DecisionRoutes::PostTransaction(RequestContext& c, Responder respond) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {}));
  if (c.request.body.empty()) {
    return InvalidArgumentError("the body must be a payment or login event", "body");
  }
  c.entity = "decision";
  return transactions_.Decide(
      c.tenant, c.request.body, {c.actor, c.action},
      [respond](StatusOr<std::string> record) { respond(DecisionResponse(std::move(record))); });
}

StatusOr<HttpResponse> DecisionRoutes::Get(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> record, decisions_.Get(c.tenant, c.params[0]));
  if (!record) return NotFoundError("no decision " + Quote(c.params[0]), "decision_id");
  return JsonResponse(200, std::move(*record));
}

StatusOr<HttpResponse> DecisionRoutes::List(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"kind", "decision", "from", "to",
                                                               "limit", "cursor"}));
  decision::DecisionQuery q;
  if (query.contains("kind")) {
    if (query["kind"] != "credit" && query["kind"] != "transaction") {
      return InvalidArgumentError("kind must be credit or transaction", "kind");
    }
    q.kind = query["kind"];
  }
  if (query.contains("decision")) q.decision = query["decision"];
  for (const char* bound : {"from", "to"}) {
    if (!query.contains(bound)) continue;
    StatusOr<TimeMicros> at = ParseRfc3339(query[bound]);
    if (!at.ok()) {
      return InvalidArgumentError(
          std::string(bound) + " must be an RFC 3339 time (" + at.status().message() + ")", bound);
    }
    (std::string_view(bound) == "from" ? q.from : q.to) = *at;
  }
  FB_ASSIGN_OR_RETURN(q.limit, IntQueryParam(query, "limit", 1, 500, q.limit));
  if (query.contains("cursor")) q.cursor = query["cursor"];
  FB_ASSIGN_OR_RETURN(decision::DecisionPage page, decision::ListDecisions(store_, c.tenant, q));
  std::string body = R"({"decisions":[)";
  for (size_t i = 0; i < page.summaries.size(); ++i) {
    if (i > 0) body += ',';
    body += page.summaries[i];
  }
  body += R"(],"next_cursor":)";
  body += page.next_cursor.empty() ? "null" : ToJsonText(json::value(page.next_cursor));
  body += '}';
  return JsonResponse(200, std::move(body));
}

StatusOr<HttpResponse> DecisionRoutes::Stats(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"minutes"}));
  FB_ASSIGN_OR_RETURN(const int minutes,
                      IntQueryParam(query, "minutes", 1, decision::DecisionStats::kMaxMinutes, 60));
  return JsonResponse(200, stats_.SnapshotJson(c.tenant, clock_.NowMicros(), minutes));
}

}  // namespace

std::unique_ptr<RouteGroup> MakeDecisionRoutes(const RouteEnv& env) {
  return std::make_unique<DecisionRoutes>(*env.runtime.decisions, *env.runtime.transactions,
                                          *env.runtime.decision_stats, *env.runtime.store,
                                          env.clock);
}

}  // namespace finbrain::server
