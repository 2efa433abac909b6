// Point-in-time training tables: the rows of a CSV file, each with a time and the ids of the
// entities it is about, written back with each feature's value as of that row's time, computed
// from the events before it by the windows the online store uses (features/backfill.h), so a
// model trains on exactly what it will see when serving. `finbrain features backfill`.
//
// Ids are read from the columns named by entity type (user_id, phone, device_id, ...: see
// DefaultKeyField) or from --entity TYPE=COLUMN; `read_for` features read a column of
// comma-separated ids named by their path (`events to-csv --list` writes it). PII ids are
// tokenized like the events, with a key used only here.
//
// Example:
//   FB_ASSIGN_OR_RETURN(TrainingTableSummary s,
//                       BuildTrainingTable(*set, {.data = "apps.csv", .events = "world/events",
//                                                 .out = "apps_features.csv"}));
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "features/backfill.h"
#include "features/feature_set.h"
#include "ingest/event_schema.h"

namespace finbrain::features {

// Columns another module computes point in time from every event (the entity graph's).
struct ExtraColumns {
  std::vector<std::string> names;     // written in this order, after the features
  std::vector<std::string> entities;  // entity types whose ids the columns read
  // Each row's values, in `names` order, from every event of the files.
  std::function<std::vector<std::vector<std::optional<double>>>(
      std::vector<ingest::ValidatedEvent> events, const std::vector<PointInTime>& rows)>
      compute;
};

struct TrainingTableOptions {
  std::string data;    // CSV with a time column and entity id columns
  std::string events;  // JSONL file or directory of *.jsonl
  std::string out;     // CSV to write: the input plus one column per feature
  std::string time_column = "occurred_at";
  // TYPE -> COLUMN where an id column does not have its default name; a read_for path ->
  // the column of its listed ids.
  std::map<std::string, std::string> entity_columns;
  const ExtraColumns* extra = nullptr;
};

struct TrainingTableSummary {
  size_t rows = 0;
  size_t features = 0;
  // Entities the file has no column for (their features are left empty), for the user.
  std::vector<std::string> notes;
};

// Errors name the option ("entity", "time-column", "data") and the row and column.
StatusOr<TrainingTableSummary> BuildTrainingTable(const FeatureSet& set,
                                                  const TrainingTableOptions& options);

}  // namespace finbrain::features
