// Request dispatch: routing, authentication, rate limiting, auditing and metrics. The handlers
// live in the route groups of server/routes/.
#include "server/api.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>

#include "common/json_text.h"
#include "common/strings.h"
#include "runtime/runtime.h"
#include "server/internal/background_worker.h"
#include "server/internal/errors.h"
#include "server/internal/route.h"
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

// A route with other than exactly one handler is a programmer error, caught at start.
void CheckRoute(const Route& route) {
  const int handlers =
      (route.handler != nullptr) + (route.mutation != nullptr) + (route.async_handler != nullptr);
  if (handlers != 1 || route.pattern.empty() || route.pattern.front() != '/') {
    spdlog::critical("route {} {} must have a pattern and exactly one handler", route.method,
                     route.pattern);
    std::abort();
  }
}

}  // namespace

Api::Api(runtime::Runtime& runtime, tenancy::RateLimiter& rate_limiter, ApiOptions options)
    : runtime_(runtime),
      rate_limiter_(rate_limiter),
      metrics_(*runtime.metrics),
      options_(std::move(options)),
      groups_(AllRouteGroups({.runtime = runtime, .clock = *options_.clock, .ready = ready_})),
      slow_work_(std::make_unique<BackgroundWorker>("fb-slow-api")) {
  for (const std::unique_ptr<RouteGroup>& group : groups_) {
    for (Route& route : group->Routes()) {
      CheckRoute(route);
      router_.Add(route.method, route.pattern);
      routes_.push_back(std::move(route));
    }
  }
}

Api::~Api() = default;

void Api::Handle(HttpRequest request, Responder respond) {
  Accept(std::move(request), std::nullopt, std::move(respond));
}

void Api::HandleTrusted(HttpRequest request, TrustedCaller caller, Responder respond) {
  Accept(std::move(request), std::move(caller), std::move(respond));
}

void Api::Accept(HttpRequest request, std::optional<TrustedCaller> trusted, Responder respond) {
  const auto start = std::chrono::steady_clock::now();
  std::string allowed;
  StatusOr<RouteMatch> match = router_.Match(request.method, request.path, &allowed);
  const Route* route = match.ok() ? &routes_[match->route_index] : nullptr;
  // Metrics are labelled by route template; requests that match none share one label.
  auto finish = [this, start, method = request.method,
                 label = std::string(route ? route->pattern : "unmatched"),
                 respond = std::move(respond)](HttpResponse response) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics_.Observe(label, method, response.status, seconds);
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
                      JsonString(match.status().message()) + "}}";
      response.headers.emplace_back("Allow", allowed);
      return finish(std::move(response));
    }
    return finish(ErrorResponse(match.status()));
  }

  if (route->slow) {
    slow_work_->Post([this, route, request = std::move(request), params = std::move(match->params),
                      trusted = std::move(trusted), finish = std::move(finish)]() mutable {
      AuthorizeAndDispatch(*route, request, std::move(params), trusted, std::move(finish));
    });
    return;
  }
  AuthorizeAndDispatch(*route, request, std::move(match->params), trusted, std::move(finish));
}

void Api::AuthorizeAndDispatch(const Route& route, const HttpRequest& request,
                               std::vector<std::string> params,
                               const std::optional<TrustedCaller>& trusted, Responder finish) {
  RequestContext context{request, std::move(params)};
  context.action = std::string(route.method) + " " + std::string(route.pattern);
  if (trusted) {
    if (route.access == Access::kTenant && !runtime_.directory->FindTenant(trusted->tenant)) {
      return finish(ErrorResponse(
          NotFoundError("tenant " + Quote(trusted->tenant) + " does not exist", "tenant")));
    }
    if (route.access == Access::kTenant) context.tenant = trusted->tenant;
    context.actor = trusted->actor;
  } else if (route.access == Access::kTenant) {
    const std::string_view token = BearerToken(request.authorization);
    if (token.empty()) {
      return finish(Unauthenticated(UnauthenticatedError(
          "missing API key: send the header 'Authorization: Bearer <api key>'")));
    }
    StatusOr<tenancy::Principal> principal = runtime_.directory->Authenticate(token);
    if (!principal.ok()) return finish(Unauthenticated(principal.status()));
    const tenancy::RateLimiter::Verdict verdict =
        rate_limiter_.Admit(principal->tenant, principal->rate_limit, options_.clock->NowMicros());
    if (!verdict.allowed) {
      metrics_.CountRateLimited(principal->tenant);
      HttpResponse response = ErrorResponse(ResourceExhaustedError(
          "rate limit of tenant '" + principal->tenant + "' exceeded; retry after " +
          std::to_string(verdict.retry_after_seconds) + " s"));
      response.headers.emplace_back("Retry-After", std::to_string(verdict.retry_after_seconds));
      return finish(std::move(response));
    }
    context.tenant = principal->tenant;
    context.actor = principal->key_id;
  } else if (route.access == Access::kAdmin) {
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

void Api::Dispatch(const Route& route, RequestContext& context, Responder respond) {
  auto audit_entry = [&context](std::string result) {
    return tenancy::AuditEntry{.tenant = context.tenant,
                               .actor = context.actor,
                               .action = context.action,
                               .entity = context.entity,
                               .result = std::move(result)};
  };
  // A rejected change is audited too, and answered once its entry is durable.
  auto reject = [&](const Status& status) {
    if (!route.audited()) return respond(ErrorResponse(status));
    runtime_.audit->Commit(
        {}, audit_entry(std::string(StatusCodeName(status.code()))),
        [respond, response = ErrorResponse(status)](const Status& written) mutable {
          if (!written.ok()) spdlog::error("audit write failed: {}", written.ToString());
          respond(std::move(response));
        });
  };

  if (route.async_handler) {
    Status started = route.async_handler(context, respond);
    if (!started.ok()) reject(started);
    return;
  }
  if (route.handler) {
    StatusOr<HttpResponse> response = route.handler(context);
    if (!response.ok()) return reject(response.status());
    return respond(std::move(*response));
  }
  StatusOr<Mutation> mutation = route.mutation(context);
  if (!mutation.ok()) return reject(mutation.status());
  runtime_.audit->Commit(
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
