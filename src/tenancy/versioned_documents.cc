#include "tenancy/versioned_documents.h"

#include <boost/json.hpp>

#include "common/json_text.h"
#include "common/strings.h"

namespace finbrain::tenancy {
namespace {

namespace json = boost::json;

std::string HeadJson(const VersionHead& head) {
  return ToJsonText(
      json::object{{"latest", head.latest},
                   {"active", head.active},
                   {"history", json::array(head.history.begin(), head.history.end())}});
}

}  // namespace

std::string NameKey(std::string_view tenant, std::string_view name) {
  std::string key(tenant);
  key += '/';
  key += name;
  return key;
}

std::string VersionKey(std::string_view name_key, int version) {
  std::string key(name_key);
  key += '/';
  key += SortableKey(static_cast<std::uint64_t>(version));
  return key;
}

std::string VersionKey(std::string_view tenant, std::string_view name, int version) {
  return VersionKey(NameKey(tenant, name), version);
}

VersionedDocuments::VersionedDocuments(storage::KvStore& store, AuditLog& audit, Columns columns,
                                       std::string_view kind)
    : store_(store), audit_(audit), columns_(columns), kind_(kind) {}

StatusOr<VersionHead> VersionedDocuments::ParseHead(std::string_view text,
                                                    std::string_view name) const {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* latest = o ? o->if_contains("latest") : nullptr;
  const json::value* active = o ? o->if_contains("active") : nullptr;
  if (latest == nullptr || !latest->is_number() || active == nullptr || !active->is_number()) {
    return DataLossError(kind_ + " head of " + Quote(name) + " is corrupt");
  }
  VersionHead head{.latest = latest->to_number<int>(), .active = active->to_number<int>()};
  if (const json::value* h = o->if_contains("history"); h && h->is_array()) {
    for (const json::value& version : h->get_array()) {
      if (version.is_number()) head.history.push_back(version.to_number<int>());
    }
  }
  return head;
}

StatusOr<VersionHead> VersionedDocuments::Head(std::string_view tenant,
                                               std::string_view name) const {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> text,
                      store_.Get(columns_.heads, NameKey(tenant, name)));
  if (!text) return VersionHead{};
  return ParseHead(*text, name);
}

StatusOr<std::vector<std::pair<std::string, VersionHead>>> VersionedDocuments::Heads(
    std::string_view tenant) const {
  std::vector<std::pair<std::string, VersionHead>> heads;
  Status error;
  const std::string prefix = std::string(tenant) + "/";
  FB_RETURN_IF_ERROR(
      store_.Scan(columns_.heads, prefix, "", [&](std::string_view key, std::string_view value) {
        std::string name(key.substr(prefix.size()));
        StatusOr<VersionHead> head = ParseHead(value, name);
        if (!head.ok()) {
          error = head.status();
          return false;
        }
        heads.emplace_back(std::move(name), std::move(*head));
        return true;
      }));
  FB_RETURN_IF_ERROR(error);
  return heads;
}

Status VersionedDocuments::RequireExists(const VersionHead& head, std::string_view name) const {
  if (head.latest == 0) return NotFoundError("no " + kind_ + " named " + Quote(name), "name");
  return OkStatus();
}

StatusOr<std::string> VersionedDocuments::Record(std::string_view tenant, std::string_view name,
                                                 int version) const {
  FB_ASSIGN_OR_RETURN(std::optional<std::string> text,
                      store_.Get(columns_.versions, VersionKey(tenant, name, version)));
  if (!text) {
    return NotFoundError(kind_ + " " + Quote(name) + " has no version " + std::to_string(version),
                         "version");
  }
  return std::move(*text);
}

Status VersionedDocuments::ScanRecords(
    std::string_view tenant, std::string_view name,
    const std::function<Status(std::string_view record)>& visit) const {
  Status error;
  FB_RETURN_IF_ERROR(store_.Scan(columns_.versions, NameKey(tenant, name) + "/", "",
                                 [&](std::string_view, std::string_view value) {
                                   error = visit(value);
                                   return error.ok();
                                 }));
  return error;
}

Status VersionedDocuments::Commit(std::string_view tenant, storage::WriteBatch batch,
                                  const Actor& actor, std::string entity) {
  return audit_.CommitAndWait(std::move(batch), {.tenant = std::string(tenant),
                                                 .actor = actor.id,
                                                 .action = actor.action,
                                                 .entity = std::move(entity)});
}

StatusOr<int> VersionedDocuments::Add(std::string_view tenant, std::string_view name,
                                      const Actor& actor, const MakeVersion& make) {
  std::lock_guard lock(mutation_mu_);
  FB_ASSIGN_OR_RETURN(VersionHead head, Head(tenant, name));
  const int version = head.latest + 1;
  storage::WriteBatch batch;
  FB_ASSIGN_OR_RETURN(std::string record, make(version, head, batch));
  batch.Put(columns_.versions, VersionKey(tenant, name, version), record);
  batch.Put(columns_.heads, NameKey(tenant, name),
            HeadJson({.latest = version, .active = head.active, .history = head.history}));
  FB_RETURN_IF_ERROR(Commit(tenant, std::move(batch), actor,
                            kind_ + "/" + std::string(name) + "/v" + std::to_string(version)));
  return version;
}

Status VersionedDocuments::SwitchActive(std::string_view tenant, std::string_view name,
                                        const VersionHead& head, int version,
                                        std::vector<int> history, const Actor& actor,
                                        const std::function<Status(int)>& load,
                                        const std::function<void(int)>& install) {
  FB_RETURN_IF_ERROR(Record(tenant, name, version).status());
  FB_RETURN_IF_ERROR(load(version));
  storage::WriteBatch batch;
  batch.Put(columns_.heads, NameKey(tenant, name),
            HeadJson({.latest = head.latest, .active = version, .history = std::move(history)}));
  FB_RETURN_IF_ERROR(
      Commit(tenant, std::move(batch), actor,
             kind_ + "/" + std::string(name) + "/v" + std::to_string(version) + " activated"));
  install(version);
  return OkStatus();
}

Status VersionedDocuments::Activate(std::string_view tenant, std::string_view name, int version,
                                    const Actor& actor, const std::function<Status(int)>& load,
                                    const std::function<void(int)>& install) {
  std::lock_guard lock(mutation_mu_);
  FB_ASSIGN_OR_RETURN(VersionHead head, Head(tenant, name));
  FB_RETURN_IF_ERROR(RequireExists(head, name));
  std::vector<int> history = head.history;
  if (head.active != 0 && head.active != version) history.push_back(head.active);
  return SwitchActive(tenant, name, head, version, std::move(history), actor, load, install);
}

StatusOr<int> VersionedDocuments::Rollback(std::string_view tenant, std::string_view name,
                                           const Actor& actor,
                                           const std::function<Status(int)>& load,
                                           const std::function<void(int)>& install) {
  std::lock_guard lock(mutation_mu_);
  FB_ASSIGN_OR_RETURN(VersionHead head, Head(tenant, name));
  FB_RETURN_IF_ERROR(RequireExists(head, name));
  if (head.history.empty()) {
    return FailedPreconditionError(kind_ + " " + Quote(name) +
                                   " has no previously active version to roll back to");
  }
  std::vector<int> history = head.history;
  const int previous = history.back();
  history.pop_back();
  FB_RETURN_IF_ERROR(
      SwitchActive(tenant, name, head, previous, std::move(history), actor, load, install));
  return previous;
}

Status VersionedDocuments::Attach(std::string_view tenant, std::string_view name, int version,
                                  const Actor& actor, std::string_view what, storage::Column column,
                                  std::string value) {
  std::lock_guard lock(mutation_mu_);
  FB_RETURN_IF_ERROR(Record(tenant, name, version).status());
  storage::WriteBatch batch;
  batch.PutOwned(column, VersionKey(tenant, name, version), std::move(value));
  return Commit(
      tenant, std::move(batch), actor,
      kind_ + "/" + std::string(name) + "/v" + std::to_string(version) + "/" + std::string(what));
}

}  // namespace finbrain::tenancy
