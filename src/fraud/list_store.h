// ListStore: per-tenant black, grey and white lists of entities, with reasons and expiry.
//
// An entry is keyed by (list, entity type, value). Phone, card and ID-number values are
// tokenized (tenancy/pii.h) before storage, so they can be looked up by the raw value or by the
// token, and the raw value is never stored. Expired entries stop matching and are hidden from
// listings, but remain stored (for investigation) until deleted.
//
// Writes are prepared here and committed by the caller together with their audit entry:
//   FB_ASSIGN_OR_RETURN(auto put, lists.PreparePut("acme", ListKind::kBlacklist, "ip",
//                                                  "1.2.3.4", {.reason = "botnet"}));
//   audit.Commit(std::move(put.batch), entry, done);
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "storage/kv_store.h"
#include "tenancy/pii.h"

namespace finbrain::fraud {

enum class ListKind { kBlacklist, kGreylist, kWhitelist };
enum class ListSource { kManual, kRule, kModel };

std::optional<ListKind> ParseListKind(std::string_view name);
std::string_view ListKindName(ListKind kind);
std::optional<ListSource> ParseListSource(std::string_view name);
std::string_view ListSourceName(ListSource source);

struct ListEntry {
  ListKind list = ListKind::kBlacklist;
  std::string entity_type;
  std::string value;  // as stored: tokenized for PII types
  std::string reason;
  ListSource source = ListSource::kManual;
  TimeMicros created_at = 0;
  TimeMicros updated_at = 0;
  std::optional<TimeMicros> expires_at;
  std::string created_by;  // key id of the writer
};

// The API representation of an entry (also its stored form).
std::string ListEntryToJson(const ListEntry& entry);

struct ListEntryInput {
  std::string reason;
  ListSource source = ListSource::kManual;
  std::optional<TimeMicros> expires_at;
};

class ListStore {
 public:
  // REQUIRES: store, tokenizer and clock outlive the ListStore.
  ListStore(storage::KvStore& store, const tenancy::PiiTokenizer& tokenizer, const Clock& clock)
      : store_(store), tokenizer_(tokenizer), clock_(clock) {}

  // The value as it is stored: validated, and tokenized for PII entity types.
  // Errors name the field "entity_type" or "value".
  StatusOr<std::string> CanonicalValue(std::string_view entity_type, std::string_view raw) const;

  struct PreparedWrite {
    storage::WriteBatch batch;
    ListEntry entry;
    bool created = false;  // false when an existing entry is replaced
  };
  // Validates `input` (errors name "reason" or "expires_at") and prepares the write.
  StatusOr<PreparedWrite> PreparePut(std::string_view tenant, ListKind list,
                                     std::string_view entity_type, std::string_view raw_value,
                                     const ListEntryInput& input, std::string_view actor) const;
  // kNotFound when no entry (live or expired) exists.
  StatusOr<PreparedWrite> PrepareDelete(std::string_view tenant, ListKind list,
                                        std::string_view entity_type,
                                        std::string_view raw_value) const;

  // The live entry, or nullopt when absent or expired.
  StatusOr<std::optional<ListEntry>> Get(std::string_view tenant, ListKind list,
                                         std::string_view entity_type,
                                         std::string_view raw_value) const;

  // The most severe live list (blacklist, then greylist, then whitelist) of each identifier,
  // nullopt when it is on none: one MultiGet for all (a decision checks a dozen). Errors as Get.
  struct Lookup {
    std::string_view entity_type;
    std::string_view value;
  };
  StatusOr<std::vector<std::optional<ListKind>>> MostSevere(std::string_view tenant,
                                                            std::span<const Lookup> lookups) const;

  struct Page {
    std::vector<ListEntry> entries;
    std::string next_cursor;  // empty on the last page
  };
  // Live entries of one list and entity type in value order, `limit` at a time (1..1000).
  StatusOr<Page> List(std::string_view tenant, ListKind list, std::string_view entity_type,
                      std::string_view cursor, size_t limit) const;

 private:
  StatusOr<std::optional<ListEntry>> Read(const std::string& key) const;

  storage::KvStore& store_;
  const tenancy::PiiTokenizer& tokenizer_;
  const Clock& clock_;
};

}  // namespace finbrain::fraud
