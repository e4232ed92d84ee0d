// The ladder diagram's geometry (a pure function) and its scene: one arrow item per message, in
// time order from top to bottom, between the columns of its sender and receiver.
#include <QGraphicsScene>
#include <QtTest>

#include "ladder_layout.h"
#include "ladder_scene.h"

using namespace pushsim::dashboard;

namespace {

LadderArrow Arrow(int64_t id, double time_s, int from, int to, const std::string& first_line, int64_t size) {
  LadderArrow arrow;
  arrow.message_id = id;
  arrow.time_s = time_s;
  arrow.from = from;
  arrow.to = to;
  arrow.first_line = first_line;
  arrow.size_bytes = size;
  return arrow;
}

// A registration as the S-CSCF sees it: UE -> P-CSCF -> I-CSCF -> S-CSCF and the 401 back, plus
// one message whose peer address is unknown (from == to).
Ladder RegistrationLadder() {
  Ladder ladder;
  ladder.columns = {{"ue1.0", "ue"}, {"pcscf", "pcscf"}, {"icscf", "icscf"}, {"scscf", "scscf"}};
  ladder.arrows = {
      Arrow(11, 1.000, 0, 1, "REGISTER sip:home1.net SIP/2.0", 600),
      Arrow(12, 1.002, 1, 2, "REGISTER sip:home1.net SIP/2.0", 700),
      Arrow(13, 1.009, 2, 3, "REGISTER sip:home1.net SIP/2.0", 750),
      Arrow(14, 1.020, 3, 2, "SIP/2.0 401 Unauthorized", 500),
      Arrow(15, 1.021, 2, 1, "SIP/2.0 401 Unauthorized", 480),
      Arrow(16, 1.023, 1, 0, "SIP/2.0 401 Unauthorized", 450),
      Arrow(17, 1.030, 3, 3, "SIP/2.0 100 Trying", 300),
  };
  return ladder;
}

}  // namespace

class LadderTest : public QObject {
  Q_OBJECT

 private slots:
  void ColumnsLeftToRightInLadderOrder() {
    const LadderMetrics metrics;
    const LadderGeometry geometry = LayOutLadder(RegistrationLadder(), metrics);
    QCOMPARE(geometry.columns.size(), std::size_t{4});
    for (std::size_t i = 0; i < geometry.columns.size(); ++i) {
      QCOMPARE(geometry.columns[i].x, metrics.margin + metrics.column_spacing * static_cast<double>(i));
    }
    QCOMPARE(geometry.columns[2].title, std::string("icscf"));
    QCOMPARE(geometry.columns[0].role, std::string("ue"));
  }

  void OneRowPerArrowInTimeOrder() {
    const Ladder ladder = RegistrationLadder();
    const LadderGeometry geometry = LayOutLadder(ladder);
    QCOMPARE(geometry.arrows.size(), ladder.arrows.size());
    for (std::size_t i = 0; i < geometry.arrows.size(); ++i) {
      const LadderArrowGeometry& arrow = geometry.arrows[i];
      QCOMPARE(arrow.index, i);
      QCOMPARE(arrow.x_from, geometry.columns[static_cast<std::size_t>(ladder.arrows[i].from)].x);
      QCOMPARE(arrow.x_to, geometry.columns[static_cast<std::size_t>(ladder.arrows[i].to)].x);
      if (i > 0) QVERIFY(arrow.y > geometry.arrows[i - 1].y);
      QVERIFY(arrow.y < geometry.height);
    }
    // The 401 from the S-CSCF to the I-CSCF goes right to left.
    QVERIFY(geometry.arrows[3].x_to < geometry.arrows[3].x_from);
    // The unknown peer: a loop on its own node.
    QCOMPARE(geometry.arrows[6].x_from, geometry.arrows[6].x_to);
    QVERIFY(geometry.width > geometry.columns.back().x);
  }

  void ColumnIndexesOutOfRangeAreClamped() {
    Ladder ladder = RegistrationLadder();
    ladder.arrows.push_back(Arrow(18, 2.0, -1, 9, "MESSAGE sip:user1@home1.net SIP/2.0", 10));
    const LadderGeometry geometry = LayOutLadder(ladder);
    QCOMPARE(geometry.arrows.back().from, 0);
    QCOMPARE(geometry.arrows.back().to, 3);
    // No columns at all (a message log without nodes): still one row per message.
    ladder.columns.clear();
    QCOMPARE(LayOutLadder(ladder).arrows.size(), ladder.arrows.size());
  }

  void LabelHasTimeAndShortenedFirstLine() {
    QCOMPARE(ArrowLabel(1.5, "SIP/2.0 200 OK", 64), std::string("1.500000 s  SIP/2.0 200 OK"));
    const std::string line = "INVITE sip:user1@home1.net;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6 SIP/2.0";
    const std::string label = ArrowLabel(2, line, 20);
    QCOMPARE(label, std::string("2.000000 s  INVITE sip:user1@..."));  // 17 characters and "..."
  }

  void SceneHasOneSelectableArrowItemPerMessage() {
    const Ladder ladder = RegistrationLadder();
    QGraphicsScene scene;
    PopulateLadderScene(scene, ladder);
    const std::vector<LadderArrowItem*> items = LadderArrowItems(scene);
    QCOMPARE(items.size(), ladder.arrows.size());
    const LadderGeometry geometry = LayOutLadder(ladder);
    for (std::size_t i = 0; i < items.size(); ++i) {
      QCOMPARE(items[i]->message_id(), ladder.arrows[i].message_id);
      QCOMPARE(items[i]->geometry().from, ladder.arrows[i].from);
      QCOMPARE(items[i]->geometry().to, ladder.arrows[i].to);
      // The drawn line spans exactly the two lifelines.
      const QRectF bounds = items[i]->path().boundingRect();
      const double left = std::min(geometry.columns[static_cast<std::size_t>(ladder.arrows[i].from)].x,
                                   geometry.columns[static_cast<std::size_t>(ladder.arrows[i].to)].x);
      QCOMPARE(bounds.left(), left);
      QVERIFY(items[i]->flags() & QGraphicsItem::ItemIsSelectable);
    }
    // Drawing again replaces the old diagram.
    PopulateLadderScene(scene, ladder);
    QCOMPARE(LadderArrowItems(scene).size(), ladder.arrows.size());
  }

  void CsvHasOneRowPerMessageWithNodeNames() {
    const std::string csv = LadderCsv(RegistrationLadder());
    const QStringList lines = QString::fromStdString(csv).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 7);
    QCOMPARE(lines[0], QString("message_id,time_s,from,to,first_line,size_bytes"));
    QCOMPARE(lines[4], QString("14,1.02,scscf,icscf,SIP/2.0 401 Unauthorized,500"));
  }
};

QTEST_MAIN(LadderTest)
#include "ladder_test.moc"
