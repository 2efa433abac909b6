// Route groups: each domain's HTTP surface is one RouteGroup (server/routes/<domain>.cc) that
// holds only the stores it needs and declares its routes once, with designated initializers.
// The Api (server/api.h) routes, authenticates, rate-limits, audits and times every request,
// then calls the route's handler.
//
// Example (server/routes/lists.cc):
//   std::vector<Route> Routes() override {
//     return {
//         {.method = "GET", .pattern = kEntry, .handler = Bind(this, &ListRoutes::GetEntry)},
//         {.method = "PUT", .pattern = kEntry, .mutation = Bind(this, &ListRoutes::PutEntry)},
//         {.method = "POST", .pattern = "/v1/graph/analyze", .slow = true, .mutation = ...},
//     };
//   }
//
// Adding a domain: one file in server/routes/ with its group and a factory, and one line in
// server/routes/route_groups.cc.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "server/http_types.h"
#include "storage/kv_store.h"

namespace finbrain::runtime {
struct Runtime;
}

namespace finbrain::server {

// Who may call a route.
enum class Access {
  kPublic,  // probes, metrics, the API description
  kTenant,  // a tenant's API key ("Authorization: Bearer fbk_...")
  kAdmin,   // the operator's token (FINBRAIN_ADMIN_TOKEN)
};

// One request as a handler sees it.
struct RequestContext {
  const HttpRequest& request;
  std::vector<std::string> params;  // decoded path parameters, in template order
  std::string tenant;               // the caller's tenant (tenant routes)
  std::string actor;                // API key id, or "admin"
  std::string action;               // "PUT /v1/lists/{list}/{entity_type}/{value}"
  std::string entity;               // what the request touches, PII tokenized; for the audit log
};

// A prepared change: committed with its audit entry, then `response` is sent.
struct Mutation {
  storage::WriteBatch batch;
  HttpResponse response;
};

// Answers at once. A handler that changes state commits it with its audit entry itself.
using Handler = std::function<StatusOr<HttpResponse>(RequestContext&)>;
// Prepares a change; the Api commits it with the request's audit entry, then answers.
using MutationHandler = std::function<StatusOr<Mutation>(RequestContext&)>;
// Answers through the Responder itself once its work is durable. An error returned instead
// means it has not answered (and the error is audited like any rejected change).
using AsyncHandler = std::function<Status(RequestContext&, Responder)>;

struct Route {
  std::string_view method;   // "GET", "PUT", ...
  std::string_view pattern;  // "/v1/lists/{list}/{entity_type}/{value}" (static storage)
  Access access = Access::kTenant;
  // The route changes state, so a rejected request is audited too (with its error code).
  // Implied for `mutation` and `async_handler` routes.
  bool writes = false;
  // May compute for seconds (whole-graph analysis, loading a model): runs on the background
  // worker, never on an I/O thread.
  bool slow = false;
  // Exactly one of the three.
  Handler handler;
  MutationHandler mutation;
  AsyncHandler async_handler;

  bool audited() const { return writes || mutation != nullptr || async_handler != nullptr; }
};

// A domain's routes. The group outlives the Api's use of its handlers.
class RouteGroup {
 public:
  virtual ~RouteGroup() = default;
  virtual std::vector<Route> Routes() = 0;
};

// A handler calling `method` of `group`, for any of the three handler kinds.
template <typename Group, typename Method>
auto Bind(Group* group, Method method) {
  return [group, method](auto&&... args) {
    return (group->*method)(std::forward<decltype(args)>(args)...);
  };
}

// What a route group may take its dependencies from.
struct RouteEnv {
  runtime::Runtime& runtime;
  const Clock& clock;
  const std::atomic<bool>& ready;  // false once shutdown has begun (GET /readyz)
};

// Every domain's route group, in registration order (server/routes/route_groups.cc).
std::vector<std::unique_ptr<RouteGroup>> AllRouteGroups(const RouteEnv& env);

}  // namespace finbrain::server
