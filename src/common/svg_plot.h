// SvgPlot: small self-contained SVG charts (lines, dots, bars) for the HTML reports people read
// (model evaluation, backtests), with no script or external asset.
//
// Example:
//   SvgPlot plot("ROC", "false positive rate", "true positive rate", 0, 1, 0, 1);
//   plot.Line(points, kPlotBlue, "model");
//   html += plot.Svg();
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace finbrain {

// Text for HTML and SVG: < > & " escaped.
std::string HtmlEscape(std::string_view s);
// Fixed-point text with `digits` decimals ("–" for non-finite values).
std::string FixedNumber(double v, int digits = 3);

inline constexpr const char* kPlotBlue = "#2563eb";
inline constexpr const char* kPlotRed = "#dc2626";
inline constexpr const char* kPlotGrey = "#9ca3af";
inline constexpr const char* kPlotGreen = "#16a34a";
inline constexpr const char* kPlotAmber = "#d97706";

// Data coordinates mapped into a 440×310 frame with labelled axes.
class SvgPlot {
 public:
  SvgPlot(std::string title, std::string x_label, std::string y_label, double x0, double x1,
          double y0, double y1);

  void Line(const std::vector<std::pair<double, double>>& points, const char* colour,
            const std::string& label, bool dashed = false);
  void Dots(const std::vector<std::pair<double, double>>& points, const char* colour,
            const std::string& label);
  // A bar from y0 up to `value` over x in [left, right).
  void Bar(double left, double right, double value, const char* colour, double opacity = 0.8);
  void Legend(const char* colour, const std::string& label);
  void Text(double x, double y, const std::string& text);
  // Category names under x = 0.5, 1.5, ... instead of numeric ticks.
  void CategoryLabels(const std::vector<std::string>& labels);

  std::string Svg() const;

 private:
  static constexpr int kWidth = 440, kHeight = 310, kLeft = 50, kRight = 425, kTop = 28,
                       kBottom = 270;
  double X(double x) const { return kLeft + (x - x0_) / (x1_ - x0_) * (kRight - kLeft); }
  double Y(double y) const { return kBottom - (y - y0_) / (y1_ - y0_) * (kBottom - kTop); }

  std::string title_, x_label_, y_label_;
  double x0_, x1_, y0_, y1_;
  std::ostringstream body_;
  std::vector<std::pair<const char*, std::string>> legend_;
  std::vector<std::string> categories_;
};

}  // namespace finbrain
