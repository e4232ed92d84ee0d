// One chart in the window, with its Export PNG and Export CSV actions.
#ifndef PUSHSIM_GUI_APP_CHART_PANEL_H_
#define PUSHSIM_GUI_APP_CHART_PANEL_H_

#include <QWidget>

#include "chart_data.h"

QT_BEGIN_NAMESPACE
class QChartView;
class QChart;
class QAction;
QT_END_NAMESPACE

namespace pushsim::dashboard {

class ChartPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ChartPanel(QWidget* parent = nullptr);

  void SetData(const ChartData& data);
  const ChartData& data() const { return data_; }
  QChart* chart() const;

  // Write to the given path; false and a message box-ready reason on failure.
  bool ExportPng(const QString& path, QString* error) const;
  bool ExportCsv(const QString& path, QString* error) const;

 signals:
  void Message(const QString& text);  // for the status bar: what was written, or why not

 private:
  void AskAndExportPng();
  void AskAndExportCsv();

  ChartData data_;
  QChartView* view_;
  QAction* export_png_;
  QAction* export_csv_;
};

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_CHART_PANEL_H_
