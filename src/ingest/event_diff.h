// Where two canonical events differ: the check behind idempotent retries. A repeat of an event
// or an application under a known id must carry the same content; when it does not, the answer
// names what changed instead of replaying (or counting as a duplicate) something made for other
// values.
//
// Example:
//   std::vector<FieldDifference> changed = DifferingFields(stored, now, {"event_id"});
//   if (!changed.empty()) return IdempotencyConflictError(DescribeDifferences(changed), ...);
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace finbrain::ingest {

struct FieldDifference {
  std::string path;    // dotted, with [i] for array items: "bureau.score", "contacts[1].phone"
  std::string before;  // JSON text of the stored value ("" when absent)
  std::string after;   // JSON text of the new value ("" when absent)
};

// Every leaf that differs, in the order of `before`'s fields, then fields only `after` has.
// Top-level fields named in `ignore` are left out.
std::vector<FieldDifference> DifferingFields(const boost::json::object& before,
                                             const boost::json::object& after,
                                             std::initializer_list<std::string_view> ignore = {});

// "requested_amount (29000, now 999), term_months (12, now 6)": at most `max` of them, values
// shortened (PII in canonical events is already tokenized).
std::string DescribeDifferences(const std::vector<FieldDifference>& differences, size_t max = 5);

}  // namespace finbrain::ingest
