// The entity types FinBrain links, lists and aggregates over: one lowercase vocabulary shared by
// lists, the entity graph, feature windows and every API.
#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace finbrain {

inline constexpr std::array<std::string_view, 11> kEntityTypes = {
    "user",      "phone", "device",     "ip",       "address",    "card",
    "id_number", "email", "enterprise", "merchant", "application"};

inline bool IsEntityType(std::string_view type) {
  return std::find(kEntityTypes.begin(), kEntityTypes.end(), type) != kEntityTypes.end();
}

}  // namespace finbrain
