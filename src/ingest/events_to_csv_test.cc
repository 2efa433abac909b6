#include "ingest/events_to_csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/temp_dir.h"

namespace finbrain::ingest {
namespace {

using ::testing::HasSubstr;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class EventsToCsvTest : public ::testing::Test {
 protected:
  EventsToCsvTest() {
    std::ofstream(events_)
        << R"({"event_type":"credit_application","application_id":"a1","user_id":"u1","requested_amount":5000,"bureau":{"score":640},"contacts":[{"phone":"t1"},{"phone":"t2"}]})"
        << "\n\n"  // a blank line is skipped
        << R"({"event_type":"credit_application","application_id":"a2","user_id":"u2","requested_amount":1e6,"contacts":[]})"
        << "\n"
        << R"({"event_type":"credit_application","application_id":"a3","user_id":"u3"})"
        << "\n";
    std::ofstream(labels_) << R"({"application_id":"a1","defaulted":true,"pd":0.125})"
                           << "\n"
                           << R"({"application_id":"a2","defaulted":false,"pd":0.5})"
                           << "\n";
  }

  std::vector<std::string> Lines(const std::string& path) {
    std::vector<std::string> lines;
    std::istringstream in(Read(path));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  TempDir dir_;
  const std::string events_ = dir_.path() + "/credit_application.jsonl";
  const std::string labels_ = dir_.path() + "/applications.jsonl";
  const std::string out_ = dir_.path() + "/apps.csv";
};

TEST_F(EventsToCsvTest, FlattensFieldsListsAndJoinsLabels) {
  auto summary = EventsToCsv(
      {.events = events_,
       .out = out_,
       .joins = {{.file = labels_, .on = "application_id", .take = {"defaulted", "pd"}}},
       .lists = {"contacts[].phone"}});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->rows, 2u);
  EXPECT_EQ(summary->unmatched, 1u);  // a3 has no label
  const std::vector<std::string> lines = Lines(out_);
  ASSERT_EQ(lines.size(), 3u);
  // Columns from the schema: nested fields dotted, the contacts array as its length.
  EXPECT_THAT(lines[0], HasSubstr("application_id"));
  EXPECT_THAT(lines[0], HasSubstr("bureau.score"));
  EXPECT_TRUE(lines[0].ends_with(R"(,"contacts[].phone","defaulted","pd")")) << lines[0];
  EXPECT_THAT(lines[1], HasSubstr(",640,"));
  EXPECT_TRUE(lines[1].ends_with(R"(,"t1,t2",1,0.125)")) << lines[1];
  EXPECT_THAT(lines[2], HasSubstr(",1000000,"));                // numbers as plain decimals
  EXPECT_TRUE(lines[2].ends_with(R"(,"",0,0.5)")) << lines[2];  // no contacts, not defaulted
}

TEST_F(EventsToCsvTest, JoinsSeveralFilesAndKeepsOnlyRowsFoundInEach) {
  const std::string users = dir_.path() + "/user_registration.jsonl";
  std::ofstream(users) << R"({"user_id":"u1","gender":"female","birth_year":1990})"
                       << "\n"
                       << R"({"user_id":"u3","gender":"male","birth_year":1970})"
                       << "\n"
                       << R"({"user_id":"u1","gender":"female","birth_year":1991})"  // last counts
                       << "\n";
  auto summary =
      EventsToCsv({.events = events_,
                   .out = out_,
                   .joins = {{.file = labels_, .on = "application_id", .take = {"defaulted"}},
                             {.file = users, .on = "user_id", .take = {"gender", "birth_year"}}}});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->rows, 1u);  // a1; a2's user is not registered, a3 has no label
  EXPECT_EQ(summary->unmatched, 2u);
  const std::vector<std::string> lines = Lines(out_);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].ends_with(R"(,"defaulted","gender","birth_year")")) << lines[0];
  EXPECT_TRUE(lines[1].ends_with(R"(,1,"female",1991)")) << lines[1];
}

TEST_F(EventsToCsvTest, ErrorsNameTheOptionAndTheLine) {
  EXPECT_EQ(
      EventsToCsv({.events = events_, .out = out_, .joins = {{.file = labels_}}}).status().field(),
      "join");
  auto bad_list = EventsToCsv({.events = events_, .out = out_, .lists = {"contacts[].name"}});
  EXPECT_EQ(bad_list.status().field(), "list");
  std::ofstream(events_, std::ios::app) << R"({"event_type":"login","event_id":"l1"})"
                                        << "\n";
  auto mixed = EventsToCsv({.events = events_, .out = out_});
  EXPECT_THAT(mixed.status().message(), HasSubstr("credit_application.jsonl:5"));
  std::ofstream(labels_, std::ios::app) << "not json\n";
  auto broken = EventsToCsv({.events = events_,
                             .out = out_,
                             .joins = {{.file = labels_, .on = "application_id", .take = {"pd"}}}});
  EXPECT_THAT(broken.status().message(), HasSubstr("applications.jsonl:3"));
  EXPECT_EQ(broken.status().field(), "join");
}

}  // namespace
}  // namespace finbrain::ingest
