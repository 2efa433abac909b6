// PeriodicTask: runs a function every `interval` on a thread of its own until destroyed.
//
// Example:
//   PeriodicTask flush("fb-flush", std::chrono::seconds(10), [&] { registry.Flush(); });
//
// The thread runs at background priority (common/thread_priority.h). The destructor wakes the
// thread, waits for a run in progress and joins; it does not run the task once more (a caller
// that needs a final run makes it after the destructor).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace finbrain {

class PeriodicTask {
 public:
  PeriodicTask(std::string thread_name, std::chrono::milliseconds interval,
               std::function<void()> task);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace finbrain
