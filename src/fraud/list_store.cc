#include "fraud/list_store.h"

#include <boost/json.hpp>

#include "common/entity_types.h"
#include "common/json_text.h"
#include "common/strings.h"

namespace finbrain::fraud {
namespace {

namespace json = boost::json;

constexpr size_t kMaxValueBytes = 512;
constexpr size_t kMaxReasonBytes = 1000;
constexpr size_t kMaxPageSize = 1000;

std::string KeyPrefix(std::string_view tenant, ListKind list, std::string_view entity_type) {
  std::string key(tenant);
  key += '/';
  key += ListKindName(list);
  key += '/';
  key += entity_type;
  key += '/';
  return key;
}

StatusOr<ListEntry> ParseEntry(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) return DataLossError("stored list entry is not a JSON object");
  auto str = [&](std::string_view name) -> std::string {
    const json::value* f = o->if_contains(name);
    return f && f->is_string() ? std::string(f->get_string()) : std::string();
  };
  auto micros = [&](std::string_view name) -> std::optional<TimeMicros> {
    const json::value* f = o->if_contains(name);
    if (f == nullptr || !f->is_string()) return std::nullopt;
    StatusOr<TimeMicros> t = ParseRfc3339(std::string_view(f->get_string()));
    return t.ok() ? std::optional<TimeMicros>(*t) : std::nullopt;
  };
  ListEntry e;
  std::optional<ListKind> list = ParseListKind(str("list"));
  std::optional<ListSource> source = ParseListSource(str("source"));
  if (!list || !source) return DataLossError("stored list entry has a bad list or source");
  e.list = *list;
  e.source = *source;
  e.entity_type = str("entity_type");
  e.value = str("value");
  e.reason = str("reason");
  e.created_by = str("created_by");
  e.created_at = micros("created_at").value_or(0);
  e.updated_at = micros("updated_at").value_or(0);
  e.expires_at = micros("expires_at");
  return e;
}

Status CheckEntityType(std::string_view entity_type) {
  if (IsEntityType(entity_type)) return OkStatus();
  return InvalidArgumentError(
      "unknown entity type " + Quote(entity_type) + "; expected one of " + Join(kEntityTypes),
      "entity_type");
}

bool IsLive(const ListEntry& e, TimeMicros now) { return !e.expires_at || *e.expires_at > now; }

}  // namespace

std::optional<ListKind> ParseListKind(std::string_view name) {
  if (name == "blacklist") return ListKind::kBlacklist;
  if (name == "greylist") return ListKind::kGreylist;
  if (name == "whitelist") return ListKind::kWhitelist;
  return std::nullopt;
}

std::string_view ListKindName(ListKind kind) {
  switch (kind) {
    case ListKind::kBlacklist:
      return "blacklist";
    case ListKind::kGreylist:
      return "greylist";
    case ListKind::kWhitelist:
      return "whitelist";
  }
  return "blacklist";
}

std::optional<ListSource> ParseListSource(std::string_view name) {
  if (name == "manual") return ListSource::kManual;
  if (name == "rule") return ListSource::kRule;
  if (name == "model") return ListSource::kModel;
  return std::nullopt;
}

std::string_view ListSourceName(ListSource source) {
  switch (source) {
    case ListSource::kManual:
      return "manual";
    case ListSource::kRule:
      return "rule";
    case ListSource::kModel:
      return "model";
  }
  return "manual";
}

std::string ListEntryToJson(const ListEntry& e) {
  json::object o;
  o["list"] = ListKindName(e.list);
  o["entity_type"] = e.entity_type;
  o["value"] = e.value;
  o["reason"] = e.reason;
  o["source"] = ListSourceName(e.source);
  o["created_at"] = FormatRfc3339(e.created_at);
  o["updated_at"] = FormatRfc3339(e.updated_at);
  o["expires_at"] = e.expires_at ? json::value(FormatRfc3339(*e.expires_at)) : json::value(nullptr);
  o["created_by"] = e.created_by;
  return ToJsonText(o);
}

StatusOr<std::string> ListStore::CanonicalValue(std::string_view entity_type,
                                                std::string_view raw) const {
  FB_RETURN_IF_ERROR(CheckEntityType(entity_type));
  if (raw.empty()) return InvalidArgumentError("value is empty", "value");
  if (raw.size() > kMaxValueBytes) {
    return InvalidArgumentError("value is longer than 512 bytes", "value");
  }
  for (char c : raw) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidArgumentError("value contains control characters", "value");
    }
  }
  if (std::optional<tenancy::PiiKind> pii = tenancy::PiiKindForEntityType(entity_type)) {
    StatusOr<std::string> token = tokenizer_.Tokenize(*pii, raw);
    if (!token.ok()) return InvalidArgumentError(token.status().message(), "value");
    return token;
  }
  return std::string(raw);
}

StatusOr<std::optional<ListEntry>> ListStore::Read(const std::string& key) const {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> stored, store_.Get(storage::Column::kLists, key));
  if (!stored) return std::optional<ListEntry>();
  FB_ASSIGN_OR_RETURN(ListEntry entry, ParseEntry(*stored));
  return std::optional<ListEntry>(std::move(entry));
}

StatusOr<ListStore::PreparedWrite> ListStore::PreparePut(std::string_view tenant, ListKind list,
                                                         std::string_view entity_type,
                                                         std::string_view raw_value,
                                                         const ListEntryInput& input,
                                                         std::string_view actor) const {
  FB_ASSIGN_OR_RETURN(std::string value, CanonicalValue(entity_type, raw_value));
  if (input.reason.empty())
    return InvalidArgumentError("reason is required and must not be empty", "reason");
  if (input.reason.size() > kMaxReasonBytes) {
    return InvalidArgumentError("reason is longer than 1000 bytes", "reason");
  }
  const TimeMicros now = clock_.NowMicros();
  if (input.expires_at && *input.expires_at <= now) {
    return InvalidArgumentError(
        "expires_at " + FormatRfc3339(*input.expires_at) + " is not in the future", "expires_at");
  }
  const std::string key = KeyPrefix(tenant, list, entity_type) + value;
  FB_ASSIGN_OR_RETURN(std::optional<ListEntry> existing, Read(key));
  PreparedWrite write;
  write.created = !existing.has_value();
  ListEntry& e = write.entry;
  e.list = list;
  e.entity_type = std::string(entity_type);
  e.value = std::move(value);
  e.reason = input.reason;
  e.source = input.source;
  e.created_at = existing ? existing->created_at : now;
  e.updated_at = now;
  e.expires_at = input.expires_at;
  e.created_by = existing ? existing->created_by : std::string(actor);
  write.batch.Put(storage::Column::kLists, key, ListEntryToJson(e));
  return write;
}

StatusOr<ListStore::PreparedWrite> ListStore::PrepareDelete(std::string_view tenant, ListKind list,
                                                            std::string_view entity_type,
                                                            std::string_view raw_value) const {
  FB_ASSIGN_OR_RETURN(std::string value, CanonicalValue(entity_type, raw_value));
  const std::string key = KeyPrefix(tenant, list, entity_type) + value;
  FB_ASSIGN_OR_RETURN(std::optional<ListEntry> existing, Read(key));
  if (!existing) {
    return NotFoundError("no " + std::string(ListKindName(list)) + " entry for this " +
                         std::string(entity_type));
  }
  PreparedWrite write;
  write.entry = std::move(*existing);
  write.batch.Delete(storage::Column::kLists, key);
  return write;
}

StatusOr<std::optional<ListEntry>> ListStore::Get(std::string_view tenant, ListKind list,
                                                  std::string_view entity_type,
                                                  std::string_view raw_value) const {
  FB_ASSIGN_OR_RETURN(std::string value, CanonicalValue(entity_type, raw_value));
  FB_ASSIGN_OR_RETURN(std::optional<ListEntry> entry,
                      Read(KeyPrefix(tenant, list, entity_type) + value));
  if (entry && !IsLive(*entry, clock_.NowMicros())) return std::optional<ListEntry>();
  return entry;
}

StatusOr<std::vector<std::optional<ListKind>>> ListStore::MostSevere(
    std::string_view tenant, std::span<const Lookup> lookups) const {
  constexpr ListKind kBySeverity[] = {ListKind::kBlacklist, ListKind::kGreylist,
                                      ListKind::kWhitelist};
  std::vector<std::string> keys;
  keys.reserve(lookups.size() * std::size(kBySeverity));
  for (const Lookup& l : lookups) {
    FB_ASSIGN_OR_RETURN(std::string value, CanonicalValue(l.entity_type, l.value));
    for (ListKind kind : kBySeverity)
      keys.push_back(KeyPrefix(tenant, kind, l.entity_type) + value);
  }
  std::vector<std::optional<std::string>> values;
  FB_RETURN_IF_ERROR(store_.MultiGet(storage::Column::kLists, keys, values));
  const TimeMicros now = clock_.NowMicros();
  std::vector<std::optional<ListKind>> out(lookups.size());
  for (size_t i = 0; i < lookups.size(); ++i) {
    for (size_t k = 0; k < std::size(kBySeverity) && !out[i]; ++k) {
      const std::optional<std::string>& stored = values[i * std::size(kBySeverity) + k];
      if (!stored) continue;
      FB_ASSIGN_OR_RETURN(ListEntry entry, ParseEntry(*stored));
      if (IsLive(entry, now)) out[i] = kBySeverity[k];
    }
  }
  return out;
}

StatusOr<ListStore::Page> ListStore::List(std::string_view tenant, ListKind list,
                                          std::string_view entity_type, std::string_view cursor,
                                          size_t limit) const {
  FB_RETURN_IF_ERROR(CheckEntityType(entity_type));
  if (limit == 0 || limit > kMaxPageSize) {
    return InvalidArgumentError("limit must be between 1 and 1000", "limit");
  }
  const std::string prefix = KeyPrefix(tenant, list, entity_type);
  std::string start_after;
  if (!cursor.empty()) {
    StatusOr<std::string> last = HexDecode(cursor);
    if (!last.ok()) return InvalidArgumentError("cursor is not one this API returned", "cursor");
    start_after = prefix + *last;
  }
  const TimeMicros now = clock_.NowMicros();
  Page page;
  Status error;
  std::string last_key;
  bool more = false;
  FB_RETURN_IF_ERROR(store_.Scan(storage::Column::kLists, prefix, start_after,
                                 [&](std::string_view key, std::string_view value) {
                                   if (page.entries.size() == limit) {
                                     more = true;
                                     return false;
                                   }
                                   StatusOr<ListEntry> e = ParseEntry(value);
                                   if (!e.ok()) {
                                     error = e.status();
                                     return false;
                                   }
                                   last_key = std::string(key);
                                   if (IsLive(*e, now)) page.entries.push_back(std::move(*e));
                                   return true;
                                 }));
  FB_RETURN_IF_ERROR(error);
  if (more) {
    const std::string_view last = std::string_view(last_key).substr(prefix.size());
    page.next_cursor =
        HexEncode(std::span(reinterpret_cast<const std::uint8_t*>(last.data()), last.size()));
  }
  return page;
}

}  // namespace finbrain::fraud
