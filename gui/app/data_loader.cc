#include "data_loader.h"

#include <cmath>

namespace pushsim::dashboard {

namespace {

std::string Describe(const DbProblem& problem) { return problem.message; }

// Moves the value out, or appends the problem to errors.
template <class T>
bool Take(Expected<T>&& result, T& into, std::string& errors, const std::string& what) {
  if (result.ok()) {
    into = std::move(result).value();
    return true;
  }
  if (!errors.empty()) errors += "; ";
  errors += what + ": " + Describe(result.problem());
  return false;
}

template <class Result>
bool OpenOrFail(const std::string& path, std::optional<ResultsDb>& db, Result& result) {
  auto opened = ResultsDb::Open(path);
  if (!opened.ok()) {
    result.error = Describe(opened.problem());
    return false;
  }
  db.emplace(std::move(opened).value());
  return true;
}

}  // namespace

double BucketSeconds(const RunRow& run) {
  const double duration = run.sim_reached_s.value_or(run.sim_duration_s.value_or(60));
  const double wanted = duration / 300;
  if (!(wanted > 1)) return 1;
  const double power = std::pow(10, std::floor(std::log10(wanted)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (step * power >= wanted) return step * power;
  }
  return 10 * power;
}

RunsResult LoadRuns(const std::string& path) {
  RunsResult result;
  std::optional<ResultsDb> db;
  if (!OpenOrFail(path, db, result)) return result;
  result.schema_version = db->schema_version();
  if (Take(db->Runs(), result.runs, result.error, "runs")) {
    result.varying_parameters = db->VaryingParameters(result.runs);
  }
  return result;
}

RunDataResult LoadRunData(const std::string& path, const std::vector<RunRow>& runs) {
  RunDataResult result;
  std::optional<ResultsDb> db;
  if (!OpenOrFail(path, db, result)) return result;
  for (const RunRow& run : runs) {
    RunData data;
    data.run = run;
    const double bucket = BucketSeconds(run);
    const std::string label = "run " + std::to_string(run.id) + " ";
    std::string& errors = result.error;
    Take(db->RegistrationRate(run.id, bucket), data.registration_rate, errors, label + "registrations");
    Take(db->PushRate(run.id, bucket), data.push_rate, errors, label + "pushes");
    Take(db->PushLatencyPercentiles(run.id, bucket), data.push_latency, errors, label + "push latency");
    Take(db->ElementQueue(run.id), data.element_queue, errors, label + "element queues");
    Take(db->ElementUtilization(run.id), data.element_utilization, errors, label + "element utilization");
    Take(db->Markers(run.id), data.markers, errors, label + "events");
    Take(db->PushLatencyCdf(run.id), data.push_latency_cdf, errors, label + "push latency CDF");
    Take(db->RegistrationDelayCdf(run.id), data.registration_delay_cdf, errors, label + "registration delay CDF");
    result.runs.push_back(std::move(data));
  }
  return result;
}

SweepsResult LoadSweeps(const std::string& path) {
  SweepsResult result;
  std::optional<ResultsDb> db;
  if (!OpenOrFail(path, db, result)) return result;
  if (db->schema_version() < 2) {
    result.note = db->SchemaNote();
    if (result.note.empty()) {
      result.note = "This database has schema version " + std::to_string(db->schema_version()) +
                    ", which records no sweeps (pushsim sweep writes version 2).";
    }
    return result;
  }
  Take(db->Sweeps(), result.sweeps, result.error, "sweeps");
  if (result.error.empty() && result.sweeps.empty()) {
    result.note = "No sweeps in this database: run pushsim sweep SCENARIO to make one.";
  }
  return result;
}

SweepCurveResult LoadSweepCurve(const std::string& path, const SweepRow& sweep, ResultsDb::SweepMetric metric,
                                double threshold) {
  SweepCurveResult result;
  result.curve.sweep = sweep;
  result.curve.metric = metric;
  result.curve.threshold = threshold;
  std::optional<ResultsDb> db;
  if (!OpenOrFail(path, db, result)) return result;
  Take(db->SweepCurve(sweep.id, metric), result.curve.points, result.error, "sweep curve");
  Take(db->Capacity(sweep.id, threshold), result.curve.capacity, result.error, "capacity point");
  return result;
}

LadderSubjectsResult LoadLadderSubjects(const std::string& path, int64_t run) {
  LadderSubjectsResult result;
  std::optional<ResultsDb> db;
  if (!OpenOrFail(path, db, result)) return result;
  Take(db->LadderSubjects(run), result.subjects, result.error, "ladder subjects");
  if (result.error.empty() && result.subjects.empty()) {
    result.note = "Run " + std::to_string(run) +
                  " logged no messages: run the scenario with trace.messages: summary or full "
                  "(--set trace.messages=full keeps the whole text of every message).";
  }
  return result;
}

LadderResult LoadLadder(const std::string& path, int64_t run, const LadderSubject& subject) {
  LadderResult result;
  result.subject = subject;
  std::optional<ResultsDb> db;
  if (!OpenOrFail(path, db, result)) return result;
  Take(db->LadderOf(run, subject.call_id), result.ladder, result.error, "ladder");
  return result;
}

MessageTextResult LoadMessageText(const std::string& path, int64_t message_id) {
  MessageTextResult result;
  std::optional<ResultsDb> db;
  if (!OpenOrFail(path, db, result)) return result;
  Take(db->MessageText(message_id), result.text, result.error, "message");
  return result;
}

}  // namespace pushsim::dashboard
