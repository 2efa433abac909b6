// What a credit application names: its linked entities, by type. Private to src/decision (the
// hot path and backtests read applications alike).
#pragma once

#include <boost/json/object.hpp>
#include <string_view>
#include <utility>

#include "features/feature_set.h"

namespace finbrain::decision::internal {

// The application fields that name linked entities, by entity type.
inline constexpr std::pair<std::string_view, std::string_view> kLinkedEntities[] = {
    {"user", "user_id"},
    {"phone", "phone"},
    {"id_number", "id_number"},
    {"device", "device_id"},
    {"ip", "ip"},
    {"address", "address"},
    {"application", "application_id"}};

// The ids of the entities a validated credit_application names (absent ones left out).
inline features::EntityIds ApplicationEntityIds(const boost::json::object& application) {
  features::EntityIds ids;
  for (const auto& [entity, field] : kLinkedEntities) {
    const boost::json::value* v = application.if_contains(field);
    if (v != nullptr && v->is_string()) ids[std::string(entity)] = std::string(v->get_string());
  }
  return ids;
}

}  // namespace finbrain::decision::internal
