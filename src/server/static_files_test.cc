#include "server/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/temp_dir.h"

namespace finbrain::server {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(dir_ / "assets"); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  TempDir temp_{"static_files_test"};
  fs::path dir_{temp_.path()};
};

TEST_F(StaticFilesTest, ServesFilesWithTheirTypesAndTheAppForItsOwnPaths) {
  Write("index.html", "<!doctype html><title>console</title>");
  Write("assets/index-abc123.js", "console.log(1)");
  Write("favicon.svg", "<svg/>");
  StatusOr<StaticFiles> files = StaticFiles::Load(dir_.string());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->file_count(), 3u);

  std::optional<HttpResponse> index = files->Serve("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index->body, "<!doctype html><title>console</title>");

  std::optional<HttpResponse> script = files->Serve("/assets/index-abc123.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(script->body, "console.log(1)");
  bool immutable = false;
  for (const auto& [name, value] : script->headers) {
    immutable |= name == "Cache-Control" && value.find("immutable") != std::string::npos;
  }
  EXPECT_TRUE(immutable);

  EXPECT_EQ(files->Serve("/favicon.svg")->content_type, "image/svg+xml");
  // A page of the app (no extension) is the app; a missing file is not.
  ASSERT_TRUE(files->Serve("/decisions"));
  EXPECT_EQ(files->Serve("/decisions")->body, index->body);
  EXPECT_FALSE(files->Serve("/assets/missing.js"));
  EXPECT_FALSE(files->Serve("/../etc/passwd.txt"));
}

TEST_F(StaticFilesTest, AFolderWithoutIndexIsNotAConsole) {
  Write("other.html", "x");
  StatusOr<StaticFiles> files = StaticFiles::Load(dir_.string());
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), StatusCode::kNotFound);
  EXPECT_NE(files.status().message().find("index.html"), std::string::npos);
  EXPECT_FALSE(StaticFiles::Load((dir_ / "absent").string()).ok());
}

}  // namespace
}  // namespace finbrain::server
