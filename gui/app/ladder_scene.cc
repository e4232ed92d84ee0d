#include "ladder_scene.h"

#include <QBrush>
#include <QFont>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QPainter>
#include <QPainterPathStroker>
#include <QPen>
#include <QStyleOptionGraphicsItem>
#include <algorithm>

namespace pushsim::dashboard {

namespace {

constexpr double kHeadLength = 8;
constexpr double kHeadHalfWidth = 4;

QPainterPath ArrowPath(const LadderArrowGeometry& geometry, double loop_width) {
  QPainterPath path;
  const double y = geometry.y;
  if (geometry.x_from == geometry.x_to) {
    // The peer is unknown: a loop out of the node and back into it.
    const double x = geometry.x_from;
    path.moveTo(x, y - 6);
    path.lineTo(x + loop_width, y - 6);
    path.lineTo(x + loop_width, y + 6);
    path.lineTo(x, y + 6);
    path.moveTo(x + kHeadLength, y + 6 - kHeadHalfWidth);
    path.lineTo(x, y + 6);
    path.lineTo(x + kHeadLength, y + 6 + kHeadHalfWidth);
    return path;
  }
  const double direction = geometry.x_to > geometry.x_from ? 1 : -1;
  path.moveTo(geometry.x_from, y);
  path.lineTo(geometry.x_to, y);
  path.moveTo(geometry.x_to - direction * kHeadLength, y - kHeadHalfWidth);
  path.lineTo(geometry.x_to, y);
  path.lineTo(geometry.x_to - direction * kHeadLength, y + kHeadHalfWidth);
  return path;
}

}  // namespace

LadderArrowItem::LadderArrowItem(const LadderArrowGeometry& geometry, int64_t message_id, double self_loop_width)
    : geometry_(geometry), message_id_(message_id) {
  setPath(ArrowPath(geometry, self_loop_width));
  setPen(QPen(QColor(30, 30, 30), 1.4));
  setFlag(QGraphicsItem::ItemIsSelectable);
  setCursor(Qt::PointingHandCursor);
  setToolTip(QString::fromStdString(geometry.label));
}

QPainterPath LadderArrowItem::shape() const {
  QPainterPathStroker stroker;
  stroker.setWidth(10);
  return stroker.createStroke(path());
}

void LadderArrowItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) {
  QStyleOptionGraphicsItem plain(*option);
  plain.state &= ~QStyle::State_Selected;  // highlighted by colour (itemChange), not a dashed frame
  QGraphicsPathItem::paint(painter, &plain, widget);
}

QVariant LadderArrowItem::itemChange(GraphicsItemChange change, const QVariant& value) {
  if (change == ItemSelectedHasChanged) {
    const bool selected = value.toBool();
    setPen(QPen(selected ? QColor(200, 30, 30) : QColor(30, 30, 30), selected ? 2.6 : 1.4));
  }
  return QGraphicsPathItem::itemChange(change, value);
}

void PopulateLadderScene(QGraphicsScene& scene, const Ladder& ladder, const LadderMetrics& metrics) {
  scene.clear();
  const LadderGeometry geometry = LayOutLadder(ladder, metrics);
  const double top = metrics.margin;
  const double bottom = geometry.height - metrics.margin;
  QFont header_font;
  header_font.setBold(true);
  for (const LadderColumnGeometry& column : geometry.columns) {
    const double box_width = metrics.column_spacing * 0.7;
    auto* box = scene.addRect(column.x - box_width / 2, top, box_width, metrics.header_height - 8,
                              QPen(QColor(90, 90, 90)), QBrush(QColor(225, 235, 245)));
    box->setZValue(1);
    auto* name = scene.addSimpleText(QString::fromStdString(column.title), header_font);
    name->setPos(column.x - name->boundingRect().width() / 2, top + 3);
    name->setZValue(2);
    auto* role = scene.addSimpleText(QString::fromStdString(column.role));
    role->setBrush(QColor(90, 90, 90));
    role->setPos(column.x - role->boundingRect().width() / 2, top + 3 + name->boundingRect().height());
    role->setZValue(2);
    QPen lifeline(QColor(150, 150, 150), 1, Qt::DashLine);
    scene.addLine(column.x, top + metrics.header_height - 8, column.x, bottom, lifeline);
  }
  QFont label_font;
  label_font.setPointSizeF(label_font.pointSizeF() * 0.85);
  for (const LadderArrowGeometry& placed : geometry.arrows) {
    auto* arrow = new LadderArrowItem(placed, ladder.arrows[placed.index].message_id, metrics.self_loop_width);
    scene.addItem(arrow);  // the scene owns it
    arrow->setZValue(3);
    auto* label = scene.addSimpleText(QString::fromStdString(placed.label), label_font);
    if (placed.x_from == placed.x_to) {  // beside the loop
      label->setPos(placed.x_from + metrics.self_loop_width + 6, placed.y - label->boundingRect().height() / 2);
    } else {
      label->setPos(std::min(placed.x_from, placed.x_to) + 6, placed.y - label->boundingRect().height() - 2);
    }
    label->setZValue(4);
    label->setAcceptedMouseButtons(Qt::NoButton);
  }
  scene.setSceneRect(0, 0, geometry.width, geometry.height);
}

std::vector<LadderArrowItem*> LadderArrowItems(const QGraphicsScene& scene) {
  std::vector<LadderArrowItem*> arrows;
  for (QGraphicsItem* item : scene.items()) {
    if (item->type() == LadderArrowItem::Type) arrows.push_back(static_cast<LadderArrowItem*>(item));
  }
  std::sort(arrows.begin(), arrows.end(),
            [](const LadderArrowItem* a, const LadderArrowItem* b) { return a->geometry().y < b->geometry().y; });
  return arrows;
}

}  // namespace pushsim::dashboard
