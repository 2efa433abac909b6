#include "features/training_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/temp_dir.h"

namespace finbrain::features {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kFeatures = R"(features:
  - {name: logins_1d, entity: user, event: login, aggregate: count, window: 1d}
  - {name: apps_per_phone_7d, entity: phone, event: credit_application, aggregate: count, window: 7d}
)";

std::string Login(int n, const std::string& user, const std::string& at) {
  return R"({"event_type":"login","event_id":"l)" + std::to_string(n) + R"(","occurred_at":")" +
         at + R"(","user_id":")" + user +
         R"(","session_id":"s","device_id":"d","ip":"1.2.3.4","method":"password","success":true})";
}

class TrainingTableTest : public ::testing::Test {
 protected:
  TrainingTableTest() {
    std::ofstream(dir_.path() + "/login.jsonl") << Login(1, "u1", "2026-03-01T08:00:00Z") << "\n"
                                                << Login(2, "u1", "2026-03-01T09:00:00Z") << "\n"
                                                << Login(3, "u1", "2026-03-01T11:00:00Z") << "\n"
                                                << Login(4, "u2", "2026-03-01T08:30:00Z") << "\n";
    set_ = std::move(FeatureSet::Parse(kFeatures)).value();
  }

  void WriteRows(const std::string& csv) { std::ofstream(data_) << csv; }
  std::vector<std::string> Out() {
    std::ifstream in(out_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  TempDir dir_;
  const std::string data_ = dir_.path() + "/rows.csv";
  const std::string out_ = dir_.path() + "/out.csv";
  std::shared_ptr<const FeatureSet> set_;
};

TEST_F(TrainingTableTest, EachRowGetsTheFeaturesAsOfItsTime) {
  WriteRows(
      "user_id,occurred_at,amount\n"
      "u1,2026-03-01T10:00:00Z,5000\n"    // two logins before it
      "u1,2026-03-01T12:00:00Z,0.0001\n"  // three
      "u2,2026-03-01T08:00:00Z,7\n");     // none yet
  auto summary = BuildTrainingTable(
      *set_, {.data = data_, .events = dir_.path() + "/login.jsonl", .out = out_});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->rows, 3u);
  EXPECT_EQ(summary->features, 2u);
  // No phone column: its feature is left empty, and the summary says so.
  ASSERT_EQ(summary->notes.size(), 1u);
  EXPECT_THAT(summary->notes[0], HasSubstr("no column 'phone'"));
  const std::vector<std::string> lines = Out();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], R"("user_id","occurred_at","amount","logins_1d","apps_per_phone_7d")");
  EXPECT_EQ(lines[1], R"("u1","2026-03-01T10:00:00Z",5000,2,)");
  EXPECT_EQ(lines[2], R"("u1","2026-03-01T12:00:00Z",0.0001,3,)");
  EXPECT_EQ(lines[3], R"("u2","2026-03-01T08:00:00Z",7,0,)");
}

TEST_F(TrainingTableTest, ExtraColumnsSeeEveryEventAndTheRows) {
  WriteRows("user_id,occurred_at\nu1,2026-03-01T10:00:00Z\n");
  size_t events_seen = 0;
  ExtraColumns extra{.names = {"graph_x"},
                     .entities = {"user"},
                     .compute = [&](std::vector<ingest::ValidatedEvent> events,
                                    const std::vector<PointInTime>& rows) {
                       events_seen = events.size();
                       EXPECT_EQ(rows[0].ids.at("user"), "u1");
                       return std::vector<std::vector<std::optional<double>>>{{42.0}};
                     }};
  auto summary = BuildTrainingTable(
      *set_, {.data = data_, .events = dir_.path() + "/login.jsonl", .out = out_, .extra = &extra});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(events_seen, 4u);
  EXPECT_TRUE(Out()[0].ends_with(R"(,"graph_x")"));
  EXPECT_TRUE(Out()[1].ends_with(",42"));
}

TEST_F(TrainingTableTest, ErrorsNameTheRowColumnAndOption) {
  const TrainingTableOptions options{
      .data = data_, .events = dir_.path() + "/login.jsonl", .out = out_};
  WriteRows("user_id,occurred_at\nu1,yesterday\n");
  auto bad_time = BuildTrainingTable(*set_, options);
  EXPECT_THAT(bad_time.status().message(), HasSubstr("row 1, column 'occurred_at'"));
  WriteRows("user_id,when\nu1,2026-03-01T10:00:00Z\n");
  EXPECT_EQ(BuildTrainingTable(*set_, options).status().field(), "time-column");
  WriteRows("user_id,occurred_at\nu1,2026-03-01T10:00:00Z\n");
  TrainingTableOptions wrong_column = options;
  wrong_column.entity_columns = {{"user", "customer"}};
  EXPECT_EQ(BuildTrainingTable(*set_, wrong_column).status().field(), "entity");
  std::ofstream(dir_.path() + "/login.jsonl", std::ios::app) << R"({"event_type":"login"})"
                                                             << "\n";
  EXPECT_THAT(BuildTrainingTable(*set_, options).status().message(), HasSubstr("login.jsonl:5"));
}

}  // namespace
}  // namespace finbrain::features
