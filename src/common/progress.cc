#include "common/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace finbrain {

Progress::Progress(std::string label, std::uint64_t total)
    : label_(std::move(label)), total_(total), enabled_(::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { Finish(); }

void Progress::Update(std::uint64_t done, std::string_view detail) {
  done_ = done;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(detail);
}

void Progress::Finish(std::string_view detail) {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  done_ = total_;
  Draw(detail);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

void Progress::Draw(std::string_view detail) {
  constexpr int kWidth = 30;
  const double fraction =
      total_ == 0 ? 1.0 : std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  std::fprintf(stderr, "\r%s [%s] %3d%% %.*s\033[K", label_.c_str(), bar.c_str(),
               static_cast<int>(fraction * 100), static_cast<int>(detail.size()), detail.data());
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace finbrain
