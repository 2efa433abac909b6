// Reading JSON Lines files (one event or record per line): raw lines in batches with file:line
// positions kept for error reports (JsonlReader, for bulk work such as imports), or each line
// parsed as a JSON object (ForEachJsonObject, for everything else). The one place in FinBrain
// that reads JSONL.
//
// Example:
//   FB_ASSIGN_OR_RETURN(std::vector<std::string> files, ListEventFiles("world/"));
//   JsonlReader reader(files);
//   JsonlReader::Batch batch;
//   while (reader.Next(2000, batch)) { ... batch.lines[i], batch.positions[i] ... }
//
//   FB_RETURN_IF_ERROR(ForEachJsonObject({"world/truth/users.jsonl"},
//       [&](const boost::json::object& user, std::string_view position) { ...; return OkStatus();
//       }));
//
// Thread-safety: a reader is used from one thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingest/event_schema.h"
#include "tenancy/pii.h"

namespace finbrain::ingest {

// The event files under `path`: the file itself, or the *.jsonl files of the directory
// (`<dir>/events/` when that exists, as the simulator writes it), sorted by name.
StatusOr<std::vector<std::string>> ListEventFiles(const std::string& path);

class JsonlReader {
 public:
  explicit JsonlReader(std::vector<std::string> files);

  struct Batch {
    std::vector<std::string> lines;      // non-empty lines
    std::vector<std::string> positions;  // "file:line" of each
    void clear() {
      lines.clear();
      positions.clear();
    }
  };

  // Fills `batch` with up to `max_lines` lines; false when everything has been read.
  // kUnavailable for a file that cannot be opened is reported through status().
  bool Next(size_t max_lines, Batch& batch);
  const Status& status() const { return status_; }

  std::uint64_t total_bytes() const { return total_bytes_; }
  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  std::vector<std::string> files_;
  size_t file_index_ = 0;
  std::ifstream current_;
  std::uint64_t line_number_ = 0;
  std::uint64_t total_bytes_ = 0;
  std::uint64_t bytes_read_ = 0;
  Status status_;
};

// Calls `visit` with each non-blank line of `files`, parsed as a JSON object, and its "file:line"
// position. A line that is not a JSON object is kInvalidArgument naming its position; an error
// `visit` returns stops the reading and is returned with the position prefixed. A missing file
// is kNotFound naming it. `progress`, when given, is called with bytes read and total.
using JsonObjectVisitor =
    std::function<Status(const boost::json::object& object, std::string_view position)>;
Status ForEachJsonObject(const std::vector<std::string>& files, const JsonObjectVisitor& visit,
                         const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});
// Every object of one JSONL file (small files: labels, truth files, test output).
StatusOr<std::vector<boost::json::object>> ReadJsonObjects(const std::string& path);

// The event type of an event's JSON line, read without parsing it (empty when there is none):
// a cheap filter before validating.
std::string_view EventTypeOf(std::string_view line);

// Validates each event of `files` whose type `wanted` accepts (every event when `wanted` is
// empty), tokenizing its PII with `tokenizer`, and passes it to `visit`, with a progress bar
// labelled `label`. An invalid event, or an error `visit` returns, stops the reading and is
// returned naming the event's file:line.
Status ForEachEvent(const std::vector<std::string>& files, const tenancy::PiiTokenizer& tokenizer,
                    const std::function<bool(std::string_view event_type)>& wanted,
                    const std::function<Status(ValidatedEvent event)>& visit,
                    std::string label = "events");

}  // namespace finbrain::ingest
