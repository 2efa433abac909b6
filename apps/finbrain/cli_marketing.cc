// The marketing subcommands: `finbrain forecast` on any daily series.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "apps/finbrain/cli.h"
#include "common/json_text.h"
#include "marketing/forecast.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

std::string Decimal(double v) {
  char out[64];
  std::snprintf(out, sizeof out, "%.6f", v);
  return out;
}

// Prints the forecast as CSV (ds,yhat,yhat_lower,yhat_upper) or JSON; with --backtest N, holds
// the last N observed days out instead, forecasts them from the rest and prints the errors.
Status Forecast(Args& a) {
  const int backtest = a["backtest"].empty() ? 0 : static_cast<int>(a.Number("backtest"));
  if (backtest == 0 && a["horizon"].empty()) {
    return InvalidArgumentError("give --horizon N (days to forecast) or --backtest N", "horizon");
  }
  FB_ASSIGN_OR_RETURN(std::vector<marketing::DailyValue> series,
                      marketing::ReadSeriesCsv(a["data"]));
  std::vector<marketing::CalendarEvent> events;
  if (!a["events"].empty()) {
    FB_ASSIGN_OR_RETURN(events, marketing::ReadEventsCsv(a["events"]));
  }
  std::vector<marketing::DailyValue> held_out;
  if (backtest > 0) {
    std::sort(series.begin(), series.end(),
              [](const auto& x, const auto& y) { return x.day < y.day; });
    if (static_cast<size_t>(backtest) >= series.size()) {
      return InvalidArgumentError("--backtest must leave some history", "backtest");
    }
    held_out.assign(series.end() - backtest, series.end());
    series.resize(series.size() - static_cast<size_t>(backtest));
  }
  const int horizon = backtest > 0 ? held_out.back().day - series.back().day
                                   : static_cast<int>(a.Number("horizon"));
  const auto started = std::chrono::steady_clock::now();
  FB_ASSIGN_OR_RETURN(const marketing::Forecast f,
                      marketing::ForecastDaily(std::move(series), events, horizon));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const std::string& note : f.notes) std::cerr << "note: " << note << "\n";
  if (backtest > 0) {
    // MAPE over the days with y != 0 (a percentage of zero is undefined).
    double ape = 0, sape = 0;
    size_t inside = 0, nonzero = 0;
    for (const marketing::DailyValue& v : held_out) {
      const marketing::ForecastPoint& p =
          f.points[static_cast<size_t>(v.day - (f.points.front().day))];
      if (v.y != 0) {
        ape += std::abs(v.y - p.yhat) / std::abs(v.y);
        ++nonzero;
      }
      if (v.y != 0 || p.yhat != 0) {
        sape += 2 * std::abs(v.y - p.yhat) / (std::abs(v.y) + std::abs(p.yhat));
      }
      inside += v.y >= p.lower && v.y <= p.upper;
    }
    const double n = static_cast<double>(held_out.size());
    std::cout << ToJsonText(json::object{
                     {"rows", held_out.size()},
                     {"mape_percent",
                      nonzero == 0
                          ? json::value(nullptr)
                          : json::value(std::round(1e4 * ape / static_cast<double>(nonzero)) /
                                        100)},
                     {"smape_percent", std::round(1e4 * sape / n) / 100},
                     {"interval_coverage", std::round(1e4 * inside / n) / 1e4},
                     {"seconds", std::round(seconds * 1e4) / 1e4}})
              << "\n";
    return OkStatus();
  }
  if (a.Flag("json")) {
    json::array points;
    for (const marketing::ForecastPoint& p : f.points) {
      points.push_back({{"ds", marketing::FormatDay(p.day)},
                        {"yhat", p.yhat},
                        {"yhat_lower", p.lower},
                        {"yhat_upper", p.upper}});
    }
    std::cout << ToJsonText(
                     json::object{{"forecast", std::move(points)}, {"residual_sd", f.residual_sd}})
              << "\n";
    return OkStatus();
  }
  std::cout << "ds,yhat,yhat_lower,yhat_upper\n";
  for (const marketing::ForecastPoint& p : f.points) {
    std::cout << marketing::FormatDay(p.day) << "," << Decimal(p.yhat) << "," << Decimal(p.lower)
              << "," << Decimal(p.upper) << "\n";
  }
  return OkStatus();
}

}  // namespace

void AddMarketingCommands(Commands& c) {
  c.Add(nullptr, "forecast",
        "Forecast a daily series (CSV ds,y; gaps allowed) N days ahead with weekly and yearly "
        "seasonality and event days (CSV event,ds[,lower_window,upper_window]); CSV "
        "ds,yhat,yhat_lower,yhat_upper on stdout",
        {{"--data", "Daily series (CSV with ds,y)", "", true, CLI::ExistingFile},
         {"--horizon", "Days to forecast after the last date", "", false, CLI::Range(1, 3650)},
         {"--events", "Event days (Prophet's holiday table)", "", false, CLI::ExistingFile},
         {"--json", "JSON instead of CSV", "", false, {}, true},
         {"--backtest",
          "Hold the last N observed days out and print the forecast's errors on them (JSON)", "",
          false, CLI::Range(1, 3650)}},
        Commands::Targets::kNone, Forecast);
}

}  // namespace finbrain::cli
