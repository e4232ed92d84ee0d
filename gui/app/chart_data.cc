#include "chart_data.h"

#include <map>

#include "csv.h"

namespace pushsim::dashboard {

namespace {

std::string RunPrefix(const std::vector<RunData>& runs, const RunData& run) {
  return runs.size() > 1 ? "run " + std::to_string(run.run.id) + ": " : std::string();
}

void AddPrefixed(std::vector<Series>& into, const std::vector<Series>& series, const std::string& prefix) {
  for (const Series& one : series) into.push_back(Series{prefix + one.name, one.points});
}

std::vector<Series> MarkerSeries(const std::vector<Marker>& markers, const std::string& prefix) {
  std::map<std::string, std::vector<Point>> by_kind;
  for (const Marker& marker : markers) by_kind[marker.kind].push_back(Point{marker.time_s, 0});
  std::vector<Series> series;
  for (auto& [kind, points] : by_kind) {
    if (points.size() > kMaxMarkersPerKind) {
      std::vector<Point> thinned;
      const double step = static_cast<double>(points.size()) / kMaxMarkersPerKind;
      for (std::size_t i = 0; i < kMaxMarkersPerKind; ++i) {
        thinned.push_back(points[static_cast<std::size_t>(static_cast<double>(i) * step)]);
      }
      points = std::move(thinned);
    }
    series.push_back(Series{prefix + kind, std::move(points)});
  }
  return series;
}

void CsvRows(std::string& csv, const std::string& name, const std::vector<Point>& points) {
  const std::string field = CsvField(name);
  for (const Point& point : points) {
    csv += field + "," + CsvNumber(point.x) + "," + CsvNumber(point.y) + "\n";
  }
}

}  // namespace

bool ChartData::empty() const {
  for (const Series& line : lines) {
    if (!line.points.empty()) return false;
  }
  for (const Series& marker : points) {
    if (!marker.points.empty()) return false;
  }
  for (const ChartBand& band : bands) {
    if (!band.low.empty()) return false;
  }
  return true;
}

std::string RunsStem(const std::vector<RunData>& runs) {
  std::string stem = "run";
  for (std::size_t i = 0; i < runs.size(); ++i) stem += (i ? "-" : "") + std::to_string(runs[i].run.id);
  return stem;
}

std::vector<ChartData> OverTimeCharts(const std::vector<RunData>& runs) {
  const std::string stem = RunsStem(runs);
  ChartData registrations{"registration-rate-" + stem, "Registrations per second by outcome", "time (s)",
                          "REGISTER transactions/s", {}, {}, {}, {}};
  ChartData pushes{"push-rate-" + stem, "Pushes per second by outcome", "time (s)", "pushes/s", {}, {}, {}, {}};
  ChartData latency{"push-latency-" + stem, "Push delivery latency percentiles", "time (s)", "latency (s)",
                    {}, {}, {}, {}};
  ChartData queue{"element-queue-" + stem, "Element queue length", "time (s)", "messages queued", {}, {}, {}, {}};
  ChartData utilization{"element-utilization-" + stem, "Element utilization", "time (s)", "utilization (0-1)",
                        {}, {}, {}, {}};
  for (const RunData& run : runs) {
    const std::string prefix = RunPrefix(runs, run);
    AddPrefixed(registrations.lines, run.registration_rate, prefix);
    AddPrefixed(pushes.lines, run.push_rate, prefix);
    AddPrefixed(latency.lines, run.push_latency, prefix);
    AddPrefixed(queue.lines, run.element_queue, prefix);
    AddPrefixed(utilization.lines, run.element_utilization, prefix);
    // Events (503, lockouts, failures) sit on the time axis of the rate charts.
    std::vector<Series> markers = MarkerSeries(run.markers, prefix);
    registrations.points.insert(registrations.points.end(), markers.begin(), markers.end());
    pushes.points.insert(pushes.points.end(), markers.begin(), markers.end());
  }
  const char* no_pushes = "no pushes in the selected runs";
  if (registrations.lines.empty()) registrations.note = "no registrations in the selected runs";
  if (pushes.lines.empty()) pushes.note = no_pushes;
  if (latency.lines.empty()) latency.note = "no delivered pushes in the selected runs";
  utilization.y_full_scale = 1;
  if (queue.lines.empty()) queue.note = "no element samples in the selected runs";
  if (utilization.lines.empty()) utilization.note = "no element samples in the selected runs";
  return {registrations, pushes, latency, queue, utilization};
}

std::vector<ChartData> DistributionCharts(const std::vector<RunData>& runs) {
  const std::string stem = RunsStem(runs);
  ChartData push{"push-latency-cdf-" + stem, "Push delivery latency CDF per method", "latency (s)",
                 "fraction of pushes", {}, {}, {}, {}};
  ChartData registration{"registration-delay-cdf-" + stem, "Registration Request Delay CDF (RFC 6076 4.1)",
                         "delay (s)", "fraction of successful registrations", {}, {}, {}, {}};
  for (const RunData& run : runs) {
    const std::string prefix = RunPrefix(runs, run);
    AddPrefixed(push.lines, run.push_latency_cdf, prefix);
    if (!run.registration_delay_cdf.points.empty()) {
      std::string name = run.registration_delay_cdf.name.empty() ? "registration" : run.registration_delay_cdf.name;
      registration.lines.push_back(Series{prefix + name, run.registration_delay_cdf.points});
    }
  }
  for (ChartData* chart : {&push, &registration}) {
    chart->steps = true;
    chart->y_full_scale = 1;
  }
  if (push.lines.empty()) push.note = "no delivered pushes in the selected runs";
  if (registration.lines.empty()) registration.note = "no successful registrations in the selected runs";
  return {push, registration};
}

std::string MetricName(ResultsDb::SweepMetric metric) {
  switch (metric) {
    case ResultsDb::SweepMetric::kGoodput: return "goodput";
    case ResultsDb::SweepMetric::kSuccessRatio: return "success-ratio";
    case ResultsDb::SweepMetric::kP95Latency: return "p95-latency";
  }
  return "metric";
}

std::string MetricTitle(ResultsDb::SweepMetric metric) {
  switch (metric) {
    case ResultsDb::SweepMetric::kGoodput: return "goodput (accepted pushes/s)";
    case ResultsDb::SweepMetric::kSuccessRatio: return "success ratio (accepted/pushes)";
    case ResultsDb::SweepMetric::kP95Latency: return "p95 delivery latency (s)";
  }
  return "metric";
}

ChartData SweepChart(const SweepCurveData& curve) {
  ChartData chart{"sweep-" + MetricName(curve.metric) + "-sweep" + std::to_string(curve.sweep.id),
                  "Sweep " + std::to_string(curve.sweep.id) + " (" + curve.sweep.scenario + "): " +
                      MetricTitle(curve.metric) + " against " + curve.sweep.parameter,
                  curve.sweep.parameter, MetricTitle(curve.metric), {}, {}, {}, {}};
  if (curve.metric == ResultsDb::SweepMetric::kSuccessRatio) chart.y_full_scale = 1;
  Series mean{"mean", {}};
  ChartBand band{"95 % CI", {}, {}};
  for (const SweepPoint& point : curve.points) {
    mean.points.push_back(Point{point.x, point.mean});
    if (point.n >= 2) {  // one replication has no interval
      band.low.push_back(Point{point.x, point.ci_low});
      band.high.push_back(Point{point.x, point.ci_high});
    }
  }
  if (!band.low.empty()) chart.bands.push_back(std::move(band));
  if (curve.capacity.found) {
    double y = 0;
    for (const SweepPoint& point : curve.points) {
      if (point.x == curve.capacity.x) y = point.mean;
    }
    chart.points.push_back(Series{"capacity " + curve.capacity.value + " (failure ratio \u2264 " +
                                      CsvNumber(curve.threshold) + ")",
                                  {Point{curve.capacity.x, y}}});
  }
  if (!mean.points.empty()) chart.lines.push_back(std::move(mean));
  if (curve.points.empty()) {
    chart.note = "no completed runs in this sweep yet";
  } else if (!curve.capacity.found) {
    chart.note = "the first value already has a mean failure ratio above " + CsvNumber(curve.threshold);
  }
  return chart;
}

std::vector<Point> Staircase(const std::vector<Point>& points) {
  std::vector<Point> stairs;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i > 0) stairs.push_back(Point{points[i].x, points[i - 1].y});
    stairs.push_back(points[i]);
  }
  return stairs;
}

std::string ChartCsv(const ChartData& chart) {
  std::string csv = "series,x,y\n";
  for (const Series& line : chart.lines) CsvRows(csv, line.name, line.points);
  for (const Series& marker : chart.points) CsvRows(csv, marker.name, marker.points);
  for (const ChartBand& band : chart.bands) {
    CsvRows(csv, band.name + " low", band.low);
    CsvRows(csv, band.name + " high", band.high);
  }
  return csv;
}

}  // namespace pushsim::dashboard
