#include "sim/internal/output.h"

#include <cmath>
#include <cstring>

#include "common/strings.h"

namespace finbrain::sim {

void JsonLine::Key(std::string_view key) {
  if (text_.size() > 1) text_ += ',';
  AppendJsonString(text_, key);
  text_ += ':';
}

JsonLine& JsonLine::Str(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(text_, value);
  return *this;
}

JsonLine& JsonLine::Int(std::string_view key, long long value) {
  Key(key);
  text_ += std::to_string(value);
  return *this;
}

JsonLine& JsonLine::Num(std::string_view key, double value) {
  Key(key);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", std::round(value * 100) / 100);
  text_ += buf;
  return *this;
}

JsonLine& JsonLine::Real(std::string_view key, double value) {
  Key(key);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  text_ += FormatNumber(std::strtod(buf, nullptr));  // six digits, never an exponent
  return *this;
}

JsonLine& JsonLine::Bool(std::string_view key, bool value) {
  Key(key);
  text_ += value ? "true" : "false";
  return *this;
}

JsonLine& JsonLine::Time(std::string_view key, TimeMicros value) {
  // Whole seconds keep the files small and the text stable.
  return Str(key, FormatRfc3339(value - value % kMicrosPerSecond));
}

JsonLine& JsonLine::Raw(std::string_view key, std::string_view json) {
  Key(key);
  text_ += json;
  return *this;
}

std::string JsonLine::Done() {
  text_ += '}';
  return std::move(text_);
}

Output::~Output() {
  Status s = Close();
  s.IgnoreError();
}

Status Output::Open() { return OkStatus(); }

void Output::Write(Files& files, std::string_view subdir, std::string_view name, Counts& counts,
                   const std::string& line) {
  auto it = files.find(name);
  if (it == files.end()) {
    const std::string path = dir_ + "/" + std::string(subdir) + "/" + std::string(name) + ".jsonl";
    File f;
    f.handle = std::fopen(path.c_str(), "wb");
    if (f.handle == nullptr && error_.ok()) {
      error_ = UnavailableError("cannot write " + path + ": " + std::strerror(errno));
    }
    it = files.emplace(std::string(name), std::move(f)).first;
    counts.emplace(std::string(name), 0);
  }
  File& f = it->second;
  f.buffer += line;
  f.buffer += '\n';
  if (f.buffer.size() > (1 << 20)) {
    if (f.handle != nullptr) std::fwrite(f.buffer.data(), 1, f.buffer.size(), f.handle);
    f.buffer.clear();
  }
  ++counts.find(name)->second;
}

void Output::Event(std::string_view type, const std::string& line) {
  Write(event_files_, "events", type, event_counts_, line);
}

void Output::Truth(std::string_view name, const std::string& line) {
  Write(truth_files_, "truth", name, truth_counts_, line);
}

Status Output::Close() {
  for (Files* files : {&event_files_, &truth_files_}) {
    for (auto& [name, f] : *files) {
      if (f.handle == nullptr) continue;
      if (!f.buffer.empty()) std::fwrite(f.buffer.data(), 1, f.buffer.size(), f.handle);
      if (std::fclose(f.handle) != 0 && error_.ok())
        error_ = UnavailableError("cannot write " + name);
      f.handle = nullptr;
      f.buffer.clear();
    }
  }
  return error_;
}

}  // namespace finbrain::sim
