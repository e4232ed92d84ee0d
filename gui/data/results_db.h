// The dashboard's read-only view of a pushsim results database (results/schema.sql, versions 1
// and 2): every query the views need, aggregated in SQL, returning plain value types.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

struct sqlite3;

namespace pushsim::dashboard {

struct DbProblem {
  enum class Kind {
    kCannotOpen,   // no such file, no permission
    kNotPushsim,   // not an SQLite database, or one without pushsim's tables
    kNewerSchema,  // written by a newer pushsim (user_version above what this program reads)
    kEmpty,        // an empty file (no tables at all)
    kCorrupt,      // SQLite reports the file damaged
    kQuery,        // a query failed (message says which and why)
    kCancelled,    // Cancel() or the cancel flag stopped the query
  } kind;
  std::string message;
};

// A value or the problem that prevented it.
template <class T>
class Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}              // NOLINT(google-explicit-constructor)
  Expected(DbProblem problem) : state_(std::move(problem)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  const T& value() const& { return std::get<0>(state_); }
  T& value() & { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const DbProblem& problem() const { return std::get<1>(state_); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, DbProblem> state_;
};

struct RunRow {
  int64_t id = 0;
  std::string scenario, parameters_json, status, started_at, finished_at;  // finished_at "" while none
  int64_t seed = 0, replication = 0;
  std::optional<double> sim_duration_s, sim_reached_s;
  std::optional<double> wall_s;  // finished_at - started_at, when finished
  std::optional<int64_t> sweep_id;
  std::optional<std::string> sweep_value;
  std::optional<double> sweep_x;
  std::string error;
};

struct Point {
  double x = 0, y = 0;
};
struct Series {  // one line of a chart
  std::string name;
  std::vector<Point> points;
};
struct Marker {  // an `events` row: 503, lockout, element-down, push-failed, ...
  double time_s = 0;
  std::string kind, element, detail;
};

struct SweepRow {
  int64_t id = 0;
  std::string scenario, parameter, status;
  int64_t runs_per_value = 0;
};
// One varied value: its replications' mean and two-sided 95 % confidence interval (Student's t
// with n - 1 degrees of freedom). n < 2: ci_low = ci_high = mean (no interval from one sample).
struct SweepPoint {
  double x = 0;  // sweep_x; its 0-based position in the sweep's values when it is not a number
  std::string value;
  int n = 0;
  double mean = 0, ci_low = 0, ci_high = 0;
};
struct CapacityPoint {  // the largest load with mean failure ratio <= threshold
  bool found = false;
  double x = 0;
  std::string value;
};

struct LadderSubject {
  std::string kind;  // push | registration
  std::string label, call_id;
  double start_s = 0;
};
struct LadderColumn {
  std::string node, role;
};
struct LadderArrow {
  int64_t message_id = 0;  // messages.id, for MessageText
  double time_s = 0;       // when it was sent (or received, when the sender logged nothing)
  int from = 0, to = 0;    // column indices; from == to when the peer is unknown
  std::string first_line;
  int64_t size_bytes = 0;
  std::optional<double> arrival_s;  // when the receiver logged it; none if it never arrived
};
struct Ladder {
  std::vector<LadderColumn> columns;  // ue, pcscf, icscf, scscf, as, content, attacker, others
  std::vector<LadderArrow> arrows;    // in time order
};

class ResultsDb {
 public:
  // Read-only (the database may still be written by pushsim in WAL mode: a busy timeout waits
  // for the writer). Validates that it is a pushsim database of schema version 1 or 2.
  static Expected<ResultsDb> Open(const std::string& path);

  ResultsDb(ResultsDb&& other) noexcept;
  ResultsDb& operator=(ResultsDb&& other) noexcept;
  ResultsDb(const ResultsDb&) = delete;
  ResultsDb& operator=(const ResultsDb&) = delete;
  ~ResultsDb();

  int schema_version() const { return schema_version_; }
  // What this database cannot show because of its schema version ("" for version 2), e.g. that a
  // version-1 database records no sweeps.
  std::string SchemaNote() const;

  Expected<std::vector<RunRow>> Runs() const;
  // The parameters_json keys whose values differ between the runs (or appear in only some).
  std::vector<std::string> VaryingParameters(const std::vector<RunRow>& runs) const;

  // Per second, x = bucket start (s): REGISTER attempts by start time, one series per final code
  // ("200", "503", ...; "no final response"); pushes by creation time, one series per app_status.
  // Empty buckets between the first and the last are 0.
  Expected<std::vector<Series>> RegistrationRate(int64_t run, double bucket_s) const;
  Expected<std::vector<Series>> PushRate(int64_t run, double bucket_s) const;
  // Nearest-rank p50/p95/p99 of delivery_delay_s of the pushes created in each bucket (series
  // "p50", "p95", "p99"; buckets without deliveries have no point).
  Expected<std::vector<Series>> PushLatencyPercentiles(int64_t run, double bucket_s) const;
  // One series per element (named by element), x = sample time.
  Expected<std::vector<Series>> ElementQueue(int64_t run) const;
  Expected<std::vector<Series>> ElementUtilization(int64_t run) const;
  // Events in time order, at most max_per_kind of each kind: all of them, or beyond that a sample
  // spread evenly over the kind's events (the first of each of max_per_kind equal slices).
  Expected<std::vector<Marker>> Markers(int64_t run, int max_per_kind = 5000) const;
  // Empirical CDF (x = latency in s, y = fraction of samples <= x), sampled to at most about
  // max_points points per series, always including the maximum. Push latency is
  // delivery_delay_s, one series per method; Registration Request Delay is end_s - start_s of
  // the 2xx attempts (RFC 6076 4.1).
  Expected<std::vector<Series>> PushLatencyCdf(int64_t run, int max_points = 500) const;
  Expected<Series> RegistrationDelayCdf(int64_t run, int max_points = 500) const;

  // Version 1: empty (see SchemaNote).
  Expected<std::vector<SweepRow>> Sweeps() const;
  enum class SweepMetric { kGoodput, kSuccessRatio, kP95Latency };
  // Per value, in x order, over the completed runs of the sweep that have the metric.
  Expected<std::vector<SweepPoint>> SweepCurve(int64_t sweep, SweepMetric metric) const;
  // The design objective capacity (ETSI TS 186 008): stepping the values up in x order, the last
  // value whose mean failure ratio over its completed runs is <= max_failure_ratio before the
  // first one that exceeds it.
  Expected<CapacityPoint> Capacity(int64_t sweep, double max_failure_ratio) const;

  // Registrations (one per UE REGISTER Call-ID, the first of the run) and pushes (version 2:
  // pushes with a Call-ID, the first created), in start order, at most `limit` of each kind.
  Expected<std::vector<LadderSubject>> LadderSubjects(int64_t run, int limit = 1000) const;
  // Every message of that Call-ID, one arrow per message (a message logged by both its sender
  // and its receiver is one arrow). For a registration, also the third-party REGISTER
  // transactions (same Call-ID and CSeq) that the S-CSCF sent when it sent a 2xx to it.
  Expected<Ladder> LadderOf(int64_t run, const std::string& call_id) const;
  // The full text, or a note when the run logged summaries only (trace.messages: summary).
  Expected<std::string> MessageText(int64_t message_id) const;

  // Stops a query running on another thread (it returns DbProblem kCancelled). Thread-safe.
  void Cancel() const;
  // A flag polled while queries run: set it to cancel them. Null: none.
  void SetCancelFlag(std::shared_ptr<const std::atomic<bool>> flag);

 private:
  struct Connection;
  explicit ResultsDb(std::unique_ptr<Connection> connection, int schema_version);

  std::unique_ptr<Connection> connection_;
  int schema_version_ = 0;
};

// The two-sided 95 % quantile of Student's t, t(0.975, df); none for df < 1.
std::optional<double> StudentT975(int degrees_of_freedom);

// CSV of series for export: "series,x,y" and one line per point.
std::string SeriesCsv(const std::vector<Series>& series);

}  // namespace pushsim::dashboard
