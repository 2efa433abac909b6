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

}  // namespace

StatusOr<EventsToCsvSummary> EventsToCsv(const EventsToCsvOptions& o) {
  if (o.join.empty() != o.on.empty() || (!o.join.empty() && o.take.empty())) {
    return InvalidArgumentError("--join needs --on KEY and --take COLUMN[,COLUMN...]", "join");
  }
  // Labels by join key.
  std::unordered_map<std::string, std::vector<std::string>> labels;
  if (!o.join.empty()) {
    Status joined =
        ForEachJsonObject({o.join}, [&](const json::object& label, std::string_view) -> Status {
          if (!label.contains(o.on)) return InvalidArgumentError("no " + Quote(o.on));
          std::vector<std::string>& row = labels[Cell(&label.at(o.on))];
          for (const std::string& c : o.take) row.push_back(Cell(Find(label, c)));
          return OkStatus();
        });
    if (!joined.ok()) return Status(joined.code(), joined.message(), "join");
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
        for (const std::string& c : o.take) header += "," + CsvField(c);
        out << header << "\n";
      } else if (t->get_string() != type) {
        return InvalidArgumentError(batch.positions[i] + ": event type " +
                                        Quote(std::string(t->get_string())) +
                                        " differs from the first line's " + Quote(type),
                                    "events");
      }
      const std::vector<std::string>* label = nullptr;
      if (!o.join.empty()) {
        auto it = labels.find(Cell(Find(*e, o.on)));
        if (it == labels.end()) {
          ++unmatched;  // no outcome (e.g. never funded): not a training row
          continue;
        }
        label = &it->second;
      }
      std::string line;
      for (size_t c = 0; c < columns.size(); ++c) {
        if (c) line += ',';
        line += Cell(Find(*e, columns[c]));
      }
      for (const auto& path : lists) line += "," + ListCell(*e, path);
      if (label) {
        for (const std::string& cell : *label) line += "," + cell;
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
