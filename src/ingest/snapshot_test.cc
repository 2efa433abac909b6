#include "ingest/snapshot.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "common/temp_dir.h"
#include "ingest/in_memory_consumer.h"

namespace finbrain::ingest {
namespace {

TEST(SnapshotEncodingTest, RoundTripsEveryKind) {
  SnapshotEncoder out;
  out.U8(7);
  out.U32(0xDEADBEEF);
  out.U64(1ULL << 40);
  out.I64(-5);
  out.F64(0.25);
  out.Str("设备 d1");
  out.Pods(std::vector<std::uint32_t>{3, 1, 4});
  SnapshotDecoder in(out.bytes());
  EXPECT_EQ(in.U8(), 7);
  EXPECT_EQ(in.U32(), 0xDEADBEEF);
  EXPECT_EQ(in.U64(), 1ULL << 40);
  EXPECT_EQ(in.I64(), -5);
  EXPECT_EQ(in.F64(), 0.25);
  EXPECT_EQ(in.Str(), "设备 d1");
  std::vector<std::uint32_t> pods;
  in.Pods(pods);
  EXPECT_EQ(pods, (std::vector<std::uint32_t>{3, 1, 4}));
  EXPECT_TRUE(in.done());
}

TEST(SnapshotEncodingTest, ReadingPastTheEndIsReportedNotACrash) {
  SnapshotEncoder out;
  out.Str("abc");
  const std::string cut = out.bytes().substr(0, 5);
  SnapshotDecoder in(cut);
  EXPECT_EQ(in.Str(), "");
  EXPECT_FALSE(in.ok());
  EXPECT_EQ(in.U64(), 0u);
  EXPECT_FALSE(in.done());
}

TEST(SnapshotEncodingTest, ACountLargerThanTheBytesLeftAllocatesNothing) {
  SnapshotEncoder out;
  out.U64(1ULL << 50);  // a corrupt length
  out.U32(1);
  SnapshotDecoder in(out.bytes());
  std::vector<std::uint64_t> items;
  in.Pods(items);
  EXPECT_TRUE(items.empty());
  EXPECT_FALSE(in.ok());
}

TEST(SnapshotFileTest, WritesReadsAndReplaces) {
  TempDir dir;
  const std::string snapshots = dir.path() + "/snapshots";
  EXPECT_FALSE(ReadSnapshotFile(snapshots, "graph").value().has_value());
  const std::string body(100'000, 'x');
  ASSERT_TRUE(WriteSnapshotFile(snapshots, "graph", "graph/1", 42, body, nullptr).ok());
  auto file = ReadSnapshotFile(snapshots, "graph").value();
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->format, "graph/1");
  EXPECT_EQ(file->seq, 42u);
  EXPECT_EQ(file->body, body);
  // Compressed, and nothing left beside it.
  EXPECT_LT(std::filesystem::file_size(snapshots + "/graph.snap"), 1000u);
  ASSERT_TRUE(WriteSnapshotFile(snapshots, "graph", "graph/1", 43, "new", nullptr).ok());
  EXPECT_EQ(ReadSnapshotFile(snapshots, "graph").value()->body, "new");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(snapshots), {}), 1);
}

TEST(SnapshotFileTest, ADamagedFileIsDataLoss) {
  TempDir dir;
  ASSERT_TRUE(
      WriteSnapshotFile(dir.path(), "devices", "devices/1", 9, std::string(5000, 'y'), nullptr)
          .ok());
  const std::string path = dir.path() + "/devices.snap";
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (const std::string& damaged : {bytes.substr(0, bytes.size() - 3),
                                     [&] {
                                       std::string flipped = bytes;
                                       flipped[flipped.size() - 6] ^= 0x40;
                                       return flipped;
                                     }(),
                                     std::string("not a snapshot")}) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << damaged;
    auto read = ReadSnapshotFile(dir.path(), "devices");
    EXPECT_EQ(read.status().code(), StatusCode::kDataLoss) << read.status().ToString();
  }
}

// Counts events per tenant: the smallest state a snapshot can hold.
class Counter : public InMemoryConsumer {
 public:
  explicit Counter(std::string format = "counter/1") : format_(std::move(format)) {}
  ~Counter() override { StopSnapshots(); }
  std::string_view name() const override { return "counter"; }
  std::map<std::string, std::uint64_t> counts() const {
    std::lock_guard lock(mu_);
    return counts_;
  }

 private:
  void Apply(std::string_view tenant, const ValidatedEvent&) override {
    std::lock_guard lock(mu_);
    ++counts_[std::string(tenant)];
  }
  std::string SnapshotFormat() const override { return format_; }
  void Save(SnapshotEncoder& out) const override {
    std::lock_guard lock(mu_);
    out.U64(counts_.size());
    for (const auto& [tenant, count] : counts_) {
      out.Str(tenant);
      out.U64(count);
    }
  }
  Status Load(SnapshotDecoder& in) override {
    std::map<std::string, std::uint64_t> counts;
    for (std::uint64_t i = 0, n = in.Count(12); i < n; ++i) {
      std::string tenant = in.Str();
      counts[tenant] = in.U64();
    }
    if (!in.done()) return DataLossError("counter snapshot: truncated");
    std::lock_guard lock(mu_);
    counts_ = std::move(counts);
    return OkStatus();
  }

  const std::string format_;
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> counts_;
};

void Feed(Counter& c, std::uint64_t from, std::uint64_t to, std::string_view tenant = "acme") {
  for (std::uint64_t seq = from; seq <= to; ++seq) c.Consume(seq, tenant, ValidatedEvent{});
}

TEST(InMemoryConsumerTest, RestoresTheSnapshotAndItsLogPosition) {
  TempDir dir;
  {
    Counter c;
    ASSERT_TRUE(c.EnableSnapshots({.dir = dir.path()}, 0).ok());
    EXPECT_EQ(c.checkpoint(), 0u);
    Feed(c, 1, 5);
    Feed(c, 6, 7, "beta");
    ASSERT_TRUE(c.Persist().ok());
    EXPECT_EQ(c.snapshot_seq(), 7u);
  }
  Counter c;
  ASSERT_TRUE(c.EnableSnapshots({.dir = dir.path()}, 10).ok());
  EXPECT_EQ(c.checkpoint(), 7u);  // the log after 7 is replayed into it
  EXPECT_EQ(c.counts(), (std::map<std::string, std::uint64_t>{{"acme", 5}, {"beta", 2}}));
}

TEST(InMemoryConsumerTest, ASnapshotItCannotUseMeansAFullReplay) {
  TempDir dir;
  {
    Counter c;
    ASSERT_TRUE(c.EnableSnapshots({.dir = dir.path()}, 0).ok());
    Feed(c, 1, 5);
    ASSERT_TRUE(c.Persist().ok());
  }
  {
    Counter other_format("counter/2");
    ASSERT_TRUE(other_format.EnableSnapshots({.dir = dir.path()}, 5).ok());
    EXPECT_EQ(other_format.checkpoint(), 0u);
    EXPECT_TRUE(other_format.counts().empty());
  }
  {
    // The log lost its tail after the snapshot (power loss in process durability).
    Counter ahead;
    ASSERT_TRUE(ahead.EnableSnapshots({.dir = dir.path()}, 3).ok());
    EXPECT_EQ(ahead.checkpoint(), 0u);
    EXPECT_TRUE(ahead.counts().empty());
  }
  std::ofstream(dir.path() + "/counter.snap", std::ios::trunc) << "garbage";
  Counter damaged;
  ASSERT_TRUE(damaged.EnableSnapshots({.dir = dir.path()}, 5).ok());
  EXPECT_EQ(damaged.checkpoint(), 0u);
}

TEST(InMemoryConsumerTest, WritesASnapshotEveryNEventsOnItsOwnThread) {
  TempDir dir;
  Counter c;
  ASSERT_TRUE(c.EnableSnapshots({.dir = dir.path(), .every = 100}, 0).ok());
  Feed(c, 1, 99);
  c.PersistSoon();  // fewer than `every` since the last: nothing to do
  Feed(c, 100, 150);
  c.PersistSoon();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (c.snapshot_seq() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(c.snapshot_seq(), 150u);
  auto file = ReadSnapshotFile(dir.path(), "counter").value();
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->seq, 150u);
  EXPECT_EQ(file->body, c.StateBytes());
}

}  // namespace
}  // namespace finbrain::ingest
