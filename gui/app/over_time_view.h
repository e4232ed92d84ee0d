// The Over time tab: registration and push rates by outcome, push latency percentiles, element
// queue length and utilization, events as markers; the picked runs overlaid.
#ifndef PUSHSIM_GUI_APP_OVER_TIME_VIEW_H_
#define PUSHSIM_GUI_APP_OVER_TIME_VIEW_H_

#include <QScrollArea>
#include <vector>

#include "chart_data.h"

QT_BEGIN_NAMESPACE
class QLabel;
QT_END_NAMESPACE

namespace pushsim::dashboard {

class ChartPanel;

class OverTimeView : public QScrollArea {
  Q_OBJECT

 public:
  explicit OverTimeView(QWidget* parent = nullptr);

  void SetRuns(const std::vector<RunData>& runs);
  const std::vector<ChartPanel*>& panels() const { return panels_; }

 signals:
  void Message(const QString& text);

 private:
  QLabel* note_;
  std::vector<ChartPanel*> panels_;  // in the order of OverTimeCharts
};

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_OVER_TIME_VIEW_H_
