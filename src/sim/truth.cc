#include "sim/truth.h"

#include <boost/json.hpp>
#include <filesystem>

#include "common/strings.h"
#include "ingest/jsonl.h"

namespace finbrain::sim {
namespace {

namespace json = boost::json;

std::string TruthFile(const std::string& world, std::string_view name) {
  return world + "/truth/" + std::string(name) + ".jsonl";
}

// Each object of a truth file; a missing file says which world is expected, unless the world
// may have planted none of them (`missing_is_empty`: the simulator writes only non-empty files).
Status ForEachTruth(const std::string& world, std::string_view name,
                    const ingest::JsonObjectVisitor& visit, bool missing_is_empty = false) {
  const std::string path = TruthFile(world, name);
  Status read = ingest::ForEachJsonObject({path}, visit);
  if (read.code() == StatusCode::kNotFound) {
    if (missing_is_empty && std::filesystem::is_directory(world + "/truth")) return OkStatus();
    return NotFoundError("cannot read " + Quote(path) + " (a world written by finbrain simulate)",
                         "world");
  }
  if (!read.ok()) return Status(read.code(), read.message(), "world");
  return read;
}

StatusOr<std::string> Text(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  if (v == nullptr || !v->is_string()) {
    return InvalidArgumentError("needs a text " + Quote(field));
  }
  return std::string(v->get_string());
}

bool Flag(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  return v != nullptr && v->is_bool() && v->get_bool();
}

}  // namespace

StatusOr<std::vector<ApplicationTruth>> ReadApplications(const std::string& world) {
  std::vector<ApplicationTruth> out;
  FB_RETURN_IF_ERROR(
      ForEachTruth(world, "applications", [&](const json::object& o, std::string_view) -> Status {
        ApplicationTruth a;
        FB_ASSIGN_OR_RETURN(a.application_id, Text(o, "application_id"));
        FB_ASSIGN_OR_RETURN(a.user_id, Text(o, "user_id"));
        if (const json::value* pd = o.if_contains("pd"); pd && pd->is_number()) {
          a.pd = pd->to_number<double>();
        }
        a.defaulted = Flag(o, "defaulted");
        a.fraud = Flag(o, "fraud");
        out.push_back(std::move(a));
        return OkStatus();
      }));
  return out;
}

StatusOr<std::unordered_set<std::string>> ReadFraudUsers(const std::string& world) {
  std::unordered_set<std::string> out;
  FB_RETURN_IF_ERROR(
      ForEachTruth(world, "users", [&](const json::object& o, std::string_view) -> Status {
        if (!Flag(o, "fraud")) return OkStatus();
        FB_ASSIGN_OR_RETURN(std::string user, Text(o, "user_id"));
        out.insert(std::move(user));
        return OkStatus();
      }));
  return out;
}

StatusOr<std::unordered_set<std::string>> ReadTakeoverSessions(const std::string& world) {
  std::unordered_set<std::string> out;
  FB_RETURN_IF_ERROR(ForEachTruth(
      world, "account_takeovers",
      [&](const json::object& o, std::string_view) -> Status {
        FB_ASSIGN_OR_RETURN(std::string s, Text(o, "session_id"));
        out.insert(std::move(s));
        return OkStatus();
      },
      /*missing_is_empty=*/true));
  return out;
}

StatusOr<DeviceTruth> ReadDeviceTruth(const std::string& world) {
  DeviceTruth truth;
  FB_RETURN_IF_ERROR(
      ForEachTruth(world, "device_reports", [&](const json::object& o, std::string_view) -> Status {
        FB_ASSIGN_OR_RETURN(std::string id, Text(o, "event_id"));
        FB_ASSIGN_OR_RETURN(std::string phone, Text(o, "hardware_id"));
        truth.hardware.emplace(std::move(id), std::move(phone));
        return OkStatus();
      }));
  FB_RETURN_IF_ERROR(ForEachTruth(
      world, "fraud_rings",
      [&](const json::object& o, std::string_view) -> Status {
        if (!o.contains("kind") || o.at("kind") != "device_farm") return OkStatus();
        if (const json::value* devices = o.if_contains("devices"); devices && devices->is_array()) {
          for (const json::value& d : devices->get_array()) {
            if (d.is_string()) truth.farm_install_ids.emplace_back(d.get_string());
          }
        }
        return OkStatus();
      },
      /*missing_is_empty=*/true));
  return truth;
}

}  // namespace finbrain::sim
