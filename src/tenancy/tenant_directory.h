// TenantDirectory: tenants and their API keys.
//
// An API key is "fbk_<key id>_<secret>": a public 16-hex-digit id and a 256-bit random secret
// (base64url). It is shown once, at creation; the store keeps only a keyed BLAKE2b hash of the
// secret, so a copy of the data directory does not reveal usable keys. Authentication looks the
// id up in memory and compares hashes in constant time.
//
// Every change is written with its audit entry (tenancy/audit_log.h) in one atomic batch.
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto directory, TenantDirectory::Load(store, audit, keys, clock));
//   FB_ASSIGN_OR_RETURN(NewApiKey key, directory->CreateTenant("acme", std::nullopt, actor));
//   FB_ASSIGN_OR_RETURN(Principal who, directory->Authenticate(bearer_token));
//
// Thread-safety: all methods may be called concurrently. Mutations are serialized.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "storage/kv_store.h"
#include "tenancy/audit_log.h"
#include "tenancy/rate_limiter.h"
#include "tenancy/secrets.h"

namespace finbrain::tenancy {

struct Tenant {
  std::string id;  // [a-z0-9][a-z0-9_-]{0,62}
  TimeMicros created_at = 0;
  std::optional<RateLimit> rate_limit;  // overrides the deployment default
};

struct ApiKeyInfo {
  std::string key_id;
  std::string tenant;
  TimeMicros created_at = 0;
  std::optional<TimeMicros> revoked_at;
};

struct NewApiKey {
  std::string tenant;
  std::string key_id;
  std::string api_key;  // the full secret; never stored
};

// Who is calling, once authenticated.
struct Principal {
  std::string tenant;
  std::string key_id;
  std::optional<RateLimit> rate_limit;
};

// Who performs an administrative change, for the audit entry.
struct Actor {
  std::string id;      // "admin", "cli", or a key id
  std::string action;  // the route or command
};

// Checks a tenant id, naming `field` in the error.
Status ValidateTenantId(std::string_view id, std::string_view field = "name");

class TenantDirectory {
 public:
  // REQUIRES: store and audit outlive the directory.
  static StatusOr<std::unique_ptr<TenantDirectory>> Load(storage::KvStore& store, AuditLog& audit,
                                                         const DeploymentKeys& keys,
                                                         const Clock& clock);

  // Creates a tenant with its first API key. kAlreadyExists if the id is taken.
  StatusOr<NewApiKey> CreateTenant(std::string_view id, std::optional<RateLimit> rate_limit,
                                   const Actor& actor);
  // kNotFound if the tenant does not exist.
  StatusOr<NewApiKey> CreateKey(std::string_view tenant, const Actor& actor);
  // kNotFound for an unknown key; revoking twice is not an error.
  Status RevokeKey(std::string_view key_id, const Actor& actor);

  std::vector<Tenant> ListTenants() const;
  std::optional<Tenant> FindTenant(std::string_view id) const;
  // All keys, or one tenant's when `tenant` is non-empty; ordered by key id.
  std::vector<ApiKeyInfo> ListKeys(std::string_view tenant) const;
  std::optional<ApiKeyInfo> FindKey(std::string_view key_id) const;

  // kUnauthenticated for a malformed or unknown key, kPermissionDenied for a revoked one.
  StatusOr<Principal> Authenticate(std::string_view api_key) const;

 private:
  struct KeyRecord {
    ApiKeyInfo info;
    std::string secret_hash;  // hex
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  TenantDirectory(storage::KvStore& store, AuditLog& audit, const DeploymentKeys& keys,
                  const Clock& clock)
      : store_(store), audit_(audit), hash_key_(keys.api_key), clock_(clock) {}
  Status LoadAll();
  // Adds a new key's record to `batch`; REQUIRES mutation_mu_ held.
  NewApiKey MintKey(std::string_view tenant, storage::WriteBatch& batch, KeyRecord& record);
  std::string HashSecret(std::string_view secret) const;

  storage::KvStore& store_;
  AuditLog& audit_;
  const SecretKey hash_key_;
  const Clock& clock_;
  std::mutex mutation_mu_;  // serializes check-then-write sequences
  mutable std::shared_mutex mu_;
  StringMap<Tenant> tenants_;
  StringMap<KeyRecord> keys_;
};

}  // namespace finbrain::tenancy
