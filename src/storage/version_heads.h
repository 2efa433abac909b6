// Keys and head records of documents kept in versions per tenant and name (strategies, models):
// each version under tenant/name/<version>, and one head per name saying which version is the
// newest, which is active and which were active before (for rollback).
//
// Example:
//   FB_ASSIGN_OR_RETURN(VersionHead head, ReadVersionHead(store, Column::kModelHeads, t, n,
//   "model")); batch.Put(Column::kModelHeads, NameKey(t, n), VersionHeadJson({head.latest + 1,
//   head.active}));
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "storage/kv_store.h"

namespace finbrain::storage {

// "tenant/name".
std::string NameKey(std::string_view tenant, std::string_view name);
// "tenant/name/<version>", sorting by version; `name_key` is NameKey(tenant, name).
std::string VersionKey(std::string_view tenant, std::string_view name, int version);
std::string VersionKey(std::string_view name_key, int version);

struct VersionHead {
  int latest = 0;            // 0: no version yet
  int active = 0;            // 0: none active
  std::vector<int> history;  // previously active versions, oldest first
};
std::string VersionHeadJson(const VersionHead& head);

// The head of `name` in `column`: an empty head when there is none, kDataLoss naming `what`
// (e.g. "model") when the stored one is corrupt.
StatusOr<VersionHead> ReadVersionHead(const KvStore& store, Column column, std::string_view tenant,
                                      std::string_view name, std::string_view what);
// Every name of the tenant with a head in `column`, with its head, by name.
StatusOr<std::vector<std::pair<std::string, VersionHead>>> ListVersionHeads(const KvStore& store,
                                                                            Column column,
                                                                            std::string_view tenant,
                                                                            std::string_view what);

}  // namespace finbrain::storage
