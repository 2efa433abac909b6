// /v1/devices: device fingerprints (fraud/device_fingerprint.h) — one device by fingerprint or
// by any install id it reported, and the devices an account was seen on. /v1/behaviour: a
// user's recent sessions as the behaviour model scored them, and their payment history.
#include <cmath>

#include "common/json_text.h"
#include "common/strings.h"
#include "fraud/behaviour_store.h"
#include "fraud/device_store.h"
#include "runtime/runtime.h"
#include "server/internal/errors.h"
#include "server/internal/request.h"
#include "server/internal/route.h"

namespace finbrain::server {
namespace {

namespace json = boost::json;

json::object DeviceJson(const fraud::DeviceInfo& d) {
  return {{"fingerprint", d.fingerprint},
          {"brand", d.brand},
          {"model", d.model},
          {"os", d.os},
          {"os_version", d.os_version},
          {"screen", d.screen},
          {"install_ids", json::array(d.install_ids.begin(), d.install_ids.end())},
          {"accounts", d.users.size()},
          {"users", json::array(d.users.begin(), d.users.end())},
          {"flags", json::array(d.flags.begin(), d.flags.end())},
          {"reports", d.reports},
          {"first_seen", FormatRfc3339(d.first_seen)},
          {"last_seen", FormatRfc3339(d.last_seen)}};
}

class DeviceRoutes final : public RouteGroup {
 public:
  DeviceRoutes(fraud::DeviceStore& devices, fraud::BehaviourStore& behaviour)
      : devices_(devices), behaviour_(behaviour) {}

  std::vector<Route> Routes() override {
    return {
        {.method = "GET", .pattern = "/v1/devices", .handler = Bind(this, &DeviceRoutes::List)},
        {.method = "GET", .pattern = "/v1/devices/{id}", .handler = Bind(this, &DeviceRoutes::Get)},
        {.method = "GET",
         .pattern = "/v1/behaviour/users/{user_id}",
         .handler = Bind(this, &DeviceRoutes::UserBehaviour)},
    };
  }

 private:
  StatusOr<HttpResponse> Get(RequestContext& c);
  StatusOr<HttpResponse> List(RequestContext& c);
  StatusOr<HttpResponse> UserBehaviour(RequestContext& c);

  fraud::DeviceStore& devices_;
  fraud::BehaviourStore& behaviour_;
};

StatusOr<HttpResponse> DeviceRoutes::Get(RequestContext& c) {
  std::optional<fraud::DeviceInfo> device = devices_.For(c.tenant)->Find(c.params[0]);
  if (!device) {
    return NotFoundError("no device with fingerprint or install id " + Quote(c.params[0]), "id");
  }
  return JsonResponse(200, ToJsonText(DeviceJson(*device)));
}

StatusOr<HttpResponse> DeviceRoutes::List(RequestContext& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"user_id"}));
  auto user = query.find("user_id");
  if (user == query.end() || user->second.empty()) {
    return InvalidArgumentError("user_id is required: the account whose devices to list",
                                "user_id");
  }
  json::array devices;
  for (const fraud::DeviceInfo& d : devices_.For(c.tenant)->OfUser(user->second)) {
    devices.push_back(DeviceJson(d));
  }
  return JsonResponse(
      200, ToJsonText(json::object{{"user_id", user->second}, {"devices", std::move(devices)}}));
}

StatusOr<HttpResponse> DeviceRoutes::UserBehaviour(RequestContext& c) {
  std::optional<fraud::UserActivity> activity = behaviour_.Activity(c.tenant, c.params[0]);
  if (!activity)
    return NotFoundError("no sessions or payments of " + Quote(c.params[0]), "user_id");
  json::array sessions;
  for (const fraud::ScoredSession& s : activity->sessions) {
    json::array reasons;
    for (const fraud::Reason& r : s.score.reasons) {
      reasons.push_back({{"code", r.code}, {"text", r.text}});
    }
    sessions.push_back({{"session_id", s.session_id},
                        {"at", FormatRfc3339(s.at)},
                        {"device_id", s.device_id},
                        {"actions", s.score.actions},
                        {"surprise", s.score.surprise},
                        {"z", s.score.z},
                        {"median_gap_seconds", s.score.median_gap_seconds},
                        {"takeover_chain", s.score.takeover_chain},
                        {"risk", s.score.risk},
                        {"reasons", std::move(reasons)}});
  }
  const fraud::PaymentHistory& p = activity->payments;
  json::object payments{{"count", p.count},
                        {"max_amount", p.max_amount},
                        {"recent_payees", json::array(p.payees.begin(), p.payees.end())}};
  if (p.count > 0) {
    payments["typical_amount"] = std::expm1(p.mean_log_amount);
    payments["last_at"] = FormatRfc3339(p.last_at);
  }
  return JsonResponse(200, ToJsonText(json::object{{"user_id", c.params[0]},
                                                   {"sessions", std::move(sessions)},
                                                   {"payments", std::move(payments)}}));
}

}  // namespace

std::unique_ptr<RouteGroup> MakeDeviceRoutes(const RouteEnv& env) {
  return std::make_unique<DeviceRoutes>(*env.runtime.devices, *env.runtime.behaviour);
}

}  // namespace finbrain::server
