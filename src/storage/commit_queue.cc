#include "storage/commit_queue.h"

#include <future>

#include "common/thread_name.h"

namespace finbrain::storage {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

prometheus::Histogram* GroupWriteSeconds(telemetry::Metrics* metrics, std::string_view synced) {
  if (metrics == nullptr) return nullptr;
  return &metrics->Histogram("finbrain_storage_group_write_seconds",
                             "Time to write one commit group to the log (synced: with its fsync)",
                             {{"synced", synced}});
}

}  // namespace

CommitQueue::CommitQueue(KvStore& store, Options options)
    : store_(store),
      options_(options),
      synced_write_seconds_(GroupWriteSeconds(options.metrics, "true")),
      buffered_write_seconds_(GroupWriteSeconds(options.metrics, "false")),
      background_sync_seconds_(
          options.metrics == nullptr
              ? nullptr
              : &options.metrics->Histogram(
                    "finbrain_storage_wal_sync_seconds",
                    "Time of one background fsync of the log (process durability)")),
      writer_([this] {
        SetThreadName("fb-commit");
        Run();
      }),
      completer_([this] {
        SetThreadName("fb-complete");
        Complete();
      }),
      syncer_([this] {
        SetThreadName("fb-wal-sync");
        SyncPeriodically();
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
  // Last: what the drained groups wrote unsynced is synced before the queue is gone.
  {
    std::lock_guard lock(sync_mu_);
    syncer_stopping_ = true;
  }
  sync_cv_.notify_all();
  syncer_.join();
}

void CommitQueue::Submit(WriteBatch batch, Done done, Sequencer sequencer, Durability durability) {
  {
    std::lock_guard lock(mu_);
    pending_.push_back({std::move(batch), std::move(done), std::move(sequencer), durability});
  }
  cv_.notify_one();
}

Status CommitQueue::SubmitAndWait(WriteBatch batch, Sequencer sequencer, Durability durability) {
  std::promise<Status> promise;
  std::future<Status> result = promise.get_future();
  Submit(
      std::move(batch), [&promise](const Status& s) { promise.set_value(s); }, std::move(sequencer),
      durability);
  return result.get();
}

std::uint64_t CommitQueue::GroupsCommitted() const {
  std::lock_guard lock(mu_);
  return groups_;
}

std::uint64_t CommitQueue::BytesWritten() const {
  std::lock_guard lock(mu_);
  return bytes_written_;
}

std::uint64_t CommitQueue::SyncFailures() const {
  std::lock_guard lock(sync_mu_);
  return sync_failures_;
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
      while (!pending_.empty() && (group.empty() || bytes < options_.max_group_bytes)) {
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
  bool sync = false;
  for (size_t i = 0; i < group.size(); ++i) {
    Submission& submission = group[i];
    if (submission.sequencer) {
      // The sequencer sees only its own batch so that a failure leaves the others untouched.
      results[i] = submission.sequencer(submission.batch);
      if (!results[i].ok()) continue;
    }
    sync = sync || submission.durability == Durability::kSync;
    merged.Append(std::move(submission.batch));
  }
  const size_t bytes = merged.ByteSize();
  const auto write_start = std::chrono::steady_clock::now();
  const Status written = sync ? store_.Write(merged) : store_.WriteBuffered(merged);
  if (prometheus::Histogram* h = sync ? synced_write_seconds_ : buffered_write_seconds_) {
    h->Observe(SecondsSince(write_start));
  }
  if (written.ok() && bytes > 0) {
    std::lock_guard lock(sync_mu_);
    if (sync) {
      unsynced_since_.reset();  // a synced write syncs the log up to and including itself
    } else if (!unsynced_since_) {
      unsynced_since_ = std::chrono::steady_clock::now();
      sync_cv_.notify_one();
    }
  }
  for (const GroupListener& listener : listeners_) listener(written);
  {
    std::lock_guard lock(mu_);
    ++groups_;
    if (written.ok()) bytes_written_ += bytes;
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

void CommitQueue::SyncPeriodically() {
  std::unique_lock lock(sync_mu_);
  for (;;) {
    sync_cv_.wait(lock, [this] { return unsynced_since_ || syncer_stopping_; });
    if (!unsynced_since_) return;  // stopping, nothing to sync
    // Wait out the interval (a synced group may make the sync unnecessary meanwhile); stopping
    // syncs at once.
    sync_cv_.wait_until(lock, *unsynced_since_ + options_.sync_interval,
                        [this] { return !unsynced_since_ || syncer_stopping_; });
    if (!unsynced_since_) continue;
    unsynced_since_.reset();  // what is written from now on waits for the next sync
    lock.unlock();
    const auto sync_start = std::chrono::steady_clock::now();
    const Status synced = store_.SyncWal();
    if (background_sync_seconds_ != nullptr) {
      background_sync_seconds_->Observe(SecondsSince(sync_start));
    }
    lock.lock();
    if (!synced.ok()) {
      ++sync_failures_;
      if (syncer_stopping_) return;  // nothing left to retry with; the count says so
      if (!unsynced_since_) unsynced_since_ = std::chrono::steady_clock::now();
    }
  }
}

bool CommitQueue::CompletionsIdle() {
  std::lock_guard lock(completed_mu_);
  return completed_.empty() && !completing_;
}

}  // namespace finbrain::storage
