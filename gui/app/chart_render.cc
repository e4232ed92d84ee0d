#include "chart_render.h"

#include <QAreaSeries>
#include <QChart>
#include <QFile>
#include <QGraphicsScene>
#include <QLineSeries>
#include <QPainter>
#include <QSaveFile>
#include <QScatterSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

namespace pushsim::dashboard {

namespace {

struct Range {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  void Add(double value) {
    if (!std::isfinite(value)) return;
    low = std::min(low, value);
    high = std::max(high, value);
  }
  void AddAll(const std::vector<Point>& points, bool x) {
    for (const Point& point : points) Add(x ? point.x : point.y);
  }
};

QList<QPointF> ToQt(const std::vector<Point>& points) {
  QList<QPointF> list;
  list.reserve(static_cast<qsizetype>(points.size()));
  for (const Point& point : points) list.append(QPointF(point.x, point.y));
  return list;
}

// from_zero: start at 0 (no negative values); markers sit at 0, so then leave room below it to
// draw them whole.
void FitAxis(QValueAxis* axis, Range range, bool from_zero, bool room_below_zero = false) {
  if (!std::isfinite(range.low)) range = Range{0, 1};
  if (from_zero && range.low > 0) range.low = 0;
  if (range.high - range.low < 1e-12) {
    range.high += range.high == 0 ? 1 : std::abs(range.high) * 0.1;
    range.low -= from_zero ? 0 : std::abs(range.low) * 0.1;
  }
  const double padding = (range.high - range.low) * 0.04;
  axis->setRange(from_zero && range.low >= 0 ? range.low : range.low - padding, range.high + padding);
  axis->applyNiceNumbers();
  if (room_below_zero && axis->min() >= 0) {
    // Keep the ticks on the nice numbers from 0 up.
    const double interval = (axis->max() - axis->min()) / std::max(1, axis->tickCount() - 1);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(interval);
    axis->setMin(-(axis->max() - axis->min()) * 0.03);
  }
}

}  // namespace

std::unique_ptr<QChart> BuildChart(const ChartData& data) {
  auto chart = std::make_unique<QChart>();
  chart->setTitle(QString::fromStdString(data.title));
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->legend()->setAlignment(Qt::AlignBottom);
  auto* x_axis = new QValueAxis(chart.get());
  auto* y_axis = new QValueAxis(chart.get());
  x_axis->setTitleText(QString::fromStdString(data.x_title));
  y_axis->setTitleText(QString::fromStdString(data.y_title));
  chart->addAxis(x_axis, Qt::AlignBottom);
  chart->addAxis(y_axis, Qt::AlignLeft);

  Range x_range, y_range;
  auto attach = [&](QAbstractSeries* series) {
    chart->addSeries(series);  // the chart owns its series
    series->attachAxis(x_axis);
    series->attachAxis(y_axis);
  };
  for (const Series& line : data.lines) {
    auto* series = new QLineSeries();
    series->setName(QString::fromStdString(line.name));
    series->append(ToQt(data.steps ? Staircase(line.points) : line.points));
    x_range.AddAll(line.points, true);
    y_range.AddAll(line.points, false);
    attach(series);
  }
  static const QScatterSeries::MarkerShape kShapes[] = {
      QScatterSeries::MarkerShapeTriangle, QScatterSeries::MarkerShapeRectangle,
      QScatterSeries::MarkerShapeCircle, QScatterSeries::MarkerShapeStar, QScatterSeries::MarkerShapePentagon};
  // Markers in dark colours of their own, so that they are not taken for a line of the chart.
  static const QColor kMarkerColors[] = {QColor(200, 30, 30), QColor(20, 20, 20), QColor(230, 120, 0),
                                         QColor(120, 40, 160), QColor(120, 80, 40)};
  std::size_t shape = 0;
  for (const Series& marker : data.points) {
    auto* series = new QScatterSeries();
    series->setColor(kMarkerColors[shape % std::size(kMarkerColors)]);
    series->setBorderColor(series->color());
    series->setName(QString::fromStdString(marker.name));
    series->setMarkerShape(kShapes[shape++ % std::size(kShapes)]);
    series->setMarkerSize(9);
    series->append(ToQt(marker.points));
    x_range.AddAll(marker.points, true);
    y_range.AddAll(marker.points, false);
    attach(series);
  }
  for (const ChartBand& band : data.bands) {
    auto* area = new QAreaSeries();
    auto* upper = new QLineSeries(area);
    auto* lower = new QLineSeries(area);
    upper->append(ToQt(band.high));
    lower->append(ToQt(band.low));
    area->setUpperSeries(upper);
    area->setLowerSeries(lower);
    area->setName(QString::fromStdString(band.name));
    QColor fill(70, 130, 180, 70);
    area->setBrush(fill);
    area->setPen(QPen(fill.darker(), 1));
    for (const auto* edge : {&band.low, &band.high}) {
      x_range.AddAll(*edge, true);
      y_range.AddAll(*edge, false);
    }
    attach(area);
  }
  // Rates, latencies, queues, ratios and fractions are never negative: start the y axis at 0.
  // Time axes start at 0; a sweep over 1000..1200 does not.
  const bool x_from_zero =
      !std::isfinite(x_range.low) || (x_range.low >= 0 && x_range.low <= 0.25 * x_range.high);
  FitAxis(x_axis, x_range, x_from_zero);
  if (data.y_full_scale > 0 && y_range.high <= data.y_full_scale && !(y_range.low < 0)) {
    y_axis->setRange(0, data.y_full_scale);
    y_axis->setTickCount(6);
  } else {
    FitAxis(y_axis, y_range, true, !data.points.empty());
  }
  if (data.empty() && !data.note.empty()) {
    chart->setTitle(QString::fromStdString(data.title + " — " + data.note));
  }
  return chart;
}

QImage RenderChart(const ChartData& data, QSize size) {
  QGraphicsScene scene;
  std::unique_ptr<QChart> chart = BuildChart(data);
  QChart* raw = chart.release();
  scene.addItem(raw);  // the scene owns and deletes the chart
  raw->setGeometry(QRectF(QPointF(0, 0), QSizeF(size)));
  scene.setSceneRect(QRectF(QPointF(0, 0), QSizeF(size)));
  QImage image(size, QImage::Format_ARGB32);
  image.fill(Qt::white);
  QPainter painter(&image);
  painter.setRenderHint(QPainter::Antialiasing);
  scene.render(&painter, QRectF(QPointF(0, 0), QSizeF(size)), scene.sceneRect());
  return image;
}

QImage RenderScene(QGraphicsScene& scene, QSize size) {
  QRectF source = scene.itemsBoundingRect().adjusted(-10, -10, 10, 10);
  const double aspect = static_cast<double>(size.height()) / size.width();
  // Always the whole width: a tall ladder is cut below, a short one padded below.
  source.setHeight(source.width() * aspect);
  QImage image(size, QImage::Format_ARGB32);
  image.fill(Qt::white);
  QPainter painter(&image);
  painter.setRenderHint(QPainter::Antialiasing);
  scene.render(&painter, QRectF(QPointF(0, 0), QSizeF(size)), source);
  return image;
}

bool WriteTextFile(const QString& path, const std::string& text, QString* error) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) ||
      file.write(text.data(), static_cast<qint64>(text.size())) != static_cast<qint64>(text.size()) ||
      !file.commit()) {
    if (error) *error = path + ": " + file.errorString();
    return false;
  }
  return true;
}

bool WriteImage(const QString& path, const QImage& image, QString* error) {
  if (!image.save(path, "PNG")) {
    if (error) *error = path + ": cannot write the PNG image";
    return false;
  }
  return true;
}

}  // namespace pushsim::dashboard
