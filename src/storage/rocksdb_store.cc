// The embedded backend: one RocksDB instance, one column family per KvStore column.
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/rate_limiter.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <filesystem>
#include <map>

#include "storage/kv_store.h"

namespace finbrain::storage {
namespace {

// A count RocksDB reports as text ("12" or "12.000000"); 0 when absent or unreadable.
std::uint64_t ParseCount(const std::string& text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && value > 0 ? static_cast<std::uint64_t>(value) : 0;
}

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return OkStatus();
  std::string message = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return NotFoundError(std::move(message));
  if (s.IsCorruption()) return DataLossError(std::move(message));
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return UnavailableError(std::move(message));
  return InternalError(std::move(message));
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Every decision waits on a WAL fdatasync. RocksDB preallocates WAL space with
// FALLOC_FL_KEEP_SIZE, so each append still grows the file and each sync also writes the inode;
// preallocating the size too leaves the sync only the data to write (measured here, 3 KB
// append + fdatasync: 245 -> 192 µs wall, 80 -> 67 µs of system CPU). RocksDB's recovery reads a
// zero-filled tail as the end of the log, and a cleanly closed log is trimmed to its contents.
class SizedWalFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  using FileSystemWrapper::FileSystemWrapper;
  static const char* kClassName() { return "FinBrainSizedWal"; }
  const char* Name() const override { return kClassName(); }
  rocksdb::FileOptions OptimizeForLogWrite(const rocksdb::FileOptions& file_options,
                                           const rocksdb::DBOptions& db_options) const override {
    rocksdb::FileOptions optimized =
        FileSystemWrapper::OptimizeForLogWrite(file_options, db_options);
    optimized.fallocate_with_keep_size = false;
    return optimized;
  }
};

class RocksDbStore final : public KvStore {
 public:
  // `handles` are every column family opened, the columns of columns.h among them (a read-only
  // store may lack those never written).
  RocksDbStore(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles, bool sync,
               std::unique_ptr<rocksdb::Env> env)
      : env_(std::move(env)), db_(db), handles_(std::move(handles)) {
    write_options_.sync = sync;
    columns_.fill(nullptr);
    for (auto* handle : handles_) {
      for (size_t i = 0; i < kColumnNames.size(); ++i) {
        if (handle->GetName() == kColumnNames[i]) columns_[i] = handle;
      }
    }
  }

  ~RocksDbStore() override {
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
    delete db_;
  }

  StatusOr<std::optional<std::string>> Get(Column column, std::string_view key) const override {
    rocksdb::ColumnFamilyHandle* handle = FindColumn(column);
    if (handle == nullptr) return std::optional<std::string>();
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle, ToSlice(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    FB_RETURN_IF_ERROR(FromRocks(s, "read"));
    return std::optional<std::string>(std::move(value));
  }

  Status MultiGet(Column column, std::span<const std::string> keys,
                  std::vector<std::optional<std::string>>& values) const override {
    values.assign(keys.size(), std::nullopt);
    rocksdb::ColumnFamilyHandle* handle = FindColumn(column);
    if (handle == nullptr || keys.empty()) return OkStatus();
    std::vector<rocksdb::Slice> slices;
    slices.reserve(keys.size());
    for (const std::string& key : keys) slices.push_back(ToSlice(key));
    std::vector<rocksdb::PinnableSlice> found(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->MultiGet(rocksdb::ReadOptions(), handle, keys.size(), slices.data(), found.data(),
                  statuses.data());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      FB_RETURN_IF_ERROR(FromRocks(statuses[i], "read"));
      values[i] = found[i].ToString();
    }
    return OkStatus();
  }

  Status Write(const WriteBatch& batch) override {
    FB_RETURN_IF_ERROR(Apply(batch, write_options_));
    if (write_options_.sync) syncs_.fetch_add(1, std::memory_order_relaxed);
    return OkStatus();
  }

  Status WriteBuffered(const WriteBatch& batch) override {
    rocksdb::WriteOptions buffered = write_options_;
    buffered.sync = false;
    return Apply(batch, buffered);
  }

  Status Scan(Column column, std::string_view prefix, std::string_view start_after,
              const Visitor& visit) const override {
    rocksdb::ColumnFamilyHandle* handle = FindColumn(column);
    if (handle == nullptr) return OkStatus();
    rocksdb::ReadOptions read_options;
    read_options.prefix_same_as_start = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, handle));
    if (start_after.empty() || start_after < prefix) {
      it->Seek(ToSlice(prefix));
    } else {
      it->Seek(ToSlice(start_after));
      if (it->Valid() && it->key() == ToSlice(start_after)) it->Next();
    }
    for (; it->Valid(); it->Next()) {
      const rocksdb::Slice key = it->key();
      if (!key.starts_with(ToSlice(prefix))) break;
      const rocksdb::Slice value = it->value();
      if (!visit(std::string_view(key.data(), key.size()),
                 std::string_view(value.data(), value.size()))) {
        break;
      }
    }
    return FromRocks(it->status(), "scan");
  }

  Status SyncWal() override {
    FB_RETURN_IF_ERROR(FromRocks(db_->SyncWAL(), "sync the write-ahead log"));
    syncs_.fetch_add(1, std::memory_order_relaxed);
    return OkStatus();
  }

  std::uint64_t SyncCount() const override { return syncs_.load(std::memory_order_relaxed); }

  Health GetHealth() const override {
    Health health;
    const auto property = [&](rocksdb::ColumnFamilyHandle* handle, const std::string& name) {
      std::uint64_t value = 0;
      return db_->GetIntProperty(handle, name, &value) ? value : 0;
    };
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      health.pending_compaction_bytes +=
          property(handle, rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
      health.memtable_bytes += property(handle, rocksdb::DB::Properties::kCurSizeAllMemTables);
      health.live_data_bytes += property(handle, rocksdb::DB::Properties::kLiveSstFilesSize);
      std::map<std::string, std::string> stats;
      if (db_->GetMapProperty(handle, rocksdb::DB::Properties::kCFStats, &stats)) {
        health.write_slowdowns += ParseCount(stats["io_stalls.total_slowdown"]);
        health.write_stops += ParseCount(stats["io_stalls.total_stop"]);
      }
    }
    if (const std::shared_ptr<rocksdb::Statistics> stats = db_->GetDBOptions().statistics) {
      health.wal_bytes = stats->getTickerCount(rocksdb::WAL_FILE_BYTES);
      health.stall_micros = stats->getTickerCount(rocksdb::STALL_MICROS);
    }
    health.running_compactions =
        property(db_->DefaultColumnFamily(), rocksdb::DB::Properties::kNumRunningCompactions);
    health.writes_stopped =
        property(db_->DefaultColumnFamily(), rocksdb::DB::Properties::kIsWriteStopped) != 0;
    return health;
  }

 private:
  Status Apply(const WriteBatch& batch, const rocksdb::WriteOptions& write_options) {
    if (batch.empty()) return OkStatus();
    rocksdb::WriteBatch rocks_batch(batch.ByteSize());
    for (const WriteBatch::Op& op : batch.ops()) {
      rocksdb::ColumnFamilyHandle* handle = FindColumn(op.column);
      if (handle == nullptr) {
        return FailedPreconditionError("the store is read-only: column " +
                                       std::string(ColumnName(op.column)) + " cannot be written");
      }
      rocksdb::Status s = op.is_delete
                              ? rocks_batch.Delete(handle, ToSlice(op.key))
                              : rocks_batch.Put(handle, ToSlice(op.key), ToSlice(op.value));
      FB_RETURN_IF_ERROR(FromRocks(s, "batch"));
    }
    return FromRocks(db_->Write(write_options, &rocks_batch), "write");
  }

  // Null only in a read-only store whose column was never written (it reads as empty).
  rocksdb::ColumnFamilyHandle* FindColumn(Column column) const {
    return columns_[static_cast<size_t>(column)];
  }

  std::unique_ptr<rocksdb::Env> env_;  // outlives db_ (declared first, destroyed last)
  rocksdb::DB* db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::array<rocksdb::ColumnFamilyHandle*, kColumnNames.size()> columns_;
  rocksdb::WriteOptions write_options_;
  std::atomic<std::uint64_t> syncs_{0};
};

}  // namespace

void WriteBatch::Append(WriteBatch&& other) {
  if (ops_.empty()) {
    ops_ = std::move(other.ops_);
  } else {
    ops_.insert(ops_.end(), std::make_move_iterator(other.ops_.begin()),
                std::make_move_iterator(other.ops_.end()));
  }
  other.ops_.clear();
}

size_t WriteBatch::ByteSize() const {
  size_t bytes = 0;
  for (const Op& op : ops_) bytes += op.key.size() + op.value.size() + 16;
  return bytes;
}

StatusOr<std::unique_ptr<KvStore>> OpenRocksDb(const RocksDbOptions& options) {
  std::error_code ec;
  if (!options.read_only) std::filesystem::create_directories(options.path, ec);
  if (ec) {
    return UnavailableError("cannot create data directory '" + options.path + "': " + ec.message());
  }
  std::unique_ptr<rocksdb::Env> env;
  rocksdb::Options db_options;
  if (options.preallocate_wal) {
    env = rocksdb::NewCompositeEnv(
        std::make_shared<SizedWalFileSystem>(rocksdb::FileSystem::Default()));
    db_options.env = env.get();
  }
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.max_open_files = 512;
  db_options.keep_log_file_num = 5;
  // Tickers only (no timers): the bytes the WAL grows by and the time writes stalled, for the
  // metrics (KvStore::GetHealth).
  db_options.statistics = rocksdb::CreateDBStatistics();
  db_options.statistics->set_stats_level(rocksdb::kExceptTimers);
  // A WAL stays until every column with data in it is flushed, and rarely written columns kept
  // ~600 MB of WAL after a 450k-event import (by default the bound is 4x all memtables: GBs),
  // which a restart after a crash replays (8.2 s instead of 4.1 s). Past this size RocksDB
  // flushes the columns that pin the oldest WAL.
  db_options.max_total_wal_size = 256 << 20;
  // Flushes and compactions write back as they go instead of leaving the kernel a burst of dirty
  // pages that the next WAL fsync (a decision waiting on its commit) would queue behind.
  db_options.bytes_per_sync = 1 << 20;
  db_options.wal_bytes_per_sync = 1 << 20;
  // Flushes and compactions share the disk with the WAL syncs that decisions wait on: paced
  // (auto-tuned up to 64 MB/s by how far behind they are), a sync does not queue behind a burst
  // of table writes (measured here: fsync p99 0.8 ms idle, 4.8 ms beside a bulk write).
  db_options.rate_limiter.reset(rocksdb::NewGenericRateLimiter(
      64 << 20, 100'000, 10, rocksdb::RateLimiter::Mode::kWritesOnly, /*auto_tuned=*/true));
  // RocksDB's own threads keep normal priority: its only lower one is nice 19, at which a
  // compaction starved by busy request threads would let level-0 files pile up until writes stop.
  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = rocksdb::NewLRUCache(options.block_cache_mb << 20);
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf_options(db_options);
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
  cf_options.compression = rocksdb::kLZ4Compression;
  // Room for two memtables waiting on a flush before writes stop (the default of two stopped
  // decisions for seconds while a flush ran behind a compaction).
  cf_options.max_write_buffer_number = 4;
  // 16 MB memtables instead of 64: the busy columns then flush one at a time, staggered, instead
  // of together when the WAL reaches max_total_wal_size (~130 MB of memtables in one burst,
  // which stalled every commit for ~60 ms every ~30 s at 1,000 decisions/s; measured here,
  // docs/benchmarks.md). A one-core import of 2.3M events ran as fast (64k vs 61k events/s).
  cf_options.write_buffer_size = 16 << 20;
  // Most point reads on the write path are misses (idempotency checks of new ids); a whole-key
  // bloom filter in the memtable answers them without walking the skiplist.
  cf_options.memtable_whole_key_filtering = true;
  cf_options.memtable_prefix_bloom_size_ratio = 0.05;

  // Every existing column family must be opened; the columns of columns.h are created when
  // missing (not in a read-only store, where they read as empty).
  std::vector<std::string> names;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, options.path, &names);
  if (!listed.ok() || names.empty()) names = {rocksdb::kDefaultColumnFamilyName};
  if (!options.read_only) {
    for (std::string_view column : kColumnNames) {
      if (std::find(names.begin(), names.end(), column) == names.end()) {
        names.emplace_back(column);
      }
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, cf_options);

  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  if (options.read_only && !listed.ok()) {
    return NotFoundError("no FinBrain store in '" + options.path + "'");
  }
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, options.path, descriptors, &handles, &db)
          : rocksdb::DB::Open(db_options, options.path, descriptors, &handles, &db);
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return UnavailableError("data directory '" + options.path +
                            "' is in use by another process (is a finbrain server running on "
                            "it? use --url to talk to that server)");
  }
  FB_RETURN_IF_ERROR(FromRocks(s, "open '" + options.path + "'"));
  return std::unique_ptr<KvStore>(
      std::make_unique<RocksDbStore>(db, std::move(handles), options.sync_writes, std::move(env)));
}

}  // namespace finbrain::storage
