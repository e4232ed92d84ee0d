// Turns ChartData into a Qt chart, and charts and scenes into PNG images.
#ifndef PUSHSIM_GUI_APP_CHART_RENDER_H_
#define PUSHSIM_GUI_APP_CHART_RENDER_H_

#include <QImage>
#include <QSize>
#include <QString>
#include <memory>

#include "chart_data.h"

QT_BEGIN_NAMESPACE
class QChart;
class QGraphicsScene;
QT_END_NAMESPACE

namespace pushsim::dashboard {

// The fixed size of exported images.
inline const QSize kExportSize{1200, 800};

// Lines become QLineSeries, points QScatterSeries, bands QAreaSeries, in that order; every
// series is named as in the ChartData and holds exactly its points.
std::unique_ptr<QChart> BuildChart(const ChartData& data);

QImage RenderChart(const ChartData& data, QSize size = kExportSize);
// The top of the scene at full width when it is taller than the image's proportions allow.
QImage RenderScene(QGraphicsScene& scene, QSize size = kExportSize);

// Write the text or image; on failure return false with a one-line reason.
bool WriteTextFile(const QString& path, const std::string& text, QString* error);
bool WriteImage(const QString& path, const QImage& image, QString* error);

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_CHART_RENDER_H_
