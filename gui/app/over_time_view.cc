#include "over_time_view.h"

#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "chart_panel.h"

namespace pushsim::dashboard {

OverTimeView::OverTimeView(QWidget* parent) : QScrollArea(parent), note_(new QLabel) {
  auto* content = new QWidget;
  auto* layout = new QVBoxLayout(content);
  layout->addWidget(note_);
  auto* grid = new QGridLayout;
  layout->addLayout(grid, 1);
  const std::size_t chart_count = OverTimeCharts({}).size();
  for (std::size_t i = 0; i < chart_count; ++i) {
    auto* panel = new ChartPanel(content);
    panel->setMinimumSize(480, 320);
    connect(panel, &ChartPanel::Message, this, &OverTimeView::Message);
    grid->addWidget(panel, static_cast<int>(i / 2), static_cast<int>(i % 2));
    panels_.push_back(panel);
  }
  setWidget(content);
  setWidgetResizable(true);
  SetRuns({});
}

void OverTimeView::SetRuns(const std::vector<RunData>& runs) {
  note_->setText(runs.empty() ? tr("Pick one or more runs in the table to plot them here (overlaid).")
                              : tr("Markers on the rate charts: events of the runs (503 refusals, lockouts, "
                                   "element failures, failed pushes) at their time."));
  std::vector<ChartData> charts = OverTimeCharts(runs);
  for (std::size_t i = 0; i < panels_.size() && i < charts.size(); ++i) panels_[i]->SetData(charts[i]);
}

}  // namespace pushsim::dashboard
