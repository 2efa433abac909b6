#include "server/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "common/temp_dir.h"

namespace finbrain::server {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Config, DefaultsThenFileThenEnv) {
  TempDir dir;
  const std::string path = dir.path() + "/finbrain.yaml";
  std::ofstream(path) << "data_dir: /srv/fb\nserver:\n  listen: 0.0.0.0:9000\n  io_threads: 4\n"
                         "rate_limit:\n  requests_per_second: 50\n";
  ServerConfig config = LoadServerConfig(path, Env({{"FINBRAIN_IO_THREADS", "8"}})).value();
  EXPECT_EQ(config.data_dir, "/srv/fb");
  EXPECT_EQ(config.listen_host, "0.0.0.0");
  EXPECT_EQ(config.listen_port, 9000);
  EXPECT_EQ(config.io_threads, 8);  // env beats file
  EXPECT_EQ(config.rate_limit_rps, 50);
  EXPECT_EQ(config.durability, storage::Durability::kSync);  // default
  EXPECT_EQ(config.sync_interval_ms, 5);
  ServerConfig defaults = LoadServerConfig("", Env({})).value();
  EXPECT_EQ(defaults.listen_port, 8080);
}

TEST(Config, ErrorsNameFileKeyAndProblem) {
  TempDir dir;
  const std::string path = dir.path() + "/bad.yaml";
  std::ofstream(path) << "server:\n  lisen: 1.2.3.4:80\n";
  Status s = LoadServerConfig(path, Env({})).status();
  EXPECT_EQ(s.field(), "server.lisen");
  EXPECT_NE(s.message().find("bad.yaml:2"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("unknown config key"), std::string::npos);

  std::ofstream(path) << "server:\n  io_threads: many\n";
  EXPECT_NE(LoadServerConfig(path, Env({})).status().message().find("not a number"),
            std::string::npos);
  std::ofstream(path) << "server: [1, 2\n";
  EXPECT_NE(LoadServerConfig(path, Env({})).status().message().find("invalid YAML"),
            std::string::npos);
  EXPECT_EQ(LoadServerConfig(dir.path() + "/missing.yaml", Env({})).status().field(), "config");
  EXPECT_EQ(LoadServerConfig("", Env({{"FINBRAIN_LISTEN", "nonsense"}})).status().field(),
            "FINBRAIN_LISTEN");
  EXPECT_FALSE(LoadServerConfig("", Env({{"FINBRAIN_ADMIN_TOKEN", "short"}})).ok());
}

TEST(Config, DurabilityLevelsAndTheDeprecatedSyncWrites) {
  ServerConfig process =
      LoadServerConfig(
          "", Env({{"FINBRAIN_DURABILITY", "process"}, {"FINBRAIN_SYNC_INTERVAL_MS", "2"}}))
          .value();
  EXPECT_EQ(process.durability, storage::Durability::kProcess);
  EXPECT_EQ(process.sync_interval_ms, 2);
  EXPECT_EQ(LoadServerConfig("", Env({{"FINBRAIN_SYNC_WRITES", "false"}})).value().durability,
            storage::Durability::kProcess);
  EXPECT_EQ(LoadServerConfig("", Env({{"FINBRAIN_SYNC_WRITES", "true"}})).value().durability,
            storage::Durability::kSync);
  Status bad = LoadServerConfig("", Env({{"FINBRAIN_DURABILITY", "fast"}})).status();
  EXPECT_EQ(bad.field(), "FINBRAIN_DURABILITY");
  EXPECT_NE(bad.message().find("sync or process"), std::string::npos) << bad.message();
  EXPECT_FALSE(LoadServerConfig("", Env({{"FINBRAIN_SYNC_INTERVAL_MS", "0"}})).ok());
}

TEST(Config, ParsesListenForms) {
  std::string host;
  std::uint16_t port = 0;
  ASSERT_TRUE(ParseListen("[::1]:8081", host, port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 8081);
  ASSERT_TRUE(ParseListen(":0", host, port).ok());
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_FALSE(ParseListen("localhost", host, port).ok());
  EXPECT_FALSE(ParseListen("h:70000", host, port).ok());
}

}  // namespace
}  // namespace finbrain::server
