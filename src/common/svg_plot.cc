#include "common/svg_plot.h"

#include <algorithm>
#include <cmath>

namespace finbrain {

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FixedNumber(double v, int digits) {
  if (!std::isfinite(v)) return "–";
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(digits);
  out << v;
  return out.str();
}

SvgPlot::SvgPlot(std::string title, std::string x_label, std::string y_label, double x0, double x1,
                 double y0, double y1)
    : title_(std::move(title)),
      x_label_(std::move(x_label)),
      y_label_(std::move(y_label)),
      x0_(x0),
      x1_(x1 > x0 ? x1 : x0 + 1),
      y0_(y0),
      y1_(y1 > y0 ? y1 : y0 + 1) {}

void SvgPlot::Line(const std::vector<std::pair<double, double>>& points, const char* colour,
                   const std::string& label, bool dashed) {
  body_ << "<polyline fill='none' stroke='" << colour << "' stroke-width='2'"
        << (dashed ? " stroke-dasharray='5,4'" : "") << " points='";
  for (const auto& [x, y] : points) body_ << X(x) << ',' << Y(y) << ' ';
  body_ << "'/>";
  if (!label.empty()) legend_.emplace_back(colour, label);
}

void SvgPlot::Dots(const std::vector<std::pair<double, double>>& points, const char* colour,
                   const std::string& label) {
  for (const auto& [x, y] : points) {
    body_ << "<circle cx='" << X(x) << "' cy='" << Y(y) << "' r='4' fill='" << colour << "'/>";
  }
  if (!label.empty()) legend_.emplace_back(colour, label);
}

void SvgPlot::Bar(double left, double right, double value, const char* colour, double opacity) {
  const double top = Y(std::max(value, y0_)), bottom = Y(y0_);
  body_ << "<rect x='" << X(left) << "' y='" << top << "' width='"
        << std::max(0.5, X(right) - X(left) - 1) << "' height='" << std::max(0.0, bottom - top)
        << "' fill='" << colour << "' fill-opacity='" << opacity << "'/>";
}

void SvgPlot::Legend(const char* colour, const std::string& label) {
  legend_.emplace_back(colour, label);
}

void SvgPlot::Text(double x, double y, const std::string& text) {
  body_ << "<text x='" << X(x) << "' y='" << Y(y) << "' font-size='11'>" << HtmlEscape(text)
        << "</text>";
}

void SvgPlot::CategoryLabels(const std::vector<std::string>& labels) { categories_ = labels; }

std::string SvgPlot::Svg() const {
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 " << kWidth << ' ' << kHeight
      << "' width='" << kWidth << "' height='" << kHeight << "' font-family='sans-serif'>";
  svg << "<text x='" << kWidth / 2 << "' y='16' text-anchor='middle' font-size='14' "
      << "font-weight='bold'>" << HtmlEscape(title_) << "</text>";
  // Axes and ticks.
  svg << "<line x1='" << kLeft << "' y1='" << kBottom << "' x2='" << kRight << "' y2='" << kBottom
      << "' stroke='#333'/><line x1='" << kLeft << "' y1='" << kTop << "' x2='" << kLeft << "' y2='"
      << kBottom << "' stroke='#333'/>";
  for (int i = 0; i <= 4; ++i) {
    const double yv = y0_ + (y1_ - y0_) * i / 4, y = Y(yv);
    svg << "<line x1='" << kLeft << "' y1='" << y << "' x2='" << kRight << "' y2='" << y
        << "' stroke='#eee'/><text x='" << kLeft - 4 << "' y='" << y + 4
        << "' text-anchor='end' font-size='10'>" << FixedNumber(yv, 2) << "</text>";
    if (categories_.empty()) {
      const double xv = x0_ + (x1_ - x0_) * i / 4;
      svg << "<text x='" << X(xv) << "' y='" << kBottom + 14
          << "' text-anchor='middle' font-size='10'>"
          << FixedNumber(xv, std::abs(x1_ - x0_) > 20 ? 0 : 2) << "</text>";
    }
  }
  for (size_t i = 0; i < categories_.size(); ++i) {
    svg << "<text x='" << X(double(i) + 0.5) << "' y='" << kBottom + 14
        << "' text-anchor='middle' font-size='10'>" << HtmlEscape(categories_[i]) << "</text>";
  }
  svg << "<text x='" << (kLeft + kRight) / 2 << "' y='" << kHeight - 4
      << "' text-anchor='middle' font-size='11'>" << HtmlEscape(x_label_) << "</text>";
  svg << "<text transform='translate(12," << (kTop + kBottom) / 2
      << ") rotate(-90)' text-anchor='middle' font-size='11'>" << HtmlEscape(y_label_) << "</text>";
  svg << body_.str();
  for (size_t i = 0; i < legend_.size(); ++i) {
    const int y = kTop + 6 + int(i) * 15;
    svg << "<rect x='" << kRight - 130 << "' y='" << y - 9 << "' width='10' height='10' fill='"
        << legend_[i].first << "'/><text x='" << kRight - 116 << "' y='" << y << "' font-size='11'>"
        << HtmlEscape(legend_[i].second) << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

}  // namespace finbrain
