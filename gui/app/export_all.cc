#include "export_all.h"

#include <QDir>
#include <QGraphicsScene>
#include <algorithm>

#include "chart_render.h"
#include "csv.h"
#include "data_loader.h"
#include "ladder_scene.h"
#include "runs_model.h"
#include "runs_panel.h"

namespace pushsim::dashboard {

namespace {

class Exporter {
 public:
  Exporter(const CommandLine& command_line, std::ostream& out, std::ostream& err)
      : path_(command_line.database),
        dir_(QString::fromStdString(*command_line.export_dir)),
        threshold_(command_line.threshold),
        out_(out),
        err_(err) {}

  bool MakeDirectory() {
    if (QDir().mkpath(dir_)) return true;
    err_ << "pushsim-dashboard: cannot create the directory " << dir_.toStdString() << "\n";
    return false;
  }

  void Warn(const std::string& text) {
    err_ << "pushsim-dashboard: " << path_ << ": " << text << "\n";
    problems_ = true;
  }

  void Write(const std::string& stem, const QImage& image, const std::string& csv) {
    const QString base = QDir(dir_).filePath(QString::fromStdString(stem));
    QString error;
    if (WriteImage(base + ".png", image, &error) && WriteTextFile(base + ".csv", csv, &error)) {
      out_ << "wrote " << (base + ".png").toStdString() << " and .csv\n";
    } else {
      err_ << "pushsim-dashboard: " << error.toStdString() << "\n";
      problems_ = true;
    }
  }

  // The runs table as the window shows it (every run, aborted ones marked), and its cells as CSV.
  void ExportRunsTable(const RunsResult& runs) {
    RunsPanel panel;
    panel.SetRuns(runs.runs, runs.varying_parameters);
    panel.resize(kExportSize);
    panel.ensurePolished();
    const RunsModel& model = panel.model();
    std::string csv;
    for (int column = 0; column < model.columnCount(); ++column) {
      csv += (column ? "," : "") + CsvField(model.headerData(column, Qt::Horizontal).toString().toStdString());
    }
    csv += "\n";
    for (int row = 0; row < model.rowCount(); ++row) {
      for (int column = 0; column < model.columnCount(); ++column) {
        csv += (column ? "," : "") + CsvField(model.index(row, column).data().toString().toStdString());
      }
      csv += "\n";
    }
    Write("runs", panel.grab().toImage().convertToFormat(QImage::Format_RGB32), csv);
  }

  void WriteChart(const ChartData& chart) { Write(chart.file_stem, RenderChart(chart, kExportSize), ChartCsv(chart)); }

  void ExportRun(const RunRow& run) {
    RunDataResult data = LoadRunData(path_, {run});
    if (!data.error.empty()) Warn(data.error);
    for (const ChartData& chart : OverTimeCharts(data.runs)) WriteChart(chart);
    for (const ChartData& chart : DistributionCharts(data.runs)) WriteChart(chart);
    ExportLadder(run);
  }

  // The ladder of the run's first push, else of its first registration.
  void ExportLadder(const RunRow& run) {
    LadderSubjectsResult subjects = LoadLadderSubjects(path_, run.id);
    if (!subjects.error.empty()) return Warn(subjects.error);
    if (subjects.subjects.empty()) {
      out_ << "no ladder for run " << run.id << ": " << subjects.note << "\n";
      return;
    }
    auto push = std::find_if(subjects.subjects.begin(), subjects.subjects.end(),
                             [](const LadderSubject& subject) { return subject.kind == "push"; });
    const LadderSubject& subject = push != subjects.subjects.end() ? *push : subjects.subjects.front();
    LadderResult ladder = LoadLadder(path_, run.id, subject);
    if (!ladder.error.empty()) return Warn(ladder.error);
    if (ladder.ladder.arrows.empty()) {
      out_ << "no ladder for run " << run.id << ": it logged no messages (trace.messages: off)\n";
      return;
    }
    QGraphicsScene scene;
    PopulateLadderScene(scene, ladder.ladder);
    Write("ladder-run" + std::to_string(run.id), RenderScene(scene, kExportSize), LadderCsv(ladder.ladder));
  }

  void ExportSweeps() {
    SweepsResult sweeps = LoadSweeps(path_);
    if (!sweeps.error.empty()) return Warn(sweeps.error);
    if (sweeps.sweeps.empty()) {
      out_ << "no sweep charts: " << sweeps.note << "\n";
      return;
    }
    if (sweeps.sweeps.size() > kMaxExportedSweeps) {
      out_ << "exporting the latest " << kMaxExportedSweeps << " of " << sweeps.sweeps.size() << " sweeps\n";
      sweeps.sweeps.erase(sweeps.sweeps.begin(), sweeps.sweeps.end() - kMaxExportedSweeps);
    }
    for (const SweepRow& sweep : sweeps.sweeps) {
      for (auto metric : {ResultsDb::SweepMetric::kGoodput, ResultsDb::SweepMetric::kSuccessRatio,
                          ResultsDb::SweepMetric::kP95Latency}) {
        SweepCurveResult curve = LoadSweepCurve(path_, sweep, metric, threshold_);
        if (!curve.error.empty()) Warn(curve.error);
        WriteChart(SweepChart(curve.curve));
      }
    }
  }

  bool problems() const { return problems_; }

 private:
  std::string path_;
  QString dir_;
  double threshold_;
  std::ostream& out_;
  std::ostream& err_;
  bool problems_ = false;
};

}  // namespace

int ExportAll(const CommandLine& command_line, std::ostream& out, std::ostream& err) {
  RunsResult runs = LoadRuns(command_line.database);
  if (!runs.error.empty()) {
    err << "pushsim-dashboard: " << runs.error << "\n";
    return 2;
  }
  std::vector<RunRow> chosen;
  for (int64_t id : command_line.runs) {
    auto found = std::find_if(runs.runs.begin(), runs.runs.end(), [id](const RunRow& run) { return run.id == id; });
    if (found == runs.runs.end()) {
      err << "pushsim-dashboard: " << command_line.database << ": no run " << id << "\n";
      return 2;
    }
    chosen.push_back(*found);
  }
  if (command_line.runs.empty()) {
    for (const RunRow& run : runs.runs) {
      if (run.status == "completed") chosen.push_back(run);
    }
    if (chosen.size() > kMaxExportedRuns) {
      out << "exporting the latest " << kMaxExportedRuns << " of " << chosen.size()
          << " completed runs (pick others with --run ID)\n";
      chosen.erase(chosen.begin(), chosen.end() - kMaxExportedRuns);
    }
    if (chosen.empty()) out << "no completed runs to export (pick runs of any status with --run ID)\n";
  }
  Exporter exporter(command_line, out, err);
  if (!exporter.MakeDirectory()) return 1;
  exporter.ExportRunsTable(runs);
  for (const RunRow& run : chosen) exporter.ExportRun(run);
  exporter.ExportSweeps();
  return exporter.problems() ? 1 : 0;
}

}  // namespace pushsim::dashboard
