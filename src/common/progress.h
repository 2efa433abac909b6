// Progress: a one-line progress bar on stderr for long-running CLI work.
//
// Redrawn at most ten times a second, only when stderr is a terminal (logs and CI output stay
// clean); Finish() leaves the final line in place.
//
// Example:
//   Progress progress("import", total_bytes);
//   progress.Update(done_bytes, "52,300 events/s");
//   progress.Finish();
//
// Thread-safety: use from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace finbrain {

class Progress {
 public:
  Progress(std::string label, std::uint64_t total);
  ~Progress();

  void Update(std::uint64_t done, std::string_view detail = {});
  void Finish(std::string_view detail = {});

 private:
  void Draw(std::string_view detail);

  std::string label_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  bool enabled_;
  bool drawn_ = false;
  bool finished_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace finbrain
