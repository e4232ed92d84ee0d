// The Ladder tab: one push or registration of a run as a message sequence chart; clicking an
// arrow shows the message's full text beside it.
#ifndef PUSHSIM_GUI_APP_LADDER_VIEW_H_
#define PUSHSIM_GUI_APP_LADDER_VIEW_H_

#include <QWidget>
#include <optional>
#include <string>
#include <vector>

#include "results_db.h"

QT_BEGIN_NAMESPACE
class QComboBox;
class QGraphicsScene;
class QGraphicsView;
class QLabel;
class QPlainTextEdit;
QT_END_NAMESPACE

namespace pushsim::dashboard {

class BusyTracker;

class LadderView : public QWidget {
  Q_OBJECT

 public:
  explicit LadderView(BusyTracker* tracker, QWidget* parent = nullptr);

  // The run whose pushes and registrations can be picked; none clears the view.
  void SetRun(const std::string& path, std::optional<int64_t> run);

  QComboBox* subject_picker() const { return subjects_; }
  QGraphicsScene* scene() const { return scene_; }
  QPlainTextEdit* message_text() const { return text_; }

 signals:
  void Message(const QString& text);
  void Loaded();  // subjects, a ladder or a message text arrived

 private:
  void LoadLadder();
  void ShowSelectedMessage();

  BusyTracker* tracker_;
  std::string path_;
  std::optional<int64_t> run_;
  std::vector<LadderSubject> subjects_list_;
  int generation_ = 0;
  int text_generation_ = 0;
  QComboBox* subjects_;
  QLabel* note_;
  QGraphicsScene* scene_;
  QGraphicsView* view_;
  QPlainTextEdit* text_;
};

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_LADDER_VIEW_H_
