// /admin/v1: the operator's API for tenants and API keys.
#include "common/json_text.h"
#include "common/strings.h"
#include "runtime/runtime.h"
#include "server/internal/errors.h"
#include "server/internal/request.h"
#include "server/internal/route.h"
#include "tenancy/tenant_directory.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;

StatusOr<double> PositiveNumber(const json::object& o, std::string_view name,
                                std::string_view path) {
  const json::value* v = o.if_contains(name);
  const std::string field = std::string(path) + "." + std::string(name);
  if (v == nullptr) return InvalidArgumentError(field + " is required", field);
  if (!v->is_number()) return InvalidArgumentError(field + " must be a number", field);
  const double number = v->to_number<double>();
  if (!(number > 0) || number > 1e9) {
    return InvalidArgumentError(field + " must be a positive number", field);
  }
  return number;
}

json::object KeyJson(const tenancy::NewApiKey& key) {
  return {{"tenant", key.tenant}, {"key_id", key.key_id}, {"api_key", key.api_key}};
}

json::value OptionalTime(const std::optional<TimeMicros>& t) {
  return t ? json::value(FormatRfc3339(*t)) : json::value(nullptr);
}

class AdminRoutes final : public RouteGroup {
 public:
  explicit AdminRoutes(tenancy::TenantDirectory& directory) : directory_(directory) {}

  std::vector<Route> Routes() override {
    return {
        {.method = "POST",
         .pattern = "/admin/v1/tenants",
         .access = Access::kAdmin,
         .writes = true,
         .handler = Bind(this, &AdminRoutes::CreateTenant)},
        {.method = "GET",
         .pattern = "/admin/v1/tenants",
         .access = Access::kAdmin,
         .handler = Bind(this, &AdminRoutes::ListTenants)},
        {.method = "POST",
         .pattern = "/admin/v1/tenants/{tenant}/keys",
         .access = Access::kAdmin,
         .writes = true,
         .handler = Bind(this, &AdminRoutes::CreateKey)},
        {.method = "GET",
         .pattern = "/admin/v1/tenants/{tenant}/keys",
         .access = Access::kAdmin,
         .handler = Bind(this, &AdminRoutes::ListKeys)},
        {.method = "DELETE",
         .pattern = "/admin/v1/keys/{key_id}",
         .access = Access::kAdmin,
         .writes = true,
         .handler = Bind(this, &AdminRoutes::RevokeKey)},
    };
  }

 private:
  StatusOr<HttpResponse> CreateTenant(RequestContext& c);
  StatusOr<HttpResponse> ListTenants(RequestContext& c);
  StatusOr<HttpResponse> CreateKey(RequestContext& c);
  StatusOr<HttpResponse> ListKeys(RequestContext& c);
  StatusOr<HttpResponse> RevokeKey(RequestContext& c);

  tenancy::TenantDirectory& directory_;
};

StatusOr<HttpResponse> AdminRoutes::CreateTenant(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {"name", "rate_limit"}));
  FB_ASSIGN_OR_RETURN(std::optional<std::string> name, OptionalString(body, "name"));
  if (!name) return InvalidArgumentError("name is required", "name");
  c.tenant = *name;
  c.entity = "tenant/" + *name;
  std::optional<tenancy::RateLimit> rate_limit;
  if (const json::value* rl = body.if_contains("rate_limit"); rl && !rl->is_null()) {
    if (!rl->is_object()) return InvalidArgumentError("rate_limit must be an object", "rate_limit");
    FB_RETURN_IF_ERROR(RejectUnknownFields(rl->get_object(), {"requests_per_second", "burst"})
                           .WithFieldPrefix("rate_limit"));
    FB_ASSIGN_OR_RETURN(double rps,
                        PositiveNumber(rl->get_object(), "requests_per_second", "rate_limit"));
    double burst = rps;
    if (rl->get_object().contains("burst")) {
      FB_ASSIGN_OR_RETURN(burst, PositiveNumber(rl->get_object(), "burst", "rate_limit"));
    }
    rate_limit = tenancy::RateLimit{rps, burst};
  }
  FB_ASSIGN_OR_RETURN(tenancy::NewApiKey key,
                      directory_.CreateTenant(*name, rate_limit, {c.actor, c.action}));
  return JsonResponse(201, ToJsonText(KeyJson(key)));
}

StatusOr<HttpResponse> AdminRoutes::ListTenants(RequestContext&) {
  json::array tenants;
  for (const tenancy::Tenant& t : directory_.ListTenants()) {
    json::object o{{"tenant", t.id}, {"created_at", FormatRfc3339(t.created_at)}};
    if (t.rate_limit) {
      o["rate_limit"] = {{"requests_per_second", t.rate_limit->requests_per_second},
                         {"burst", t.rate_limit->burst}};
    }
    tenants.push_back(std::move(o));
  }
  return JsonResponse(200, ToJsonText(json::object{{"tenants", std::move(tenants)}}));
}

StatusOr<HttpResponse> AdminRoutes::CreateKey(RequestContext& c) {
  c.tenant = c.params[0];
  c.entity = "tenant/" + c.params[0];
  FB_ASSIGN_OR_RETURN(json::object body, ParseJsonBody(c.request, /*allow_empty=*/true));
  FB_RETURN_IF_ERROR(RejectUnknownFields(body, {}));
  FB_ASSIGN_OR_RETURN(tenancy::NewApiKey key,
                      directory_.CreateKey(c.params[0], {c.actor, c.action}));
  return JsonResponse(201, ToJsonText(KeyJson(key)));
}

StatusOr<HttpResponse> AdminRoutes::ListKeys(RequestContext& c) {
  if (!directory_.FindTenant(c.params[0])) {
    return NotFoundError("tenant " + Quote(c.params[0]) + " does not exist", "tenant");
  }
  json::array keys;
  for (const tenancy::ApiKeyInfo& k : directory_.ListKeys(c.params[0])) {
    keys.push_back({{"key_id", k.key_id},
                    {"tenant", k.tenant},
                    {"created_at", FormatRfc3339(k.created_at)},
                    {"revoked_at", OptionalTime(k.revoked_at)}});
  }
  return JsonResponse(200, ToJsonText(json::object{{"keys", std::move(keys)}}));
}

StatusOr<HttpResponse> AdminRoutes::RevokeKey(RequestContext& c) {
  c.entity = "key/" + c.params[0];
  if (auto key = directory_.FindKey(c.params[0])) c.tenant = key->tenant;
  FB_RETURN_IF_ERROR(directory_.RevokeKey(c.params[0], {c.actor, c.action}));
  std::optional<tenancy::ApiKeyInfo> key = directory_.FindKey(c.params[0]);
  return JsonResponse(
      200,
      ToJsonText(json::object{{"key_id", c.params[0]},
                              {"tenant", key ? key->tenant : ""},
                              {"revoked_at", OptionalTime(key ? key->revoked_at : std::nullopt)}}));
}

}  // namespace

std::unique_ptr<RouteGroup> MakeAdminRoutes(const RouteEnv& env) {
  return std::make_unique<AdminRoutes>(*env.runtime.directory);
}

}  // namespace finbrain::server
