#include "marketing/forecast.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace finbrain::marketing {
namespace {

TEST(Forecast, DaysParseAndFormatAsCalendarDates) {
  EXPECT_EQ(*ParseDay("1970-01-02"), 1);
  EXPECT_EQ(FormatDay(*ParseDay("2024-02-29")), "2024-02-29");
  EXPECT_FALSE(ParseDay("2023-02-29").ok());
  EXPECT_FALSE(ParseDay("2023-1-5").ok());
  EXPECT_EQ(ParseDay("tomorrow").status().field(), "ds");
}

// Three years of a trend, a weekly cycle, a yearly cycle and a yearly two-day event, with a gap:
// the forecast of the next 60 days follows them, the event included.
TEST(Forecast, RecoversTrendSeasonalityAndEventsAcrossGaps) {
  const Day start = *ParseDay("2021-01-01");
  std::vector<CalendarEvent> events;
  for (const char* d : {"2021-06-18", "2022-06-18", "2023-06-18", "2024-06-18"}) {
    events.push_back({.name = "618", .day = *ParseDay(d), .lower_window = 0, .upper_window = 1});
  }
  const auto truth = [&](Day day) {
    double y = 100 + 0.02 * (day - start) + 8 * std::sin(2 * std::numbers::pi * day / 7) +
               5 * std::cos(2 * std::numbers::pi * day / 365.25);
    for (const CalendarEvent& e : events) {
      if (day == e.day || day == e.day + 1) y += 30;
    }
    return y;
  };
  std::vector<DailyValue> series;
  const Day last = *ParseDay("2024-05-31");
  for (Day d = start; d <= last; ++d) {
    if (d % 17 == 3) continue;  // gaps
    series.push_back({d, truth(d) + 0.5 * std::sin(d * 12.9898)});
  }
  StatusOr<Forecast> f = ForecastDaily(series, events, 60);
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->points.size(), 60u);
  EXPECT_EQ(f->points.front().day, last + 1);
  EXPECT_TRUE(f->notes.empty());
  double worst = 0;
  for (const ForecastPoint& p : f->points) {
    worst = std::max(worst, std::abs(p.yhat - truth(p.day)));
    EXPECT_LT(p.lower, p.yhat);
    EXPECT_GT(p.upper, p.yhat);
  }
  EXPECT_LT(worst, 3.0);
  const ForecastPoint& peak = f->points[static_cast<size_t>(*ParseDay("2024-06-18") - last - 1)];
  EXPECT_GT(peak.yhat, truth(peak.day) - 30 + 20);  // the event's lift is forecast
}

TEST(Forecast, ShortOrBrokenSeriesAreClearErrorsOrDocumentedFallbacks) {
  std::vector<DailyValue> week;
  for (Day d = 0; d < 7; ++d) week.push_back({d, 1.0 + d});
  EXPECT_EQ(ForecastDaily(week, {}, 5).status().field(), "ds");
  std::vector<DailyValue> twice = {{0, 1}, {0, 2}};
  for (Day d = 1; d < 30; ++d) twice.push_back({d, 1.0});
  EXPECT_NE(ForecastDaily(twice, {}, 5).status().message().find("appears twice"),
            std::string::npos);
  std::vector<DailyValue> months;
  for (Day d = 0; d < 120; ++d) months.push_back({d, 10.0 + d % 7});
  StatusOr<Forecast> f = ForecastDaily(months, {}, 14);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->notes.size(), 1u);  // no yearly seasonality from four months
  EXPECT_NEAR(f->points[0].yhat, 10.0 + 120 % 7, 0.5);
  EXPECT_EQ(ForecastDaily(months, {}, 0).status().field(), "horizon");
}

}  // namespace
}  // namespace finbrain::marketing
