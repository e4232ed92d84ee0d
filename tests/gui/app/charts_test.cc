// What the charts hold: the series of a chart are exactly the values given to it (names and
// points), overlaid runs are told apart, the sweep chart draws the interval and the capacity
// point, and the CSV export lists the same points. Also the command line.
#include <QAreaSeries>
#include <QChart>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>
#include <QtTest>

#include "chart_data.h"
#include "chart_render.h"
#include "command_line.h"

using namespace pushsim::dashboard;

namespace {

RunRow Run(int64_t id) {
  RunRow run{};
  run.id = id;
  run.scenario = "quickstart";
  run.parameters_json = "{}";
  run.status = "completed";
  run.sim_duration_s = 30;
  return run;
}

RunData RunWithData(int64_t id) {
  RunData data;
  data.run = Run(id);
  data.registration_rate = {{"200", {{0, 2}, {1, 3.5}, {2, 0}}}, {"401", {{0, 1}, {1, 1}}}};
  data.push_rate = {{"accepted", {{5, 1}, {6, 1}}}};
  data.push_latency = {{"p50", {{5, 0.05}}}, {"p95", {{5, 0.09}}}, {"p99", {{5, 0.12}}}};
  data.element_queue = {{"scscf", {{1, 0}, {2, 4}}}};
  data.element_utilization = {{"scscf", {{1, 0.25}, {2, 0.5}}}};
  data.markers = {{3.0, "503", "scscf", "REGISTER"}, {4.0, "503", "scscf", "REGISTER"},
                  {7.5, "element-down", "pcscf", ""}};
  data.push_latency_cdf = {{"MESSAGE", {{0.05, 0.5}, {0.09, 1.0}}}};
  data.registration_delay_cdf = {"registration", {{0.068, 0.5}, {0.12, 1.0}}};
  return data;
}

std::vector<QPointF> PointsOf(const QXYSeries* series) {
  std::vector<QPointF> points;
  for (int i = 0; i < series->count(); ++i) points.push_back(series->at(i));
  return points;
}

std::vector<QPointF> ToQ(const std::vector<Point>& points) {
  std::vector<QPointF> converted;
  for (const Point& point : points) converted.emplace_back(point.x, point.y);
  return converted;
}

CommandLine Parse(std::vector<std::string> arguments) {
  CommandLineResult result = ParseCommandLine(arguments);
  if (!result.command_line) qFatal("unexpected command line error: %s", result.error.c_str());
  return *result.command_line;
}

QString ParseError(std::vector<std::string> arguments) {
  CommandLineResult result = ParseCommandLine(arguments);
  return result.command_line ? QString() : QString::fromStdString(result.error);
}

}  // namespace

class ChartsTest : public QObject {
  Q_OBJECT

 private slots:
  void OverTimeChartsHoldEachSeriesOfOneRun() {
    const RunData run = RunWithData(3);
    const std::vector<ChartData> charts = OverTimeCharts({run});
    QCOMPARE(charts.size(), std::size_t{5});
    QCOMPARE(charts[0].file_stem, std::string("registration-rate-run3"));
    QCOMPARE(charts[0].lines.size(), std::size_t{2});
    QCOMPARE(charts[0].lines[0].name, std::string("200"));  // one run: no prefix
    QCOMPARE(charts[4].file_stem, std::string("element-utilization-run3"));
    // The events are markers on both rate charts, one series per kind at y = 0.
    QCOMPARE(charts[0].points.size(), std::size_t{2});
    QCOMPARE(charts[0].points[0].name, std::string("503"));
    QCOMPARE(charts[0].points[0].points.size(), std::size_t{2});
    QCOMPARE(charts[0].points[0].points[1].x, 4.0);
    QCOMPARE(charts[0].points[0].points[1].y, 0.0);
    QCOMPARE(charts[1].points.size(), std::size_t{2});

    std::unique_ptr<QChart> chart = BuildChart(charts[0]);
    const QList<QAbstractSeries*> series = chart->series();
    QCOMPARE(series.size(), 4);  // two lines, then two marker kinds
    auto* first = qobject_cast<QLineSeries*>(series[0]);
    QVERIFY(first);
    QCOMPARE(first->name(), QString("200"));
    QCOMPARE(PointsOf(first), ToQ(run.registration_rate[0].points));
    auto* markers = qobject_cast<QScatterSeries*>(series[2]);
    QVERIFY(markers);
    QCOMPARE(markers->count(), 2);
  }

  void OverlaidRunsArePrefixed() {
    const std::vector<ChartData> charts = OverTimeCharts({RunWithData(3), RunWithData(4)});
    QCOMPARE(charts[0].file_stem, std::string("registration-rate-run3-4"));
    QCOMPARE(charts[0].lines.size(), std::size_t{4});
    QCOMPARE(charts[0].lines[0].name, std::string("run 3: 200"));
    QCOMPARE(charts[0].lines[2].name, std::string("run 4: 200"));
    const std::vector<ChartData> distributions = DistributionCharts({RunWithData(3), RunWithData(4)});
    QCOMPARE(distributions[0].lines[1].name, std::string("run 4: MESSAGE"));
    QCOMPARE(distributions[1].lines[0].points.size(), std::size_t{2});
  }

  void CdfsAreDrawnAsStepsOnAFullScale() {
    const std::vector<Point> cdf = {{0.1, 0.25}, {0.2, 0.5}, {0.4, 1.0}};
    const std::vector<Point> stairs = Staircase(cdf);
    const std::vector<Point> expected = {{0.1, 0.25}, {0.2, 0.25}, {0.2, 0.5}, {0.4, 0.5}, {0.4, 1.0}};
    QCOMPARE(stairs.size(), expected.size());
    for (std::size_t i = 0; i < stairs.size(); ++i) {
      QCOMPARE(stairs[i].x, expected[i].x);
      QCOMPARE(stairs[i].y, expected[i].y);
    }
    QVERIFY(Staircase({}).empty());

    RunData run = RunWithData(1);
    run.push_latency_cdf = {{"MESSAGE", cdf}};
    const ChartData chart = DistributionCharts({run})[0];
    QVERIFY(chart.steps);
    std::unique_ptr<QChart> built = BuildChart(chart);
    QCOMPARE(PointsOf(qobject_cast<QLineSeries*>(built->series()[0])), ToQ(expected));
    auto* y_axis = qobject_cast<QValueAxis*>(built->axes(Qt::Vertical).front());
    QCOMPARE(y_axis->min(), 0.0);
    QCOMPARE(y_axis->max(), 1.0);
    // The CSV keeps the data points, not the drawing.
    QCOMPARE(ChartCsv(chart), std::string("series,x,y\nMESSAGE,0.1,0.25\nMESSAGE,0.2,0.5\nMESSAGE,0.4,1\n"));
  }

  void EmptyChartsSayWhy() {
    const std::vector<ChartData> charts = OverTimeCharts({});
    for (const ChartData& chart : charts) {
      QVERIFY(chart.empty());
      QVERIFY(!chart.note.empty());
    }
    std::unique_ptr<QChart> chart = BuildChart(charts[1]);
    QVERIFY(chart->title().contains("no pushes"));
  }

  void ManyMarkersAreThinned() {
    RunData run = RunWithData(1);
    run.markers.clear();
    for (int i = 0; i < 10000; ++i) run.markers.push_back({i * 0.001, "503", "scscf", ""});
    const ChartData chart = OverTimeCharts({run})[0];
    QCOMPARE(chart.points[0].points.size(), kMaxMarkersPerKind);
    QCOMPARE(chart.points[0].points[1].x, 0.005);  // every fifth of 10000 when 2000 are kept
  }

  void SweepChartDrawsMeanIntervalAndCapacity() {
    SweepCurveData curve;
    curve.sweep = SweepRow{2, "quickstart", "push.rate", "completed", 3};
    curve.metric = ResultsDb::SweepMetric::kSuccessRatio;
    curve.threshold = 0.05;
    curve.points = {{50, "50/s", 3, 1.0, 1.0, 1.0}, {100, "100/s", 3, 0.96, 0.93, 0.99}, {200, "200/s", 1, 0.7, 0.7, 0.7}};
    curve.capacity = CapacityPoint{true, 100, "100/s"};
    const ChartData chart = SweepChart(curve);
    QCOMPARE(chart.file_stem, std::string("sweep-success-ratio-sweep2"));
    QCOMPARE(chart.lines.size(), std::size_t{1});
    QCOMPARE(chart.lines[0].points.size(), std::size_t{3});
    QCOMPARE(chart.lines[0].points[1].y, 0.96);
    // A value with one replication has no interval: the band covers the first two values.
    QCOMPARE(chart.bands.size(), std::size_t{1});
    QCOMPARE(chart.bands[0].low.size(), std::size_t{2});
    QCOMPARE(chart.bands[0].low[1].y, 0.93);
    QCOMPARE(chart.bands[0].high[1].y, 0.99);
    // The capacity point sits on the mean curve at 100/s.
    QCOMPARE(chart.points.size(), std::size_t{1});
    QCOMPARE(chart.points[0].points[0].x, 100.0);
    QCOMPARE(chart.points[0].points[0].y, 0.96);
    QVERIFY(chart.points[0].name.find("100/s") != std::string::npos);

    std::unique_ptr<QChart> built = BuildChart(chart);
    auto* area = qobject_cast<QAreaSeries*>(built->series().back());
    QVERIFY(area);
    QCOMPARE(PointsOf(area->lowerSeries()), ToQ(chart.bands[0].low));
    QCOMPARE(PointsOf(area->upperSeries()), ToQ(chart.bands[0].high));

    curve.capacity = CapacityPoint{false, 0, ""};
    const ChartData none = SweepChart(curve);
    QVERIFY(none.points.empty());
    QVERIFY(none.note.find("0.05") != std::string::npos);
  }

  void CsvListsEveryPoint() {
    ChartData chart;
    chart.lines = {{"p95, MESSAGE", {{1, 0.1}, {2, 0.30000000000000004}}}};
    chart.points = {{"503", {{1.5, 0}}}};
    chart.bands = {{"ci", {{1, 0.05}}, {{1, 0.2}}}};
    const std::string expected =
        "series,x,y\n"
        "\"p95, MESSAGE\",1,0.1\n"
        "\"p95, MESSAGE\",2,0.30000000000000004\n"
        "503,1.5,0\n"
        "ci low,1,0.05\n"
        "ci high,1,0.2\n";
    QCOMPARE(ChartCsv(chart), expected);
  }

  void RenderedChartHasTheExportSize() {
    const QImage image = RenderChart(OverTimeCharts({RunWithData(1)})[0]);
    QCOMPARE(image.size(), QSize(1200, 800));
    // Something was drawn: not every pixel is the white background.
    bool drawn = false;
    for (int y = 0; y < image.height() && !drawn; y += 7) {
      for (int x = 0; x < image.width() && !drawn; x += 7) drawn = image.pixel(x, y) != qRgb(255, 255, 255);
    }
    QVERIFY(drawn);
  }

  void CommandLineOptions() {
    CommandLine parsed = Parse({"--export", "out", "--run", "3", "--run=5", "--threshold", "0.02", "results/a.db"});
    QCOMPARE(parsed.export_dir.value_or(""), std::string("out"));
    QCOMPARE(parsed.runs, (std::vector<int64_t>{3, 5}));
    QCOMPARE(parsed.threshold, 0.02);
    QCOMPARE(parsed.database, std::string("results/a.db"));
    QCOMPARE(Parse({}).threshold, kDefaultFailureThreshold);
    QVERIFY(!Parse({"a.db"}).export_dir);
    QVERIFY(Parse({"--help"}).help);
  }

  void CommandLineErrors() {
    QVERIFY(ParseError({"--export"}).contains("directory"));
    QVERIFY(ParseError({"--export", "out"}).contains("needs a database"));
    QVERIFY(ParseError({"--run", "x", "a.db"}).contains("'x' is not a run id"));
    QVERIFY(ParseError({"--run", "0", "a.db"}).contains("not a run id"));
    QVERIFY(ParseError({"--threshold", "1.5", "a.db"}).contains("between 0 and 1"));
    QVERIFY(ParseError({"--frobnicate"}).contains("unknown option '--frobnicate'"));
    QVERIFY(ParseError({"a.db", "b.db"}).contains("more than one database"));
  }
};

QTEST_MAIN(ChartsTest)
#include "charts_test.moc"
