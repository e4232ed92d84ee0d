// The runs table with its filter line; several runs can be picked at once.
#ifndef PUSHSIM_GUI_APP_RUNS_PANEL_H_
#define PUSHSIM_GUI_APP_RUNS_PANEL_H_

#include <QList>
#include <QWidget>
#include <vector>

#include "results_db.h"

QT_BEGIN_NAMESPACE
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
QT_END_NAMESPACE

namespace pushsim::dashboard {

class RunsModel;

class RunsPanel : public QWidget {
  Q_OBJECT

 public:
  explicit RunsPanel(QWidget* parent = nullptr);

  // Keeps the selection of the runs that are still there.
  void SetRuns(std::vector<RunRow> runs, std::vector<std::string> varying_parameters);
  void SelectRuns(const std::vector<int64_t>& ids);
  std::vector<RunRow> SelectedRuns() const;  // in table order
  const RunsModel& model() const { return *model_; }
  QLineEdit* filter() const { return filter_; }
  QTableView* table() const { return table_; }

 signals:
  void SelectionChanged();

 private:
  RunsModel* model_;
  QSortFilterProxyModel* proxy_;
  QLineEdit* filter_;
  QTableView* table_;
};

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_RUNS_PANEL_H_
