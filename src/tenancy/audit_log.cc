#include "tenancy/audit_log.h"

#include <sodium.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>

#include "common/json_text.h"
#include "common/strings.h"
#include "tenancy/secrets.h"

namespace finbrain::tenancy {
namespace {

namespace json = boost::json;

constexpr std::string_view kHeadKey = "audit_head";
const std::string kGenesisHash(64, '0');

// Length-prefixed fields, so ("ab","c") and ("a","bc") hash differently.
void AddField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

std::string ComputeHash(const AuditEntry& e, const SecretKey& key) {
  std::string input;
  AddField(input, std::to_string(e.seq));
  AddField(input, std::to_string(e.time));
  AddField(input, e.tenant);
  AddField(input, e.actor);
  AddField(input, e.action);
  AddField(input, e.entity);
  AddField(input, e.result);
  AddField(input, e.prev_hash);
  std::array<std::uint8_t, 32> hash;
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), key.data(), key.size());
  return HexEncode(hash);
}

std::string HeadJson(std::uint64_t seq, std::string_view hash) {
  json::object head;
  head["seq"] = seq;
  head["hash"] = hash;
  return ToJsonText(head);
}

const json::string* StringField(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v == nullptr ? nullptr : v->if_string();
}

}  // namespace

std::string AuditEntryToJson(const AuditEntry& e) {
  json::object o;
  o["seq"] = e.seq;
  o["time"] = FormatRfc3339(e.time);
  o["time_us"] = e.time;
  o["tenant"] = e.tenant;
  o["actor"] = e.actor;
  o["action"] = e.action;
  o["entity"] = e.entity;
  o["result"] = e.result;
  o["prev_hash"] = e.prev_hash;
  o["hash"] = e.hash;
  return ToJsonText(o);
}

StatusOr<AuditEntry> AuditEntryFromJson(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object()) return DataLossError("audit entry is not a JSON object");
  const json::object& o = v.get_object();
  AuditEntry e;
  const json::value* seq = o.if_contains("seq");
  const json::value* time = o.if_contains("time_us");
  if (seq == nullptr || !seq->is_number() || time == nullptr || !time->is_int64()) {
    return DataLossError("audit entry lacks seq or time");
  }
  boost::system::error_code num_ec;
  e.seq = seq->to_number<std::uint64_t>(num_ec);
  if (num_ec) return DataLossError("audit entry seq is not an unsigned integer");
  e.time = time->get_int64();
  std::string* targets[] = {&e.tenant, &e.actor,     &e.action, &e.entity,
                            &e.result, &e.prev_hash, &e.hash};
  const char* names[] = {"tenant", "actor", "action", "entity", "result", "prev_hash", "hash"};
  for (size_t i = 0; i < std::size(names); ++i) {
    const json::string* s = StringField(o, names[i]);
    if (s == nullptr) return DataLossError(std::string("audit entry lacks ") + names[i]);
    targets[i]->assign(s->data(), s->size());
  }
  return e;
}

AuditLog::AuditLog(storage::KvStore& store, storage::CommitQueue& commits, const SecretKey& key,
                   const Clock& clock, std::uint64_t seq, std::string hash)
    : store_(store),
      commits_(commits),
      key_(key),
      clock_(clock),
      committed_seq_(seq),
      committed_hash_(hash),
      pending_seq_(seq),
      pending_hash_(std::move(hash)) {
  commits_.AddGroupListener([this](const Status& written) {
    if (written.ok()) {
      committed_seq_ = pending_seq_;
      committed_hash_ = pending_hash_;
    } else {
      pending_seq_ = committed_seq_;
      pending_hash_ = committed_hash_;
    }
  });
}

StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(storage::KvStore& store,
                                                   storage::CommitQueue& commits,
                                                   const SecretKey& key, const Clock& clock) {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> head, store.Get(storage::Column::kMeta, kHeadKey));
  std::uint64_t seq = 0;
  std::string hash = kGenesisHash;
  if (head) {
    boost::system::error_code ec;
    json::value v = json::parse(*head, ec);
    const json::object* o = ec ? nullptr : v.if_object();
    const json::value* s = o ? o->if_contains("seq") : nullptr;
    const json::string* h = o ? StringField(*o, "hash") : nullptr;
    if (s == nullptr || !s->is_number() || h == nullptr) {
      return DataLossError("audit log head is corrupt; run `finbrain audit verify`");
    }
    seq = s->to_number<std::uint64_t>(ec);
    hash.assign(h->data(), h->size());
  }
  return std::unique_ptr<AuditLog>(new AuditLog(store, commits, key, clock, seq, std::move(hash)));
}

Status AuditLog::Sequence(AuditEntry& entry, storage::WriteBatch& batch) {
  entry.seq = pending_seq_ + 1;
  entry.time = clock_.NowMicros();
  entry.prev_hash = pending_hash_;
  entry.hash = ComputeHash(entry, key_);
  batch.Put(storage::Column::kAudit, SortableKey(entry.seq), AuditEntryToJson(entry));
  batch.Put(storage::Column::kMeta, kHeadKey, HeadJson(entry.seq, entry.hash));
  pending_seq_ = entry.seq;
  pending_hash_ = entry.hash;
  return OkStatus();
}

void AuditLog::Commit(storage::WriteBatch batch, AuditEntry entry, storage::CommitQueue::Done done,
                      storage::CommitQueue::Sequencer also, storage::Durability durability) {
  commits_.Submit(std::move(batch), std::move(done), Sequencer(std::move(entry), std::move(also)),
                  durability);
}

Status AuditLog::CommitAndWait(storage::WriteBatch batch, AuditEntry entry,
                               storage::CommitQueue::Sequencer also) {
  return commits_.SubmitAndWait(std::move(batch), Sequencer(std::move(entry), std::move(also)));
}

storage::CommitQueue::Sequencer AuditLog::Sequencer(AuditEntry entry,
                                                    storage::CommitQueue::Sequencer also) {
  return [this, entry = std::move(entry), also = std::move(also)](storage::WriteBatch& b) mutable {
    // A failing sequencer drops the whole submission, so the entry is chained only after the
    // other sequencer succeeded (the chain must not skip a sequence number).
    if (also) FB_RETURN_IF_ERROR(also(b));
    return Sequence(entry, b);
  };
}

Status AuditLog::Scan(std::uint64_t after_seq, std::string_view tenant,
                      const std::function<bool(const AuditEntry&)>& visit) const {
  Status parse_error;
  FB_RETURN_IF_ERROR(store_.Scan(storage::Column::kAudit, "",
                                 after_seq == 0 ? "" : SortableKey(after_seq),
                                 [&](std::string_view, std::string_view value) {
                                   StatusOr<AuditEntry> e = AuditEntryFromJson(value);
                                   if (!e.ok()) {
                                     parse_error = e.status();
                                     return false;
                                   }
                                   if (!tenant.empty() && e->tenant != tenant) return true;
                                   return visit(*e);
                                 }));
  return parse_error;
}

StatusOr<AuditVerification> AuditLog::Verify(const storage::KvStore& store, const SecretKey& key) {
  AuditVerification result;
  std::uint64_t expected_seq = 1;
  std::string prev_hash = kGenesisHash;
  auto fail = [&](std::uint64_t seq, std::string problem) {
    result.intact = false;
    result.first_bad_seq = seq;
    result.problem = std::move(problem);
    return false;
  };
  FB_RETURN_IF_ERROR(store.Scan(
      storage::Column::kAudit, "", "", [&](std::string_view key_text, std::string_view value) {
        StatusOr<AuditEntry> entry = AuditEntryFromJson(value);
        if (!entry.ok())
          return fail(expected_seq, "entry stored under key " + std::string(key_text) +
                                        " is unreadable: " + entry.status().message());
        if (SortableKey(entry->seq) != key_text) {
          return fail(expected_seq, "entry stored under key " + std::string(key_text) +
                                        " claims seq " + std::to_string(entry->seq));
        }
        if (entry->seq != expected_seq) {
          return fail(expected_seq, "entry " + std::to_string(expected_seq) +
                                        " is missing (next stored entry is " +
                                        std::to_string(entry->seq) + ")");
        }
        if (entry->prev_hash != prev_hash) {
          return fail(entry->seq, "prev_hash does not match the hash of entry " +
                                      std::to_string(entry->seq - 1));
        }
        if (ComputeHash(*entry, key) != entry->hash) {
          return fail(entry->seq, "content does not match its hash (entry was altered)");
        }
        prev_hash = entry->hash;
        ++expected_seq;
        ++result.entries_checked;
        return true;
      }));
  if (!result.intact) return result;
  FB_ASSIGN_OR_RETURN(std::optional<std::string> head, store.Get(storage::Column::kMeta, kHeadKey));
  const std::string expected_head = HeadJson(expected_seq - 1, prev_hash);
  if (head ? *head != expected_head : result.entries_checked > 0) {
    result.intact = false;
    result.first_bad_seq = expected_seq;
    result.problem = "the log ends at entry " + std::to_string(expected_seq - 1) +
                     " but its head records " + (head ? *head : std::string("nothing")) +
                     " (entries were removed from the end)";
  }
  return result;
}

StatusOr<AuditVerification> AuditLog::VerifyDataDirectory(const std::string& data_dir) {
  if (!std::filesystem::exists(data_dir + "/secret.key")) {
    return NotFoundError("'" + data_dir + "' is not a FinBrain data directory (no secret.key)",
                         "data-dir");
  }
  FB_ASSIGN_OR_RETURN(DeploymentKeys keys, LoadOrCreateDeploymentKeys(data_dir));
  FB_ASSIGN_OR_RETURN(auto store,
                      storage::OpenRocksDb({.path = data_dir + "/db", .read_only = true}));
  return Verify(*store, keys.audit);
}

}  // namespace finbrain::tenancy
