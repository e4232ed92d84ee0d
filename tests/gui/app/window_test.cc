// The window over a database made by a small pushsim run (the gui.app.fixture test): it loads in
// the background, picks the latest completed run, its charts hold what the data layer returns,
// runs overlay, the ladder has one arrow per message of the subject and shows a clicked
// message's text; a database that is not ours is reported, not fatal.
#include <QAreaSeries>
#include <QChart>
#include <QDoubleSpinBox>
#include <QComboBox>
#include <QGraphicsScene>
#include <QLineSeries>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <sqlite3.h>

#include "background.h"
#include "chart_panel.h"
#include "data_loader.h"
#include "distributions_view.h"
#include "ladder_scene.h"
#include "ladder_view.h"
#include "main_window.h"
#include "over_time_view.h"
#include "results_db.h"
#include "runs_model.h"
#include "runs_panel.h"
#include "sweeps_view.h"

using namespace pushsim::dashboard;

namespace {

constexpr int kTimeoutMs = 30000;

ResultsDb OpenFixture() {
  auto db = ResultsDb::Open(PUSHSIM_FIXTURE_DB);
  if (!db.ok()) qFatal("cannot open the fixture database: %s", db.problem().message.c_str());
  return std::move(db).value();
}

std::vector<RunRow> FixtureRuns(const ResultsDb& db) {
  auto runs = db.Runs();
  if (!runs.ok()) qFatal("cannot read the fixture's runs: %s", runs.problem().message.c_str());
  return std::move(runs).value();
}

// The line series of a chart, by name, as (x, y) pairs.
std::map<QString, std::vector<QPointF>> LinesOf(const QChart* chart) {
  std::map<QString, std::vector<QPointF>> lines;
  for (QAbstractSeries* series : chart->series()) {
    if (auto* line = qobject_cast<QLineSeries*>(series)) {
      auto& points = lines[line->name()];
      for (int i = 0; i < line->count(); ++i) points.push_back(line->at(i));
    }
  }
  return lines;
}

std::map<QString, std::vector<QPointF>> ExpectedLines(const std::vector<Series>& series, const QString& prefix = {}) {
  std::map<QString, std::vector<QPointF>> lines;
  for (const Series& one : series) {
    auto& points = lines[prefix + QString::fromStdString(one.name)];
    for (const Point& point : one.points) points.emplace_back(point.x, point.y);
  }
  return lines;
}

bool WaitUntilIdle(BusyTracker* tracker) {
  return QTest::qWaitFor([tracker] { return !tracker->busy(); }, kTimeoutMs);
}

CommandLine Open(const std::string& path) {
  CommandLine command_line;
  command_line.database = path;
  return command_line;
}

}  // namespace

class WindowTest : public QObject {
  Q_OBJECT

 private slots:
  void PicksTheLatestCompletedRunAndChartsItsData() {
    const ResultsDb db = OpenFixture();
    const std::vector<RunRow> runs = FixtureRuns(db);
    QVERIFY(runs.size() >= 2);
    const RunRow latest = runs.back();
    QCOMPARE(latest.status, std::string("completed"));

    MainWindow window(Open(PUSHSIM_FIXTURE_DB));
    QSignalSpy data_loaded(&window, &MainWindow::RunDataLoaded);
    QVERIFY(data_loaded.wait(kTimeoutMs));
    QVERIFY(WaitUntilIdle(window.tracker()));
    QCOMPARE(window.runs()->model().rowCount(), static_cast<int>(runs.size()));
    const std::vector<RunRow> selected = window.runs()->SelectedRuns();
    QCOMPARE(selected.size(), std::size_t{1});
    QCOMPARE(selected[0].id, latest.id);

    const double bucket = BucketSeconds(latest);
    auto registrations = db.RegistrationRate(latest.id, bucket);
    QVERIFY(registrations.ok());
    QVERIFY(!registrations.value().empty());  // the fixture's UEs register
    const std::vector<ChartPanel*>& over_time = window.over_time()->panels();
    QCOMPARE(LinesOf(over_time[0]->chart()), ExpectedLines(registrations.value()));
    auto pushes = db.PushRate(latest.id, bucket);
    QVERIFY(pushes.ok());
    QCOMPARE(LinesOf(over_time[1]->chart()), ExpectedLines(pushes.value()));
    auto latency = db.PushLatencyPercentiles(latest.id, bucket);
    QVERIFY(latency.ok());
    QCOMPARE(LinesOf(over_time[2]->chart()), ExpectedLines(latency.value()));
    auto queue = db.ElementQueue(latest.id);
    QVERIFY(queue.ok());
    QVERIFY(!queue.value().empty());
    QCOMPARE(LinesOf(over_time[3]->chart()), ExpectedLines(queue.value()));
    auto utilization = db.ElementUtilization(latest.id);
    QVERIFY(utilization.ok());
    QCOMPARE(LinesOf(over_time[4]->chart()), ExpectedLines(utilization.value()));

    auto delay_cdf = db.RegistrationDelayCdf(latest.id);
    QVERIFY(delay_cdf.ok());
    QVERIFY(!delay_cdf.value().points.empty());
    const auto cdf_lines = LinesOf(window.distributions()->panels()[1]->chart());
    QCOMPARE(cdf_lines.size(), std::size_t{1});
    std::vector<QPointF> expected_cdf;
    // Drawn as a step function through the data layer's points.
    for (const Point& point : Staircase(delay_cdf.value().points)) expected_cdf.emplace_back(point.x, point.y);
    QCOMPARE(cdf_lines.begin()->second, expected_cdf);
  }

  void OverlaysSeveralRuns() {
    const ResultsDb db = OpenFixture();
    const std::vector<RunRow> runs = FixtureRuns(db);
    MainWindow window(Open(PUSHSIM_FIXTURE_DB));
    QSignalSpy data_loaded(&window, &MainWindow::RunDataLoaded);
    QVERIFY(data_loaded.wait(kTimeoutMs));
    window.runs()->SelectRuns({runs[0].id, runs[1].id});
    QVERIFY(data_loaded.wait(kTimeoutMs));
    std::map<QString, std::vector<QPointF>> expected;
    for (const RunRow& run : {runs[0], runs[1]}) {
      auto series = db.RegistrationRate(run.id, BucketSeconds(run));
      QVERIFY(series.ok());
      expected.merge(ExpectedLines(series.value(), QString("run %1: ").arg(run.id)));
    }
    QCOMPARE(LinesOf(window.over_time()->panels()[0]->chart()), expected);
  }

  void FilterHidesRunsThatDoNotMatch() {
    const std::vector<RunRow> runs = FixtureRuns(OpenFixture());
    MainWindow window(Open(PUSHSIM_FIXTURE_DB));
    QSignalSpy runs_loaded(&window, &MainWindow::RunsLoaded);
    QVERIFY(runs_loaded.wait(kTimeoutMs));
    QTableView* table = window.runs()->table();
    QCOMPARE(table->model()->rowCount(), static_cast<int>(runs.size()));
    window.runs()->filter()->setText("no-such-scenario");
    QCOMPARE(table->model()->rowCount(), 0);
    window.runs()->filter()->setText(QString::fromStdString(runs[0].scenario).toUpper());  // any case
    QCOMPARE(table->model()->rowCount(), static_cast<int>(runs.size()));
    QVERIFY(WaitUntilIdle(window.tracker()));
  }

  void LadderHasOneArrowPerMessageAndShowsTheClickedOne() {
    const ResultsDb db = OpenFixture();
    const RunRow latest = FixtureRuns(db).back();
    auto subjects = db.LadderSubjects(latest.id);
    QVERIFY(subjects.ok());
    QVERIFY(!subjects.value().empty());  // the fixture logs every message
    auto ladder = db.LadderOf(latest.id, subjects.value().front().call_id);
    QVERIFY(ladder.ok());
    QVERIFY(!ladder.value().arrows.empty());

    MainWindow window(Open(PUSHSIM_FIXTURE_DB));
    QVERIFY(QTest::qWaitFor([&] { return !LadderArrowItems(*window.ladder()->scene()).empty(); }, kTimeoutMs));
    QVERIFY(WaitUntilIdle(window.tracker()));
    QCOMPARE(window.ladder()->subject_picker()->count(), static_cast<int>(subjects.value().size()));
    const std::vector<LadderArrowItem*> items = LadderArrowItems(*window.ladder()->scene());
    QCOMPARE(items.size(), ladder.value().arrows.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      QCOMPARE(items[i]->message_id(), ladder.value().arrows[i].message_id);
      if (i > 0) QVERIFY(ladder.value().arrows[i].time_s >= ladder.value().arrows[i - 1].time_s);
    }
    // Click (select) the second arrow: its full text appears in the side pane.
    LadderArrowItem* clicked = items[std::min<std::size_t>(1, items.size() - 1)];
    auto text = db.MessageText(clicked->message_id());
    QVERIFY(text.ok());
    clicked->setSelected(true);
    QVERIFY(QTest::qWaitFor(
        [&] {
          return window.ladder()->message_text()->toPlainText() ==
                 QString::fromStdString(text.value()).replace("\r\n", "\n");
        },
        kTimeoutMs));
    QVERIFY(window.ladder()->message_text()->toPlainText().contains("SIP/2.0"));
  }

  void ADatabaseThatIsNotOursIsReported() {
    QTemporaryDir dir;
    const QString path = dir.filePath("notes.db");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("this is not an SQLite database\n");
    file.close();
    MainWindow window(Open(path.toStdString()));
    QSignalSpy runs_loaded(&window, &MainWindow::RunsLoaded);
    QVERIFY(runs_loaded.wait(kTimeoutMs));
    QCOMPARE(runs_loaded.takeFirst().at(0).toBool(), false);
    QVERIFY(!window.status_text().isEmpty());
    QCOMPARE(window.runs()->model().rowCount(), 0);
  }

  void SweepViewShowsMeansIntervalsAndCapacity() {
    const ResultsDb db = OpenFixture();
    auto sweeps = db.Sweeps();
    QVERIFY(sweeps.ok());
    QCOMPARE(sweeps.value().size(), std::size_t{1});  // the fixture is one sweep
    const int64_t sweep = sweeps.value().front().id;
    auto curve = db.SweepCurve(sweep, ResultsDb::SweepMetric::kGoodput);
    QVERIFY(curve.ok());
    QCOMPARE(curve.value().size(), std::size_t{2});  // 2/s and 4/s

    MainWindow window(Open(PUSHSIM_FIXTURE_DB));
    SweepsView* view = window.sweeps();
    QSignalSpy loaded(view, &SweepsView::Loaded);
    QVERIFY(QTest::qWaitFor([&] { return view->panel()->data().lines.size() == 1; }, kTimeoutMs));
    QCOMPARE(view->sweep_picker()->count(), 1);
    QCOMPARE(view->metric_picker()->currentIndex(), 0);  // goodput first
    const QChart* chart = view->panel()->chart();
    std::vector<QPointF> means, lows, highs;
    for (const SweepPoint& point : curve.value()) {
      means.emplace_back(point.x, point.mean);
      lows.emplace_back(point.x, point.ci_low);
      highs.emplace_back(point.x, point.ci_high);
    }
    QCOMPARE(LinesOf(chart).at("mean"), means);
    QAreaSeries* band = nullptr;
    for (QAbstractSeries* series : chart->series()) {
      if (auto* area = qobject_cast<QAreaSeries*>(series)) band = area;
    }
    QVERIFY(band);  // two replications per value: every value has an interval
    std::vector<QPointF> band_low, band_high;
    for (int i = 0; i < band->lowerSeries()->count(); ++i) band_low.push_back(band->lowerSeries()->at(i));
    for (int i = 0; i < band->upperSeries()->count(); ++i) band_high.push_back(band->upperSeries()->at(i));
    QCOMPARE(band_low, lows);
    QCOMPARE(band_high, highs);

    // Every push of the fixture is accepted, so even a threshold of 0 keeps the largest value.
    window.sweeps()->threshold()->setValue(0);
    QVERIFY(loaded.wait(kTimeoutMs));
    auto capacity = db.Capacity(sweep, 0);
    QVERIFY(capacity.ok());
    QVERIFY(capacity.value().found);
    const ChartData& shown = view->panel()->data();
    QCOMPARE(shown.points.size(), std::size_t{1});
    QCOMPARE(shown.points[0].points[0].x, capacity.value().x);
    QVERIFY(view->note()->text().contains(QString::fromStdString(capacity.value().value)));

    // Another metric: success ratio, 1 at every value.
    view->metric_picker()->setCurrentIndex(1);
    QVERIFY(loaded.wait(kTimeoutMs));
    for (const Point& point : view->panel()->data().lines.at(0).points) QCOMPARE(point.y, 1.0);
    QVERIFY(WaitUntilIdle(window.tracker()));
  }

  void ADatabaseWithoutSweepsSaysSo() {
    // A copy of the fixture with its sweep removed.
    QTemporaryDir dir;
    const QString path = dir.filePath("no-sweeps.db");
    QVERIFY(QFile::copy(PUSHSIM_FIXTURE_DB, path));
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(path.toUtf8().constData(), &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, "PRAGMA journal_mode=DELETE; UPDATE runs SET sweep_id = NULL; DELETE FROM sweeps;",
                          nullptr, nullptr, nullptr),
             SQLITE_OK);
    sqlite3_close(db);
    MainWindow window(Open(path.toStdString()));
    QSignalSpy loaded(window.sweeps(), &SweepsView::Loaded);
    QVERIFY(loaded.wait(kTimeoutMs));
    QCOMPARE(window.sweeps()->sweep_picker()->count(), 0);
    QVERIFY(window.sweeps()->note()->text().contains("sweep", Qt::CaseInsensitive));
    QVERIFY(window.sweeps()->panel()->data().empty());
    QVERIFY(WaitUntilIdle(window.tracker()));
  }

  void UnfinishedRunsAreMarked() {
    RunRow completed{}, aborted{}, running{};
    completed.id = 1;
    completed.status = "completed";
    aborted.id = 2;
    aborted.status = "aborted";
    aborted.error = "interrupted by SIGINT";
    aborted.sim_duration_s = 30;
    aborted.sim_reached_s = 12.5;
    running.id = 3;
    running.status = "running";
    for (RunRow* run : {&completed, &aborted, &running}) run->parameters_json = R"({"push.rate":"5/s"})";
    completed.parameters_json = R"({"push.rate":"10/s"})";
    RunsModel model;
    model.SetRuns({completed, aborted, running}, {"push.rate"});
    // run, scenario, push.rate, seed, replication, status, simulated, wall clock
    QCOMPARE(model.columnCount(), 8);
    QCOMPARE(model.headerData(2, Qt::Horizontal).toString(), QString("push.rate"));
    QCOMPARE(model.index(0, 2).data().toString(), QString("10/s"));
    QCOMPARE(model.index(1, 5).data().toString(), QString("aborted"));
    QCOMPARE(model.index(1, 6).data().toString(), QString("12.5 s of 30 s"));
    QVERIFY(model.index(1, 0).data(Qt::ToolTipRole).toString().contains("interrupted by SIGINT"));
    QVERIFY(!model.index(0, 0).data(Qt::BackgroundRole).isValid());
    QVERIFY(model.index(1, 0).data(Qt::BackgroundRole).isValid());
    QVERIFY(model.index(2, 0).data(Qt::BackgroundRole).isValid());
    QVERIFY(model.index(2, 0).data(Qt::BackgroundRole) != model.index(1, 0).data(Qt::BackgroundRole));
  }
};

QTEST_MAIN(WindowTest)
#include "window_test.moc"
