#include "server/internal/background_worker.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "common/thread_name.h"
#include "common/thread_priority.h"

namespace finbrain::server {

BackgroundWorker::BackgroundWorker(std::string name)
    : name_(std::move(name)), thread_([this] { Run(); }) {}

BackgroundWorker::~BackgroundWorker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void BackgroundWorker::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void BackgroundWorker::Run() {
  SetThreadName(name_);
  // Seconds-long analyses yield to the millisecond requests of the I/O threads.
  SetBackgroundPriority();
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping and drained
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    try {
      task();
    } catch (const std::exception& e) {
      // Tasks report errors through their responders; this is a last line of defence.
      spdlog::error("{}: task threw: {}", name_, e.what());
    }
  }
}

}  // namespace finbrain::server
