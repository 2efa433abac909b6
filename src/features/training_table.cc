#include "features/training_table.h"

#include <algorithm>
#include <fstream>

#include "common/progress.h"
#include "common/strings.h"
#include "ingest/jsonl.h"
#include "models/dataset.h"
#include "tenancy/pii.h"
#include "tenancy/secrets.h"

namespace finbrain::features {
namespace {

// The column names of a CSV file's header row.
StatusOr<std::vector<std::string>> CsvHeader(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return NotFoundError("cannot read " + Quote(path), "data");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::vector<std::string> names(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        names.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (line[i] == ',' && !quoted) {
      names.emplace_back();
    } else {
      names.back() += line[i];
    }
  }
  return names;
}

}  // namespace

StatusOr<TrainingTableSummary> BuildTrainingTable(const FeatureSet& set_ref,
                                                  const TrainingTableOptions& o) {
  const FeatureSet* set = &set_ref;
  TrainingTableSummary summary;
  std::map<std::string, std::string> columns = o.entity_columns;
  // The rows: entity id columns and the time column are read as text.
  // Entity types without an id column (say, cards for a file of applications) leave their
  // features missing; a column named with --entity must exist.
  FB_ASSIGN_OR_RETURN(std::vector<std::string> header, CsvHeader(o.data));
  const auto has = [&](const std::string& c) {
    return std::find(header.begin(), header.end(), c) != header.end();
  };
  if (!has(o.time_column)) {
    return InvalidArgumentError(
        o.data + " has no time column " + Quote(o.time_column) + " (name it with --time-column)",
        "time-column");
  }
  models::CsvOptions csv_options{.categorical = {o.time_column}};
  std::vector<std::string> entities = set->entities();
  if (o.extra != nullptr) {  // the ids extra columns read, when the file has their columns
    for (const std::string& e : o.extra->entities) {
      if (std::find(entities.begin(), entities.end(), e) == entities.end() &&
          has(std::string(DefaultKeyField(e)))) {
        entities.push_back(e);
      }
    }
  }
  // Features read for the ids a row lists (read_for: contacts[].phone): a column named by the
  // path (or --entity PATH=COLUMN) of comma-separated ids, as `events to-csv --list` writes.
  std::map<std::string, std::string> listed_columns;  // path -> column
  for (const FeatureSet::ReadGroup& group : set->read_groups()) {
    if (group.read_for.empty() || listed_columns.contains(group.read_for)) continue;
    const auto named = columns.find(group.read_for);
    const std::string column = named != columns.end() ? named->second : group.read_for;
    if (named != columns.end()) columns.erase(named);
    if (!has(column)) {
      summary.notes.push_back(o.data + " has no column " + Quote(column) +
                              " for the ids listed at " + group.read_for +
                              "; its features are left empty (write one with " +
                              "`events to-csv --list " + group.read_for + "`)");
      continue;
    }
    listed_columns[group.read_for] = column;
    csv_options.categorical.push_back(column);
  }
  for (const auto& [name, column] : columns) {
    if (name.find("[].") != std::string::npos) {
      return InvalidArgumentError("--entity " + name + ": no feature is read for " + Quote(name),
                                  "entity");
    }
  }
  for (const std::string& entity : entities) {
    if (!columns.contains(entity)) {
      const std::string column(DefaultKeyField(entity));
      if (!has(column)) {
        summary.notes.push_back(o.data + " has no column " + Quote(column) + " for the " + entity +
                                " id; its features are left empty (name one with --entity " +
                                entity + "=COLUMN)");
        continue;
      }
      columns[entity] = column;
    }
    if (has(columns[entity])) csv_options.categorical.push_back(columns[entity]);
  }
  FB_ASSIGN_OR_RETURN(models::Dataset rows, models::ReadCsv(o.data, csv_options));
  const models::Column* time = rows.Find(o.time_column);  // present: checked above
  // Events and rows are tokenized with one throwaway key: the tokens only need to agree with
  // each other here.
  const tenancy::PiiTokenizer tokenizer(tenancy::RandomSecretKey());
  std::vector<PointInTime> points(rows.rows);
  for (const auto& [entity, column_name] : columns) {
    const models::Column* column = rows.Find(column_name);
    if (column == nullptr) {
      return InvalidArgumentError(o.data + " has no column " + Quote(column_name) + " for the " +
                                      entity + " id (name it with --entity " + entity + "=COLUMN)",
                                  "entity");
    }
    const std::optional<tenancy::PiiKind> pii = tenancy::PiiKindForEntityType(entity);
    for (size_t r = 0; r < rows.rows; ++r) {
      std::string id = column->Text(r);
      if (id.empty()) continue;
      if (pii) {
        StatusOr<std::string> token = tokenizer.Tokenize(*pii, id);
        if (!token.ok()) {
          return InvalidArgumentError("row " + std::to_string(r + 1) + ", column " +
                                          Quote(column_name) + ": " + token.status().message(),
                                      column_name);
        }
        id = std::move(*token);
      }
      points[r].ids[entity] = std::move(id);
    }
  }
  const auto tokenize = [&](std::string_view type, std::string_view raw) -> StatusOr<std::string> {
    const std::optional<tenancy::PiiKind> pii = tenancy::PiiKindForEntityType(type);
    return pii ? tokenizer.Tokenize(*pii, raw) : StatusOr<std::string>(std::string(raw));
  };
  for (const auto& [path, column_name] : listed_columns) {
    const models::Column& column = *rows.Find(column_name);
    for (size_t r = 0; r < rows.rows; ++r) {
      StatusOr<NamedIds> named = CanonicalIds(*set, {{path, column.Text(r)}}, tokenize);
      if (!named.ok()) {
        return InvalidArgumentError("row " + std::to_string(r + 1) + ", column " +
                                        Quote(column_name) + ": " + named.status().message(),
                                    column_name);
      }
      points[r].listed[path] = std::move(named->listed[path]);
    }
  }
  for (size_t r = 0; r < rows.rows; ++r) {
    StatusOr<TimeMicros> at = ParseRfc3339(time->Text(r));
    if (!at.ok()) {
      return InvalidArgumentError("row " + std::to_string(r + 1) + ", column " +
                                      Quote(o.time_column) + ": " + at.status().message(),
                                  o.time_column);
    }
    points[r].at = *at;
  }

  FB_ASSIGN_OR_RETURN(std::vector<std::string> files, ingest::ListEventFiles(o.events));
  Backfill backfill(std::shared_ptr<const FeatureSet>(set, [](const FeatureSet*) {}));
  std::vector<ingest::ValidatedEvent> all_events;  // for the extra columns
  FB_RETURN_IF_ERROR(ingest::ForEachEvent(
      files, tokenizer,
      [&](std::string_view type) { return o.extra != nullptr || set->Consumes(type); },
      [&](ingest::ValidatedEvent event) -> Status {
        if (set->Consumes(event.event_type)) {
          if (Status added = backfill.AddEvent(event); !added.ok()) return added;
        }
        if (o.extra != nullptr) all_events.push_back(std::move(event));
        return OkStatus();
      }));
  Progress row_progress("rows", rows.rows);
  const auto values =
      backfill.Compute(points, [&](size_t done, size_t) { row_progress.Update(done); });
  row_progress.Finish();
  std::vector<std::vector<std::optional<double>>> extra_values;
  if (o.extra != nullptr) extra_values = o.extra->compute(std::move(all_events), points);

  std::ofstream out(o.out);
  if (!out) return UnavailableError("cannot write " + Quote(o.out));
  for (size_t c = 0; c < rows.columns.size(); ++c)
    out << (c ? "," : "") << CsvField(rows.columns[c].name);
  for (const FeatureDef& f : set->features()) out << ',' << CsvField(f.name);
  if (o.extra != nullptr) {
    for (const std::string& name : o.extra->names) out << ',' << CsvField(name);
  }
  out << '\n';
  for (size_t r = 0; r < rows.rows; ++r) {
    for (size_t c = 0; c < rows.columns.size(); ++c) {
      const models::Column& column = rows.columns[c];
      if (c) out << ',';
      if (column.kind == models::ColumnKind::kCategorical) {
        out << CsvField(column.Text(r));
      } else if (!column.IsMissing(r)) {
        out << FormatNumber(column.numbers[r]);
      }
    }
    for (const std::optional<double>& v : values[r]) {
      out << ',';
      if (v) out << FormatNumber(*v);
    }
    if (o.extra != nullptr) {
      for (const std::optional<double>& v : extra_values[r]) {
        out << ',';
        if (v) out << FormatNumber(*v);
      }
    }
    out << '\n';
  }
  if (!out.flush()) return UnavailableError("cannot write " + Quote(o.out));
  summary.rows = rows.rows;
  summary.features = set->features().size();
  return summary;
}

}  // namespace finbrain::features
