#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/markup_escape.h"

namespace csv2ddb {

namespace {

constexpr double kWidth = 720;
constexpr double kHeight = 220;
constexpr double kLeft = 56;  // room for y labels
constexpr double kRight = 12;
constexpr double kTop = 12;
constexpr double kBottom = 28;  // room for x labels
constexpr size_t kMaxMarkers = 400;

double Finite(double v) { return std::isfinite(v) ? v : 0; }

// The smallest "nice" number (1, 2, 2.5, 5 x 10^k) at or above v.
double NiceCeiling(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * p >= v * (1 - 1e-12)) return m * p;
  }
  return 10 * p;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string TimeLabel(double seconds) {
  const long s = std::lround(seconds);
  char buf[32];
  if (s < 120) {
    std::snprintf(buf, sizeof buf, "%lds", s);
  } else if (s < 7200) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ldh%02ld", s / 3600, (s / 60) % 60);
  }
  return buf;
}

}  // namespace

std::string ShortNumber(double v) {
  v = Finite(v);
  char buf[32];
  const double a = std::fabs(v);
  if (a >= 1e9) {
    std::snprintf(buf, sizeof buf, "%.3gG", v / 1e9);
  } else if (a >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.3gM", v / 1e6);
  } else if (a >= 1e4) {
    std::snprintf(buf, sizeof buf, "%.3gk", v / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  }
  return buf;
}

std::string RenderSvgChart(const Chart& chart) {
  const double plot_w = kWidth - kLeft - kRight;
  const double plot_h = kHeight - kTop - kBottom;
  double x_max = 0;
  for (double x : chart.x) x_max = std::max(x_max, Finite(x));
  if (x_max <= 0) x_max = 1;
  double y_max = 0;
  for (const ChartSeries& s : chart.series) {
    for (double v : s.values) y_max = std::max(y_max, Finite(v));
  }
  y_max = NiceCeiling(y_max);
  const auto px = [&](double x) {
    return kLeft + plot_w * std::clamp(Finite(x) / x_max, 0.0, 1.0);
  };
  const auto py = [&](double y) {
    return kTop + plot_h * (1 - std::clamp(Finite(y) / y_max, 0.0, 1.0));
  };

  std::string o;
  o += "<figure class=\"chart\" id=\"chart-" + chart.id + "\">\n";
  o += "<figcaption>" + MarkupEscape(chart.title) + "</figcaption>\n";
  o += "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" data-chart=\"" + chart.id +
       "\" viewBox=\"0 0 " + Num(kWidth) + " " + Num(kHeight) + "\" width=\"" + Num(kWidth) +
       "\" height=\"" + Num(kHeight) + "\">\n";
  o += "<title>" + MarkupEscape(chart.title) + "</title>\n";
  // Grid and y labels: 0, 1/4, ..., max.
  for (int i = 0; i <= 4; ++i) {
    const double v = y_max * i / 4;
    const double y = py(v);
    o += "<line class=\"grid\" x1=\"" + Num(kLeft) + "\" y1=\"" + Num(y) + "\" x2=\"" +
         Num(kWidth - kRight) + "\" y2=\"" + Num(y) + "\"/>\n";
    o += "<text class=\"ylabel\" x=\"" + Num(kLeft - 6) + "\" y=\"" + Num(y + 4) +
         "\" text-anchor=\"end\">" + MarkupEscape(ShortNumber(v)) + "</text>\n";
  }
  // X labels: start, middle, end.
  for (int i = 0; i <= 4; ++i) {
    const double x = x_max * i / 4;
    o += "<text class=\"xlabel\" x=\"" + Num(px(x)) + "\" y=\"" + Num(kHeight - 8) +
         "\" text-anchor=\"middle\">" + TimeLabel(x) + "</text>\n";
  }
  o += "<text class=\"unit\" x=\"" + Num(kLeft) + "\" y=\"" + Num(kTop - 2) + "\">" +
       MarkupEscape(chart.unit) + "</text>\n";
  for (size_t k = 0; k < chart.series.size(); ++k) {
    const ChartSeries& s = chart.series[k];
    const size_t n = std::min(s.values.size(), chart.x.size());
    std::string points;
    for (size_t i = 0; i < n; ++i) {
      if (i) points += ' ';
      points += Num(px(chart.x[i])) + "," + Num(py(s.values[i]));
    }
    o += "<polyline class=\"series\" data-series=\"" + s.id + "\" data-points=\"" +
         std::to_string(n) + "\" fill=\"none\" stroke=\"" + MarkupEscape(s.color) +
         "\" stroke-width=\"2\"" +
         // Later series dashed: one that equals an earlier one stays visible.
         std::string(k > 0 ? " stroke-dasharray=\"7 4\"" : "") + " points=\"" + points + "\"/>\n";
    if (n <= kMaxMarkers) {
      o += "<g class=\"markers\" data-series=\"" + s.id + "\" fill=\"" + MarkupEscape(s.color) +
           "\">";
      for (size_t i = 0; i < n; ++i) {
        o += "<circle cx=\"" + Num(px(chart.x[i])) + "\" cy=\"" + Num(py(s.values[i])) +
             "\" r=\"2.5\"/>";
      }
      o += "</g>\n";
    }
  }
  o += "</svg>\n<div class=\"legend\">";
  for (const ChartSeries& s : chart.series) {
    double last = s.values.empty() ? 0 : Finite(s.values.back());
    double peak = 0;
    for (double v : s.values) peak = std::max(peak, Finite(v));
    o += "<span><i style=\"background:" + MarkupEscape(s.color) + "\"></i>" +
         MarkupEscape(s.label) + " <small>(peak " + MarkupEscape(ShortNumber(peak)) + ", last " +
         MarkupEscape(ShortNumber(last)) + ")</small></span>";
  }
  o += "</div>\n</figure>\n";
  return o;
}

}  // namespace csv2ddb
