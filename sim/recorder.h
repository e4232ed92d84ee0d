// The results recorder: writes a run's rows into the SQLite database described in
// results/schema.sql (documented in results/README.md).
//
// Writing: rows are buffered and written in batched transactions (every `batch_rows` rows, on
// Flush(), FinishRun() and on destruction). Each batch is one BEGIN IMMEDIATE ... COMMIT, so a
// batch is either wholly in the database or not at all, whatever happens to the process.
//
// Several processes may write to one database at once (`pushsim sweep --jobs J`): the database
// is in WAL mode, every connection has a busy timeout, and BEGIN IMMEDIATE is retried on
// SQLITE_BUSY until `busy_timeout` has passed, so a writer waits its turn and loses nothing.
//
// Interrupted runs: a run whose process dies (SIGKILL, a crash) stays 'running'. Open() marks as
// 'aborted' every 'running' run recorded on this host whose process is gone: /proc/<pid>/stat no
// longer exists, belongs to a zombie, or has another start time (the pid was reused), or the
// machine has rebooted since (the boot id differs). Runs recorded on other hosts are left alone:
// their liveness cannot be checked from here.
//
// SIGINT/SIGTERM: InstallSignalHandlers() installs handlers that only record the signal in a
// `volatile sig_atomic_t` (the one thing a handler may safely do: SQLite and malloc are not
// async-signal-safe). The runner polls CheckInterrupt() from its loop (e.g. a periodic simulator
// event); when a signal is pending it flushes the buffered rows, marks the run 'aborted' and exits
// with 128 + signal (130 for SIGINT, 143 for SIGTERM). A second signal while the first is still
// pending restores the default action and re-raises, so a runner stuck outside its loop can still
// be stopped; its run is then marked 'aborted' by the next Open().
//
// Versions: a new database gets schema version kSchemaVersion. A version-1 database is migrated
// to version 2 in place when opened, in the one transaction that checks the schema: the new
// columns by ALTER TABLE, the new tables, index and view from the schema text itself (so a
// migrated database and a new one cannot drift apart), then the whole schema is compared as for
// any database. A newer version, or a database that is not ours, is refused and left unchanged.
//
// Sweeps (`pushsim sweep`): BeginSweep/FinishSweep record the `sweeps` row; SetSweepTag makes
// every later BeginRun of this recorder tag its run with the sweep, the value and its number.
//
// Limits: a text column longer than kMaxTextBytes is truncated to that length (the message log's
// full text is the only column expected to come near it). Rows are held in memory until their
// batch is written; if writing fails, they stay buffered for the next attempt, up to
// kMaxPendingBatches batches, after which new rows are counted in dropped_rows() and discarded.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace pushsim::runner {

// The schema version this program reads and writes (`PRAGMA user_version`).
inline constexpr int kSchemaVersion = 2;
inline constexpr std::size_t kMaxTextBytes = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxPendingBatches = 16;

struct DbError {
  int sqlite_code = 0;  // the SQLite result code, or 0 for errors found by the recorder itself
  std::string message;  // what failed and why, with SQLite's own message when there is one
};

// A value or a DbError.
template <typename T>
class DbResult {
 public:
  DbResult(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  DbResult(DbError error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  const T& value() const { return std::get<0>(state_); }
  T& value() { return std::get<0>(state_); }
  const DbError& error() const { return std::get<1>(state_); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, DbError> state_;
};

struct Done {};
using DbStatus = DbResult<Done>;

enum class RunStatus { kRunning, kCompleted, kAborted, kFailed };
std::string_view RunStatusName(RunStatus status);

// What BeginRun() records about a run; the recorder adds the host, pid, process start time and
// the wall-clock start.
struct RunInfo {
  std::string scenario;          // the scenario's name
  std::string scenario_text;     // the scenario file as read
  std::string parameters_json = "{}";  // the --set overrides and a sweep's varied values
  std::int64_t seed = 0;
  std::int64_t replication = 0;
  std::string program_version;   // empty: this program's version
  std::optional<double> sim_duration_s;  // the simulated duration the scenario asks for
};

struct RegistrationRow {
  std::string user;      // the AOR
  std::string terminal;  // the contact or +sip.instance of the registering UE
  std::string kind = "initial";  // initial | refresh | deregister
  double start_s = 0;    // the REGISTER was sent
  std::optional<double> end_s;       // its final response arrived; none if it never did
  std::optional<int> final_code;
  int retransmissions = 0;
};

struct PushRow {
  std::int64_t push_id = 0;
  double created_s = 0;
  std::string method;       // push::PushMethodName
  std::int64_t size_bytes = 0;
  std::string target_kind;  // user | gruu | all-terminals
  std::string target_uri;
  std::optional<std::string> terminal;  // the terminal (GRUU or contact) this row's request reached
  std::optional<int> final_code;
  std::string app_status;   // push::AppStatusName
  std::optional<double> response_delay_s;  // from created to the final response
  std::optional<double> delivery_delay_s;  // from created to delivery at the UE
  int retries = 0;
  std::optional<std::string> call_id;  // the Call-ID of the push's request
};

// A node that can appear in messages.node: topology nodes by DOT name and role, UEs as
// "ue<user>.<terminal>" with role "ue"; the address is its IPv4 address as text.
struct NodeRow {
  std::string name, role;
  std::optional<std::string> address;
};

// What BeginSweep() records; the recorder adds the wall-clock start.
struct SweepInfo {
  std::string scenario;             // the scenario's name
  std::string parameter;            // the varied key, as --set takes it
  std::vector<std::string> values;  // the values as given
  std::int64_t runs_per_value = 1;
  std::int64_t jobs = 1;
};

// The sweep a run belongs to: written into the runs row by BeginRun.
struct SweepTag {
  std::int64_t sweep_id = 0;
  std::string value;       // the varied value as given, e.g. "200/s"
  std::optional<double> x;  // that value in base units; none when it is not a number
};

struct MethodCounts {
  std::string method;  // a SIP method, or "response"
  std::int64_t messages_in = 0;
  std::int64_t messages_out = 0;
  std::int64_t refused = 0;
};

struct ElementSample {
  std::string element;
  std::string role;
  double time_s = 0;      // the end of the interval
  double interval_s = 0;
  std::int64_t queue_length = 0;
  double utilization = 0;  // busy fraction of the interval
  std::int64_t messages_in = 0;
  std::int64_t messages_out = 0;
  std::int64_t refused = 0;
  std::vector<MethodCounts> per_method;  // optional split of the three counters
};

struct EventRow {
  double time_s = 0;
  std::string kind;  // 503, dropped, element-down, element-up, lockout, refer-deferred, refer-discarded, push-failed
  std::optional<std::string> element;
  std::optional<std::string> detail;
};

struct MessageRow {
  double time_s = 0;
  std::string node;
  std::string direction;  // in | out
  std::optional<std::string> peer;
  std::string first_line;
  std::optional<std::string> call_id;
  std::optional<std::string> cseq;
  std::int64_t size_bytes = 0;
  std::optional<std::string> text;  // the whole message, with trace.messages=full
};

struct RecorderOptions {
  std::size_t batch_rows = 10000;  // rows per transaction (at least 1)
  std::chrono::milliseconds busy_timeout{60000};  // how long a writer waits for its turn
  std::string schema_path;  // empty: the schema built into the program (results/schema.sql)
};

class Recorder {
 public:
  // Opens (creating if needed) the database at `path`, creates the schema in an empty database,
  // refuses one that is not a pushsim results database of kSchemaVersion, and marks the runs of
  // dead processes 'aborted'.
  static DbResult<Recorder> Open(const std::string& path, RecorderOptions options = {});

  Recorder(Recorder&& other) noexcept;
  Recorder& operator=(Recorder&& other) noexcept;
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;
  // Flushes; a run still open is finished as 'aborted'.
  ~Recorder();

  // Starts a run (status 'running') and makes it the run the Add methods write to. The run is
  // tagged with the sweep tag in force (SetSweepTag), if any.
  DbResult<std::int64_t> BeginRun(const RunInfo& info);
  // The tag BeginRun writes from now on; nullopt: runs that are part of no sweep.
  void SetSweepTag(std::optional<SweepTag> tag) { sweep_tag_ = std::move(tag); }
  const std::optional<SweepTag>& sweep_tag() const { return sweep_tag_; }

  // Records a sweep (status 'running'); returns its id.
  DbResult<std::int64_t> BeginSweep(const SweepInfo& info);
  // Records how sweep `sweep_id` ended and when.
  DbStatus FinishSweep(std::int64_t sweep_id, RunStatus status);
  std::optional<std::int64_t> current_run() const { return run_id_; }

  // Buffer a row for the current run (ignored without one); a full batch is written at once.
  // Errors of that write are kept in last_error() and returned by the next Flush/FinishRun.
  void AddRegistration(RegistrationRow row);
  void AddPush(PushRow row);
  void AddElementSample(ElementSample sample);
  void AddEvent(EventRow row);
  void AddMessage(MessageRow row);
  void AddNode(NodeRow row);

  // Writes every buffered row in one transaction.
  DbStatus Flush();
  // Flushes, then records the status, error text, finish time and the simulated time reached.
  DbStatus FinishRun(RunStatus status, std::string_view error = {},
                     std::optional<double> sim_reached_s = std::nullopt);

  // A canonical text of every row of run `run_id` in every table, without the columns that
  // differ between identical runs (row ids, wall-clock times, host, pid, process start): two runs
  // of the same scenario, parameters and seed give the same text.
  DbResult<std::string> DumpRun(std::int64_t run_id);

  // SIGINT/SIGTERM handling (see the top of this file).
  static void InstallSignalHandlers();
  static int PendingSignal();  // 0 when none
  // If a signal is pending: flush, mark the current run 'aborted', close, and exit 128 + signal.
  void CheckInterrupt();

  std::size_t pending_rows() const { return pending_rows_; }
  std::uint64_t committed_rows() const { return committed_rows_; }
  std::uint64_t dropped_rows() const { return dropped_rows_; }
  const std::optional<DbError>& last_error() const { return last_error_; }
  sqlite3* handle() const { return db_.get(); }  // for queries by the caller

 private:
  struct DbCloser {
    void operator()(sqlite3* db) const;
  };
  struct StmtFinalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  using Statement = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

  Recorder(std::unique_ptr<sqlite3, DbCloser> db, RecorderOptions options);

  DbStatus Prepare();
  DbStatus BeginImmediate();
  DbStatus WriteBatch();
  bool AcceptRow();
  void AfterAdd();
  void FinishOpenRun();

  std::unique_ptr<sqlite3, DbCloser> db_;
  RecorderOptions options_;
  // Destroyed before db_ (declared after it).
  Statement insert_registration_;
  Statement insert_push_;
  Statement insert_sample_;
  Statement insert_method_sample_;
  Statement insert_event_;
  Statement insert_message_;
  Statement insert_node_;

  std::optional<std::int64_t> run_id_;
  std::vector<RegistrationRow> registrations_;
  std::vector<PushRow> pushes_;
  std::vector<ElementSample> samples_;
  std::vector<EventRow> events_;
  std::vector<MessageRow> messages_;
  std::vector<NodeRow> nodes_;
  std::optional<SweepTag> sweep_tag_;
  std::size_t pending_rows_ = 0;
  std::uint64_t committed_rows_ = 0;
  std::uint64_t dropped_rows_ = 0;
  std::optional<DbError> last_error_;
};

// Helpers shared with the runner and its tests.
std::string IsoTimestampNow();  // e.g. 2024-05-01T12:34:56.789Z
// "<boot id>:<start time in clock ticks>" of process `pid` on this host, or empty if the
// process does not exist or is a zombie.
std::string ProcessStartToken(long pid);

}  // namespace pushsim::runner
