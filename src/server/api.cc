// Request dispatch: routing, authentication, rate limiting, auditing and metrics. The handlers
// themselves live in api_lists.cc, api_admin.cc and api_system.cc.
#include "server/api.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "common/strings.h"
#include "server/api_internal.h"
#include "server/errors.h"
#include "server/static_files.h"

namespace finbrain::server {
namespace {

std::string_view BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return {};
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Paths that belong to the API even when no route matches them (they answer a JSON 404).
bool IsApiPath(std::string_view path) {
  return path.starts_with("/v1/") || path.starts_with("/admin/") || path == "/healthz" ||
         path == "/readyz" || path == "/metrics";
}

HttpResponse Unauthenticated(const Status& status) {
  HttpResponse response = ErrorResponse(status);
  response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

}  // namespace

Api::Api(ApiDeps deps, ApiOptions options)
    : deps_(std::move(deps)),
      options_(std::move(options)),
      slow_work_(std::make_unique<BackgroundWorker>("fb-slow-api")) {
  AddRoutes();
}

Api::~Api() = default;

void Api::AddRoutes() {
  auto immediate = [](StatusOr<HttpResponse> (Api::*f)(Context&)) {
    return [f](Api& api, Context& c) { return (api.*f)(c); };
  };
  auto mutation = [](StatusOr<Mutation> (Api::*f)(Context&)) {
    return [f](Api& api, Context& c) { return (api.*f)(c); };
  };
  auto async = [](Status (Api::*f)(Context&, Responder)) {
    return [f](Api& api, Context& c, Responder r) { return (api.*f)(c, std::move(r)); };
  };
  constexpr std::string_view kEntry = "/v1/lists/{list}/{entity_type}/{value}";
  routes_ = {
      {"GET", "/healthz", Auth::kNone, false, immediate(&Api::Healthz), nullptr},
      {"GET", "/readyz", Auth::kNone, false, immediate(&Api::Readyz), nullptr},
      {"GET", "/metrics", Auth::kNone, false, immediate(&Api::Metrics), nullptr},
      {"GET", "/v1/openapi.json", Auth::kNone, false, immediate(&Api::OpenApi), nullptr},
      {"PUT", std::string(kEntry), Auth::kTenant, true, nullptr, mutation(&Api::PutListEntry)},
      {"GET", std::string(kEntry), Auth::kTenant, false, immediate(&Api::GetListEntry), nullptr},
      {"DELETE", std::string(kEntry), Auth::kTenant, true, nullptr,
       mutation(&Api::DeleteListEntry)},
      {"GET", "/v1/lists/{list}/{entity_type}", Auth::kTenant, false, immediate(&Api::ListEntries),
       nullptr},
      {"POST", "/v1/events", Auth::kTenant, true, nullptr, nullptr, async(&Api::PostEvents)},
      {"GET", "/v1/events/{event_id}", Auth::kTenant, false, immediate(&Api::GetEvent), nullptr},
      {"GET", "/v1/stats/events", Auth::kTenant, false, immediate(&Api::EventStats), nullptr},
      {"GET", "/v1/stats/decisions", Auth::kTenant, false, immediate(&Api::DecisionStatsOverview),
       nullptr},
      {"GET", "/v1/models", Auth::kTenant, false, immediate(&Api::ListModels), nullptr},
      {"GET", "/v1/models/{name}", Auth::kTenant, false, immediate(&Api::GetModel), nullptr},
      {"POST", "/v1/models/{name}/versions", Auth::kTenant, true, immediate(&Api::RegisterModel),
       nullptr},
      {"PUT", "/v1/models/{name}/versions/{version}/evaluation", Auth::kTenant, true,
       immediate(&Api::PutModelEvaluation), nullptr},
      {"GET", "/v1/models/{name}/versions/{version}/evaluation", Auth::kTenant, false,
       immediate(&Api::GetModelEvaluation), nullptr},
      {"POST", "/v1/models/{name}/versions/{version}/promote", Auth::kTenant, true,
       immediate(&Api::PromoteModel), nullptr},
      {"POST", "/v1/models/{name}/rollback", Auth::kTenant, true, immediate(&Api::RollbackModel),
       nullptr},
      {"POST", "/v1/models/{name}/score", Auth::kTenant, false, immediate(&Api::ScoreModel),
       nullptr},
      {"GET", "/v1/models/{name}/monitoring", Auth::kTenant, false,
       immediate(&Api::ModelMonitoring), nullptr},
      {"PUT", "/v1/features", Auth::kTenant, true, immediate(&Api::PutFeatures), nullptr},
      {"GET", "/v1/features", Auth::kTenant, false, immediate(&Api::GetFeatures), nullptr},
      {"GET", "/v1/features/values", Auth::kTenant, false, immediate(&Api::FeatureValues), nullptr},
      {"POST", "/v1/strategies/validate", Auth::kTenant, false, immediate(&Api::ValidateStrategy),
       nullptr},
      {"GET", "/v1/strategies", Auth::kTenant, false, immediate(&Api::ListStrategies), nullptr},
      {"PUT", "/v1/strategies/{name}", Auth::kTenant, true, immediate(&Api::PutStrategy), nullptr},
      {"GET", "/v1/strategies/{name}", Auth::kTenant, false, immediate(&Api::GetStrategy), nullptr},
      {"GET", "/v1/strategies/{name}/versions/{version}", Auth::kTenant, false,
       immediate(&Api::GetStrategyVersion), nullptr},
      {"POST", "/v1/strategies/{name}/versions/{version}/activate", Auth::kTenant, true,
       immediate(&Api::ActivateStrategy), nullptr},
      {"POST", "/v1/strategies/{name}/dry-run", Auth::kTenant, false,
       immediate(&Api::DryRunStrategy), nullptr},
      {"POST", "/v1/decisions/credit", Auth::kTenant, true, nullptr, nullptr,
       async(&Api::PostCreditDecision)},
      {"POST", "/v1/decisions/transaction", Auth::kTenant, true, nullptr, nullptr,
       async(&Api::PostTransactionDecision)},
      {"GET", "/v1/behaviour/users/{user_id}", Auth::kTenant, false,
       immediate(&Api::GetUserBehaviour), nullptr},
      {"GET", "/v1/decisions", Auth::kTenant, false, immediate(&Api::ListDecisions), nullptr},
      {"GET", "/v1/decisions/{decision_id}", Auth::kTenant, false, immediate(&Api::GetDecision),
       nullptr},
      {"GET", "/v1/accounts", Auth::kTenant, false, immediate(&Api::ListAccounts), nullptr},
      {"POST", "/v1/accounts/review", Auth::kTenant, true, immediate(&Api::ReviewAccounts),
       nullptr},
      {"GET", "/v1/accounts/{account_id}", Auth::kTenant, false, immediate(&Api::GetAccount),
       nullptr},
      {"POST", "/v1/accounts/{account_id}/resolve", Auth::kTenant, true,
       immediate(&Api::ResolveAccount), nullptr},
      {"GET", "/v1/graph/entities/{type}/{id}", Auth::kTenant, false,
       immediate(&Api::GraphEntityInfo), nullptr},
      {"GET", "/v1/graph/entities/{type}/{id}/neighborhood", Auth::kTenant, false,
       immediate(&Api::GraphNeighborhood), nullptr},
      {"GET", "/v1/graph/path", Auth::kTenant, false, immediate(&Api::GraphPath), nullptr},
      {"GET", "/v1/graph/rings", Auth::kTenant, false, immediate(&Api::GraphRings), nullptr},
      {"POST", "/v1/graph/analyze", Auth::kTenant, true, nullptr, mutation(&Api::GraphAnalyze)},
      {"GET", "/v1/graph/communities", Auth::kTenant, false, immediate(&Api::GraphCommunities),
       nullptr},
      {"GET", "/v1/devices", Auth::kTenant, false, immediate(&Api::ListDevices), nullptr},
      {"GET", "/v1/devices/{id}", Auth::kTenant, false, immediate(&Api::GetDevice), nullptr},
      {"POST", "/admin/v1/tenants", Auth::kAdmin, true, immediate(&Api::AdminCreateTenant),
       nullptr},
      {"GET", "/admin/v1/tenants", Auth::kAdmin, false, immediate(&Api::AdminListTenants), nullptr},
      {"POST", "/admin/v1/tenants/{tenant}/keys", Auth::kAdmin, true,
       immediate(&Api::AdminCreateKey), nullptr},
      {"GET", "/admin/v1/tenants/{tenant}/keys", Auth::kAdmin, false,
       immediate(&Api::AdminListKeys), nullptr},
      {"DELETE", "/admin/v1/keys/{key_id}", Auth::kAdmin, true, immediate(&Api::AdminRevokeKey),
       nullptr},
  };
  // Routes that may compute for seconds (whole-graph analysis, reviewing every account,
  // loading a model, re-deriving feature windows) stay off the I/O threads.
  constexpr std::pair<std::string_view, std::string_view> kSlow[] = {
      {"POST", "/v1/graph/analyze"},
      {"POST", "/v1/accounts/review"},
      {"POST", "/v1/models/{name}/versions"},
      {"PUT", "/v1/features"}};
  for (Route& route : routes_) {
    for (const auto& [method, pattern] : kSlow) {
      route.slow |= route.method == method && route.pattern == pattern;
    }
    router_.Add(route.method, route.pattern);
  }
}

void Api::Handle(HttpRequest request, Responder respond) {
  const auto start = std::chrono::steady_clock::now();
  std::string allowed;
  StatusOr<RouteMatch> match = router_.Match(request.method, request.path, &allowed);
  const Route* route = match.ok() ? &routes_[match->route_index] : nullptr;
  // Metrics are labelled by route template; requests that match none share one label.
  auto finish = [this, start, method = request.method,
                 label = route ? route->pattern : std::string("unmatched"),
                 respond = std::move(respond)](HttpResponse response) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    deps_.metrics.Observe(label, method, response.status, seconds);
    respond(std::move(response));
  };
  if (!match.ok()) {
    if (options_.console != nullptr && request.method == "GET" && !IsApiPath(request.path)) {
      if (std::optional<HttpResponse> file = options_.console->Serve(request.path)) {
        return finish(std::move(*file));
      }
    }
    if (match.status().code() == StatusCode::kFailedPrecondition) {
      HttpResponse response = ErrorResponse(match.status());
      response.status = 405;
      response.body = R"({"error":{"code":"method_not_allowed","message":)" +
                      boost::json::serialize(boost::json::value(match.status().message())) + "}}";
      response.headers.emplace_back("Allow", allowed);
      return finish(std::move(response));
    }
    return finish(ErrorResponse(match.status()));
  }

  if (route->slow) {
    slow_work_->Post([this, route, request = std::move(request), params = std::move(match->params),
                      finish = std::move(finish)]() mutable {
      AuthorizeAndDispatch(*route, request, std::move(params), std::move(finish));
    });
    return;
  }
  AuthorizeAndDispatch(*route, request, std::move(match->params), std::move(finish));
}

void Api::AuthorizeAndDispatch(const Route& route, const HttpRequest& request,
                               std::vector<std::string> params, Responder finish) {
  Context context{request, std::move(params)};
  context.action = route.method + " " + route.pattern;
  if (route.auth == Auth::kTenant) {
    const std::string_view token = BearerToken(request.authorization);
    if (token.empty()) {
      return finish(Unauthenticated(UnauthenticatedError(
          "missing API key: send the header 'Authorization: Bearer <api key>'")));
    }
    StatusOr<tenancy::Principal> principal = deps_.directory.Authenticate(token);
    if (!principal.ok()) return finish(Unauthenticated(principal.status()));
    const tenancy::RateLimiter::Verdict verdict =
        deps_.rate_limiter.Admit(principal->tenant, principal->rate_limit, deps_.clock.NowMicros());
    if (!verdict.allowed) {
      HttpResponse response = ErrorResponse(ResourceExhaustedError(
          "rate limit of tenant '" + principal->tenant + "' exceeded; retry after " +
          std::to_string(verdict.retry_after_seconds) + " s"));
      response.headers.emplace_back("Retry-After", std::to_string(verdict.retry_after_seconds));
      return finish(std::move(response));
    }
    context.tenant = principal->tenant;
    context.actor = principal->key_id;
  } else if (route.auth == Auth::kAdmin) {
    if (options_.admin_token.empty()) {
      return finish(ErrorResponse(PermissionDeniedError(
          "the admin API is disabled: start the server with FINBRAIN_ADMIN_TOKEN set")));
    }
    if (!ConstantTimeEquals(BearerToken(request.authorization), options_.admin_token)) {
      return finish(Unauthenticated(UnauthenticatedError(
          "admin routes need 'Authorization: Bearer <admin token>' (FINBRAIN_ADMIN_TOKEN)")));
    }
    context.actor = "admin";
  }
  Dispatch(route, context, std::move(finish));
}

void Api::Dispatch(const Route& route, Context& context, Responder respond) {
  auto audit_entry = [&context](std::string result) {
    return tenancy::AuditEntry{.tenant = context.tenant,
                               .actor = context.actor,
                               .action = context.action,
                               .entity = context.entity,
                               .result = std::move(result)};
  };
  // A rejected change is audited too, and answered once its entry is durable.
  auto reject = [&](const Status& status) {
    if (!route.mutating) return respond(ErrorResponse(status));
    deps_.audit.Commit({}, audit_entry(std::string(StatusCodeName(status.code()))),
                       [respond, response = ErrorResponse(status)](const Status& written) mutable {
                         if (!written.ok())
                           spdlog::error("audit write failed: {}", written.ToString());
                         respond(std::move(response));
                       });
  };

  if (route.async) {
    Status started = route.async(*this, context, respond);
    if (!started.ok()) reject(started);
    return;
  }
  if (route.immediate) {
    StatusOr<HttpResponse> response = route.immediate(*this, context);
    if (!response.ok()) return reject(response.status());
    return respond(std::move(*response));
  }
  StatusOr<Mutation> mutation = route.mutation(*this, context);
  if (!mutation.ok()) return reject(mutation.status());
  deps_.audit.Commit(
      std::move(mutation->batch), audit_entry("ok"),
      [respond, response = std::move(mutation->response)](const Status& written) mutable {
        if (!written.ok()) {
          spdlog::error("write failed: {}", written.ToString());
          return respond(ErrorResponse(
              UnavailableError("the change could not be stored; it was not applied")));
        }
        respond(std::move(response));
      });
}

}  // namespace finbrain::server
