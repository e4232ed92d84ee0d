// The ladder diagram as a QGraphicsScene: a column (lifeline) per node and one selectable arrow
// item per message, laid out by LayOutLadder.
#ifndef PUSHSIM_GUI_APP_LADDER_SCENE_H_
#define PUSHSIM_GUI_APP_LADDER_SCENE_H_

#include <QGraphicsPathItem>
#include <cstdint>
#include <vector>

#include "ladder_layout.h"

QT_BEGIN_NAMESPACE
class QGraphicsScene;
QT_END_NAMESPACE

namespace pushsim::dashboard {

class LadderArrowItem : public QGraphicsPathItem {
 public:
  enum { Type = QGraphicsItem::UserType + 601 };

  LadderArrowItem(const LadderArrowGeometry& geometry, int64_t message_id, double self_loop_width);

  int type() const override { return Type; }
  int64_t message_id() const { return message_id_; }
  const LadderArrowGeometry& geometry() const { return geometry_; }

  QPainterPath shape() const override;  // wider than the line, so it is easy to click
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 protected:
  QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;

 private:
  LadderArrowGeometry geometry_;
  int64_t message_id_;
};

// Clears the scene and draws the ladder.
void PopulateLadderScene(QGraphicsScene& scene, const Ladder& ladder, const LadderMetrics& metrics = {});

// The scene's arrow items, top to bottom.
std::vector<LadderArrowItem*> LadderArrowItems(const QGraphicsScene& scene);

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_LADDER_SCENE_H_
