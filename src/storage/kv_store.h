// KvStore: the ordered key-value interface every FinBrain module stores state through.
//
// Keys live in columns (RocksDB column families in the embedded backend): one column per kind
// of state, all listed in storage/columns.h. Inside a column, tenant-owned state is keyed
// "<tenant>/<rest>" so a tenant's data is one contiguous prefix. Keys are compared bytewise.
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto store, OpenRocksDb({.path = "/var/lib/finbrain"}));
//   WriteBatch batch;
//   batch.Put(Column::kLists, "acme/blacklist/ip/1.2.3.4", entry_json);
//   FB_RETURN_IF_ERROR(store->Write(batch));
//
// Thread-safety: every method may be called concurrently from any thread.
// Durability: with `sync_writes` (the default) a successful Write has reached the WAL on disk
// and survives a crash of the process or the machine; WriteBuffered survives a crash of the
// process only, until the next sync. Use storage/commit_queue.h to make many concurrent writers
// share one sync, and for the durability levels of storage/durability.h.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/columns.h"

namespace finbrain::storage {

// A list of puts and deletes applied atomically by KvStore::Write.
class WriteBatch {
 public:
  struct Op {
    bool is_delete = false;
    Column column = Column::kMeta;
    std::string key;
    std::string value;
  };

  void Put(Column column, std::string_view key, std::string_view value) {
    ops_.push_back({false, column, std::string(key), std::string(value)});
  }
  // Takes ownership of the key and value instead of copying them (hot write paths).
  void PutOwned(Column column, std::string&& key, std::string&& value) {
    ops_.push_back({false, column, std::move(key), std::move(value)});
  }
  void Delete(Column column, std::string_view key) {
    ops_.push_back({true, column, std::string(key), {}});
  }
  // Moves `other`'s operations to the end of this batch.
  void Append(WriteBatch&& other);

  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  // Approximate bytes of keys and values, for bounding group commits.
  size_t ByteSize() const;

 private:
  std::vector<Op> ops_;
};

class KvStore {
 public:
  virtual ~KvStore() = default;

  // The value stored under `key`, or nullopt when absent (absence is not an error).
  virtual StatusOr<std::optional<std::string>> Get(Column column, std::string_view key) const = 0;

  // Looks up many keys of one column at once (cheaper than one Get each: the lookups share
  // filter and block reads). `values[i]` is the value of `keys[i]`, or nullopt when absent.
  virtual Status MultiGet(Column column, std::span<const std::string> keys,
                          std::vector<std::optional<std::string>>& values) const = 0;

  // Applies every operation of `batch` or none of them.
  virtual Status Write(const WriteBatch& batch) = 0;

  // Like Write, but returns without waiting for the WAL to reach the disk: for state derived
  // from data that is already durable (feature windows with their replay checkpoint), which a
  // crash may roll back to an earlier consistent point. The next synced write makes it durable
  // too (one log, written in order); until then a synced writer does not queue behind its sync.
  virtual Status WriteBuffered(const WriteBatch& batch) = 0;

  // Visits keys that start with `prefix`, in key order, beginning after `start_after` when it
  // is non-empty. `visit` returns false to stop early.
  using Visitor = std::function<bool(std::string_view key, std::string_view value)>;
  virtual Status Scan(Column column, std::string_view prefix, std::string_view start_after,
                      const Visitor& visit) const = 0;

  // Fsyncs the WAL: everything written before the call (buffered or not) survives a power loss
  // once it returns. May run while other threads write.
  virtual Status SyncWal() = 0;

  // Number of physical WAL syncs so far, by Write and SyncWal (for tests and metrics).
  virtual std::uint64_t SyncCount() const = 0;

  // The store's engine state an operator watches (RocksDB properties), read when asked.
  struct Health {
    std::uint64_t pending_compaction_bytes = 0;  // estimated, all columns
    std::uint64_t memtable_bytes = 0;            // active and immutable memtables
    std::uint64_t live_data_bytes = 0;           // table files
    std::uint64_t running_compactions = 0;
    std::uint64_t write_slowdowns = 0;  // writes delayed by a stall condition since open
    std::uint64_t write_stops = 0;      // writes stopped by one since open
    bool writes_stopped = false;        // stopped now
    std::uint64_t wal_bytes = 0;        // written to the write-ahead log since open
    std::uint64_t stall_micros = 0;     // writes spent stalled since open
  };
  virtual Health GetHealth() const { return {}; }

  Status Put(Column column, std::string_view key, std::string_view value) {
    WriteBatch batch;
    batch.Put(column, key, value);
    return Write(batch);
  }
  // One buffered put (WriteBuffered): for state derived from the log, and live counts.
  Status PutBuffered(Column column, std::string_view key, std::string_view value) {
    WriteBatch batch;
    batch.Put(column, key, value);
    return WriteBuffered(batch);
  }
  Status Delete(Column column, std::string_view key) {
    WriteBatch batch;
    batch.Delete(column, key);
    return Write(batch);
  }
};

struct RocksDbOptions {
  std::string path;         // the data directory; created when missing
  bool sync_writes = true;  // fsync the WAL before Write returns
  // Preallocate WAL files with their size, so a sync need not also write the inode (see
  // rocksdb_store.cc); off only to measure the difference (bench/storage_bench).
  bool preallocate_wal = true;
  size_t block_cache_mb = 64;
  // Opens without taking the directory lock (readers beside a running server); writes fail.
  bool read_only = false;
};

// Opens (or creates) the embedded store. Fails with kUnavailable when another process holds
// the directory (e.g. a running server), naming the directory.
StatusOr<std::unique_ptr<KvStore>> OpenRocksDb(const RocksDbOptions& options);

}  // namespace finbrain::storage
