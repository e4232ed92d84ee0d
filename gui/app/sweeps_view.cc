#include "sweeps_view.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "background.h"
#include "chart_panel.h"
#include "data_loader.h"

namespace pushsim::dashboard {

SweepsView::SweepsView(BusyTracker* tracker, double threshold, QWidget* parent)
    : QWidget(parent),
      tracker_(tracker),
      sweeps_(new QComboBox(this)),
      metric_(new QComboBox(this)),
      threshold_(new QDoubleSpinBox(this)),
      note_(new QLabel(this)),
      panel_(new ChartPanel(this)) {
  for (auto metric : {ResultsDb::SweepMetric::kGoodput, ResultsDb::SweepMetric::kSuccessRatio,
                      ResultsDb::SweepMetric::kP95Latency}) {
    metric_->addItem(QString::fromStdString(MetricTitle(metric)), static_cast<int>(metric));
  }
  threshold_->setRange(0, 1);
  threshold_->setDecimals(3);
  threshold_->setSingleStep(0.005);
  threshold_->setValue(threshold);
  threshold_->setToolTip(tr("The capacity point: stepping the values up, the last one before the first "
                            "whose mean failure ratio (1 - accepted/pushes) exceeds this."));
  sweeps_->setMinimumContentsLength(40);
  note_->setWordWrap(true);
  auto* controls = new QHBoxLayout;
  auto* form = new QFormLayout;
  form->addRow(tr("Sweep"), sweeps_);
  auto* form2 = new QFormLayout;
  form2->addRow(tr("Metric"), metric_);
  form2->addRow(tr("Failure ratio threshold"), threshold_);
  controls->addLayout(form, 1);
  controls->addLayout(form2);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(controls);
  layout->addWidget(note_);
  layout->addWidget(panel_, 1);
  connect(panel_, &ChartPanel::Message, this, &SweepsView::Message);
  connect(sweeps_, qOverload<int>(&QComboBox::currentIndexChanged), this, &SweepsView::LoadCurve);
  connect(metric_, qOverload<int>(&QComboBox::currentIndexChanged), this, &SweepsView::LoadCurve);
  connect(threshold_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &SweepsView::LoadCurve);
  note_->setText(tr("No database open."));
}

void SweepsView::SetDatabase(const std::string& path) {
  path_ = path;
  const int generation = ++generation_;
  RunInBackground<SweepsResult>(
      this, tracker_, [path] { return LoadSweeps(path); },
      [this, generation](const SweepsResult& result) {
        if (generation != generation_) return;
        const QString previous = sweeps_->currentText();
        sweeps_list_ = result.sweeps;
        {
          QSignalBlocker block(sweeps_);
          sweeps_->clear();
          for (const SweepRow& sweep : sweeps_list_) {
            sweeps_->addItem(QString::fromStdString("sweep " + std::to_string(sweep.id) + ": " + sweep.scenario +
                                                    ", " + sweep.parameter + " (" +
                                                    std::to_string(sweep.runs_per_value) + " runs per value, " +
                                                    sweep.status + ")"));
          }
          const int keep = sweeps_->findText(previous);
          sweeps_->setCurrentIndex(keep >= 0 ? keep : 0);
        }
        if (!result.error.empty()) {
          note_->setText(QString::fromStdString(result.error));
          emit Message(QString::fromStdString(result.error));
        } else {
          note_->setText(QString::fromStdString(result.note));
        }
        if (sweeps_list_.empty()) {
          panel_->SetData(ChartData{});
          emit Loaded();
          return;
        }
        LoadCurve();
      });
}

void SweepsView::LoadCurve() {
  const int index = sweeps_->currentIndex();
  if (path_.empty() || index < 0 || static_cast<std::size_t>(index) >= sweeps_list_.size()) return;
  const SweepRow sweep = sweeps_list_[static_cast<std::size_t>(index)];
  const auto metric = static_cast<ResultsDb::SweepMetric>(metric_->currentData().toInt());
  const double threshold = threshold_->value();
  const std::string path = path_;
  const int generation = ++generation_;
  RunInBackground<SweepCurveResult>(
      this, tracker_, [path, sweep, metric, threshold] { return LoadSweepCurve(path, sweep, metric, threshold); },
      [this, generation](const SweepCurveResult& result) {
        if (generation != generation_) return;
        ChartData chart = SweepChart(result.curve);
        panel_->SetData(chart);
        QString text;
        if (!result.error.empty()) {
          text = QString::fromStdString(result.error);
          emit Message(text);
        } else if (result.curve.capacity.found) {
          text = tr("Capacity: %1 = %2, the last value before the first whose mean failure ratio exceeds %3.")
                     .arg(QString::fromStdString(result.curve.sweep.parameter),
                          QString::fromStdString(result.curve.capacity.value))
                     .arg(result.curve.threshold);
        } else {
          text = QString::fromStdString(chart.note);
        }
        note_->setText(text + tr("  Band: 95 % confidence interval of the mean over replications "
                                 "(Student's t); a value with one replication has none."));
        emit Loaded();
      });
}

}  // namespace pushsim::dashboard
