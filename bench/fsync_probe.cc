// The floor a synced commit cannot go below on this disk: appends 4 KiB to a file in --dir and
// calls fdatasync, every --interval-ms, for --seconds; prints one JSON line with the latency
// percentiles of the fdatasync calls. bench/decisions.sh runs it in the data directory while
// decisions run, so that `sync` durability is compared with its own disk at the same moment.
//
//   fsync_probe --dir data --seconds 15 --interval-ms 5
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  std::string dir = ".";
  double seconds = 10, interval_ms = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--dir") {
      dir = value;
    } else if (flag == "--seconds") {
      seconds = std::stod(value);
    } else if (flag == "--interval-ms") {
      interval_ms = std::stod(value);
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  const std::string path = dir + "/fsync_probe.tmp";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::perror(path.c_str());
    return 1;
  }
  using Clock = std::chrono::steady_clock;
  const std::vector<char> block(4096, 'x');
  std::vector<double> ms;
  const auto start = Clock::now();
  const auto stop = start + std::chrono::microseconds(static_cast<long long>(seconds * 1e6));
  const auto interval = std::chrono::microseconds(static_cast<long long>(interval_ms * 1000));
  int failures = 0;
  for (auto next = start; next < stop; next += interval) {
    std::this_thread::sleep_until(next);
    const auto t = Clock::now();
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) ||
        ::fdatasync(fd) != 0) {
      ++failures;
      continue;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
  }
  ::close(fd);
  ::unlink(path.c_str());
  if (ms.empty()) {
    std::cerr << "no fdatasync succeeded in " << dir << "\n";
    return 1;
  }
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double p) { return ms[std::min(ms.size() - 1, size_t(p * ms.size()))]; };
  std::printf(
      "{\"path\":\"fsync_probe\",\"count\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,"
      "\"max_ms\":%.3f,\"errors\":%d}\n",
      ms.size(), at(0.5), at(0.99), at(0.999), ms.back(), failures);
  return 0;
}
