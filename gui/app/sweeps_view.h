// The Sweeps tab: one sweep's varied parameter against goodput, success ratio or p95 latency,
// the mean over replications with its 95 % confidence interval, and the capacity point: the
// largest value whose mean failure ratio stays at or under the threshold.
#ifndef PUSHSIM_GUI_APP_SWEEPS_VIEW_H_
#define PUSHSIM_GUI_APP_SWEEPS_VIEW_H_

#include <QWidget>
#include <string>
#include <vector>

#include "chart_data.h"

QT_BEGIN_NAMESPACE
class QComboBox;
class QDoubleSpinBox;
class QLabel;
QT_END_NAMESPACE

namespace pushsim::dashboard {

class BusyTracker;
class ChartPanel;

class SweepsView : public QWidget {
  Q_OBJECT

 public:
  SweepsView(BusyTracker* tracker, double threshold, QWidget* parent = nullptr);

  // Loads the database's sweeps (in the background) and shows the first.
  void SetDatabase(const std::string& path);
  ChartPanel* panel() const { return panel_; }
  QComboBox* sweep_picker() const { return sweeps_; }
  QComboBox* metric_picker() const { return metric_; }
  QDoubleSpinBox* threshold() const { return threshold_; }
  QLabel* note() const { return note_; }

 signals:
  void Message(const QString& text);
  void Loaded();  // a sweep list or curve arrived

 private:
  void LoadCurve();

  BusyTracker* tracker_;
  std::string path_;
  std::vector<SweepRow> sweeps_list_;
  int generation_ = 0;  // results of an older request are dropped
  QComboBox* sweeps_;
  QComboBox* metric_;
  QDoubleSpinBox* threshold_;
  QLabel* note_;
  ChartPanel* panel_;
};

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_SWEEPS_VIEW_H_
