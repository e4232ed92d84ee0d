// The dashboard's window: the runs table above, the views in tabs below, loading in the
// background with a progress indicator in the status bar.
#ifndef PUSHSIM_GUI_APP_MAIN_WINDOW_H_
#define PUSHSIM_GUI_APP_MAIN_WINDOW_H_

#include <QMainWindow>
#include <string>
#include <vector>

#include "command_line.h"

QT_BEGIN_NAMESPACE
class QLabel;
class QProgressBar;
class QTabWidget;
QT_END_NAMESPACE

namespace pushsim::dashboard {

class BusyTracker;
class DistributionsView;
class LadderView;
class OverTimeView;
class RunsPanel;
class SweepsView;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(const CommandLine& command_line, QWidget* parent = nullptr);

  void OpenDatabase(const std::string& path);
  void Refresh();

  RunsPanel* runs() const { return runs_; }
  OverTimeView* over_time() const { return over_time_; }
  DistributionsView* distributions() const { return distributions_; }
  SweepsView* sweeps() const { return sweeps_; }
  LadderView* ladder() const { return ladder_; }
  BusyTracker* tracker() const { return tracker_; }
  QString status_text() const;

 signals:
  void RunsLoaded(bool ok);
  void RunDataLoaded();

 private:
  void LoadSelectedRuns();
  void ShowError(const QString& text, bool dialog);
  void AskForDatabase();

  CommandLine command_line_;
  std::string path_;
  bool first_load_ = true;
  int runs_generation_ = 0;
  int data_generation_ = 0;
  BusyTracker* tracker_;
  RunsPanel* runs_;
  QTabWidget* tabs_;
  OverTimeView* over_time_;
  DistributionsView* distributions_;
  SweepsView* sweeps_;
  LadderView* ladder_;
  QLabel* status_;
  QProgressBar* progress_;
};

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_MAIN_WINDOW_H_
