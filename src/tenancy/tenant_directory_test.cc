#include "tenancy/tenant_directory.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "common/temp_dir.h"

namespace finbrain::tenancy {
namespace {

class TenantDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    directory_.reset();
    audit_.reset();
    commits_.reset();
    store_.reset();
    keys_ = LoadOrCreateDeploymentKeys(dir_.path()).value();
    store_ = std::move(storage::OpenRocksDb({.path = dir_.path() + "/db"})).value();
    commits_ = std::make_unique<storage::CommitQueue>(*store_);
    audit_ = std::move(AuditLog::Open(*store_, *commits_, keys_.audit, clock_)).value();
    directory_ = std::move(TenantDirectory::Load(*store_, *audit_, keys_, clock_)).value();
  }

  TempDir dir_;
  ManualClock clock_{1'700'000'000'000'000};
  DeploymentKeys keys_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<storage::CommitQueue> commits_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<TenantDirectory> directory_;
  const Actor actor_{"admin", "test"};
};

TEST_F(TenantDirectoryTest, CreatedKeyAuthenticatesAsItsTenant) {
  NewApiKey key = directory_->CreateTenant("acme", std::nullopt, actor_).value();
  EXPECT_TRUE(key.api_key.starts_with("fbk_" + key.key_id + "_"));
  EXPECT_GE(key.api_key.size(), 4 + 16 + 1 + 43u);
  Principal who = directory_->Authenticate(key.api_key).value();
  EXPECT_EQ(who.tenant, "acme");
  EXPECT_EQ(who.key_id, key.key_id);
}

TEST_F(TenantDirectoryTest, BadKeysAreUnauthenticatedAndRevokedKeysForbidden) {
  NewApiKey key = directory_->CreateTenant("acme", std::nullopt, actor_).value();
  std::string tampered = key.api_key;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(directory_->Authenticate(tampered).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(directory_->Authenticate("Bearer nonsense").status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(directory_->Authenticate("").status().code(), StatusCode::kUnauthenticated);
  ASSERT_TRUE(directory_->RevokeKey(key.key_id, actor_).ok());
  EXPECT_EQ(directory_->Authenticate(key.api_key).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(directory_->RevokeKey(key.key_id, actor_).ok());  // idempotent
  EXPECT_EQ(directory_->RevokeKey("0000000000000000", actor_).code(), StatusCode::kNotFound);
}

TEST_F(TenantDirectoryTest, TenantsAndKeysSurviveReopenWithoutStoringSecrets) {
  NewApiKey first = directory_->CreateTenant("acme", RateLimit{5, 10}, actor_).value();
  NewApiKey second = directory_->CreateKey("acme", actor_).value();
  ASSERT_TRUE(directory_->RevokeKey(first.key_id, actor_).ok());
  Open();
  EXPECT_EQ(directory_->Authenticate(second.api_key).value().tenant, "acme");
  EXPECT_EQ(directory_->Authenticate(second.api_key).value().rate_limit->requests_per_second, 5);
  EXPECT_EQ(directory_->Authenticate(first.api_key).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(directory_->ListKeys("acme").size(), 2u);
  // The secret follows "fbk_<16 hex>_"; it is base64url, so it may itself contain '_'.
  const std::string secret = second.api_key.substr(4 + 16 + 1);
  ASSERT_GE(secret.size(), 43u);
  bool leaked = false;
  ASSERT_TRUE(store_
                  ->Scan(storage::Column::kApiKeys, "", "",
                         [&](std::string_view, std::string_view v) {
                           leaked |= v.find(secret) != std::string_view::npos;
                           return true;
                         })
                  .ok());
  EXPECT_FALSE(leaked);
  // Each change was audited.
  EXPECT_EQ(AuditLog::Verify(*store_, keys_.audit).value().entries_checked, 3u);
}

TEST_F(TenantDirectoryTest, ValidatesNamesAndRejectsDuplicates) {
  EXPECT_EQ(directory_->CreateTenant("Acme Corp", std::nullopt, actor_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(directory_->CreateTenant("", std::nullopt, actor_).status().field(), "name");
  EXPECT_EQ(directory_->CreateTenant("-x", std::nullopt, actor_).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(directory_->CreateTenant("acme", std::nullopt, actor_).ok());
  EXPECT_EQ(directory_->CreateTenant("acme", std::nullopt, actor_).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(directory_->CreateKey("nobody", actor_).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(directory_->ListTenants().size(), 1u);
}

TEST(DeploymentKeys, CreatedOnceWithMode0600AndStable) {
  TempDir dir;
  DeploymentKeys a = LoadOrCreateDeploymentKeys(dir.path()).value();
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/secret.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  DeploymentKeys b = LoadOrCreateDeploymentKeys(dir.path()).value();
  EXPECT_EQ(a.pii, b.pii);
  EXPECT_NE(a.pii, a.api_key);
  ::chmod((dir.path() + "/secret.key").c_str(), 0644);
  EXPECT_EQ(LoadOrCreateDeploymentKeys(dir.path()).status().code(),
            StatusCode::kFailedPrecondition);
  ::chmod((dir.path() + "/secret.key").c_str(), 0600);
  std::ofstream(dir.path() + "/secret.key") << "not hex";
  EXPECT_EQ(LoadOrCreateDeploymentKeys(dir.path()).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace finbrain::tenancy
