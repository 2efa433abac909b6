#include "storage/commit_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

namespace finbrain::storage {
namespace {

struct Fixture {
  Fixture() {
    std::random_device rd;
    path = (std::filesystem::temp_directory_path() / ("fb_cq_" + std::to_string(rd()))).string();
    store = std::move(OpenRocksDb({.path = path})).value();
  }
  ~Fixture() {
    store.reset();
    std::filesystem::remove_all(path);
  }
  std::string path;
  std::unique_ptr<KvStore> store;
};

TEST(CommitQueue, SubmissionsWaitingForASyncShareTheNextOne) {
  Fixture f;
  constexpr int kWrites = 2000;
  std::atomic<int> done{0};
  std::promise<void> all_submitted;
  std::shared_future<void> released = all_submitted.get_future().share();
  {
    CommitQueue commits(*f.store);
    for (int i = 0; i < kWrites; ++i) {
      WriteBatch batch;
      batch.Put(Column::kMeta, "k" + std::to_string(i), "v");
      // The first commit is held until everything is queued, so the rest must form one group.
      CommitQueue::Sequencer hold = nullptr;
      if (i == 0) {
        hold = [released](WriteBatch&) {
          released.wait();
          return OkStatus();
        };
      }
      commits.Submit(
          std::move(batch),
          [&](const Status& s) {
            EXPECT_TRUE(s.ok());
            done.fetch_add(1);
          },
          hold);
    }
    all_submitted.set_value();
  }  // the destructor drains the queue
  EXPECT_EQ(done.load(), kWrites);
  EXPECT_LE(f.store->SyncCount(), 2u);  // one or two groups, depending on when the writer woke
  for (int i = 0; i < kWrites; i += 97) {
    EXPECT_TRUE(f.store->Get(Column::kMeta, "k" + std::to_string(i)).value().has_value());
  }
}

// Deadline-bounded polling, for what a background thread does.
bool WaitUntil(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(CommitQueue, ProcessDurabilityAnswersBeforeTheSyncThatFollowsWithinTheInterval) {
  Fixture f;
  // An interval far longer than the test: the answers cannot have waited for it.
  CommitQueue commits(*f.store, {.sync_interval = std::chrono::seconds(60)});
  const std::uint64_t syncs = f.store->SyncCount();
  for (int i = 0; i < 20; ++i) {
    WriteBatch batch;
    batch.Put(Column::kMeta, "p" + std::to_string(i), "v");
    ASSERT_TRUE(commits.SubmitAndWait(std::move(batch), nullptr, Durability::kProcess).ok());
  }
  EXPECT_EQ(f.store->SyncCount(), syncs) << "a process-durable commit waited for a sync";
  EXPECT_EQ(f.store->Get(Column::kMeta, "p19").value(), "v");  // written, readable
  // A synced commit syncs the log, the earlier process-durable writes with it.
  WriteBatch batch;
  batch.Put(Column::kMeta, "s", "v");
  ASSERT_TRUE(commits.SubmitAndWait(std::move(batch)).ok());
  EXPECT_EQ(f.store->SyncCount(), syncs + 1);
  EXPECT_GT(commits.BytesWritten(), 0u);
}

TEST(CommitQueue, ProcessDurableWritesAreSyncedInTheBackgroundAndAtShutdown) {
  Fixture f;
  {
    telemetry::Metrics metrics;
    CommitQueue commits(*f.store,
                        {.sync_interval = std::chrono::milliseconds(2), .metrics = &metrics});
    const std::uint64_t syncs = f.store->SyncCount();
    WriteBatch batch;
    batch.Put(Column::kMeta, "a", "v");
    ASSERT_TRUE(commits.SubmitAndWait(std::move(batch), nullptr, Durability::kProcess).ok());
    EXPECT_TRUE(WaitUntil([&] { return f.store->SyncCount() > syncs; })) << "no background sync";
    EXPECT_EQ(commits.SyncFailures(), 0u);
    // Both latencies are measured: the buffered group write and the background sync.
    const auto samples = [&](prometheus::Histogram& h) {
      return h.Collect().histogram.sample_count;
    };
    EXPECT_EQ(samples(metrics.Histogram("finbrain_storage_group_write_seconds", "",
                                        {{"synced", "false"}})),
              1u);
    EXPECT_TRUE(WaitUntil(
        [&] { return samples(metrics.Histogram("finbrain_storage_wal_sync_seconds", "")) > 0; }));
  }
  // A queue destroyed within the interval still syncs what it wrote.
  const std::uint64_t before = f.store->SyncCount();
  {
    CommitQueue commits(*f.store, {.sync_interval = std::chrono::seconds(60)});
    WriteBatch batch;
    batch.Put(Column::kMeta, "b", "v");
    ASSERT_TRUE(commits.SubmitAndWait(std::move(batch), nullptr, Durability::kProcess).ok());
  }
  EXPECT_EQ(f.store->SyncCount(), before + 1);
}

TEST(CommitQueue, FailedSequencerFailsOnlyItsSubmission) {
  Fixture f;
  CommitQueue commits(*f.store);
  int sequenced = 0;
  WriteBatch good;
  good.Put(Column::kMeta, "good", "1");
  WriteBatch bad;
  bad.Put(Column::kMeta, "bad", "1");
  std::promise<Status> bad_result;
  commits.Submit(
      std::move(bad), [&](const Status& s) { bad_result.set_value(s); },
      [](WriteBatch&) { return FailedPreconditionError("no"); });
  Status ok = commits.SubmitAndWait(std::move(good), [&](WriteBatch& batch) {
    ++sequenced;
    batch.Put(Column::kMeta, "added-by-sequencer", "1");
    return OkStatus();
  });
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(bad_result.get_future().get().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(sequenced, 1);
  EXPECT_FALSE(f.store->Get(Column::kMeta, "bad").value().has_value());
  EXPECT_TRUE(f.store->Get(Column::kMeta, "good").value().has_value());
  EXPECT_TRUE(f.store->Get(Column::kMeta, "added-by-sequencer").value().has_value());
}

TEST(CommitQueue, ListenersSeeEveryGroup) {
  Fixture f;
  std::atomic<int> groups{0};
  CommitQueue commits(*f.store);
  commits.AddGroupListener([&](const Status& s) {
    EXPECT_TRUE(s.ok());
    groups.fetch_add(1);
  });
  for (int i = 0; i < 3; ++i) {
    WriteBatch batch;
    batch.Put(Column::kMeta, "k", std::to_string(i));
    ASSERT_TRUE(commits.SubmitAndWait(std::move(batch)).ok());
  }
  EXPECT_EQ(groups.load(), 3);
  EXPECT_EQ(commits.GroupsCommitted(), 3u);
  EXPECT_EQ(f.store->Get(Column::kMeta, "k").value(), "2");
}

// A completion callback that submits more (the event fan-out does) while the queue is being
// destroyed: that write is committed and completed too, not dropped.
TEST(CommitQueue, DestructionDrainsWhatCallbacksSubmit) {
  Fixture f;
  std::atomic<int> second{0};
  {
    CommitQueue commits(*f.store);
    WriteBatch first;
    first.Put(Column::kMeta, "first", "1");
    commits.Submit(std::move(first), [&commits, &second](const Status&) {
      WriteBatch follow_up;
      follow_up.Put(Column::kMeta, "second", "2");
      commits.Submit(std::move(follow_up), [&second](const Status& s) { second = s.ok() ? 1 : 2; });
    });
  }
  EXPECT_EQ(second.load(), 1);
  EXPECT_EQ(f.store->Get(Column::kMeta, "second").value(), "2");
}

}  // namespace
}  // namespace finbrain::storage
