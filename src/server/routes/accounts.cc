// /v1/accounts: existing credit accounts, their reviews (account lifecycle) and a person's
// answer to a held change or a freeze.
#include "common/json_text.h"
#include "common/strings.h"
#include "lifecycle/account_lifecycle.h"
#include "runtime/runtime.h"
#include "server/internal/errors.h"
#include "server/internal/request.h"
#include "server/internal/route.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;

class AccountRoutes final : public RouteGroup {
 public:
  AccountRoutes(lifecycle::AccountLifecycle& accounts, const Clock& clock)
      : accounts_(accounts), clock_(clock) {}

  std::vector<Route> Routes() override {
    return {
        {.method = "GET", .pattern = "/v1/accounts", .handler = Bind(this, &AccountRoutes::List)},
        // Reviews every account of the tenant: seconds of work, off the I/O threads.
        {.method = "POST",
         .pattern = "/v1/accounts/review",
         .writes = true,
         .slow = true,
         .handler = Bind(this, &AccountRoutes::Review)},
        {.method = "GET",
         .pattern = "/v1/accounts/{account_id}",
         .handler = Bind(this, &AccountRoutes::Get)},
        {.method = "POST",
         .pattern = "/v1/accounts/{account_id}/resolve",
         .writes = true,
         .handler = Bind(this, &AccountRoutes::Resolve)},
    };
  }

 private:
  StatusOr<HttpResponse> List(RequestContext& c);
  StatusOr<HttpResponse> Get(RequestContext& c);
  StatusOr<HttpResponse> Review(RequestContext& c);
  StatusOr<HttpResponse> Resolve(RequestContext& c);

  lifecycle::AccountLifecycle& accounts_;
  const Clock& clock_;
};

StatusOr<HttpResponse> AccountRoutes::List(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(auto query,
                      ParseQuery(c.request.query, {"status", "flag", "pending", "limit", "after"}));
  lifecycle::AccountLifecycle::ListFilter filter;
  filter.status = query["status"];
  if (!filter.status.empty() && filter.status != "active" && filter.status != "frozen") {
    return InvalidArgumentError("status must be 'active' or 'frozen'", "status");
  }
  filter.flag = query["flag"];
  if (const std::string& pending = query["pending"]; !pending.empty()) {
    if (pending != "true" && pending != "false") {
      return InvalidArgumentError("pending must be true or false", "pending");
    }
    filter.pending = pending == "true";
  }
  if (!query["limit"].empty()) {
    FB_ASSIGN_OR_RETURN(const int limit, IntQueryParam(query, "limit", 1, 1000, 0));
    filter.limit = size_t(limit);
  }
  filter.after = query["after"];
  return JsonResponse(200, accounts_.List(c.tenant, filter));
}

StatusOr<HttpResponse> AccountRoutes::Get(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(std::string account, accounts_.Get(c.tenant, c.params[0]));
  return JsonResponse(200, std::move(account));
}

StatusOr<HttpResponse> AccountRoutes::Review(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"strategy", "at"}));
  const std::string strategy =
      query["strategy"].empty() ? std::string(lifecycle::kAccountStrategy) : query["strategy"];
  TimeMicros at = clock_.NowMicros();
  if (!query["at"].empty()) {
    StatusOr<TimeMicros> parsed = ParseRfc3339(query["at"]);
    if (!parsed.ok()) return InvalidArgumentError("at must be an RFC 3339 time", "at");
    at = *parsed;
  }
  c.entity = "accounts/review " + strategy;
  FB_ASSIGN_OR_RETURN(lifecycle::BatchReviewSummary s,
                      accounts_.ReviewAll(c.tenant, strategy, at, {c.actor, c.action}));
  return JsonResponse(200, lifecycle::BatchReviewSummaryJson(s));
}

StatusOr<HttpResponse> AccountRoutes::Resolve(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {"action", "note"}));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> action, OptionalString(body, "action"));
  if (!action) return InvalidArgumentError("action is required", "action");
  FB_ASSIGN_OR_RETURN(std::optional<std::string> note, OptionalString(body, "note"));
  if (note && note->size() > 1000) {
    return InvalidArgumentError("note must be at most 1000 characters", "note");
  }
  c.entity = "account/" + c.params[0] + " " + *action;
  FB_ASSIGN_OR_RETURN(
      std::string account,
      accounts_.Resolve(c.tenant, c.params[0], *action, note.value_or(""), {c.actor, c.action}));
  return JsonResponse(200, std::move(account));
}

}  // namespace

std::unique_ptr<RouteGroup> MakeAccountRoutes(const RouteEnv& env) {
  return std::make_unique<AccountRoutes>(*env.runtime.accounts, env.clock);
}

}  // namespace finbrain::server
