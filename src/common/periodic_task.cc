#include "common/periodic_task.h"

#include "common/thread_name.h"
#include "common/thread_priority.h"

namespace finbrain {

PeriodicTask::PeriodicTask(std::string thread_name, std::chrono::milliseconds interval,
                           std::function<void()> task) {
  thread_ = std::thread([this, name = std::move(thread_name), interval, task = std::move(task)] {
    SetThreadName(name);
    SetBackgroundPriority();  // periodic flushes: nothing waits on them
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
      lock.unlock();
      task();
      lock.lock();
    }
  });
}

PeriodicTask::~PeriodicTask() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

}  // namespace finbrain
