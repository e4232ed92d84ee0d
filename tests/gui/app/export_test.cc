// pushsim-dashboard --export as a user runs it, on the database of a small pushsim run (the
// gui.app.fixture test): PNGs of the fixed size, CSVs whose rows are the data layer's values and
// agree with plain SQL counts; a bad database or an unknown run exits with status 2 and says why.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <sqlite3.h>

#include "data_loader.h"
#include "results_db.h"

using namespace pushsim::dashboard;

namespace {

struct Outcome {
  int exit_code = -1;
  QString out, err;
};

Outcome RunDashboard(const QStringList& arguments) {
  QProcess process;
  QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
  environment.remove("QT_QPA_PLATFORM");  // --export must choose the offscreen platform itself
  environment.remove("DISPLAY");
  environment.remove("WAYLAND_DISPLAY");
  // Qt warns on standard error when there is no runtime directory; these tests read standard error.
  static QTemporaryDir runtime_dir;
  environment.insert("XDG_RUNTIME_DIR", runtime_dir.path());
  process.setProcessEnvironment(environment);
  process.start(PUSHSIM_DASHBOARD, arguments);
  if (!process.waitForFinished(120000)) qFatal("pushsim-dashboard did not finish");
  return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
          QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError())};
}

// CSV rows "series,x,y" as name -> points (no series name of these charts has a comma).
std::map<QString, std::vector<QPointF>> ReadSeriesCsv(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) qFatal("cannot read %s", qPrintable(path));
  const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
  if (lines.isEmpty() || lines[0] != "series,x,y") qFatal("%s: bad header", qPrintable(path));
  std::map<QString, std::vector<QPointF>> series;
  for (qsizetype i = 1; i < lines.size(); ++i) {
    const QStringList fields = lines[i].split(',');
    if (fields.size() != 3) qFatal("%s: bad row %s", qPrintable(path), qPrintable(lines[i]));
    series[fields[0]].emplace_back(fields[1].toDouble(), fields[2].toDouble());
  }
  return series;
}

int64_t CountBySql(const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t count = -1;
  if (sqlite3_open_v2(PUSHSIM_FIXTURE_DB, &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      count = sqlite3_column_int64(statement, 0);
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return count;
}

}  // namespace

class ExportTest : public QObject {
  Q_OBJECT

 private slots:
  void WritesEveryChartOfEveryCompletedRun() {
    auto opened = ResultsDb::Open(PUSHSIM_FIXTURE_DB);
    QVERIFY(opened.ok());
    const ResultsDb db = std::move(opened).value();
    auto runs = db.Runs();
    QVERIFY(runs.ok());
    QTemporaryDir dir;
    const Outcome outcome = RunDashboard({"--export", dir.path() + "/charts", PUSHSIM_FIXTURE_DB});
    QCOMPARE(outcome.exit_code, 0);
    QVERIFY2(outcome.err.isEmpty(), qPrintable(outcome.err));
    const QDir charts(dir.path() + "/charts");
    const char* const kViews[] = {"registration-rate", "push-rate", "push-latency", "element-queue",
                                  "element-utilization", "push-latency-cdf", "registration-delay-cdf", "ladder"};
    for (const RunRow& run : runs.value()) {
      QCOMPARE(run.status, std::string("completed"));
      for (const char* view : kViews) {
        const QString stem = QString("%1-run%2").arg(view).arg(run.id);
        const QString png = charts.filePath(stem + ".png");
        QVERIFY2(outcome.out.contains(png), qPrintable(outcome.out));
        QVERIFY2(QFileInfo(png).size() > 0, qPrintable(png));
        const QImage image(png);
        QCOMPARE(image.size(), QSize(1200, 800));
        QVERIFY(QFileInfo(charts.filePath(stem + ".csv")).size() > 0);
      }
    }
    // The runs table: the window's view of every run at the export size, and a CSV line per run
    // under the header.
    const QImage runs_image(charts.filePath("runs.png"));
    QCOMPARE(runs_image.size(), QSize(1200, 800));
    QFile runs_csv(charts.filePath("runs.csv"));
    QVERIFY(runs_csv.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(runs_csv.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), static_cast<qsizetype>(runs.value().size()) + 1);
    QVERIFY(lines.front().contains("scenario"));
    // The registration-rate CSV holds the data layer's series for that run, and over all
    // outcomes accounts for every REGISTER transaction the run recorded.
    const RunRow& run = runs.value().front();
    const double bucket = BucketSeconds(run);
    auto expected = db.RegistrationRate(run.id, bucket);
    QVERIFY(expected.ok());
    const auto written = ReadSeriesCsv(charts.filePath(QString("registration-rate-run%1.csv").arg(run.id)));
    auto markers = db.Markers(run.id);
    QVERIFY(markers.ok());
    std::map<QString, std::size_t> markers_by_kind;  // the run's events: markers in the same CSV
    for (const Marker& marker : markers.value()) ++markers_by_kind[QString::fromStdString(marker.kind)];
    QVERIFY(!markers_by_kind.empty());  // the fixture's I-CSCF goes down and up
    for (const auto& [kind, count] : markers_by_kind) {
      QCOMPARE(written.at(kind).size(), count);
      for (const QPointF& point : written.at(kind)) QCOMPARE(point.y(), 0.0);
    }
    QCOMPARE(written.size(), expected.value().size() + markers_by_kind.size());
    double registrations = 0;
    for (const Series& series : expected.value()) {
      const auto& rows = written.at(QString::fromStdString(series.name));
      QCOMPARE(rows.size(), series.points.size());
      for (std::size_t i = 0; i < rows.size(); ++i) {
        QCOMPARE(rows[i].x(), series.points[i].x);
        QCOMPARE(rows[i].y(), series.points[i].y);
        registrations += rows[i].y() * bucket;  // per second times the bucket: a count
      }
    }
    const int64_t in_sql = CountBySql("SELECT COUNT(*) FROM registrations WHERE run_id = " + std::to_string(run.id));
    QVERIFY(in_sql > 0);
    QCOMPARE(std::llround(registrations), static_cast<long long>(in_sql));

    // The ladder CSV: one row per arrow of the run's first ladder subject.
    auto subjects = db.LadderSubjects(run.id);
    QVERIFY(subjects.ok() && !subjects.value().empty());
    const LadderSubject* subject = &subjects.value().front();
    for (const LadderSubject& candidate : subjects.value()) {
      if (candidate.kind == "push") {
        subject = &candidate;
        break;
      }
    }
    auto ladder = db.LadderOf(run.id, subject->call_id);
    QVERIFY(ladder.ok());
    QFile ladder_csv(charts.filePath(QString("ladder-run%1.csv").arg(run.id)));
    QVERIFY(ladder_csv.open(QIODevice::ReadOnly));
    const QStringList rows = QString::fromUtf8(ladder_csv.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(rows.size(), static_cast<qsizetype>(ladder.value().arrows.size() + 1));
  }

  void WritesTheSweepCharts() {
    auto opened = ResultsDb::Open(PUSHSIM_FIXTURE_DB);
    QVERIFY(opened.ok());
    auto sweeps = opened.value().Sweeps();
    QVERIFY(sweeps.ok() && sweeps.value().size() == 1);
    const int64_t sweep = sweeps.value().front().id;
    QTemporaryDir dir;
    const Outcome outcome = RunDashboard({"--export", dir.path(), "--run", "1", PUSHSIM_FIXTURE_DB});
    QCOMPARE(outcome.exit_code, 0);
    for (const char* metric : {"goodput", "success-ratio", "p95-latency"}) {
      const QString png = dir.filePath(QString("sweep-%1-sweep%2.png").arg(metric).arg(sweep));
      QCOMPARE(QImage(png).size(), QSize(1200, 800));
    }
    // The p95 latency means are the data layer's, value by value.
    auto curve = opened.value().SweepCurve(sweep, ResultsDb::SweepMetric::kP95Latency);
    QVERIFY(curve.ok());
    const auto written = ReadSeriesCsv(dir.filePath(QString("sweep-p95-latency-sweep%1.csv").arg(sweep)));
    const std::vector<QPointF>& means = written.at("mean");
    QCOMPARE(means.size(), curve.value().size());
    for (std::size_t i = 0; i < means.size(); ++i) {
      QCOMPARE(means[i].x(), curve.value()[i].x);
      QCOMPARE(means[i].y(), curve.value()[i].mean);
    }
  }

  void OnlyTheAskedRun() {
    QTemporaryDir dir;
    const Outcome outcome = RunDashboard({"--export", dir.path(), "--run", "1", PUSHSIM_FIXTURE_DB});
    QCOMPARE(outcome.exit_code, 0);
    QVERIFY(QFileInfo::exists(dir.filePath("push-rate-run1.png")));
    QVERIFY(!QFileInfo::exists(dir.filePath("push-rate-run2.png")));
  }

  void ANonexistentRunIsRefused() {
    QTemporaryDir dir;
    const Outcome outcome = RunDashboard({"--export", dir.path(), "--run", "999", PUSHSIM_FIXTURE_DB});
    QCOMPARE(outcome.exit_code, 2);
    QVERIFY2(outcome.err.contains("no run 999"), qPrintable(outcome.err));
  }

  void ABadDatabaseExitsWithStatus2AndOneLine() {
    QTemporaryDir dir;
    const QString text = dir.filePath("notes.db");
    QFile file(text);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a database at all, just some text that is long enough to fill a header page\n");
    file.close();
    for (const QString& database : {text, dir.filePath("missing.db")}) {
      const Outcome outcome = RunDashboard({"--export", dir.filePath("out"), database});
      QCOMPARE(outcome.exit_code, 2);
      QCOMPARE(outcome.err.count('\n'), 1);
      QVERIFY2(outcome.err.startsWith("pushsim-dashboard: "), qPrintable(outcome.err));
      QVERIFY(outcome.out.isEmpty());
    }
    QVERIFY(!QFileInfo::exists(dir.filePath("out")));  // nothing written for a bad database
  }

  void ABadCommandLineExitsWithStatus2() {
    const Outcome outcome = RunDashboard({"--threshold", "2", PUSHSIM_FIXTURE_DB});
    QCOMPARE(outcome.exit_code, 2);
    QVERIFY(outcome.err.contains("between 0 and 1"));
  }
};

QTEST_MAIN(ExportTest)
#include "export_test.moc"
