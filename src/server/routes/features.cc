// /v1/features: the tenant's feature windows (declaration and online values).
#include "common/entity_types.h"
#include "common/json_text.h"
#include "common/strings.h"
#include "common/yaml_helpers.h"
#include "features/feature_store.h"
#include "fraud/list_store.h"
#include "runtime/runtime.h"
#include "server/internal/errors.h"
#include "server/internal/request.h"
#include "server/internal/route.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;

json::object FeatureSetJson(const features::FeatureSet& set) {
  json::array list;
  for (const features::FeatureDef& f : set.features()) {
    json::object o{{"name", f.name},
                   {"entity", f.entity},
                   {"key", f.key},
                   {"events", json::array(f.events.begin(), f.events.end())},
                   {"aggregate", features::AggregateName(f.aggregate)}};
    if (!f.field.empty()) o["field"] = f.field;
    if (!f.filter.empty()) o["filter"] = f.filter;
    if (f.windowed()) o["window"] = FormatDuration(f.window);
    if (!f.read_for.empty()) {
      o["read_for"] = f.read_for;
      o["combine"] = features::CombineName(f.combine);
    }
    list.push_back(std::move(o));
  }
  return {{"lateness", FormatDuration(set.lateness() > 0 ? set.lateness() : 0)},
          {"features", std::move(list)},
          {"yaml", set.yaml()}};
}

class FeatureRoutes final : public RouteGroup {
 public:
  FeatureRoutes(features::FeatureStore& features, const fraud::ListStore& lists, const Clock& clock)
      : features_(features), lists_(lists), clock_(clock) {}

  std::vector<Route> Routes() override {
    return {
        // Re-derives the tenant's windows when definitions change: off the I/O threads.
        {.method = "PUT",
         .pattern = "/v1/features",
         .writes = true,
         .slow = true,
         .handler = Bind(this, &FeatureRoutes::Put)},
        {.method = "GET", .pattern = "/v1/features", .handler = Bind(this, &FeatureRoutes::Get)},
        {.method = "GET",
         .pattern = "/v1/features/values",
         .handler = Bind(this, &FeatureRoutes::Values)},
    };
  }

 private:
  StatusOr<HttpResponse> Put(RequestContext& c);
  StatusOr<HttpResponse> Get(RequestContext& c);
  StatusOr<HttpResponse> Values(RequestContext& c);

  features::FeatureStore& features_;
  const fraud::ListStore& lists_;
  const Clock& clock_;
};

StatusOr<HttpResponse> FeatureRoutes::Put(RequestContext& c) {
  c.entity = "features";
  if (c.request.body.empty()) {
    return InvalidArgumentError("the body must be the feature set as YAML", "body");
  }
  StatusOr<std::shared_ptr<const features::FeatureSet>> set =
      features::FeatureSet::Parse(c.request.body);
  if (!set.ok()) {
    return InvalidArgumentError(set.status().message(),
                                set.status().field().empty() ? "body" : set.status().field());
  }
  FB_RETURN_IF_ERROR(features_.SetFeatureSet(c.tenant, *set, {c.actor, c.action}));
  return JsonResponse(200, ToJsonText(FeatureSetJson(**set)));
}

StatusOr<HttpResponse> FeatureRoutes::Get(RequestContext& c) {
  const std::shared_ptr<const features::FeatureSet> set = features_.For(c.tenant);
  if (!set) return NotFoundError("the tenant has declared no features (PUT /v1/features)");
  return JsonResponse(200, ToJsonText(FeatureSetJson(*set)));
}

StatusOr<HttpResponse> FeatureRoutes::Values(RequestContext& c) {
  const std::shared_ptr<const features::FeatureSet> set = features_.For(c.tenant);
  if (!set) return NotFoundError("the tenant has declared no features (PUT /v1/features)");
  std::vector<std::string_view> known(kEntityTypes.begin(), kEntityTypes.end());
  known.push_back("at");
  for (const features::FeatureSet::ReadGroup& group : set->read_groups()) {
    if (!group.read_for.empty()) known.push_back(group.read_for);
  }
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, known));
  TimeMicros at = clock_.NowMicros();
  if (auto it = query.find("at"); it != query.end()) {
    StatusOr<TimeMicros> parsed = ParseRfc3339(it->second);
    if (!parsed.ok()) return InvalidArgumentError("at must be an RFC 3339 time", "at");
    at = *parsed;
    query.erase(it);
  }
  if (query.empty()) {
    return InvalidArgumentError("name at least one entity, e.g. ?user=u1&phone=13800138000",
                                "query");
  }
  FB_ASSIGN_OR_RETURN(
      features::NamedIds named,
      features::CanonicalIds(*set, query, [&](std::string_view type, std::string_view raw) {
        return lists_.CanonicalValue(type, raw);
      }));
  const std::vector<std::optional<double>> values =
      features_.Compute(c.tenant, named.ids, at, named.listed);
  json::object out;
  for (size_t i = 0; i < values.size(); ++i) {
    out[set->features()[i].name] = values[i] ? json::value(*values[i]) : json::value(nullptr);
  }
  return JsonResponse(200, ToJsonText(json::object{{"at", FormatRfc3339(at)}, {"values", out}}));
}

}  // namespace

std::unique_ptr<RouteGroup> MakeFeatureRoutes(const RouteEnv& env) {
  return std::make_unique<FeatureRoutes>(*env.runtime.features, *env.runtime.lists, env.clock);
}

}  // namespace finbrain::server
