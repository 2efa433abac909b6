// JSON Lines output for the simulator: a small line builder and one buffered file per stream.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/json_text.h"
#include "common/status.h"

namespace finbrain::sim {

// Builds one JSON object, field by field, without a DOM (the simulator writes millions).
class JsonLine {
 public:
  JsonLine& Str(std::string_view key, std::string_view value);
  JsonLine& Int(std::string_view key, long long value);
  JsonLine& Num(std::string_view key, double value);   // 2 decimals
  JsonLine& Real(std::string_view key, double value);  // 6 significant digits
  JsonLine& Bool(std::string_view key, bool value);
  JsonLine& Time(std::string_view key, TimeMicros value);
  JsonLine& Raw(std::string_view key, std::string_view json);  // an already-built value
  std::string Done();                                          // the object, without newline

 private:
  void Key(std::string_view key);
  std::string text_ = "{";
};

// Buffered writers for events/<type>.jsonl and truth/<name>.jsonl, with line counts.
class Output {
 public:
  explicit Output(std::string dir) : dir_(std::move(dir)) {}
  ~Output();
  Status Open();
  void Event(std::string_view type, const std::string& line);
  void Truth(std::string_view name, const std::string& line);
  Status Close();

  const std::map<std::string, std::uint64_t, std::less<>>& event_counts() const {
    return event_counts_;
  }
  const std::map<std::string, std::uint64_t, std::less<>>& truth_counts() const {
    return truth_counts_;
  }

 private:
  struct File {
    std::FILE* handle = nullptr;
    std::string buffer;
  };
  using Files = std::map<std::string, File, std::less<>>;
  using Counts = std::map<std::string, std::uint64_t, std::less<>>;
  void Write(Files& files, std::string_view subdir, std::string_view name, Counts& counts,
             const std::string& line);

  std::string dir_;
  Files event_files_, truth_files_;
  Counts event_counts_, truth_counts_;
  Status error_;
};

}  // namespace finbrain::sim
