#include "distributions_view.h"

#include <QHBoxLayout>

#include "chart_panel.h"

namespace pushsim::dashboard {

DistributionsView::DistributionsView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  const std::size_t chart_count = DistributionCharts({}).size();
  for (std::size_t i = 0; i < chart_count; ++i) {
    auto* panel = new ChartPanel(this);
    connect(panel, &ChartPanel::Message, this, &DistributionsView::Message);
    layout->addWidget(panel);
    panels_.push_back(panel);
  }
  SetRuns({});
}

void DistributionsView::SetRuns(const std::vector<RunData>& runs) {
  std::vector<ChartData> charts = DistributionCharts(runs);
  for (std::size_t i = 0; i < panels_.size() && i < charts.size(); ++i) panels_[i]->SetData(charts[i]);
}

}  // namespace pushsim::dashboard
