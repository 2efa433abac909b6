#include "common/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>

namespace finbrain {
namespace {

TEST(PeriodicTaskTest, RunsEveryIntervalUntilDestroyed) {
  std::atomic<int> runs{0};
  auto task =
      std::make_unique<PeriodicTask>("fb-test", std::chrono::milliseconds(5), [&] { ++runs; });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (runs < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GE(runs.load(), 3);
  task.reset();
  const int after_stop = runs.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(runs.load(), after_stop);
}

TEST(PeriodicTaskTest, StopsWithoutWaitingForTheInterval) {
  std::atomic<int> runs{0};
  const auto start = std::chrono::steady_clock::now();
  {
    PeriodicTask task("fb-test", std::chrono::hours(1), [&] { ++runs; });
  }
  EXPECT_EQ(runs.load(), 0);  // the first run is one interval after the start
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::minutes(1));
}

}  // namespace
}  // namespace finbrain
