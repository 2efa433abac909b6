#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/temp_dir.h"
#include "storage/kv_store.h"

namespace finbrain::storage {
namespace {

std::unique_ptr<KvStore> Open(const TempDir& dir) {
  auto store = OpenRocksDb({.path = dir.path()});
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return std::move(store).value();
}

TEST(RocksDbStore, PutGetDelete) {
  TempDir dir;
  auto store = Open(dir);
  EXPECT_FALSE(store->Get(Column::kLists, "a").value().has_value());
  ASSERT_TRUE(store->Put(Column::kLists, "a", "1").ok());
  EXPECT_EQ(store->Get(Column::kLists, "a").value(), "1");
  EXPECT_FALSE(store->Get(Column::kTenants, "a").value().has_value());  // columns are separate
  ASSERT_TRUE(store->Delete(Column::kLists, "a").ok());
  EXPECT_FALSE(store->Get(Column::kLists, "a").value().has_value());
}

TEST(RocksDbStore, ScanByPrefixInOrderWithStartAfter) {
  TempDir dir;
  auto store = Open(dir);
  WriteBatch batch;
  for (const char* key : {"t1/b", "t1/a", "t1/c", "t2/a", "t0/z"})
    batch.Put(Column::kMeta, key, key);
  ASSERT_TRUE(store->Write(batch).ok());
  std::vector<std::string> seen;
  auto collect = [&](std::string_view key, std::string_view) {
    seen.emplace_back(key);
    return true;
  };
  ASSERT_TRUE(store->Scan(Column::kMeta, "t1/", "", collect).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"t1/a", "t1/b", "t1/c"}));
  seen.clear();
  ASSERT_TRUE(store->Scan(Column::kMeta, "t1/", "t1/a", collect).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"t1/b", "t1/c"}));
  seen.clear();
  ASSERT_TRUE(store
                  ->Scan(Column::kMeta, "t1/", "",
                         [&](std::string_view key, std::string_view) {
                           seen.emplace_back(key);
                           return false;
                         })
                  .ok());
  EXPECT_EQ(seen.size(), 1u);
}

TEST(RocksDbStore, MultiGetFindsPresentKeysInOrder) {
  TempDir dir;
  auto store = Open(dir);
  WriteBatch batch;
  batch.Put(Column::kMeta, "a", "1");
  batch.PutOwned(Column::kMeta, std::string("c"), std::string("3"));
  ASSERT_TRUE(store->Write(batch).ok());
  const std::vector<std::string> keys = {"c", "b", "a", "c"};
  std::vector<std::optional<std::string>> values;
  ASSERT_TRUE(store->MultiGet(Column::kMeta, keys, values).ok());
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(values[0], "3");
  EXPECT_EQ(values[1], std::nullopt);
  EXPECT_EQ(values[2], "1");
  EXPECT_EQ(values[3], "3");
  ASSERT_TRUE(store->MultiGet(Column::kLists, keys, values).ok());
  EXPECT_EQ(values, std::vector<std::optional<std::string>>(4));
}

// Every column of columns.h exists from the first open; a reader beside the server sees a
// column nothing has written yet as empty, and cannot write.
TEST(RocksDbStore, OpensEveryColumnAndReadOnlyStoresReadUnwrittenOnesAsEmpty) {
  TempDir dir;
  {
    auto store = Open(dir);
    ASSERT_TRUE(store->Put(Column::kTenants, "acme", "{}").ok());
  }
  auto store = OpenRocksDb({.path = dir.path(), .read_only = true});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Get(Column::kTenants, "acme").value(), "{}");
  for (size_t i = 0; i < kColumnNames.size(); ++i) {
    EXPECT_TRUE((*store)->Scan(Column(i), "", "", [](auto, auto) { return false; }).ok())
        << kColumnNames[i];
  }
  EXPECT_FALSE((*store)->Put(Column::kTenants, "other", "{}").ok());
}

TEST(RocksDbStore, BatchIsAtomicAcrossColumnsAndSurvivesReopen) {
  TempDir dir;
  {
    auto store = Open(dir);
    WriteBatch batch;
    batch.Put(Column::kLists, "k", "v1");
    batch.Put(Column::kAudit, "k", "v2");
    batch.Delete(Column::kLists, "missing");
    ASSERT_TRUE(store->Write(batch).ok());
    EXPECT_EQ(store->SyncCount(), 1u);
  }
  auto store = Open(dir);
  EXPECT_EQ(store->Get(Column::kLists, "k").value(), "v1");
  EXPECT_EQ(store->Get(Column::kAudit, "k").value(), "v2");
}

TEST(RocksDbStore, HealthReportsMemtablesAndNoStallsOnAnIdleStore) {
  TempDir dir;
  auto store = Open(dir);
  const KvStore::Health empty = store->GetHealth();
  WriteBatch batch;
  for (int i = 0; i < 1000; ++i) batch.Put(Column::kEvents, "e" + std::to_string(i), "payload");
  ASSERT_TRUE(store->Write(batch).ok());
  const KvStore::Health health = store->GetHealth();
  EXPECT_GT(health.memtable_bytes, empty.memtable_bytes);
  EXPECT_GT(health.wal_bytes, empty.wal_bytes + 1000 * 7);
  EXPECT_EQ(health.write_stops, 0u);
  EXPECT_EQ(health.write_slowdowns, 0u);
  EXPECT_FALSE(health.writes_stopped);
}

TEST(RocksDbStore, BufferedWritesAreReadAtOnceAndSurviveReopenWithoutASyncOfTheirOwn) {
  TempDir dir;
  {
    auto store = Open(dir);
    WriteBatch derived;
    derived.Put(Column::kFeatureEntities, "u1", "state-1");
    derived.Put(Column::kConsumers, "checkpoint", "41");
    ASSERT_TRUE(store->WriteBuffered(derived).ok());
    EXPECT_EQ(store->SyncCount(), 0u);
    EXPECT_EQ(store->Get(Column::kFeatureEntities, "u1").value(), "state-1");
    ASSERT_TRUE(store->Put(Column::kEvents, "e42", "payload").ok());  // a synced write after it
    EXPECT_EQ(store->SyncCount(), 1u);
    ASSERT_TRUE(store->WriteBuffered(WriteBatch()).ok());  // nothing to write is fine
  }
  auto store = Open(dir);
  EXPECT_EQ(store->Get(Column::kFeatureEntities, "u1").value(), "state-1");
  EXPECT_EQ(store->Get(Column::kConsumers, "checkpoint").value(), "41");
  EXPECT_EQ(store->Get(Column::kEvents, "e42").value(), "payload");
}

// A crash leaves the files as they are: the live WAL preallocated to its full size with a
// zero-filled tail. A copy taken while the store is open is such an image; every synced write
// must come back from it.
TEST(RocksDbStore, CrashImageWithPreallocatedWalRecoversEverySyncedWrite) {
  TempDir dir;
  const std::string live = dir.path() + "/live", image = dir.path() + "/image";
  auto store = OpenRocksDb({.path = live});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (int i = 0; i < 500; ++i) {
    WriteBatch batch;
    batch.Put(Column::kDecisions, "d" + std::to_string(i), std::string(2000, char('a' + i % 26)));
    batch.Put(Column::kAudit, "a" + std::to_string(i), std::to_string(i));
    ASSERT_TRUE((*store)->Write(batch).ok());
  }
  std::uintmax_t wal_bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(live)) {
    if (entry.path().extension() == ".log") wal_bytes += entry.file_size();
  }
  EXPECT_GT(wal_bytes, 4u << 20) << "the WAL is not preallocated with its size";  // ~1 MB written
  std::filesystem::copy(live, image, std::filesystem::copy_options::recursive);
  store->reset();
  auto recovered = OpenRocksDb({.path = image});
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  for (int i = 0; i < 500; ++i) {
    ASSERT_EQ((*recovered)->Get(Column::kDecisions, "d" + std::to_string(i)).value(),
              std::string(2000, char('a' + i % 26)))
        << i;
    ASSERT_EQ((*recovered)->Get(Column::kAudit, "a" + std::to_string(i)).value(),
              std::to_string(i));
  }
  ASSERT_TRUE((*recovered)->Put(Column::kDecisions, "after", "x").ok());  // and it takes new writes
}

TEST(RocksDbStore, SecondOpenOfHeldDirectoryIsUnavailable) {
  TempDir dir;
  auto store = Open(dir);
  auto second = OpenRocksDb({.path = dir.path()});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
}

}  // namespace
}  // namespace finbrain::storage
