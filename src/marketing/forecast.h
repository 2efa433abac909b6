// Daily demand forecasts (credit applications, drawdowns, any daily count): an additive model of
// the series, Prophet's without its sampling:
//
//   y(t) = trend(t) + yearly(t) + weekly(t) + events(t) + noise
//
// trend: piecewise linear, with changepoints spread over the first 80% of the history;
// yearly and weekly: Fourier terms on the calendar day (orders 10 and 3); events: one regressor
// per event name and day offset in its window (like Prophet's holiday table). Fitted as the
// maximum a posteriori of Gaussian priors (changepoints 0.05, seasonality and events 10, on the
// series scaled to max |y| = 1), with the noise level re-estimated from the residuals; the
// prediction interval is the residual spread (trend uncertainty is not sampled).
//
// Gaps are allowed (missing days are simply not in the fit). A history shorter than two years
// drops the yearly terms (and says so in Forecast::notes); shorter than two weeks is an error.
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto series, ReadSeriesCsv("series.csv"));
//   FB_ASSIGN_OR_RETURN(Forecast f, ForecastDaily(series, {}, 30));
//
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace finbrain::marketing {

using Day = std::int32_t;  // days since 1970-01-01

// "2016-01-20" -> its day; an error naming `field` for anything else.
StatusOr<Day> ParseDay(std::string_view text, std::string_view field = "ds");
std::string FormatDay(Day day);

struct DailyValue {
  Day day = 0;
  double y = 0;
};

struct CalendarEvent {
  std::string name;
  Day day = 0;
  int lower_window = 0;  // days before the event that it also affects, as a negative number
  int upper_window = 0;  // days after
};

struct ForecastOptions {
  int yearly_order = 10;
  int weekly_order = 3;
  int changepoints = 25;
  double changepoint_range = 0.8;  // share of the history changepoints are placed in
  double changepoint_prior = 0.05;
  double seasonality_prior = 10;
  double event_prior = 10;
  double interval = 0.8;  // coverage of [lower, upper]
};

struct ForecastPoint {
  Day day = 0;
  double yhat = 0, lower = 0, upper = 0;
};

struct Forecast {
  std::vector<ForecastPoint> points;  // one per calendar day after the last observed day
  double residual_sd = 0;             // in-sample, on the scale of y
  std::vector<std::string> notes;     // fallbacks taken (e.g. no yearly seasonality)
};

// `series` in any order; days must be distinct.
StatusOr<Forecast> ForecastDaily(std::vector<DailyValue> series,
                                 const std::vector<CalendarEvent>& events, int horizon,
                                 const ForecastOptions& options = {});

// RFC 4180 CSV with a header: `ds,y` (other columns ignored).
StatusOr<std::vector<DailyValue>> ReadSeriesCsv(const std::string& path);
// `event` (or Prophet's `holiday`), `ds`, optional `lower_window`, `upper_window`.
StatusOr<std::vector<CalendarEvent>> ReadEventsCsv(const std::string& path);

}  // namespace finbrain::marketing
