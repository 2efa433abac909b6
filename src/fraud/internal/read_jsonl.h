// Parsing every line of a JSONL file into a record, with a progress bar and file:line errors.
// Private to src/fraud (the evaluation harnesses).
#pragma once

#include <string>
#include <vector>

#include "common/progress.h"
#include "common/status.h"
#include "ingest/jsonl.h"

namespace finbrain::fraud::internal {

// `parse` is ParseDeviceReport, ParseSession, ...; errors name the line and the field.
template <typename T, typename Parse>
StatusOr<std::vector<T>> ReadJsonl(const std::string& path, std::string label, Parse parse) {
  ingest::JsonlReader reader({path});
  if (reader.total_bytes() == 0 && !std::ifstream(path)) {
    return NotFoundError("cannot read '" + path + "' (a world written by finbrain simulate)",
                         "world");
  }
  ingest::JsonlReader::Batch batch;
  std::vector<T> out;
  Progress progress(std::move(label), reader.total_bytes());
  while (reader.Next(4096, batch)) {
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      StatusOr<T> item = parse(batch.lines[i]);
      if (!item.ok()) {
        return InvalidArgumentError(
            batch.positions[i] + ": " + item.status().field() + " " + item.status().message(),
            "world");
      }
      out.push_back(std::move(*item));
    }
    progress.Update(reader.bytes_read());
  }
  FB_RETURN_IF_ERROR(reader.status());
  progress.Finish();
  return out;
}

}  // namespace finbrain::fraud::internal
