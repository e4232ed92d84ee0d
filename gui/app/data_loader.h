// Loading what a view shows, as one call that opens its own read-only connection: each call can
// run on a pool thread (SQLite connections are not shared between threads). Results carry an
// error text instead of throwing, so a bad or half-written database never takes the window down.
#ifndef PUSHSIM_GUI_APP_DATA_LOADER_H_
#define PUSHSIM_GUI_APP_DATA_LOADER_H_

#include <string>
#include <vector>

#include "chart_data.h"
#include "results_db.h"

namespace pushsim::dashboard {

struct RunsResult {
  std::string error;  // the database cannot be used at all
  int schema_version = 0;
  std::vector<RunRow> runs;
  std::vector<std::string> varying_parameters;
};

struct RunDataResult {
  std::string error;  // queries that failed (the other charts still show)
  std::vector<RunData> runs;
};

struct SweepsResult {
  std::string error;
  std::string note;   // why there are none (a version-1 database has no sweeps)
  std::vector<SweepRow> sweeps;
};

struct SweepCurveResult {
  std::string error;
  SweepCurveData curve;
};

struct LadderSubjectsResult {
  std::string error;
  std::string note;
  std::vector<LadderSubject> subjects;
};

struct LadderResult {
  std::string error;
  LadderSubject subject;
  Ladder ladder;
};

struct MessageTextResult {
  std::string error;
  std::string text;
};

// A bucket of about 1/300 of the run, rounded up to 1, 2 or 5 times a power of ten, at least 1 s.
double BucketSeconds(const RunRow& run);

RunsResult LoadRuns(const std::string& path);
RunDataResult LoadRunData(const std::string& path, const std::vector<RunRow>& runs);
SweepsResult LoadSweeps(const std::string& path);
SweepCurveResult LoadSweepCurve(const std::string& path, const SweepRow& sweep, ResultsDb::SweepMetric metric,
                                double threshold);
LadderSubjectsResult LoadLadderSubjects(const std::string& path, int64_t run);
LadderResult LoadLadder(const std::string& path, int64_t run, const LadderSubject& subject);
MessageTextResult LoadMessageText(const std::string& path, int64_t message_id);

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_DATA_LOADER_H_
