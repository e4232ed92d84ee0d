#include "runs_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QJsonDocument>
#include <QJsonArray>
#include <QJsonObject>

namespace pushsim::dashboard {

namespace {

enum FixedColumn { kRun, kScenario, kFirstParameter };
constexpr int kColumnsAfterParameters = 5;  // seed, replication, status, simulated, wall

QString FormatSeconds(std::optional<double> seconds) {
  return seconds ? QString::number(*seconds, 'g', 6) + " s" : QString();
}

QString JsonValueText(const QJsonValue& value) {
  if (value.isString()) return value.toString();
  if (value.isDouble()) return QString::number(value.toDouble(), 'g', 12);
  if (value.isBool()) return value.toBool() ? "true" : "false";
  if (value.isNull() || value.isUndefined()) return QString();
  QJsonDocument document = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
  return QString::fromUtf8(document.toJson(QJsonDocument::Compact));
}

}  // namespace

void RunsModel::SetRuns(std::vector<RunRow> runs, std::vector<std::string> varying_parameters) {
  beginResetModel();
  runs_ = std::move(runs);
  parameters_ = std::move(varying_parameters);
  parameter_values_.clear();
  for (const RunRow& run : runs_) {
    QJsonObject object = QJsonDocument::fromJson(QByteArray::fromStdString(run.parameters_json)).object();
    std::vector<QString> values;
    for (const std::string& key : parameters_) values.push_back(JsonValueText(object.value(QString::fromStdString(key))));
    parameter_values_.push_back(std::move(values));
  }
  endResetModel();
}

const RunRow* RunsModel::RunById(int64_t id) const {
  for (const RunRow& run : runs_) {
    if (run.id == id) return &run;
  }
  return nullptr;
}

int RunsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(runs_.size());
}

int RunsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kFirstParameter + static_cast<int>(parameters_.size()) + kColumnsAfterParameters;
}

QVariant RunsModel::Cell(const RunRow& run, std::size_t row, int column, bool for_sorting) const {
  const int parameter_count = static_cast<int>(parameters_.size());
  if (column == kRun) return for_sorting ? QVariant(static_cast<qlonglong>(run.id)) : QVariant(QString::number(run.id));
  if (column == kScenario) return QString::fromStdString(run.scenario);
  if (column < kFirstParameter + parameter_count) {
    return parameter_values_[row][static_cast<std::size_t>(column - kFirstParameter)];
  }
  switch (column - kFirstParameter - parameter_count) {
    case 0: return static_cast<qlonglong>(run.seed);
    case 1: return static_cast<qlonglong>(run.replication);
    case 2: return QString::fromStdString(run.status);
    case 3: {
      // Simulated time reached out of the time asked for: an aborted run stops short.
      if (for_sorting) return run.sim_reached_s ? *run.sim_reached_s : run.sim_duration_s.value_or(0);
      if (run.sim_reached_s && run.sim_duration_s && *run.sim_reached_s < *run.sim_duration_s) {
        return FormatSeconds(run.sim_reached_s) + " of " + FormatSeconds(run.sim_duration_s);
      }
      return FormatSeconds(run.sim_duration_s ? run.sim_duration_s : run.sim_reached_s);
    }
    case 4: return for_sorting ? QVariant(run.wall_s.value_or(-1)) : QVariant(FormatSeconds(run.wall_s));
  }
  return {};
}

QVariant RunsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() < 0 || static_cast<std::size_t>(index.row()) >= runs_.size()) return {};
  const std::size_t row = static_cast<std::size_t>(index.row());
  const RunRow& run = runs_[row];
  const bool marked = run.status != "completed";
  switch (role) {
    case Qt::DisplayRole: return Cell(run, row, index.column(), false);
    case kSortRole: return Cell(run, row, index.column(), true);
    case kRunIdRole: return static_cast<qlonglong>(run.id);
    case Qt::ToolTipRole:
      if (!run.error.empty()) return QString::fromStdString(run.status + ": " + run.error);
      return QString::fromStdString(run.started_at + (run.finished_at.empty() ? "" : " to " + run.finished_at));
    case Qt::BackgroundRole:
      if (run.status == "aborted" || run.status == "failed") return QBrush(QColor(250, 215, 210));
      if (run.status == "running") return QBrush(QColor(255, 243, 200));
      return {};
    case Qt::FontRole:
      if (marked) {
        QFont font;
        font.setItalic(run.status == "running");
        font.setBold(run.status != "running");
        return font;
      }
      return {};
    default: return {};
  }
}

QVariant RunsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
  const int parameter_count = static_cast<int>(parameters_.size());
  if (section == kRun) return tr("run");
  if (section == kScenario) return tr("scenario");
  if (section < kFirstParameter + parameter_count) {
    return QString::fromStdString(parameters_[static_cast<std::size_t>(section - kFirstParameter)]);
  }
  static const char* const kNames[] = {"seed", "replication", "status", "simulated", "wall clock"};
  const int rest = section - kFirstParameter - parameter_count;
  if (rest >= 0 && rest < kColumnsAfterParameters) return tr(kNames[rest]);
  return {};
}

}  // namespace pushsim::dashboard
