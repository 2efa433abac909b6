// Where the account lifecycle keeps its state in the store. Private to src/lifecycle.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/strings.h"

namespace finbrain::lifecycle::internal {

inline constexpr std::string_view kAccounts = "accounts";  // tenant \x1f id -> Account
// tenant \x1f id \x1f review -> the change (history entry)
inline constexpr std::string_view kHistory = "account_history";
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
