#include "common/periodic_task.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "common/thread_priority.h"

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
  task.reset();  // joins the task's thread: nothing runs after it returns
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

TEST(PeriodicTaskTest, RunsAtBackgroundPriorityAndLeavesTheCallersAlone) {
  const int caller_nice = ThreadNiceValue();
  std::atomic<int> task_nice{-100};
  {
    PeriodicTask task("fb-test", std::chrono::milliseconds(1),
                      [&] { task_nice = ThreadNiceValue(); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (task_nice == -100 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  EXPECT_GE(task_nice.load(), 10);
  EXPECT_EQ(ThreadNiceValue(), caller_nice);
  // A thread already below background priority (nice 19) is not raised back to 10.
  int nice_after = 0;
  std::thread([&] {
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
    SetBackgroundPriority();
    nice_after = ThreadNiceValue();
  }).join();
  EXPECT_EQ(nice_after, 19);
}

}  // namespace
}  // namespace finbrain
