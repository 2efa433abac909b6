// AuditLog: an append-only, hash-chained record of every state-changing operation.
//
// Each entry holds (seq, time, tenant, actor, action, entity, result) plus the hash of the
// previous entry; its own hash is a keyed BLAKE2b over all of that, with the deployment's audit
// key. Changing, removing or reordering any entry breaks the chain from that entry on, and
// Verify names the first entry that does not match. The head (last seq and hash) is stored too,
// so truncating the tail is detected.
//
// Entries are written in the same atomic batch as the change they describe: an acknowledged
// change always has its entry, and no entry describes a change that did not happen.
//
// Example:
//   AuditEntry entry{.tenant = "acme", .actor = key_id, .action = "PUT /v1/lists/...",
//                    .entity = "blacklist/ip/1.2.3.4", .result = "ok"};
//   audit.Commit(std::move(batch), std::move(entry), [](const Status& s) { ... });
//
// Thread-safety: Commit/CommitAndWait may be called from any thread; entries are sequenced on
// the commit queue's writer thread in commit order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "storage/commit_queue.h"
#include "storage/kv_store.h"
#include "tenancy/secrets.h"

namespace finbrain::tenancy {

struct AuditEntry {
  std::uint64_t seq = 0;  // assigned at commit, from 1
  TimeMicros time = 0;    // assigned at commit
  std::string
      tenant;  // empty for deployment-wide operations (tenant creation is under the new tenant)
  std::string actor;      // API key id, "admin" (operator token) or "cli"
  std::string action;     // "PUT /v1/lists/{list}/{entity_type}/{value}", "cli tenant create"
  std::string entity;     // what the operation touched, PII already tokenized
  std::string result;     // "ok" or a status code name ("invalid_argument", ...)
  std::string prev_hash;  // hex, assigned at commit
  std::string hash;       // hex, assigned at commit
};

std::string AuditEntryToJson(const AuditEntry& entry);
StatusOr<AuditEntry> AuditEntryFromJson(std::string_view json);

struct AuditVerification {
  std::uint64_t entries_checked = 0;
  bool intact = true;
  std::uint64_t first_bad_seq = 0;  // when !intact
  std::string problem;              // when !intact: what did not match
};

class AuditLog {
 public:
  // Reads the chain head from `store`. REQUIRES: store and commits outlive the log, and this is
  // the only AuditLog on the store.
  static StatusOr<std::unique_ptr<AuditLog>> Open(storage::KvStore& store,
                                                  storage::CommitQueue& commits,
                                                  const SecretKey& key, const Clock& clock);

  // Writes `batch` and `entry` atomically; `done` gets the write's status. `also` (optional)
  // is another sequencer for the same submission, run first (e.g. the event log's).
  // `durability`: when `done` runs (storage/durability.h).
  void Commit(storage::WriteBatch batch, AuditEntry entry, storage::CommitQueue::Done done,
              storage::CommitQueue::Sequencer also = nullptr,
              storage::Durability durability = storage::Durability::kSync);
  Status CommitAndWait(storage::WriteBatch batch, AuditEntry entry,
                       storage::CommitQueue::Sequencer also = nullptr);

  // Visits entries with seq > after_seq in order (optionally only one tenant's), until `visit`
  // returns false.
  Status Scan(std::uint64_t after_seq, std::string_view tenant,
              const std::function<bool(const AuditEntry&)>& visit) const;

  // Walks the whole chain in `store`.
  static StatusOr<AuditVerification> Verify(const storage::KvStore& store, const SecretKey& key);
  // The same for a data directory, opened read-only (works beside a running server);
  // kNotFound naming "data-dir" when it is not one.
  static StatusOr<AuditVerification> VerifyDataDirectory(const std::string& data_dir);

 private:
  AuditLog(storage::KvStore& store, storage::CommitQueue& commits, const SecretKey& key,
           const Clock& clock, std::uint64_t seq, std::string hash);
  Status Sequence(AuditEntry& entry, storage::WriteBatch& batch);
  storage::CommitQueue::Sequencer Sequencer(AuditEntry entry, storage::CommitQueue::Sequencer also);

  storage::KvStore& store_;
  storage::CommitQueue& commits_;
  SecretKey key_;
  const Clock& clock_;
  // Touched only on the commit queue's writer thread.
  std::uint64_t committed_seq_;
  std::string committed_hash_;
  std::uint64_t pending_seq_;
  std::string pending_hash_;
};

}  // namespace finbrain::tenancy
