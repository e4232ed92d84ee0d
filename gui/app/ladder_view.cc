#include "ladder_view.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QVBoxLayout>

#include "background.h"
#include "data_loader.h"
#include "ladder_scene.h"

namespace pushsim::dashboard {

namespace {

QString SubjectText(const LadderSubject& subject) {
  return QString::fromStdString(subject.kind + " at " + std::to_string(subject.start_s) + " s: " + subject.label);
}

}  // namespace

LadderView::LadderView(BusyTracker* tracker, QWidget* parent)
    : QWidget(parent),
      tracker_(tracker),
      subjects_(new QComboBox(this)),
      note_(new QLabel(this)),
      scene_(new QGraphicsScene(this)),
      view_(new QGraphicsView(scene_, this)),
      text_(new QPlainTextEdit(this)) {
  subjects_->setMinimumContentsLength(50);
  note_->setWordWrap(true);
  view_->setRenderHint(QPainter::Antialiasing);
  view_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
  text_->setReadOnly(true);
  text_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  text_->setPlaceholderText(tr("Click an arrow to see the whole message."));
  text_->setLineWrapMode(QPlainTextEdit::NoWrap);
  auto* splitter = new QSplitter(this);
  splitter->addWidget(view_);
  splitter->addWidget(text_);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);
  auto* form = new QFormLayout;
  form->addRow(tr("Push or registration"), subjects_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(note_);
  layout->addWidget(splitter, 1);
  connect(subjects_, qOverload<int>(&QComboBox::currentIndexChanged), this, &LadderView::LoadLadder);
  connect(scene_, &QGraphicsScene::selectionChanged, this, &LadderView::ShowSelectedMessage);
  note_->setText(tr("Pick a run in the table."));
}

void LadderView::SetRun(const std::string& path, std::optional<int64_t> run) {
  path_ = path;
  run_ = run;
  const int generation = ++generation_;
  {
    QSignalBlocker block(subjects_);
    subjects_->clear();
  }
  subjects_list_.clear();
  scene_->clear();
  text_->clear();
  if (!run) {
    note_->setText(tr("Pick a run in the table."));
    return;
  }
  RunInBackground<LadderSubjectsResult>(
      this, tracker_, [path, id = *run] { return LoadLadderSubjects(path, id); },
      [this, generation](const LadderSubjectsResult& result) {
        if (generation != generation_) return;
        subjects_list_ = result.subjects;
        {
          QSignalBlocker block(subjects_);
          for (const LadderSubject& subject : subjects_list_) subjects_->addItem(SubjectText(subject));
        }
        if (!result.error.empty()) emit Message(QString::fromStdString(result.error));
        note_->setText(QString::fromStdString(!result.error.empty() ? result.error : result.note));
        if (subjects_list_.empty()) {
          emit Loaded();
          return;
        }
        subjects_->setCurrentIndex(0);
        LoadLadder();
      });
}

void LadderView::LoadLadder() {
  const int index = subjects_->currentIndex();
  if (!run_ || index < 0 || static_cast<std::size_t>(index) >= subjects_list_.size()) return;
  const LadderSubject subject = subjects_list_[static_cast<std::size_t>(index)];
  const std::string path = path_;
  const int64_t run = *run_;
  const int generation = ++generation_;
  RunInBackground<LadderResult>(
      this, tracker_, [path, run, subject] { return ::pushsim::dashboard::LoadLadder(path, run, subject); },
      [this, generation](const LadderResult& result) {
        if (generation != generation_) return;
        text_->clear();
        if (!result.error.empty()) {
          scene_->clear();
          note_->setText(QString::fromStdString(result.error));
          emit Message(QString::fromStdString(result.error));
        } else {
          PopulateLadderScene(*scene_, result.ladder);
          if (result.ladder.arrows.empty()) {
            note_->setText(tr("No messages logged for Call-ID %1: run the scenario with trace.messages: "
                              "summary or full.")
                               .arg(QString::fromStdString(result.subject.call_id)));
          } else {
            note_->setText(tr("%1 messages between %2 nodes (Call-ID %3). Click an arrow to read the message.")
                               .arg(result.ladder.arrows.size())
                               .arg(result.ladder.columns.size())
                               .arg(QString::fromStdString(result.subject.call_id)));
          }
          view_->centerOn(0, 0);
        }
        emit Loaded();
      });
}

void LadderView::ShowSelectedMessage() {
  const QList<QGraphicsItem*> selected = scene_->selectedItems();
  if (selected.isEmpty() || selected.front()->type() != LadderArrowItem::Type) return;
  const auto* arrow = static_cast<const LadderArrowItem*>(selected.front());
  const int64_t message_id = arrow->message_id();
  const std::string path = path_;
  text_->setPlainText(tr("Loading message %1...").arg(message_id));
  const int generation = ++text_generation_;
  RunInBackground<MessageTextResult>(
      this, tracker_, [path, message_id] { return LoadMessageText(path, message_id); },
      [this, generation](const MessageTextResult& result) {
        if (generation != text_generation_) return;
        // SIP lines end in CRLF; the text pane shows lines.
        QString text = QString::fromStdString(result.error.empty() ? result.text : result.error);
        text_->setPlainText(text.replace("\r\n", "\n"));
        emit Loaded();
      });
}

}  // namespace pushsim::dashboard
