// One event type's JSONL flattened into a CSV training table: the type's scalar fields as
// columns (nested fields as dotted names, arrays as their length, booleans as 0/1), optionally a
// column per listed path (the items' values, comma-separated) and columns joined from a file of
// labels. Events without a joined label are left out (an application never funded has no
// outcome).
//
// Example:
//   FB_ASSIGN_OR_RETURN(EventsToCsvSummary s,
//                       EventsToCsv({.events = "world/events/credit_application.jsonl",
//                                    .out = "apps.csv",
//                                    .join = "world/truth/applications.jsonl",
//                                    .on = "application_id",
//                                    .take = {"defaulted"}}));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace finbrain::ingest {

struct EventsToCsvOptions {
  std::string events;              // JSONL of one event type
  std::string out;                 // CSV to write
  std::string join;                // JSONL of labels (optional)
  std::string on;                  // the field both share, with `join`
  std::vector<std::string> take;   // the labels' columns to add, with `join`
  std::vector<std::string> lists;  // "contacts[].phone": one column of the items' values
};

struct EventsToCsvSummary {
  std::uint64_t rows = 0;
  std::uint64_t unmatched = 0;  // events without a joined label, left out
};

// Errors name the option ("join", "list", "events") and the file:line.
StatusOr<EventsToCsvSummary> EventsToCsv(const EventsToCsvOptions& options);

}  // namespace finbrain::ingest
