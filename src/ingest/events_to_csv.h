// One event type's JSONL flattened into a CSV training table: the type's scalar fields as
// columns (nested fields as dotted names, arrays as their length, booleans as 0/1), optionally a
// column per listed path (the items' values, comma-separated) and columns joined from other
// JSONL files by a shared field (labels; attributes such as an applicant's registered gender).
// Events without a row in every joined file are left out (an application never funded has no
// outcome).
//
// Example:
//   FB_ASSIGN_OR_RETURN(
//       EventsToCsvSummary s,
//       EventsToCsv({.events = "world/events/credit_application.jsonl",
//                    .out = "apps.csv",
//                    .joins = {{.file = "world/truth/applications.jsonl",
//                               .on = "application_id",
//                               .take = {"defaulted"}},
//                              {.file = "world/events/user_registration.jsonl",
//                               .on = "user_id",
//                               .take = {"gender", "birth_year"}}}}));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace finbrain::ingest {

struct CsvJoin {
  std::string file;               // JSONL; on a repeated key the last row counts
  std::string on;                 // the field the events and `file` share
  std::vector<std::string> take;  // its columns to add (dotted for nested fields)
};

struct EventsToCsvOptions {
  std::string events;              // JSONL of one event type
  std::string out;                 // CSV to write
  std::vector<CsvJoin> joins;      // in column order
  std::vector<std::string> lists;  // "contacts[].phone": one column of the items' values
};

struct EventsToCsvSummary {
  std::uint64_t rows = 0;
  std::uint64_t unmatched = 0;  // events without a row in some joined file, left out
};

// Errors name the option ("join", "list", "events") and the file:line.
StatusOr<EventsToCsvSummary> EventsToCsv(const EventsToCsvOptions& options);

}  // namespace finbrain::ingest
