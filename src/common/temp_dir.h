// TempDir: a fresh directory under $TMPDIR, removed with everything in it on destruction.
// For tests and tools.
#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace finbrain {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "finbrain") {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            (prefix + "_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace finbrain
