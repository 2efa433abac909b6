// Stored service records: a tenant's records of one column ("<tenant>/<id>", ids sorting by
// creation) read back in order, filtered by status; and a tolerant field reader for their JSON.
// Private to src/service (handoffs, KB proposals, stats).
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/kv_store.h"

namespace finbrain::service::internal {

// The string member `key` of `o`; empty when absent or not a string.
inline std::string TextMember(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// `parse(text)` -> StatusOr<Record>; Record has a `status` member. Oldest first, those with
// `status` ("" for all), at most `limit`; a record that does not parse stops the scan.
template <typename Record, typename Parse>
StatusOr<std::vector<Record>> ScanTenantRecords(const storage::KvStore& store,
                                                storage::Column column, std::string_view tenant,
                                                std::string_view status, size_t limit,
                                                Parse parse) {
  std::vector<Record> out;
  Status failure;
  FB_RETURN_IF_ERROR(store.Scan(column, std::string(tenant) + "/", "",
                                [&](std::string_view, std::string_view value) {
                                  StatusOr<Record> record = parse(value);
                                  if (!record.ok()) {
                                    failure = record.status();
                                    return false;
                                  }
                                  if (status.empty() || record->status == status)
                                    out.push_back(std::move(*record));
                                  return out.size() < limit;
                                }));
  FB_RETURN_IF_ERROR(failure);
  return out;
}

}  // namespace finbrain::service::internal
