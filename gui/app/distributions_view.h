// The Distributions tab: the CDF of push delivery latency per method and of the Registration
// Request Delay, the picked runs overlaid.
#ifndef PUSHSIM_GUI_APP_DISTRIBUTIONS_VIEW_H_
#define PUSHSIM_GUI_APP_DISTRIBUTIONS_VIEW_H_

#include <QWidget>
#include <vector>

#include "chart_data.h"

namespace pushsim::dashboard {

class ChartPanel;

class DistributionsView : public QWidget {
  Q_OBJECT

 public:
  explicit DistributionsView(QWidget* parent = nullptr);

  void SetRuns(const std::vector<RunData>& runs);
  const std::vector<ChartPanel*>& panels() const { return panels_; }

 signals:
  void Message(const QString& text);

 private:
  std::vector<ChartPanel*> panels_;  // in the order of DistributionCharts
};

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_DISTRIBUTIONS_VIEW_H_
