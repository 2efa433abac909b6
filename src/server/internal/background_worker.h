// BackgroundWorker: one thread that runs posted tasks in order.
//
// The HTTP server runs one connection loop per I/O thread, so a handler that computes for
// seconds (a graph analysis, an account review) would stall every connection of its thread.
// Such routes run here instead and answer through their responder.
//
// Thread-safety: Post may be called from any thread. The destructor runs what is queued, then
// joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace finbrain::server {

class BackgroundWorker {
 public:
  explicit BackgroundWorker(std::string name);
  ~BackgroundWorker();
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  void Post(std::function<void()> task);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::string name_;
  std::thread thread_;
};

}  // namespace finbrain::server
