// Api: FinBrain's HTTP API, independent of the transport.
//
// It routes each request, authenticates it (tenant API keys on /v1, the operator token on
// /admin/v1), applies the tenant's rate limit, runs the handler and answers JSON. Every
// state-changing request by an authenticated caller leaves an audit entry: successful changes
// are written together with their entry in one durable batch (group-committed), rejected ones
// get an entry with the error code. Requests without valid credentials or over the rate limit
// are counted in metrics, not audited, so that they cannot be used to flood the audit log.
//
// Example:
//   Api api(deps, {.admin_token = token});
//   auto server = HttpServer::Start(options, [&api](HttpRequest r, Responder done) {
//     api.Handle(std::move(r), std::move(done));
//   });
//
// Thread-safety: Handle may be called concurrently from any number of threads.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "decision/credit_decisions.h"
#include "decision/strategy_store.h"
#include "decision/transaction_decisions.h"
#include "features/feature_store.h"
#include "fraud/device_store.h"
#include "fraud/list_store.h"
#include "graph/graph_store.h"
#include "ingest/event_store.h"
#include "ingest/type_counts.h"
#include "lifecycle/account_lifecycle.h"
#include "models/registry.h"
#include "server/background_worker.h"
#include "server/http_types.h"
#include "server/metrics.h"
#include "server/router.h"
#include "storage/commit_queue.h"
#include "tenancy/audit_log.h"
#include "tenancy/rate_limiter.h"
#include "tenancy/tenant_directory.h"

namespace finbrain::server {

struct ApiDeps {
  tenancy::TenantDirectory& directory;
  tenancy::AuditLog& audit;
  tenancy::RateLimiter& rate_limiter;
  fraud::ListStore& lists;
  ingest::EventStore& events;
  ingest::TypeCounts& type_counts;
  const tenancy::PiiTokenizer& tokenizer;
  models::ModelRegistry& models;
  features::FeatureStore& features;
  decision::StrategyStore& strategies;
  decision::CreditDecisions& decisions;
  lifecycle::AccountLifecycle& accounts;
  graph::GraphStore& graph;
  fraud::DeviceStore& devices;
  fraud::BehaviourStore& behaviour;
  decision::TransactionDecisions& transactions;
  decision::DecisionStats& decision_stats;  // live counts, last 2 h (the console's overview)
  const storage::KvStore& store;            // the decision search reads its time index
  HttpMetrics& metrics;
  const Clock& clock;
  // Extra Prometheus text appended to /metrics (e.g. storage counters); may be empty.
  std::function<void(HttpMetrics&)> refresh_metrics;
};

class StaticFiles;

struct ApiOptions {
  std::string admin_token;  // empty: the admin API is off
  // The console, served for GET requests outside /v1, /admin and the probes; null: API only.
  const StaticFiles* console = nullptr;
};

// Sets the per-model gauges (PSI, scores served) for every model loaded for serving.
void ExportModelMetrics(models::ModelRegistry& registry, HttpMetrics& metrics);

// The OpenAPI 3 description served at /v1/openapi.json.
std::string_view OpenApiDocument();

class Api {
 public:
  Api(ApiDeps deps, ApiOptions options);
  ~Api();

  void Handle(HttpRequest request, Responder respond);

  // Readiness (GET /readyz): false once shutdown has begun.
  void SetReady(bool ready) { ready_.store(ready); }

  // The routes served, for checking the OpenAPI document against them.
  const Router& router() const { return router_; }

  struct Context;
  struct Mutation;
  struct Route;

 private:
  void AddRoutes();
  void AuthorizeAndDispatch(const Route& route, const HttpRequest& request,
                            std::vector<std::string> params, Responder respond);
  void Dispatch(const Route& route, Context& context, Responder respond);

  // Handlers.
  StatusOr<HttpResponse> Healthz(Context& c);
  StatusOr<HttpResponse> Readyz(Context& c);
  StatusOr<HttpResponse> Metrics(Context& c);
  StatusOr<HttpResponse> OpenApi(Context& c);
  StatusOr<Mutation> PutListEntry(Context& c);
  StatusOr<Mutation> DeleteListEntry(Context& c);
  StatusOr<HttpResponse> GetListEntry(Context& c);
  StatusOr<HttpResponse> ListEntries(Context& c);
  Status PostEvents(Context& c, Responder respond);
  StatusOr<HttpResponse> GetEvent(Context& c);
  StatusOr<HttpResponse> EventStats(Context& c);
  StatusOr<HttpResponse> ListModels(Context& c);
  StatusOr<HttpResponse> GetModel(Context& c);
  StatusOr<HttpResponse> RegisterModel(Context& c);
  StatusOr<HttpResponse> PutModelEvaluation(Context& c);
  StatusOr<HttpResponse> GetModelEvaluation(Context& c);
  StatusOr<HttpResponse> PromoteModel(Context& c);
  StatusOr<HttpResponse> RollbackModel(Context& c);
  StatusOr<HttpResponse> ScoreModel(Context& c);
  StatusOr<HttpResponse> ModelMonitoring(Context& c);
  StatusOr<HttpResponse> PutFeatures(Context& c);
  StatusOr<HttpResponse> GetFeatures(Context& c);
  StatusOr<HttpResponse> FeatureValues(Context& c);
  StatusOr<HttpResponse> ValidateStrategy(Context& c);
  StatusOr<HttpResponse> PutStrategy(Context& c);
  StatusOr<HttpResponse> ListStrategies(Context& c);
  StatusOr<HttpResponse> GetStrategy(Context& c);
  StatusOr<HttpResponse> GetStrategyVersion(Context& c);
  StatusOr<HttpResponse> ActivateStrategy(Context& c);
  StatusOr<HttpResponse> DryRunStrategy(Context& c);
  Status PostCreditDecision(Context& c, Responder respond);
  Status PostTransactionDecision(Context& c, Responder respond);
  StatusOr<HttpResponse> GetUserBehaviour(Context& c);
  StatusOr<HttpResponse> GetDecision(Context& c);
  StatusOr<HttpResponse> ListDecisions(Context& c);
  StatusOr<HttpResponse> DecisionStatsOverview(Context& c);
  StatusOr<HttpResponse> ListAccounts(Context& c);
  StatusOr<HttpResponse> GetAccount(Context& c);
  StatusOr<HttpResponse> ReviewAccounts(Context& c);
  StatusOr<HttpResponse> ResolveAccount(Context& c);
  StatusOr<graph::EntityRef> GraphEntity(std::string_view type, std::string_view id,
                                         const std::string& type_field,
                                         const std::string& id_field);
  StatusOr<HttpResponse> GraphEntityInfo(Context& c);
  StatusOr<HttpResponse> GraphNeighborhood(Context& c);
  StatusOr<HttpResponse> GraphPath(Context& c);
  StatusOr<HttpResponse> GraphRings(Context& c);
  StatusOr<Mutation> GraphAnalyze(Context& c);
  StatusOr<HttpResponse> GraphCommunities(Context& c);
  StatusOr<HttpResponse> GetDevice(Context& c);
  StatusOr<HttpResponse> ListDevices(Context& c);
  StatusOr<HttpResponse> AdminCreateTenant(Context& c);
  StatusOr<HttpResponse> AdminListTenants(Context& c);
  StatusOr<HttpResponse> AdminCreateKey(Context& c);
  StatusOr<HttpResponse> AdminListKeys(Context& c);
  StatusOr<HttpResponse> AdminRevokeKey(Context& c);

  ApiDeps deps_;
  ApiOptions options_;
  Router router_;
  std::vector<Route> routes_;
  std::atomic<bool> ready_{true};
  // Last, so that it finishes its queued requests while everything above still exists.
  std::unique_ptr<BackgroundWorker> slow_work_;
};

}  // namespace finbrain::server
