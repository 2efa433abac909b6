#include "decision/decision_history.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/temp_dir.h"

namespace finbrain::decision {
namespace {

namespace json = boost::json;

constexpr TimeMicros kMinute = 60'000'000;
const TimeMicros kT0 = ParseRfc3339("2026-11-27T10:00:00Z").value();

class DecisionHistoryTest : public ::testing::Test {
 protected:
  void Put(std::string_view tenant, TimeMicros at, const std::string& id, const std::string& kind,
           const std::string& decision) {
    const std::string summary = json::serialize(json::object{{"decision_id", id},
                                                             {"kind", kind},
                                                             {"decision", decision},
                                                             {"decided_at", FormatRfc3339(at)}});
    ASSERT_TRUE(
        store_->Put(storage::Column::kDecisionsByTime, DecisionTimeKey(tenant, at, id), summary)
            .ok());
  }
  std::vector<std::string> Ids(const DecisionPage& page) {
    std::vector<std::string> ids;
    for (const std::string& s : page.summaries) {
      ids.emplace_back(json::parse(s).at("decision_id").as_string());
    }
    return ids;
  }
  TempDir dir_{"decision_history_test"};
  std::unique_ptr<storage::KvStore> store_ = storage::OpenRocksDb({.path = dir_.path()}).value();
};

TEST_F(DecisionHistoryTest, ListsNewestFirstWithFiltersAndPages) {
  Put("acme", kT0, "d0", "credit", "approve");
  Put("acme", kT0 + kMinute, "d1", "credit", "decline");
  Put("acme", kT0 + 2 * kMinute, "d2", "transaction", "block");
  Put("acme", kT0 + 3 * kMinute, "d3", "credit", "decline");
  Put("other", kT0 + 4 * kMinute, "x", "credit", "approve");

  StatusOr<DecisionPage> all = ListDecisions(*store_, "acme", {});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(Ids(*all), (std::vector<std::string>{"d3", "d2", "d1", "d0"}));
  EXPECT_TRUE(all->next_cursor.empty());

  EXPECT_EQ(Ids(ListDecisions(*store_, "acme", {.decision = "decline"}).value()),
            (std::vector<std::string>{"d3", "d1"}));
  EXPECT_EQ(Ids(ListDecisions(*store_, "acme", {.kind = "transaction"}).value()),
            (std::vector<std::string>{"d2"}));
  // Bounds are inclusive.
  EXPECT_EQ(
      Ids(ListDecisions(*store_, "acme", {.from = kT0 + kMinute, .to = kT0 + 2 * kMinute}).value()),
      (std::vector<std::string>{"d2", "d1"}));

  // Pages of two, following the cursor.
  DecisionPage first = ListDecisions(*store_, "acme", {.limit = 2}).value();
  EXPECT_EQ(Ids(first), (std::vector<std::string>{"d3", "d2"}));
  ASSERT_FALSE(first.next_cursor.empty());
  DecisionPage second =
      ListDecisions(*store_, "acme", {.limit = 2, .cursor = first.next_cursor}).value();
  EXPECT_EQ(Ids(second), (std::vector<std::string>{"d1", "d0"}));
}

TEST_F(DecisionHistoryTest, BadLimitOrCursorNamesTheField) {
  StatusOr<DecisionPage> page = ListDecisions(*store_, "acme", {.limit = 0});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().field(), "limit");
  page = ListDecisions(*store_, "acme", {.cursor = "not-a-cursor"});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().field(), "cursor");
}

TEST(DecisionStatsTest, CountsRatesLatencyAndTopReasonsPerMinute) {
  DecisionStats stats;
  const std::vector<DecisionStats::Reason> affordability{{"P02", "affordability"}};
  stats.Record("acme", kT0, "credit", "approve", 900, {});
  stats.Record("acme", kT0 + 1, "credit", "approve", 1100, {});
  stats.Record("acme", kT0 + kMinute, "credit", "decline", 2000, affordability);
  stats.Record("acme", kT0 + kMinute, "credit", "review", 1000, {{"F03", "velocity"}});
  stats.Record("acme", kT0 + kMinute, "transaction", "block", 500, {{"T08", "ring"}});
  stats.Record("acme", kT0 - 10 * kMinute, "credit", "decline", 1000, affordability);  // too old
  stats.Record("other", kT0, "credit", "decline", 1000, affordability);

  const json::object s = json::parse(stats.SnapshotJson("acme", kT0 + kMinute + 5, 5)).as_object();
  EXPECT_EQ(s.at("credit_decisions").to_number<double>(), 4);
  EXPECT_DOUBLE_EQ(s.at("approval_rate").to_number<double>(), 0.5);
  EXPECT_DOUBLE_EQ(s.at("decline_rate").to_number<double>(), 0.25);
  EXPECT_EQ(s.at("fraud_interceptions").to_number<double>(), 1);
  // A percentile is the upper bound of its bucket (bounds grow by 1.2): the median of {500, 900,
  // 1000, 1100, 2000} is reported in [1000, 1200).
  EXPECT_GE(s.at("p50_us").to_number<double>(), 1000);
  EXPECT_LT(s.at("p50_us").to_number<double>(), 1200);
  EXPECT_GE(s.at("p99_us").to_number<double>(), 2000);
  EXPECT_LT(s.at("p99_us").to_number<double>(), 2400);
  const json::array& series = s.at("series").as_array();
  ASSERT_EQ(series.size(), 5u);
  EXPECT_EQ(series[3].at("counts").at("credit.approve").to_number<double>(), 2);
  EXPECT_EQ(series[4].at("counts").at("credit.decline").to_number<double>(), 1);
  EXPECT_TRUE(series[0].at("counts").as_object().empty());
  const json::array& top = s.at("top_reasons").as_array();
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].at("code").as_string(), "F03");  // ties keep code order; each counted once
  EXPECT_EQ(top[1].at("text").as_string(), "affordability");

  // A tenant with nothing yet: zeros and nulls, not errors.
  const json::object empty = json::parse(stats.SnapshotJson("new", kT0, 60)).as_object();
  EXPECT_EQ(empty.at("credit_decisions").to_number<double>(), 0);
  EXPECT_TRUE(empty.at("approval_rate").is_null());
  EXPECT_TRUE(empty.at("p99_us").is_null());
}

TEST_F(DecisionHistoryTest, StatsSavedAndLoadedGiveTheSameOverviewAndExpire) {
  DecisionStats stats;
  stats.Record("acme", kT0, "credit", "approve", 900, {});
  stats.Record("acme", kT0 + kMinute, "credit", "decline", 2000, {{"P02", "affordability"}});
  ASSERT_TRUE(stats.Save(*store_, kT0 + kMinute).ok());
  // Recorded after the first Save: the changed minute is written again, whole.
  stats.Record("acme", kT0 + kMinute, "credit", "review", 1500, {{"F03", "velocity"}});
  stats.Record("other", kT0 + kMinute, "transaction", "block", 300, {{"T08", "ring"}});
  ASSERT_TRUE(stats.Save(*store_, kT0 + kMinute).ok());

  DecisionStats restarted;
  ASSERT_TRUE(restarted.Load(*store_, kT0 + kMinute).ok());
  for (const char* tenant : {"acme", "other", "nobody"}) {
    EXPECT_EQ(restarted.SnapshotJson(tenant, kT0 + kMinute, 60),
              stats.SnapshotJson(tenant, kT0 + kMinute, 60))
        << tenant;
  }
  const json::object acme =
      json::parse(restarted.SnapshotJson("acme", kT0 + kMinute, 60)).as_object();
  EXPECT_EQ(acme.at("credit_decisions").to_number<double>(), 3);
  EXPECT_EQ(acme.at("top_reasons").at(1).at("text").as_string(), "affordability");  // F03, P02

  // Three hours later both minutes have left the window: loaded as nothing, deleted on Save.
  const TimeMicros later = kT0 + 180 * kMinute;
  DecisionStats after_a_pause;
  ASSERT_TRUE(after_a_pause.Load(*store_, later).ok());
  EXPECT_EQ(json::parse(after_a_pause.SnapshotJson("acme", later, 120))
                .at("credit_decisions")
                .to_number<double>(),
            0);
  after_a_pause.Record("acme", later, "credit", "approve", 800, {});
  ASSERT_TRUE(after_a_pause.Save(*store_, later).ok());
  int stored = 0;
  ASSERT_TRUE(store_
                  ->Scan(storage::Column::kDecisionStats, "acme/", "",
                         [&](std::string_view, std::string_view) {
                           ++stored;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(stored, 1);
}

}  // namespace
}  // namespace finbrain::decision
