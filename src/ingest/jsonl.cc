#include "ingest/jsonl.h"

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>

#include "common/progress.h"

namespace finbrain::ingest {

namespace fs = std::filesystem;

StatusOr<std::vector<std::string>> ListEventFiles(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return NotFoundError("'" + path + "' does not exist", "path");
  if (fs::is_regular_file(path, ec)) return std::vector<std::string>{path};
  fs::path dir = path;
  if (fs::is_directory(dir / "events", ec)) dir /= "events";
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".jsonl") {
      files.push_back(entry.path().string());
    }
  }
  if (ec) return UnavailableError("cannot list '" + dir.string() + "': " + ec.message());
  if (files.empty()) return NotFoundError("no .jsonl files in '" + dir.string() + "'", "path");
  std::sort(files.begin(), files.end());
  return files;
}

JsonlReader::JsonlReader(std::vector<std::string> files) : files_(std::move(files)) {
  for (const std::string& f : files_) {
    std::error_code ec;
    const auto size = fs::file_size(f, ec);
    if (!ec) total_bytes_ += size;
  }
}

bool JsonlReader::Next(size_t max_lines, Batch& batch) {
  batch.clear();
  std::string line;
  while (batch.lines.size() < max_lines) {
    if (!current_.is_open()) {
      if (file_index_ >= files_.size()) break;
      current_.open(files_[file_index_]);
      line_number_ = 0;
      if (!current_) {
        status_ = UnavailableError("cannot open '" + files_[file_index_] + "'");
        return false;
      }
    }
    if (!std::getline(current_, line)) {
      current_.close();
      ++file_index_;
      continue;
    }
    ++line_number_;
    bytes_read_ += line.size() + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    batch.positions.push_back(files_[file_index_] + ":" + std::to_string(line_number_));
    batch.lines.push_back(std::move(line));
  }
  return !batch.lines.empty();
}

Status ForEachJsonObject(const std::vector<std::string>& files, const JsonObjectVisitor& visit,
                         const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  for (const std::string& file : files) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) return NotFoundError("cannot read '" + file + "'", "path");
  }
  JsonlReader reader(files);
  JsonlReader::Batch batch;
  while (reader.Next(4096, batch)) {
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      boost::system::error_code ec;
      const boost::json::value v = boost::json::parse(batch.lines[i], ec);
      if (ec || !v.is_object()) {
        return InvalidArgumentError(
            batch.positions[i] + ": not a JSON object" + (ec ? " (" + ec.message() + ")" : ""),
            "path");
      }
      if (Status s = visit(v.get_object(), batch.positions[i]); !s.ok()) {
        return Status(s.code(), batch.positions[i] + ": " + s.message(), s.field());
      }
    }
    if (progress) progress(reader.bytes_read(), reader.total_bytes());
  }
  return reader.status();
}

std::string_view EventTypeOf(std::string_view line) {
  const size_t key = line.find("\"event_type\"");
  if (key == std::string_view::npos) return {};
  const size_t colon = line.find(':', key);
  const size_t open = colon == std::string_view::npos ? colon : line.find('"', colon + 1);
  const size_t close = open == std::string_view::npos ? open : line.find('"', open + 1);
  if (close == std::string_view::npos) return {};
  return line.substr(open + 1, close - open - 1);
}

Status ForEachEvent(const std::vector<std::string>& files, const tenancy::PiiTokenizer& tokenizer,
                    const std::function<bool(std::string_view event_type)>& wanted,
                    const std::function<Status(ValidatedEvent event)>& visit, std::string label) {
  const EventSchema& schema = EventSchema::Get();
  JsonlReader reader(files);
  JsonlReader::Batch batch;
  Progress progress(std::move(label), reader.total_bytes());
  std::uint64_t used = 0;
  while (reader.Next(4096, batch)) {
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      if (wanted && !wanted(EventTypeOf(batch.lines[i]))) continue;
      StatusOr<ValidatedEvent> event = schema.ValidateJson(batch.lines[i], tokenizer);
      if (!event.ok()) {
        return InvalidArgumentError(batch.positions[i] + ": " + event.status().message(),
                                    event.status().field());
      }
      if (Status s = visit(std::move(*event)); !s.ok()) {
        return Status(s.code(), batch.positions[i] + ": " + s.message(), s.field());
      }
      ++used;
    }
    progress.Update(reader.bytes_read(), std::to_string(used) + " events used");
  }
  FB_RETURN_IF_ERROR(reader.status());
  progress.Finish(std::to_string(used) + " events");
  return OkStatus();
}

StatusOr<std::vector<boost::json::object>> ReadJsonObjects(const std::string& path) {
  std::vector<boost::json::object> out;
  FB_RETURN_IF_ERROR(ForEachJsonObject({path}, [&](const boost::json::object& o, std::string_view) {
    out.push_back(o);
    return OkStatus();
  }));
  return out;
}

}  // namespace finbrain::ingest
