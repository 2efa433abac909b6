#include "storage/commit_queue.h"

#include <future>

#include "common/thread_name.h"

namespace finbrain::storage {

CommitQueue::CommitQueue(KvStore& store, size_t max_group_bytes)
    : store_(store),
      max_group_bytes_(max_group_bytes),
      writer_([this] {
        SetThreadName("fb-commit");
        Run();
      }),
      completer_([this] {
        SetThreadName("fb-complete");
        Complete();
      }) {}

CommitQueue::~CommitQueue() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  writer_.join();
  {
    std::lock_guard lock(completed_mu_);
    completer_stopping_ = true;
  }
  completed_cv_.notify_all();
  completer_.join();
}

void CommitQueue::Submit(WriteBatch batch, Done done, Sequencer sequencer) {
  {
    std::lock_guard lock(mu_);
    pending_.push_back({std::move(batch), std::move(done), std::move(sequencer)});
  }
  cv_.notify_one();
}

Status CommitQueue::SubmitAndWait(WriteBatch batch, Sequencer sequencer) {
  std::promise<Status> promise;
  std::future<Status> result = promise.get_future();
  Submit(
      std::move(batch), [&promise](const Status& s) { promise.set_value(s); },
      std::move(sequencer));
  return result.get();
}

std::uint64_t CommitQueue::GroupsCommitted() const {
  std::lock_guard lock(mu_);
  return groups_;
}

void CommitQueue::Run() {
  std::vector<Submission> group;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      // Stopping waits for the callbacks too: they may submit more.
      cv_.wait(lock, [this] { return !pending_.empty() || (stopping_ && CompletionsIdle()); });
      if (pending_.empty()) return;  // stopping and drained
      size_t bytes = 0;
      while (!pending_.empty() && (group.empty() || bytes < max_group_bytes_)) {
        bytes += pending_.front().batch.ByteSize();
        group.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    CommitGroup(group);
    group.clear();
  }
}

void CommitQueue::CommitGroup(std::vector<Submission>& group) {
  WriteBatch merged;
  std::vector<Status> results(group.size());
  for (size_t i = 0; i < group.size(); ++i) {
    Submission& submission = group[i];
    if (submission.sequencer) {
      // The sequencer sees only its own batch so that a failure leaves the others untouched.
      results[i] = submission.sequencer(submission.batch);
      if (!results[i].ok()) continue;
    }
    merged.Append(std::move(submission.batch));
  }
  const Status written = store_.Write(merged);
  for (const GroupListener& listener : listeners_) listener(written);
  {
    std::lock_guard lock(mu_);
    ++groups_;
  }
  for (Status& result : results) {
    if (result.ok()) result = written;
  }
  {
    std::lock_guard lock(completed_mu_);
    completed_.push_back({std::move(group), std::move(results)});
  }
  completed_cv_.notify_one();
}

void CommitQueue::Complete() {
  for (;;) {
    Completed completed;
    {
      std::unique_lock lock(completed_mu_);
      completed_cv_.wait(lock, [this] { return completer_stopping_ || !completed_.empty(); });
      if (completed_.empty()) return;  // stopping and drained
      completed = std::move(completed_.front());
      completed_.pop_front();
      completing_ = true;
    }
    for (size_t i = 0; i < completed.group.size(); ++i) {
      if (completed.group[i].done) completed.group[i].done(completed.results[i]);
    }
    {
      std::lock_guard lock(completed_mu_);
      completing_ = false;
    }
    // Only a stopping writer waits for the completions; waking it after every group would cost
    // two context switches per group for nothing. Taking mu_ orders this with the writer's check
    // of CompletionsIdle (no lost wake-up).
    bool stopping;
    {
      std::lock_guard lock(mu_);
      stopping = stopping_;
    }
    if (stopping) cv_.notify_all();
  }
}

bool CommitQueue::CompletionsIdle() {
  std::lock_guard lock(completed_mu_);
  return completed_.empty() && !completing_;
}

}  // namespace finbrain::storage
