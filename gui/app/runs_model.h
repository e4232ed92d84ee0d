// The runs of the database as a table model: scenario, the parameters that differ between runs,
// seed, replication, status (aborted, failed and running runs marked) and duration.
#ifndef PUSHSIM_GUI_APP_RUNS_MODEL_H_
#define PUSHSIM_GUI_APP_RUNS_MODEL_H_

#include <QAbstractTableModel>
#include <string>
#include <vector>

#include "results_db.h"

namespace pushsim::dashboard {

class RunsModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  // Raw values (numbers as numbers) for sorting.
  static constexpr int kSortRole = Qt::UserRole;
  static constexpr int kRunIdRole = Qt::UserRole + 1;

  using QAbstractTableModel::QAbstractTableModel;

  void SetRuns(std::vector<RunRow> runs, std::vector<std::string> varying_parameters);
  const std::vector<RunRow>& runs() const { return runs_; }
  const RunRow* RunById(int64_t id) const;

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  int columnCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  QVariant Cell(const RunRow& run, std::size_t row, int column, bool for_sorting) const;

  std::vector<RunRow> runs_;
  std::vector<std::string> parameters_;                // the varying keys, one column each
  std::vector<std::vector<QString>> parameter_values_; // per run, per key
};

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_RUNS_MODEL_H_
