#include "lifecycle/account_table.h"

#include <gtest/gtest.h>

namespace finbrain::lifecycle {
namespace {

constexpr TimeMicros kDay = 86'400'000'000;

ingest::ValidatedEvent Event(std::string type, TimeMicros at, std::string json) {
  return {.event_id = type + std::to_string(at),
          .event_type = type,
          .occurred_at = at,
          .canonical_json = std::move(json)};
}

ingest::ValidatedEvent Repayment(const std::string& loan, int day, const std::string& status,
                                 int days_past_due = 0) {
  return Event("repayment", day * kDay,
               R"({"loan_id":")" + loan + R"(","user_id":"u","status":")" + status +
                   R"(","days_past_due":)" + std::to_string(days_past_due) + "}");
}

TEST(AccountTableTest, PointsUntilBadTermOrCensoringWithTheOutcomeInTheHorizon) {
  AccountTable table({.every = 30 * kDay, .horizon = 90 * kDay, .bad_days_past_due = 30});
  // Goes bad at day 150 (missed); 12-month term.
  ASSERT_TRUE(table
                  .Add(Event("loan_drawdown", 0,
                             R"({"loan_id":"a","user_id":"u1","amount":9000,"apr":0.2,)"
                             R"("term_months":12})"))
                  .ok());
  for (int d : {30, 60, 90, 120}) ASSERT_TRUE(table.Add(Repayment("a", d, "paid")).ok());
  ASSERT_TRUE(table.Add(Repayment("a", 150, "missed")).ok());
  // Clean, 3-month term: points stop at the term's end.
  ASSERT_TRUE(table
                  .Add(Event("loan_drawdown", 10 * kDay,
                             R"({"loan_id":"b","user_id":"u2","amount":3000,"apr":0.1,)"
                             R"("term_months":3})"))
                  .ok());
  ASSERT_TRUE(table.Add(Repayment("b", 70, "late", 45)).ok());  // 45 days past due: bad too
  // A loan drawn before the events: no points. Another event sets the end of the data.
  ASSERT_TRUE(table.Add(Repayment("c", 40, "paid")).ok());
  ASSERT_TRUE(table.Add(Repayment("a", 300, "paid")).ok());
  EXPECT_FALSE(table.Add(Event("repayment", 5, R"({"user_id":"u"})")).ok());  // no loan_id
  EXPECT_TRUE(table.Add(Event("login", 5, R"({"user_id":"u"})")).ok());       // ignored

  const std::vector<AccountPoint> points = table.Points();
  std::vector<std::pair<int, bool>> a, b;  // (day, bad)
  for (const AccountPoint& p : points) {
    (p.account_id == "a" ? a : b).emplace_back(int(p.at / kDay), p.bad);
  }
  // a: bad at day 150 falls in the horizon of the points at 60, 90 and 120; none from 150 on.
  EXPECT_EQ(a,
            (std::vector<std::pair<int, bool>>{{30, false}, {60, true}, {90, true}, {120, true}}));
  // b: opened day 10, bad at day 70 (45 days past due); the point at 40 sees it, none after.
  EXPECT_EQ(b, (std::vector<std::pair<int, bool>>{{40, true}}));
  EXPECT_EQ(points[0].user_id, "u1");
  EXPECT_DOUBLE_EQ(points[1].months_on_book, 2);
  EXPECT_DOUBLE_EQ(points[0].amount, 9000);
  EXPECT_DOUBLE_EQ(points[0].initial_apr, 0.2);
  EXPECT_DOUBLE_EQ(points[0].term_months, 12);

  // Censoring: with the data ending at day 200, the horizon of points after day 110 is unseen.
  AccountTable short_data({.every = 30 * kDay, .horizon = 90 * kDay});
  ASSERT_TRUE(short_data
                  .Add(Event("loan_drawdown", 0,
                             R"({"loan_id":"a","user_id":"u1","amount":1,"apr":0.2,)"
                             R"("term_months":12})"))
                  .ok());
  ASSERT_TRUE(short_data.Add(Repayment("a", 200, "paid")).ok());
  ASSERT_EQ(short_data.Points().size(), 3u);  // days 30, 60, 90
  EXPECT_EQ(short_data.Points().back().at, 90 * kDay);
}

}  // namespace
}  // namespace finbrain::lifecycle
