// A line chart as inline SVG, for the HTML report: no script, no network.
//
// Each series is one <polyline> carrying data-series (its id) and
// data-points (how many values it has), plus one <circle> per value when
// there are few enough to see, so a test can count what was drawn.
#pragma once

#include <string>
#include <vector>

namespace csv2ddb {

struct ChartSeries {
  std::string id;              // e.g. "rows_per_s"; [a-z0-9_] only
  std::string label;           // legend text
  std::string color;           // CSS color
  std::vector<double> values;  // one per x
};

struct Chart {
  std::string id;         // [a-z0-9_] only
  std::string title;      // heading
  std::string unit;       // y axis unit, e.g. "rows/s"
  std::vector<double> x;  // seconds since the first sample, ascending
  std::vector<ChartSeries> series;
};

// <figure> with the title, the SVG and its legend. Values that are not
// finite count as 0.
std::string RenderSvgChart(const Chart& chart);

// A short number: 1234 -> "1.2k", 0.5 -> "0.5", 2500000 -> "2.5M".
std::string ShortNumber(double v);

}  // namespace csv2ddb
