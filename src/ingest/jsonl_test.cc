#include "ingest/jsonl.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "common/temp_dir.h"

namespace finbrain::ingest {
namespace {

using ::testing::HasSubstr;

TEST(Jsonl, ForEachJsonObjectVisitsObjectsWithPositionsAndStopsAtErrors) {
  TempDir dir;
  const std::string a = dir.path() + "/a.jsonl", b = dir.path() + "/b.jsonl";
  std::ofstream(a) << R"({"n":1})"
                   << "\n\n"
                   << R"({"n":2})"
                   << "\r\n";
  std::ofstream(b) << R"({"n":3})"
                   << "\n";
  std::vector<std::string> seen;
  ASSERT_TRUE(ForEachJsonObject({a, b}, [&](const boost::json::object& o, std::string_view at) {
                seen.push_back(std::to_string(o.at("n").as_int64()) + "@" +
                               std::string(at.substr(at.rfind('/') + 1)));
                return OkStatus();
              }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"1@a.jsonl:1", "2@a.jsonl:3", "3@b.jsonl:1"}));

  // The visitor's error comes back with the line it was about.
  Status stopped = ForEachJsonObject({a, b}, [](const boost::json::object& o, std::string_view) {
    return o.at("n").as_int64() == 2 ? InvalidArgumentError("two", "n") : OkStatus();
  });
  EXPECT_THAT(stopped.message(), HasSubstr("a.jsonl:3: two"));
  EXPECT_EQ(stopped.field(), "n");

  std::ofstream(b, std::ios::app) << "[1, 2]\n";
  Status not_object = ForEachJsonObject(
      {b}, [](const boost::json::object&, std::string_view) { return OkStatus(); });
  EXPECT_THAT(not_object.message(), HasSubstr("b.jsonl:2: not a JSON object"));
  EXPECT_EQ(
      ForEachJsonObject({dir.path() + "/none.jsonl"},
                        [](const boost::json::object&, std::string_view) { return OkStatus(); })
          .code(),
      StatusCode::kNotFound);
}

}  // namespace
}  // namespace finbrain::ingest
