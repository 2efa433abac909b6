// Keys of the account lifecycle's columns (storage::Column::kAccounts, kAccountHistory).
// Private to src/lifecycle.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/strings.h"

namespace finbrain::lifecycle::internal {

inline constexpr char kSep = '\x1f';

inline std::string AccountKey(std::string_view tenant, std::string_view id) {
  std::string key(tenant);
  key += kSep;
  key += id;
  return key;
}

inline std::string HistoryKey(std::string_view account_key, int review) {
  std::string key(account_key);
  key += kSep;
  key += SortableKey(std::uint64_t(review));
  return key;
}

}  // namespace finbrain::lifecycle::internal
