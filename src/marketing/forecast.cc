#include "marketing/forecast.h"

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <numbers>

#include "models/dataset.h"

namespace finbrain::marketing {
namespace {

// The normal quantile for a central interval of `coverage` (Acklam's rational approximation
// of the inverse CDF is more than enough for interval widths).
double NormalQuantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  const double low = 0.02425;
  if (p < low) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -NormalQuantile(1 - p);
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

// The model's design: which columns exist and the prior scale of each.
class Design {
 public:
  Design(Day first, Day last, const std::vector<CalendarEvent>& events, const ForecastOptions& o,
         bool yearly)
      : first_(first), span_(std::max(1, last - first)), options_(o), yearly_(yearly) {
    for (int j = 1; j <= o.changepoints; ++j) {
      changepoints_.push_back(o.changepoint_range * j / (o.changepoints + 1));
    }
    // One column per (event, offset): the days it is on.
    for (const CalendarEvent& e : events) {
      for (int offset = e.lower_window; offset <= e.upper_window; ++offset) {
        const auto [it, added] = event_columns_.try_emplace(e.name + "@" + std::to_string(offset),
                                                            event_columns_.size());
        event_days_[e.day + offset].push_back(it->second);
      }
    }
  }

  size_t columns() const {
    return 2 + changepoints_.size() + 2 * static_cast<size_t>(options_.weekly_order) +
           (yearly_ ? 2 * static_cast<size_t>(options_.yearly_order) : 0) + event_columns_.size();
  }

  // Prior standard deviation of each coefficient (intercept and slope: 5, as Prophet).
  Eigen::VectorXd PriorScales() const {
    Eigen::VectorXd s(static_cast<Eigen::Index>(columns()));
    Eigen::Index c = 0;
    s(c++) = 5;
    s(c++) = 5;
    for (size_t j = 0; j < changepoints_.size(); ++j) s(c++) = options_.changepoint_prior;
    const size_t seasonal = 2 * static_cast<size_t>(options_.weekly_order) +
                            (yearly_ ? 2 * static_cast<size_t>(options_.yearly_order) : 0);
    for (size_t j = 0; j < seasonal; ++j) s(c++) = options_.seasonality_prior;
    while (c < s.size()) s(c++) = options_.event_prior;
    return s;
  }

  void Row(Day day, Eigen::RowVectorXd& row) const {
    row.setZero(static_cast<Eigen::Index>(columns()));
    const double t = static_cast<double>(day - first_) / span_;
    Eigen::Index c = 0;
    row(c++) = 1;
    row(c++) = t;
    for (double s : changepoints_) row(c++) = std::max(0.0, t - s);
    const auto fourier = [&](double period, int order) {
      for (int k = 1; k <= order; ++k) {
        const double x = 2 * std::numbers::pi * k * static_cast<double>(day) / period;
        row(c++) = std::sin(x);
        row(c++) = std::cos(x);
      }
    };
    fourier(7, options_.weekly_order);
    if (yearly_) fourier(365.25, options_.yearly_order);
    if (const auto it = event_days_.find(day); it != event_days_.end()) {
      for (size_t column : it->second) row(c + static_cast<Eigen::Index>(column)) = 1;
    }
  }

 private:
  Day first_;
  double span_;
  ForecastOptions options_;
  bool yearly_;
  std::vector<double> changepoints_;
  std::map<std::string, size_t> event_columns_;
  std::map<Day, std::vector<size_t>> event_days_;
};

}  // namespace

StatusOr<Day> ParseDay(std::string_view text, std::string_view field) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  const std::string s(text);
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) {
    return InvalidArgumentError("'" + s + "' is not a date YYYY-MM-DD", std::string(field));
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok())
    return InvalidArgumentError("'" + s + "' is not a calendar date", std::string(field));
  return static_cast<Day>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

std::string FormatDay(Day day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return out;
}

StatusOr<Forecast> ForecastDaily(std::vector<DailyValue> series,
                                 const std::vector<CalendarEvent>& events, int horizon,
                                 const ForecastOptions& options) {
  if (horizon < 1) return InvalidArgumentError("the horizon must be at least 1 day", "horizon");
  std::sort(series.begin(), series.end(),
            [](const DailyValue& a, const DailyValue& b) { return a.day < b.day; });
  for (size_t i = 0; i < series.size(); ++i) {
    if (!std::isfinite(series[i].y)) {
      return InvalidArgumentError(FormatDay(series[i].day) + " has no numeric y", "y");
    }
    if (i > 0 && series[i].day == series[i - 1].day) {
      return InvalidArgumentError(FormatDay(series[i].day) + " appears twice", "ds");
    }
  }
  if (series.size() < 14 || series.back().day - series.front().day < 13) {
    return InvalidArgumentError(
        "a daily forecast needs at least two weeks of history (weekly seasonality)", "ds");
  }
  Forecast out;
  const bool yearly = series.back().day - series.front().day >= 730;
  if (!yearly) out.notes.push_back("less than two years of history: no yearly seasonality");
  const Design design(series.front().day, series.back().day, events, options, yearly);

  double scale = 0;
  for (const DailyValue& v : series) scale = std::max(scale, std::abs(v.y));
  if (scale == 0) scale = 1;
  const auto n = static_cast<Eigen::Index>(series.size());
  const auto p = static_cast<Eigen::Index>(design.columns());
  Eigen::MatrixXd x(n, p);
  Eigen::VectorXd y(n);
  Eigen::RowVectorXd row;
  for (Eigen::Index i = 0; i < n; ++i) {
    design.Row(series[static_cast<size_t>(i)].day, row);
    x.row(i) = row;
    y(i) = series[static_cast<size_t>(i)].y / scale;
  }
  const Eigen::MatrixXd gram = x.transpose() * x;
  const Eigen::VectorXd xty = x.transpose() * y;
  const Eigen::VectorXd inverse_prior = design.PriorScales().array().square().inverse().matrix();
  // MAP: (X'X + sigma^2 diag(1 / s^2)) beta = X'y, with sigma re-estimated from the residuals.
  double sigma2 = 0.01;
  Eigen::VectorXd beta;
  for (int round = 0; round < 5; ++round) {
    Eigen::MatrixXd a = gram;
    a.diagonal() += sigma2 * inverse_prior;
    beta = a.ldlt().solve(xty);
    sigma2 = std::max(1e-12, (y - x * beta).squaredNorm() / static_cast<double>(n));
  }
  out.residual_sd = std::sqrt(sigma2) * scale;
  const double z = NormalQuantile(0.5 + options.interval / 2);
  for (int h = 1; h <= horizon; ++h) {
    const Day day = series.back().day + h;
    design.Row(day, row);
    const double yhat = row.dot(beta) * scale;
    out.points.push_back({day, yhat, yhat - z * out.residual_sd, yhat + z * out.residual_sd});
  }
  return out;
}

namespace {

StatusOr<const models::Column*> Required(const models::Dataset& data, const std::string& path,
                                         std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    if (const models::Column* c = data.Find(name)) return c;
  }
  return InvalidArgumentError(path + ": needs a column " + std::string(*names.begin()),
                              std::string(*names.begin()));
}

}  // namespace

StatusOr<std::vector<DailyValue>> ReadSeriesCsv(const std::string& path) {
  FB_ASSIGN_OR_RETURN(const models::Dataset data,
                      models::ReadCsv(path, {.categorical = {"ds"}, .numeric = {"y"}}));
  FB_ASSIGN_OR_RETURN(const models::Column* ds, Required(data, path, {"ds"}));
  FB_ASSIGN_OR_RETURN(const models::Column* y, Required(data, path, {"y"}));
  std::vector<DailyValue> out;
  for (size_t r = 0; r < data.rows; ++r) {
    const std::string where = path + ": row " + std::to_string(r + 1) + ": ";
    StatusOr<Day> day = ParseDay(ds->Text(r));
    if (!day.ok()) return InvalidArgumentError(where + day.status().message(), "ds");
    if (y->IsMissing(r)) continue;  // a gap
    out.push_back({*day, y->numbers[r]});
  }
  return out;
}

StatusOr<std::vector<CalendarEvent>> ReadEventsCsv(const std::string& path) {
  // The name column is `event` or Prophet's `holiday`: declare the one the header has.
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  const std::string name_column =
      header.find("holiday") != std::string::npos && header.find("event") == std::string::npos
          ? "holiday"
          : "event";
  std::vector<std::string> numeric;
  for (const char* window : {"lower_window", "upper_window"}) {
    if (header.find(window) != std::string::npos) numeric.emplace_back(window);
  }
  FB_ASSIGN_OR_RETURN(
      const models::Dataset data,
      models::ReadCsv(path, {.categorical = {name_column, "ds"}, .numeric = std::move(numeric)}));
  FB_ASSIGN_OR_RETURN(const models::Column* name, Required(data, path, {"event", "holiday"}));
  FB_ASSIGN_OR_RETURN(const models::Column* ds, Required(data, path, {"ds"}));
  const models::Column* lower = data.Find("lower_window");
  const models::Column* upper = data.Find("upper_window");
  std::vector<CalendarEvent> out;
  for (size_t r = 0; r < data.rows; ++r) {
    const std::string where = path + ": row " + std::to_string(r + 1) + ": ";
    StatusOr<Day> day = ParseDay(ds->Text(r));
    if (!day.ok()) return InvalidArgumentError(where + day.status().message(), "ds");
    CalendarEvent e{.name = name->Text(r), .day = *day};
    if (e.name.empty()) return InvalidArgumentError(where + "the event has no name", "event");
    if (lower != nullptr && !lower->IsMissing(r)) e.lower_window = int(lower->numbers[r]);
    if (upper != nullptr && !upper->IsMissing(r)) e.upper_window = int(upper->numbers[r]);
    if (e.lower_window > 0 || e.upper_window < 0 || e.upper_window - e.lower_window > 60) {
      return InvalidArgumentError(
          where + "lower_window must be <= 0 and upper_window >= 0, at most 60 days apart",
          "lower_window");
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace finbrain::marketing
