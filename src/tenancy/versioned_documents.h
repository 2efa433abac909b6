// VersionedDocuments: a tenant's documents kept by name in numbered versions (strategies,
// models), one of which may be active, with the versions that were active before it (for
// rollback). Every change is committed together with its audit entry.
//
//   heads column:    "<tenant>/<name>"            -> {"latest", "active", "history"}
//   versions column: "<tenant>/<name>/<version>"  -> the version's record (the caller's JSON)
//
// What a version holds and what makes one servable is the caller's: `Add` takes a function that
// writes the record (and may refuse), `Activate` a function that loads the version (a version
// that cannot be served is never made active) and one that installs it once committed. Both run
// under the store's lock, so concurrent activations install in commit order.
//
// Example:
//   VersionedDocuments docs(store, audit, {Column::kModelHeads, Column::kModelVersions}, "model");
//   FB_ASSIGN_OR_RETURN(int v, docs.Add("acme", "pd", actor, [&](int version, auto&, auto&) {
//     return RecordJson(version);
//   }));
//   FB_RETURN_IF_ERROR(docs.Activate("acme", "pd", v, actor, load, install).status());
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "storage/kv_store.h"
#include "tenancy/audit_log.h"
#include "tenancy/tenant_directory.h"

namespace finbrain::tenancy {

struct VersionHead {
  int latest = 0;            // 0: no version yet
  int active = 0;            // 0: none active
  std::vector<int> history;  // previously active versions, oldest first
};

// "tenant/name".
std::string NameKey(std::string_view tenant, std::string_view name);
// "tenant/name/<version>", sorting by version; `name_key` is NameKey(tenant, name).
std::string VersionKey(std::string_view name_key, int version);
std::string VersionKey(std::string_view tenant, std::string_view name, int version);

class VersionedDocuments {
 public:
  struct Columns {
    storage::Column heads;
    storage::Column versions;
  };
  // `kind` names the documents in errors and audit entries ("strategy", "model").
  // REQUIRES: store and audit outlive this.
  VersionedDocuments(storage::KvStore& store, AuditLog& audit, Columns columns,
                     std::string_view kind);

  // Adds version latest + 1 of `name`. `make(version, head, extra)` returns the version's record
  // and may add writes to `extra` (committed in the same batch), or refuse with an error, and
  // then nothing is stored. Audited as "<kind>/<name>/v<version>". Returns the version.
  using MakeVersion = std::function<StatusOr<std::string>(int version, const VersionHead& head,
                                                          storage::WriteBatch& extra)>;
  StatusOr<int> Add(std::string_view tenant, std::string_view name, const Actor& actor,
                    const MakeVersion& make);

  // Makes `version` active: `load()` first (an error refuses the activation and nothing
  // changes), then the head is committed with its audit entry ("<kind>/<name>/v<version>
  // activated"), then `install()`. kNotFound for an unknown name or version.
  Status Activate(std::string_view tenant, std::string_view name, int version, const Actor& actor,
                  const std::function<Status(int version)>& load,
                  const std::function<void(int version)>& install);
  // Re-activates the version active before the current one, likewise; returns it.
  // kFailedPrecondition when there is none.
  StatusOr<int> Rollback(std::string_view tenant, std::string_view name, const Actor& actor,
                         const std::function<Status(int version)>& load,
                         const std::function<void(int version)>& install);

  // Writes `value` into `column` beside an existing version (an evaluation report), audited as
  // "<kind>/<name>/v<version>/<what>". kNotFound for an unknown version.
  Status Attach(std::string_view tenant, std::string_view name, int version, const Actor& actor,
                std::string_view what, storage::Column column, std::string value);

  // The head of `name`: empty when there is none; kDataLoss when the stored one is corrupt.
  StatusOr<VersionHead> Head(std::string_view tenant, std::string_view name) const;
  // A version's record; kNotFound naming "version" when there is no such version.
  StatusOr<std::string> Record(std::string_view tenant, std::string_view name, int version) const;
  // Every version's record of `name`, oldest first.
  Status ScanRecords(std::string_view tenant, std::string_view name,
                     const std::function<Status(std::string_view record)>& visit) const;
  // Every version of `name` (kNotFound when there is none), oldest first: each record parsed
  // by `parse` (record text -> StatusOr<Version>), its `active` set from the head.
  template <typename Version>
  StatusOr<std::vector<Version>> Versions(std::string_view tenant, std::string_view name,
                                          StatusOr<Version> (*parse)(std::string_view)) const {
    FB_ASSIGN_OR_RETURN(VersionHead head, Head(tenant, name));
    FB_RETURN_IF_ERROR(RequireExists(head, name));
    std::vector<Version> out;
    FB_RETURN_IF_ERROR(ScanRecords(tenant, name, [&](std::string_view record) -> Status {
      FB_ASSIGN_OR_RETURN(Version v, parse(record));
      v.active = v.version == head.active;
      out.push_back(std::move(v));
      return OkStatus();
    }));
    return out;
  }
  // Every name of the tenant with its head, by name.
  StatusOr<std::vector<std::pair<std::string, VersionHead>>> Heads(std::string_view tenant) const;

  // kNotFound "no <kind> named '<name>'" when `head` has no version.
  Status RequireExists(const VersionHead& head, std::string_view name) const;

 private:
  StatusOr<VersionHead> ParseHead(std::string_view text, std::string_view name) const;
  Status Commit(std::string_view tenant, storage::WriteBatch batch, const Actor& actor,
                std::string entity);
  Status SwitchActive(std::string_view tenant, std::string_view name, const VersionHead& head,
                      int version, std::vector<int> history, const Actor& actor,
                      const std::function<Status(int)>& load,
                      const std::function<void(int)>& install);

  storage::KvStore& store_;
  AuditLog& audit_;
  const Columns columns_;
  const std::string kind_;
  std::mutex mutation_mu_;  // one read-modify-write of a head at a time
};

}  // namespace finbrain::tenancy
