#include "runs_panel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

#include "runs_model.h"

namespace pushsim::dashboard {

RunsPanel::RunsPanel(QWidget* parent)
    : QWidget(parent),
      model_(new RunsModel(this)),
      proxy_(new QSortFilterProxyModel(this)),
      filter_(new QLineEdit(this)),
      table_(new QTableView(this)) {
  proxy_->setSourceModel(model_);
  proxy_->setSortRole(RunsModel::kSortRole);
  proxy_->setFilterKeyColumn(-1);  // any column matches
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  filter_->setPlaceholderText(tr("Filter runs (scenario, parameter value, status, ...)"));
  filter_->setClearButtonEnabled(true);
  connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);
  table_->setModel(proxy_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->setSortingEnabled(true);
  table_->sortByColumn(0, Qt::AscendingOrder);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setAlternatingRowColors(true);
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsPanel::SelectionChanged);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(filter_);
  layout->addWidget(table_, 1);
}

void RunsPanel::SetRuns(std::vector<RunRow> runs, std::vector<std::string> varying_parameters) {
  std::vector<int64_t> selected;
  for (const RunRow& run : SelectedRuns()) selected.push_back(run.id);
  {
    QSignalBlocker block(table_->selectionModel());
    model_->SetRuns(std::move(runs), std::move(varying_parameters));
  }
  table_->resizeColumnsToContents();
  SelectRuns(selected);
}

void RunsPanel::SelectRuns(const std::vector<int64_t>& ids) {
  QItemSelection selection;
  for (int row = 0; row < proxy_->rowCount(); ++row) {
    QModelIndex index = proxy_->index(row, 0);
    const int64_t id = index.data(RunsModel::kRunIdRole).toLongLong();
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
      selection.select(index, proxy_->index(row, proxy_->columnCount() - 1));
    }
  }
  table_->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
}

std::vector<RunRow> RunsPanel::SelectedRuns() const {
  QModelIndexList rows = table_->selectionModel()->selectedRows();
  std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
  std::vector<RunRow> runs;
  for (const QModelIndex& index : rows) {
    if (const RunRow* run = model_->RunById(index.data(RunsModel::kRunIdRole).toLongLong())) runs.push_back(*run);
  }
  return runs;
}

}  // namespace pushsim::dashboard
