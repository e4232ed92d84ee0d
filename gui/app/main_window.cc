#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>

#include "background.h"
#include "data_loader.h"
#include "distributions_view.h"
#include "ladder_view.h"
#include "over_time_view.h"
#include "runs_panel.h"
#include "sweeps_view.h"

namespace pushsim::dashboard {

namespace {

// Overlaying more runs than this makes every chart unreadable.
constexpr std::size_t kMaxOverlaidRuns = 8;

}  // namespace

MainWindow::MainWindow(const CommandLine& command_line, QWidget* parent)
    : QMainWindow(parent),
      command_line_(command_line),
      tracker_(new BusyTracker(this)),
      runs_(new RunsPanel(this)),
      tabs_(new QTabWidget(this)),
      over_time_(new OverTimeView(this)),
      distributions_(new DistributionsView(this)),
      sweeps_(new SweepsView(tracker_, command_line.threshold, this)),
      ladder_(new LadderView(tracker_, this)),
      status_(new QLabel(this)),
      progress_(new QProgressBar(this)) {
  setWindowTitle(tr("pushsim dashboard"));
  tabs_->addTab(over_time_, tr("Over time"));
  tabs_->addTab(distributions_, tr("Distributions"));
  tabs_->addTab(sweeps_, tr("Sweeps"));
  tabs_->addTab(ladder_, tr("Ladder"));
  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(runs_);
  splitter->addWidget(tabs_);
  splitter->setStretchFactor(0, 1);
  splitter->setStretchFactor(1, 3);
  setCentralWidget(splitter);

  progress_->setRange(0, 0);  // busy indicator: the loads do not know their length
  progress_->setMaximumWidth(160);
  progress_->setVisible(false);
  statusBar()->addWidget(status_, 1);
  statusBar()->addPermanentWidget(progress_);
  connect(tracker_, &BusyTracker::BusyChanged, progress_, &QWidget::setVisible);

  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open database..."), this, &MainWindow::AskForDatabase);
  open->setShortcut(QKeySequence::Open);
  QAction* refresh = file->addAction(tr("&Refresh"), this, &MainWindow::Refresh);
  refresh->setShortcut(QKeySequence::Refresh);
  refresh->setToolTip(tr("Read the database again (runs still being written)"));
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  for (auto* view : std::initializer_list<QObject*>{over_time_, distributions_, sweeps_, ladder_}) {
    connect(view, SIGNAL(Message(QString)), status_, SLOT(setText(QString)));
  }
  connect(runs_, &RunsPanel::SelectionChanged, this, &MainWindow::LoadSelectedRuns);
  resize(1400, 950);
  if (command_line_.database.empty()) {
    status_->setText(tr("Open a results database (File > Open), e.g. results/quickstart.db."));
  } else {
    OpenDatabase(command_line_.database);
  }
}

QString MainWindow::status_text() const { return status_->text(); }

void MainWindow::AskForDatabase() {
  QString path = QFileDialog::getOpenFileName(this, tr("Open a pushsim results database"), "results",
                                              tr("SQLite databases (*.db *.sqlite);;All files (*)"));
  if (!path.isEmpty()) {
    first_load_ = true;
    OpenDatabase(path.toStdString());
  }
}

void MainWindow::OpenDatabase(const std::string& path) {
  path_ = path;
  setWindowTitle(tr("pushsim dashboard — %1").arg(QString::fromStdString(path)));
  status_->setText(tr("Loading %1...").arg(QString::fromStdString(path)));
  const int generation = ++runs_generation_;
  RunInBackground<RunsResult>(
      this, tracker_, [path] { return LoadRuns(path); },
      [this, generation](const RunsResult& result) {
        if (generation != runs_generation_) return;
        if (!result.error.empty()) {
          runs_->SetRuns({}, {});
          ShowError(QString::fromStdString(result.error), true);
          emit RunsLoaded(false);
          return;
        }
        std::size_t unfinished = 0;
        for (const RunRow& run : result.runs) unfinished += run.status == "running";
        runs_->SetRuns(result.runs, result.varying_parameters);
        status_->setText(tr("%1: %2 runs (%3 still running), schema version %4")
                             .arg(QString::fromStdString(path_))
                             .arg(result.runs.size())
                             .arg(unfinished)
                             .arg(result.schema_version));
        if (first_load_) {
          first_load_ = false;
          std::vector<int64_t> pick = command_line_.runs;
          if (pick.empty()) {
            // The latest completed run, else the latest of any status.
            for (auto run = result.runs.rbegin(); run != result.runs.rend() && pick.empty(); ++run) {
              if (run->status == "completed") pick.push_back(run->id);
            }
            if (pick.empty() && !result.runs.empty()) pick.push_back(result.runs.back().id);
          }
          runs_->SelectRuns(pick);
        } else {
          LoadSelectedRuns();  // the picked runs may have new rows
        }
        sweeps_->SetDatabase(path_);
        emit RunsLoaded(true);
      });
}

void MainWindow::Refresh() {
  if (!path_.empty()) OpenDatabase(path_);
}

void MainWindow::LoadSelectedRuns() {
  if (path_.empty()) return;
  std::vector<RunRow> selected = runs_->SelectedRuns();
  if (selected.size() > kMaxOverlaidRuns) {
    status_->setText(tr("%1 runs picked: showing the first %2.").arg(selected.size()).arg(kMaxOverlaidRuns));
    selected.resize(kMaxOverlaidRuns);
  }
  ladder_->SetRun(path_, selected.empty() ? std::nullopt : std::optional<int64_t>(selected.front().id));
  const int generation = ++data_generation_;
  const std::string path = path_;
  RunInBackground<RunDataResult>(
      this, tracker_, [path, selected] { return LoadRunData(path, selected); },
      [this, generation](const RunDataResult& result) {
        if (generation != data_generation_) return;
        over_time_->SetRuns(result.runs);
        distributions_->SetRuns(result.runs);
        if (!result.error.empty()) ShowError(QString::fromStdString(result.error), false);
        emit RunDataLoaded();
      });
}

void MainWindow::ShowError(const QString& text, bool dialog) {
  status_->setText(text);
  if (dialog) {
    // Not exec(): the window keeps running (and a test is not blocked).
    auto* box = new QMessageBox(QMessageBox::Warning, tr("pushsim dashboard"), text, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
  }
}

}  // namespace pushsim::dashboard
