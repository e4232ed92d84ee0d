// What every chart of the dashboard shows, as plain values: the views and --export build their
// charts from these, so the window and the exported files always agree.
#ifndef PUSHSIM_GUI_APP_CHART_DATA_H_
#define PUSHSIM_GUI_APP_CHART_DATA_H_

#include <string>
#include <vector>

#include "results_db.h"

namespace pushsim::dashboard {

struct ChartBand {          // a filled area between two curves: a confidence interval
  std::string name;
  std::vector<Point> low, high;
};

struct ChartData {
  std::string file_stem;    // export file name without extension, e.g. "push-rate-run3"
  std::string title, x_title, y_title;
  std::vector<Series> lines;
  std::vector<Series> points;   // drawn as markers: events, the capacity point
  std::vector<ChartBand> bands;
  std::string note;             // why the chart is empty, or what it leaves out
  bool steps = false;           // lines are step functions (CDFs): drawn as a staircase
  double y_full_scale = 0;      // > 0: the y axis ends here when no value exceeds it (fractions: 1)

  bool empty() const;
};

// Everything the Over time and Distributions views show about one run.
struct RunData {
  RunRow run;
  std::vector<Series> registration_rate, push_rate, push_latency, element_queue, element_utilization;
  std::vector<Marker> markers;
  std::vector<Series> push_latency_cdf;
  Series registration_delay_cdf;
};

struct SweepCurveData {
  SweepRow sweep;
  ResultsDb::SweepMetric metric = ResultsDb::SweepMetric::kGoodput;
  std::vector<SweepPoint> points;
  CapacityPoint capacity{false, 0, {}};
  double threshold = 0;
};

// A chart overlays several runs; series are then prefixed "run N: ".
std::vector<ChartData> OverTimeCharts(const std::vector<RunData>& runs);
std::vector<ChartData> DistributionCharts(const std::vector<RunData>& runs);
ChartData SweepChart(const SweepCurveData& curve);

std::string MetricName(ResultsDb::SweepMetric metric);   // "goodput", "success-ratio", "p95-latency"
std::string MetricTitle(ResultsDb::SweepMetric metric);  // "Goodput (accepted pushes/s)", ...
std::string RunsStem(const std::vector<RunData>& runs);  // "run3" or "run3-4"

// A step function through the points: each value holds until the next x, where it jumps:
// (x0,y0) (x1,y0) (x1,y1) (x2,y1) (x2,y2) ... The CSV keeps the points themselves.
std::vector<Point> Staircase(const std::vector<Point>& points);

// The chart's data as CSV: a header "series,x,y", then one row per point of every line, marker
// and band edge (bands as "<name> low" and "<name> high"). Numbers round-trip exactly.
std::string ChartCsv(const ChartData& chart);

// Markers beyond this many per kind and run are thinned evenly (a run in overload can log
// hundreds of thousands of 503s; the chart shows where they cluster, the CSV keeps the same set).
inline constexpr std::size_t kMaxMarkersPerKind = 2000;

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_CHART_DATA_H_
