// The `finbrain` command line: usage errors, config errors, tenant and key commands in both
// modes, and `audit verify` after tampering.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "common/temp_dir.h"
#include "storage/kv_store.h"
#include "tests/test_process.h"

namespace finbrain {
namespace {

namespace json = boost::json;
using testing::RunFinbrain;
using testing::ServerProcess;

TEST(Cli, VersionAndHelp) {
  TempDir dir;
  auto version = RunFinbrain({"version"}, dir.path());
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("finbrain ", 0), 0u);
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"},
                                        {"serve", "--help"},
                                        {"tenant", "create", "--help"},
                                        {"key", "revoke", "--help"},
                                        {"audit", "verify", "--help"}}) {
    auto help = RunFinbrain(args, dir.path());
    EXPECT_EQ(help.exit_code, 0) << args[0];
    EXPECT_NE(help.out.find("Usage"), std::string::npos) << args[0];
  }
}

TEST(Cli, BadFlagsAndConfigFailWithMessages) {
  TempDir dir;
  auto unknown = RunFinbrain({"serve", "--no-such-flag"}, dir.path());
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("no-such-flag"), std::string::npos) << unknown.err;

  auto bad_listen =
      RunFinbrain({"serve", "--data-dir", dir.path() + "/d", "--listen", "nowhere"}, dir.path());
  EXPECT_NE(bad_listen.exit_code, 0);
  EXPECT_NE(bad_listen.err.find("HOST:PORT"), std::string::npos) << bad_listen.err;

  const std::string config = dir.path() + "/finbrain.yaml";
  std::ofstream(config) << "server:\n  io_threads: -3\n";
  auto bad_config = RunFinbrain({"--config", config, "serve"}, dir.path());
  EXPECT_NE(bad_config.exit_code, 0);
  EXPECT_NE(bad_config.err.find("server.io_threads"), std::string::npos) << bad_config.err;

  auto bad_env = RunFinbrain({"serve", "--data-dir", dir.path() + "/d"}, dir.path(),
                             {"FINBRAIN_IO_THREADS=zero"});
  EXPECT_NE(bad_env.exit_code, 0);
  EXPECT_NE(bad_env.err.find("FINBRAIN_IO_THREADS"), std::string::npos) << bad_env.err;

  auto missing_arg = RunFinbrain({"tenant", "create"}, dir.path());
  EXPECT_NE(missing_arg.exit_code, 0);
  EXPECT_NE(missing_arg.err.find("name"), std::string::npos) << missing_arg.err;

  auto bad_name =
      RunFinbrain({"tenant", "create", "Not Valid", "--data-dir", dir.path() + "/d"}, dir.path());
  EXPECT_NE(bad_name.exit_code, 0);
  EXPECT_NE(bad_name.err.find("lowercase"), std::string::npos) << bad_name.err;
}

TEST(Cli, TenantAndKeyCommandsOnDataDirectoryAndServer) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  auto created = RunFinbrain({"tenant", "create", "acme", "--data-dir", data}, dir.path());
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const json::value key = json::parse(created.out);
  EXPECT_EQ(key.at("tenant"), "acme");
  EXPECT_EQ(
      RunFinbrain({"tenant", "create", "acme", "--data-dir", data}, dir.path()).exit_code != 0,
      true);

  ServerProcess server(data, dir.path());
  // The directory is held by the server now: direct access is refused with a hint.
  auto busy = RunFinbrain({"tenant", "list", "--data-dir", data}, dir.path());
  EXPECT_NE(busy.exit_code, 0);
  EXPECT_NE(busy.err.find("--url"), std::string::npos) << busy.err;

  const std::vector<std::string> admin_env = {std::string("FINBRAIN_ADMIN_TOKEN=") +
                                              ServerProcess::kAdminToken};
  auto via_api =
      RunFinbrain({"tenant", "create", "bank-b", "--url", server.url()}, dir.path(), admin_env);
  ASSERT_EQ(via_api.exit_code, 0) << via_api.err;
  auto listed = RunFinbrain({"tenant", "list", "--url", server.url()}, dir.path(), admin_env);
  EXPECT_NE(listed.out.find("acme"), std::string::npos);
  EXPECT_NE(listed.out.find("bank-b"), std::string::npos);
  const std::string key_id(key.at("key_id").as_string());
  auto revoked =
      RunFinbrain({"key", "revoke", key_id, "--url", server.url()}, dir.path(), admin_env);
  EXPECT_EQ(revoked.exit_code, 0) << revoked.err;
  auto keys = RunFinbrain({"key", "list", "acme", "--url", server.url()}, dir.path(), admin_env);
  EXPECT_NE(keys.out.find(key_id), std::string::npos);
  auto no_token = RunFinbrain({"tenant", "list", "--url", server.url()}, dir.path());
  EXPECT_NE(no_token.exit_code, 0);
  EXPECT_NE(no_token.err.find("FINBRAIN_ADMIN_TOKEN"), std::string::npos);

  auto client = server.Connect();
  auto r =
      client->Send("GET", "/v1/lists/blacklist/ip", "",
                   {{"Authorization", "Bearer " + std::string(key.at("api_key").as_string())}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403);
  // audit verify works beside the running server (read-only).
  auto verify = RunFinbrain({"audit", "verify", "--data-dir", data}, dir.path());
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

TEST(Cli, SimulateRefusesANonEmptyDirectoryWithoutForce) {
  TempDir dir;
  const std::string out = dir.path() + "/world";
  auto first = RunFinbrain(
      {"simulate", "--users", "50", "--days", "30", "--seed", "5", "--out", out}, dir.path());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(std::filesystem::exists(out + "/manifest.json"));
  EXPECT_NE(first.err.find("events/s"), std::string::npos) << first.err;
  const std::string logins = testing::ReadFile(out + "/events/login.jsonl");
  auto again = RunFinbrain(
      {"simulate", "--users", "50", "--days", "30", "--seed", "5", "--out", out}, dir.path());
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  auto forced = RunFinbrain(
      {"simulate", "--users", "50", "--days", "30", "--seed", "5", "--out", out, "--force"},
      dir.path());
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(testing::ReadFile(out + "/events/login.jsonl"), logins);  // same seed, same bytes
  auto bad = RunFinbrain({"simulate", "--users", "0", "--out", dir.path() + "/x"}, dir.path());
  EXPECT_NE(bad.exit_code, 0);
}

TEST(Cli, AuditVerifyNamesTheFirstTamperedEntry) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  {
    ServerProcess server(data, dir.path());
    auto client = server.Connect();
    auto created =
        client->Send("POST", "/admin/v1/tenants", R"({"name":"acme"})",
                     {{"Authorization", std::string("Bearer ") + ServerProcess::kAdminToken}});
    ASSERT_TRUE(created.ok());
    const std::string key(json::parse(created->body).at("api_key").as_string());
    for (int i = 0; i < 5; ++i) {
      auto r = client->Send("PUT", "/v1/lists/blacklist/ip/1.1.1." + std::to_string(i),
                            R"({"reason":"x"})", {{"Authorization", "Bearer " + key}});
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status, 201);
    }
    EXPECT_EQ(server.Stop(), 0);
  }
  auto intact = RunFinbrain({"audit", "verify", "--data-dir", data}, dir.path());
  EXPECT_EQ(intact.exit_code, 0) << intact.err;
  EXPECT_NE(intact.out.find("6 entries"), std::string::npos) << intact.out;

  {
    // Someone with access to the store rewrites entry 4 (the third list write).
    auto store = std::move(storage::OpenRocksDb({.path = data + "/db"})).value();
    const std::string key = "00000000000000000004";
    std::string entry = store->Get(storage::Column::kAudit, key).value().value();
    const size_t at = entry.find("1.1.1.2");
    ASSERT_NE(at, std::string::npos) << entry;
    entry.replace(at, 7, "8.8.8.8");
    ASSERT_TRUE(store->Put(storage::Column::kAudit, key, entry).ok());
  }
  auto tampered = RunFinbrain({"audit", "verify", "--data-dir", data}, dir.path());
  EXPECT_NE(tampered.exit_code, 0);
  EXPECT_NE(tampered.err.find("entry 4"), std::string::npos) << tampered.err;
}

}  // namespace
}  // namespace finbrain
