#include "ingest/events_to_csv.h"

#include <boost/json.hpp>
#include <fstream>
#include <unordered_map>

#include "common/progress.h"
#include "common/strings.h"
#include "ingest/event_fields.h"
#include "ingest/event_schema.h"
#include "ingest/jsonl.h"

namespace finbrain::ingest {
namespace {

namespace json = boost::json;

// The values of the item field in each object of the array, comma-separated, as a CSV cell.
std::string ListCell(const json::object& event, const EventSchema::ItemPath& path) {
  std::vector<std::string_view> items;
  AppendItemTexts(event, path, items);
  return CsvField(Join(items, ","));
}

std::string Cell(const json::value* v) {
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return CsvField(v->get_string());
  if (v->is_bool()) return v->get_bool() ? "1" : "0";
  if (v->is_array()) return std::to_string(v->get_array().size());
  if (v->is_number()) return FormatNumber(v->to_number<double>());
  return "";
}

const json::value* Find(const json::object& o, std::string_view path) {
  const json::value* v = nullptr;
  const json::object* at = &o;
  while (at != nullptr) {
    const size_t dot = path.find('.');
    v = at->if_contains(path.substr(0, dot));
    if (v == nullptr || dot == std::string_view::npos) return v;
    at = v->if_object();
    path.remove_prefix(dot + 1);
  }
  return nullptr;
}

// A joined file's taken cells by the `on` field's value.
using JoinedRows = std::unordered_map<std::string, std::vector<std::string>>;

StatusOr<JoinedRows> LoadJoin(const CsvJoin& join) {
  if (join.file.empty() || join.on.empty() || join.take.empty()) {
    return InvalidArgumentError("each --join FILE needs --on KEY and --take COLUMN[,COLUMN...]",
                                "join");
  }
  JoinedRows rows;
  Status loaded =
      ForEachJsonObject({join.file}, [&](const json::object& row, std::string_view) -> Status {
        if (!row.contains(join.on)) return InvalidArgumentError("no " + Quote(join.on));
        std::vector<std::string>& cells = rows[Cell(&row.at(join.on))];
        cells.clear();
        for (const std::string& c : join.take) cells.push_back(Cell(Find(row, c)));
        return OkStatus();
      });
  if (!loaded.ok()) return Status(loaded.code(), loaded.message(), "join");
  return rows;
}

}  // namespace

StatusOr<EventsToCsvSummary> EventsToCsv(const EventsToCsvOptions& o) {
  std::vector<JoinedRows> joined;
  for (const CsvJoin& join : o.joins) {
    FB_ASSIGN_OR_RETURN(JoinedRows rows, LoadJoin(join));
    joined.push_back(std::move(rows));
  }
  JsonlReader reader({o.events});
  JsonlReader::Batch batch;
  std::ofstream out(o.out);
  if (!out) return UnavailableError("cannot write " + Quote(o.out));
  std::vector<std::string> columns;
  std::vector<EventSchema::ItemPath> lists;  // per --list
  std::string type;
  Progress progress("rows", reader.total_bytes());
  std::uint64_t rows = 0, unmatched = 0;
  while (reader.Next(4096, batch)) {
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      boost::system::error_code ec;
      const json::value v = json::parse(batch.lines[i], ec);
      const json::object* e = ec ? nullptr : v.if_object();
      const json::value* t = e ? e->if_contains("event_type") : nullptr;
      if (t == nullptr || !t->is_string()) {
        return InvalidArgumentError(batch.positions[i] + ": not an event object", "events");
      }
      if (type.empty()) {  // the header, from the schema of the first event's type
        type = std::string(t->get_string());
        for (const auto& f : EventSchema::Get().ScalarFields(type)) columns.push_back(f.path);
        if (columns.empty()) return InvalidArgumentError("unknown event type " + Quote(type));
        for (const std::string& path : o.lists) {
          auto item = EventSchema::Get().TextItemPath(type, path);
          if (!item) {
            return InvalidArgumentError("--list " + Quote(path) + ": " + type +
                                            " has no array of objects with that text field "
                                            "(expected ARRAY[].FIELD, like contacts[].phone)",
                                        "list");
          }
          lists.push_back(std::move(*item));
        }
        std::string header;
        for (const std::string& c : columns) header += (header.empty() ? "" : ",") + CsvField(c);
        for (const std::string& c : o.lists) header += "," + CsvField(c);
        for (const CsvJoin& join : o.joins) {
          for (const std::string& c : join.take) header += "," + CsvField(c);
        }
        out << header << "\n";
      } else if (t->get_string() != type) {
        return InvalidArgumentError(batch.positions[i] + ": event type " +
                                        Quote(std::string(t->get_string())) +
                                        " differs from the first line's " + Quote(type),
                                    "events");
      }
      std::vector<const std::vector<std::string>*> cells;
      for (size_t j = 0; j < joined.size(); ++j) {
        auto it = joined[j].find(Cell(Find(*e, o.joins[j].on)));
        if (it == joined[j].end()) break;
        cells.push_back(&it->second);
      }
      if (cells.size() < joined.size()) {
        ++unmatched;  // e.g. no outcome (never funded): not a training row
        continue;
      }
      std::string line;
      for (size_t c = 0; c < columns.size(); ++c) {
        if (c) line += ',';
        line += Cell(Find(*e, columns[c]));
      }
      for (const auto& path : lists) line += "," + ListCell(*e, path);
      for (const auto* row : cells) {
        for (const std::string& cell : *row) line += "," + cell;
      }
      out << line << "\n";
      ++rows;
    }
    progress.Update(reader.bytes_read(), std::to_string(rows) + " rows");
  }
  FB_RETURN_IF_ERROR(reader.status());
  progress.Finish(std::to_string(rows) + " rows");
  if (!out.flush()) return UnavailableError("cannot write " + Quote(o.out));
  return EventsToCsvSummary{.rows = rows, .unmatched = unmatched};
}

}  // namespace finbrain::ingest
