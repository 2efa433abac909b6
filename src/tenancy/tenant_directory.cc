#include "tenancy/tenant_directory.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>

#include "common/json_text.h"
#include "common/strings.h"

namespace finbrain::tenancy {
namespace {

namespace json = boost::json;

constexpr std::string_view kKeyPrefix = "fbk_";
constexpr size_t kKeyIdBytes = 8;
constexpr size_t kSecretBytes = 32;

std::string TenantToJson(const Tenant& t) {
  json::object o;
  o["id"] = t.id;
  o["created_at_us"] = t.created_at;
  if (t.rate_limit) {
    o["rate_limit"] = {{"requests_per_second", t.rate_limit->requests_per_second},
                       {"burst", t.rate_limit->burst}};
  }
  return ToJsonText(o);
}

std::string KeyToJson(const ApiKeyInfo& k, std::string_view hash) {
  json::object o;
  o["key_id"] = k.key_id;
  o["tenant"] = k.tenant;
  o["created_at_us"] = k.created_at;
  if (k.revoked_at) o["revoked_at_us"] = *k.revoked_at;
  o["secret_hash"] = hash;
  return ToJsonText(o);
}

StatusOr<json::object> ParseObject(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object()) return DataLossError(std::string(what) + " record is corrupt");
  return std::move(v.get_object());
}

std::string GetString(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

TimeMicros GetInt(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v && v->is_int64() ? v->get_int64() : 0;
}

double GetDouble(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) return 0;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  return 0;
}

std::string Base64Url(const std::uint8_t* data, size_t size) {
  std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

}  // namespace

Status ValidateTenantId(std::string_view id, std::string_view field) {
  const auto bad = [&](std::string why) {
    return InvalidArgumentError("tenant name " + Quote(id) + " " + why, std::string(field));
  };
  if (id.empty()) return bad("is empty");
  if (id.size() > 63) return bad("is longer than 63 characters");
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '-' && c != '_'))) {
      return bad("must be lowercase letters, digits, '-' or '_', starting with a letter or digit");
    }
  }
  return OkStatus();
}

StatusOr<std::unique_ptr<TenantDirectory>> TenantDirectory::Load(storage::KvStore& store,
                                                                 AuditLog& audit,
                                                                 const DeploymentKeys& keys,
                                                                 const Clock& clock) {
  std::unique_ptr<TenantDirectory> directory(new TenantDirectory(store, audit, keys, clock));
  FB_RETURN_IF_ERROR(directory->LoadAll());
  return directory;
}

Status TenantDirectory::LoadAll() {
  Status error;
  FB_RETURN_IF_ERROR(
      store_.Scan(storage::Column::kTenants, "", "", [&](std::string_view, std::string_view v) {
        StatusOr<json::object> o = ParseObject(v, "tenant");
        if (!o.ok()) {
          error = o.status();
          return false;
        }
        Tenant t{GetString(*o, "id"), GetInt(*o, "created_at_us"), std::nullopt};
        if (const json::value* rl = o->if_contains("rate_limit"); rl && rl->is_object()) {
          t.rate_limit = RateLimit{GetDouble(rl->get_object(), "requests_per_second"),
                                   GetDouble(rl->get_object(), "burst")};
        }
        tenants_[t.id] = std::move(t);
        return true;
      }));
  FB_RETURN_IF_ERROR(error);
  FB_RETURN_IF_ERROR(
      store_.Scan(storage::Column::kApiKeys, "", "", [&](std::string_view, std::string_view v) {
        StatusOr<json::object> o = ParseObject(v, "API key");
        if (!o.ok()) {
          error = o.status();
          return false;
        }
        KeyRecord r;
        r.info.key_id = GetString(*o, "key_id");
        r.info.tenant = GetString(*o, "tenant");
        r.info.created_at = GetInt(*o, "created_at_us");
        if (o->contains("revoked_at_us")) r.info.revoked_at = GetInt(*o, "revoked_at_us");
        r.secret_hash = GetString(*o, "secret_hash");
        keys_[r.info.key_id] = std::move(r);
        return true;
      }));
  return error;
}

std::string TenantDirectory::HashSecret(std::string_view secret) const {
  std::array<std::uint8_t, 32> hash;
  crypto_generichash(hash.data(), hash.size(),
                     reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                     hash_key_.data(), hash_key_.size());
  return HexEncode(hash);
}

NewApiKey TenantDirectory::MintKey(std::string_view tenant, storage::WriteBatch& batch,
                                   KeyRecord& record) {
  std::string key_id;
  do {
    std::array<std::uint8_t, kKeyIdBytes> id_bytes;
    RandomBytes(id_bytes.data(), id_bytes.size());
    key_id = HexEncode(id_bytes);
  } while (keys_.contains(key_id));
  std::array<std::uint8_t, kSecretBytes> secret_bytes;
  RandomBytes(secret_bytes.data(), secret_bytes.size());
  const std::string secret = Base64Url(secret_bytes.data(), secret_bytes.size());
  sodium_memzero(secret_bytes.data(), secret_bytes.size());

  record.info = {key_id, std::string(tenant), clock_.NowMicros(), std::nullopt};
  record.secret_hash = HashSecret(secret);
  batch.Put(storage::Column::kApiKeys, key_id, KeyToJson(record.info, record.secret_hash));
  return {std::string(tenant), key_id, std::string(kKeyPrefix) + key_id + "_" + secret};
}

StatusOr<NewApiKey> TenantDirectory::CreateTenant(std::string_view id,
                                                  std::optional<RateLimit> rate_limit,
                                                  const Actor& actor) {
  FB_RETURN_IF_ERROR(ValidateTenantId(id));
  std::lock_guard mutation(mutation_mu_);
  if (FindTenant(id)) {
    return AlreadyExistsError("tenant " + Quote(id) + " already exists", "name");
  }
  Tenant tenant{std::string(id), clock_.NowMicros(), rate_limit};
  storage::WriteBatch batch;
  batch.Put(storage::Column::kTenants, tenant.id, TenantToJson(tenant));
  KeyRecord record;
  NewApiKey key = MintKey(id, batch, record);
  FB_RETURN_IF_ERROR(audit_.CommitAndWait(std::move(batch),
                                          {.tenant = tenant.id,
                                           .actor = actor.id,
                                           .action = actor.action,
                                           .entity = "tenant/" + tenant.id + " key/" + key.key_id,
                                           .result = "ok"}));
  std::unique_lock lock(mu_);
  tenants_[tenant.id] = std::move(tenant);
  keys_[record.info.key_id] = std::move(record);
  return key;
}

StatusOr<NewApiKey> TenantDirectory::CreateKey(std::string_view tenant, const Actor& actor) {
  std::lock_guard mutation(mutation_mu_);
  if (!FindTenant(tenant))
    return NotFoundError("tenant " + Quote(tenant) + " does not exist", "tenant");
  storage::WriteBatch batch;
  KeyRecord record;
  NewApiKey key = MintKey(tenant, batch, record);
  FB_RETURN_IF_ERROR(audit_.CommitAndWait(std::move(batch), {.tenant = std::string(tenant),
                                                             .actor = actor.id,
                                                             .action = actor.action,
                                                             .entity = "key/" + key.key_id,
                                                             .result = "ok"}));
  std::unique_lock lock(mu_);
  keys_[record.info.key_id] = std::move(record);
  return key;
}

Status TenantDirectory::RevokeKey(std::string_view key_id, const Actor& actor) {
  std::lock_guard mutation(mutation_mu_);
  KeyRecord record;
  {
    std::shared_lock lock(mu_);
    auto it = keys_.find(key_id);
    if (it == keys_.end())
      return NotFoundError("API key " + Quote(key_id) + " does not exist", "key_id");
    record = it->second;
  }
  if (record.info.revoked_at) return OkStatus();
  record.info.revoked_at = clock_.NowMicros();
  storage::WriteBatch batch;
  batch.Put(storage::Column::kApiKeys, record.info.key_id,
            KeyToJson(record.info, record.secret_hash));
  FB_RETURN_IF_ERROR(audit_.CommitAndWait(std::move(batch), {.tenant = record.info.tenant,
                                                             .actor = actor.id,
                                                             .action = actor.action,
                                                             .entity = "key/" + record.info.key_id,
                                                             .result = "ok"}));
  std::unique_lock lock(mu_);
  keys_[record.info.key_id] = std::move(record);
  return OkStatus();
}

std::vector<Tenant> TenantDirectory::ListTenants() const {
  std::shared_lock lock(mu_);
  std::vector<Tenant> out;
  for (const auto& [id, t] : tenants_) out.push_back(t);
  std::sort(out.begin(), out.end(), [](const Tenant& a, const Tenant& b) { return a.id < b.id; });
  return out;
}

std::optional<Tenant> TenantDirectory::FindTenant(std::string_view id) const {
  std::shared_lock lock(mu_);
  auto it = tenants_.find(id);
  if (it == tenants_.end()) return std::nullopt;
  return it->second;
}

std::vector<ApiKeyInfo> TenantDirectory::ListKeys(std::string_view tenant) const {
  std::shared_lock lock(mu_);
  std::vector<ApiKeyInfo> out;
  for (const auto& [id, r] : keys_) {
    if (tenant.empty() || r.info.tenant == tenant) out.push_back(r.info);
  }
  std::sort(out.begin(), out.end(),
            [](const ApiKeyInfo& a, const ApiKeyInfo& b) { return a.key_id < b.key_id; });
  return out;
}

std::optional<ApiKeyInfo> TenantDirectory::FindKey(std::string_view key_id) const {
  std::shared_lock lock(mu_);
  auto it = keys_.find(key_id);
  if (it == keys_.end()) return std::nullopt;
  return it->second.info;
}

StatusOr<Principal> TenantDirectory::Authenticate(std::string_view api_key) const {
  // fbk_<16 hex>_<43 base64url>
  constexpr size_t kIdHex = 2 * kKeyIdBytes;
  if (!api_key.starts_with(kKeyPrefix) || api_key.size() < kKeyPrefix.size() + kIdHex + 2 ||
      api_key[kKeyPrefix.size() + kIdHex] != '_') {
    return UnauthenticatedError("malformed API key (expected fbk_<id>_<secret>)");
  }
  const std::string_view key_id = api_key.substr(kKeyPrefix.size(), kIdHex);
  const std::string_view secret = api_key.substr(kKeyPrefix.size() + kIdHex + 1);
  const std::string hash = HashSecret(secret);
  std::shared_lock lock(mu_);
  auto it = keys_.find(key_id);
  if (it == keys_.end() || it->second.secret_hash.size() != hash.size() ||
      sodium_memcmp(it->second.secret_hash.data(), hash.data(), hash.size()) != 0) {
    return UnauthenticatedError("unknown API key");
  }
  const KeyRecord& record = it->second;
  if (record.info.revoked_at) {
    return PermissionDeniedError("API key " + record.info.key_id + " was revoked");
  }
  Principal principal{record.info.tenant, record.info.key_id, std::nullopt};
  if (auto t = tenants_.find(record.info.tenant); t != tenants_.end()) {
    principal.rate_limit = t->second.rate_limit;
  }
  return principal;
}

}  // namespace finbrain::tenancy
