// /v1/devices: device fingerprints (fraud/device_fingerprint.h) — one device by fingerprint or
// by any install id it reported, and the devices an account was seen on.
#include "common/json_text.h"
#include "common/strings.h"
#include "server/api_internal.h"
#include "server/errors.h"

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

}  // namespace

StatusOr<HttpResponse> Api::GetDevice(Context& c) {
  std::optional<fraud::DeviceInfo> device = deps_.devices.For(c.tenant)->Find(c.params[0]);
  if (!device) {
    return NotFoundError("no device with fingerprint or install id " + Quote(c.params[0]), "id");
  }
  return JsonResponse(200, ToJsonText(DeviceJson(*device)));
}

StatusOr<HttpResponse> Api::ListDevices(Context& c) {
  FB_ASSIGN_OR_RETURN(auto query, ParseQuery(c.request.query, {"user_id"}));
  auto user = query.find("user_id");
  if (user == query.end() || user->second.empty()) {
    return InvalidArgumentError("user_id is required: the account whose devices to list",
                                "user_id");
  }
  json::array devices;
  for (const fraud::DeviceInfo& d : deps_.devices.For(c.tenant)->OfUser(user->second)) {
    devices.push_back(DeviceJson(d));
  }
  return JsonResponse(
      200, ToJsonText(json::object{{"user_id", user->second}, {"devices", std::move(devices)}}));
}

}  // namespace finbrain::server
