#include "chart_panel.h"

#include <QAction>
#include <QChart>
#include <QChartView>
#include <QFileDialog>
#include <QMessageBox>
#include <QToolButton>
#include <QVBoxLayout>

#include "chart_render.h"

namespace pushsim::dashboard {

ChartPanel::ChartPanel(QWidget* parent) : QWidget(parent), view_(new QChartView(this)) {
  view_->setRenderHint(QPainter::Antialiasing);
  view_->setMinimumHeight(280);
  export_png_ = new QAction(tr("Export PNG..."), this);
  export_csv_ = new QAction(tr("Export CSV..."), this);
  connect(export_png_, &QAction::triggered, this, &ChartPanel::AskAndExportPng);
  connect(export_csv_, &QAction::triggered, this, &ChartPanel::AskAndExportCsv);
  // Right-click on the chart, or the two buttons above it.
  view_->setContextMenuPolicy(Qt::ActionsContextMenu);
  view_->addAction(export_png_);
  view_->addAction(export_csv_);
  auto* buttons = new QHBoxLayout();
  buttons->addStretch();
  for (QAction* action : {export_png_, export_csv_}) {
    auto* button = new QToolButton(this);
    button->setDefaultAction(action);
    button->setAutoRaise(true);
    buttons->addWidget(button);
  }
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addLayout(buttons);
  layout->addWidget(view_, 1);
  SetData(ChartData{});
}

void ChartPanel::SetData(const ChartData& data) {
  data_ = data;
  QChart* old = view_->chart();
  view_->setChart(BuildChart(data_).release());  // the view owns the new chart
  delete old;  // QChartView::setChart does not delete the previous chart
  export_png_->setEnabled(!data_.file_stem.empty());
  export_csv_->setEnabled(!data_.file_stem.empty());
}

QChart* ChartPanel::chart() const { return view_->chart(); }

bool ChartPanel::ExportPng(const QString& path, QString* error) const {
  return WriteImage(path, RenderChart(data_, kExportSize), error);
}

bool ChartPanel::ExportCsv(const QString& path, QString* error) const {
  return WriteTextFile(path, ChartCsv(data_), error);
}

void ChartPanel::AskAndExportPng() {
  QString path = QFileDialog::getSaveFileName(this, tr("Export chart as PNG"),
                                              QString::fromStdString(data_.file_stem) + ".png",
                                              tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  QString error;
  if (ExportPng(path, &error)) {
    emit Message(tr("wrote %1").arg(path));
  } else {
    QMessageBox::warning(this, tr("Export PNG"), error);
  }
}

void ChartPanel::AskAndExportCsv() {
  QString path = QFileDialog::getSaveFileName(this, tr("Export chart data as CSV"),
                                              QString::fromStdString(data_.file_stem) + ".csv",
                                              tr("CSV files (*.csv)"));
  if (path.isEmpty()) return;
  QString error;
  if (ExportCsv(path, &error)) {
    emit Message(tr("wrote %1").arg(path));
  } else {
    QMessageBox::warning(this, tr("Export CSV"), error);
  }
}

}  // namespace pushsim::dashboard
