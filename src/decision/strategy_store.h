// StrategyStore: a tenant's strategies, versioned in the store. Every PUT compiles the document
// first (a strategy that does not compile is never stored) and adds a version; activation
// compiles it again against the tenant's current features and models and swaps it in
// atomically: requests in flight finish on the version they started with (they hold a
// shared_ptr). Every change is audited.
//
// Example:
//   StrategyStore strategies(store, audit, clock, env_for_tenant);
//   FB_ASSIGN_OR_RETURN(StrategyVersion v, strategies.Put("acme", "credit", yaml, actor));
//   FB_RETURN_IF_ERROR(strategies.Activate("acme", "credit", v.version, actor).status());
//   FB_ASSIGN_OR_RETURN(auto live, strategies.Active("acme", "credit"));
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "decision/strategy.h"
#include "storage/kv_store.h"
#include "tenancy/audit_log.h"
#include "tenancy/tenant_directory.h"
#include "tenancy/versioned_documents.h"

namespace finbrain::decision {

struct StrategyVersion {
  std::string name;
  int version = 0;
  std::string created_at;
  std::string created_by;
  std::string description;
  std::string kind = "credit";  // KindName; every version of a name has the same kind
  std::string yaml;
  bool active = false;
};

// The active version of a strategy, compiled, with its challenger when it runs an experiment.
struct LiveStrategy {
  std::string name;
  int version = 0;
  std::shared_ptr<const Strategy> strategy;
  int challenger_version = 0;
  std::shared_ptr<const Strategy> challenger;
};

// Strategy names: 1-64 characters of [a-z0-9_-], starting with a letter or digit.
Status ValidateStrategyName(std::string_view name);

class StrategyStore {
 public:
  using EnvironmentFor = std::function<StrategyEnvironment(std::string_view tenant)>;
  // REQUIRES: store, audit and clock outlive the StrategyStore.
  StrategyStore(storage::KvStore& store, tenancy::AuditLog& audit, const Clock& clock,
                EnvironmentFor environment);

  // Compiles `yaml` (errors name line:column) and stores it as the next version (not active).
  StatusOr<StrategyVersion> Put(std::string_view tenant, std::string_view name,
                                std::string_view yaml, const tenancy::Actor& actor);
  // Makes `version` the active one; a version that no longer compiles (a model was removed, a
  // feature renamed) is refused and the active version stays.
  StatusOr<StrategyVersion> Activate(std::string_view tenant, std::string_view name, int version,
                                     const tenancy::Actor& actor);
  StatusOr<std::vector<StrategyVersion>> Versions(std::string_view tenant,
                                                  std::string_view name) const;
  StatusOr<StrategyVersion> Get(std::string_view tenant, std::string_view name, int version) const;
  // Each strategy of the tenant at its active (or else latest) version, without the YAML.
  StatusOr<std::vector<StrategyVersion>> List(std::string_view tenant) const;
  // The active version compiled; kNotFound when the strategy has none.
  StatusOr<std::shared_ptr<const LiveStrategy>> Active(std::string_view tenant,
                                                       std::string_view name);
  // The features and models strategies of `tenant` compile and run against.
  StrategyEnvironment Environment(std::string_view tenant) const { return environment_(tenant); }
  // Compiles without storing (validation and dry runs).
  StatusOr<std::shared_ptr<const Strategy>> Compile(std::string_view tenant,
                                                    std::string_view yaml) const;

 private:
  StatusOr<std::shared_ptr<const LiveStrategy>> Load(std::string_view tenant, std::string_view name,
                                                     int version) const;

  tenancy::VersionedDocuments documents_;
  const Clock& clock_;
  EnvironmentFor environment_;
  mutable std::mutex live_mu_;
  std::map<std::string, std::shared_ptr<const LiveStrategy>, std::less<>> live_;
};

}  // namespace finbrain::decision
