// Work off the UI thread: QtConcurrent::run in the global thread pool, the result delivered on
// the UI thread by a QFutureWatcher, and a count of pending work for the progress indicator.
#ifndef PUSHSIM_GUI_APP_BACKGROUND_H_
#define PUSHSIM_GUI_APP_BACKGROUND_H_

#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>
#include <utility>

namespace pushsim::dashboard {

class BusyTracker : public QObject {
  Q_OBJECT

 public:
  using QObject::QObject;
  void Begin();
  void End();
  bool busy() const { return pending_ > 0; }

 signals:
  void BusyChanged(bool busy);

 private:
  int pending_ = 0;
};

// Runs work() on a pool thread and done(result) on context's thread, unless context is gone by
// then. work must only use what it captured by value: each call opens its own database
// connection, since an SQLite connection must not be used from two threads at once.
template <class Result, class Work, class Done>
void RunInBackground(QObject* context, BusyTracker* tracker, Work work, Done done) {
  auto* watcher = new QFutureWatcher<Result>(context);
  QPointer<BusyTracker> guarded_tracker(tracker);
  QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                   [watcher, guarded_tracker, done = std::move(done)]() mutable {
                     if (guarded_tracker) guarded_tracker->End();
                     done(watcher->result());
                     watcher->deleteLater();
                   });
  if (tracker) tracker->Begin();
  watcher->setFuture(QtConcurrent::run(std::move(work)));
}

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_BACKGROUND_H_
