#include "results_db.h"

#include "csv.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

namespace pushsim::dashboard {

namespace {

constexpr int kNewestSchema = 2;
constexpr int kBusyTimeoutMs = 5000;
// Times are bucketed in whole microseconds so that 10.0 s in 0.1 s buckets (10.0 / 0.1 =
// 99.999...) falls in bucket 100, as the schema's registration_delay_histogram does.
constexpr double kMicro = 1e6;
// Zero-filling empty buckets stops beyond this many buckets (a bucket far too small for the run).
constexpr int64_t kMaxFilledBuckets = 1000000;
// A mean failure ratio this close above the threshold still meets it: means of ratios such as
// 1 - 90/100 are not exact in binary floating point.
constexpr double kRatioTolerance = 1e-9;
// REGISTER messages read per registration subject wanted (see LadderSubjects).
constexpr int64_t kRegistersPerSubject = 8;

DbProblem Problem(DbProblem::Kind kind, std::string message) { return DbProblem{kind, std::move(message)}; }

DbProblem ProblemOf(sqlite3* db, int code, const std::string& what) {
  const std::string detail = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  switch (code & 0xff) {
    case SQLITE_INTERRUPT: return Problem(DbProblem::Kind::kCancelled, what + ": cancelled");
    case SQLITE_CORRUPT: return Problem(DbProblem::Kind::kCorrupt, "the database is damaged (" + detail + ")");
    case SQLITE_NOTADB: return Problem(DbProblem::Kind::kNotPushsim, "not an SQLite database (" + detail + ")");
    default: return Problem(DbProblem::Kind::kQuery, detail);
  }
}

using Arg = std::variant<int64_t, double, std::string>;

class Row {
 public:
  explicit Row(sqlite3_stmt* statement) : statement_(statement) {}
  bool IsNull(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
  int64_t Int(int column) const { return sqlite3_column_int64(statement_, column); }
  double Double(int column) const { return sqlite3_column_double(statement_, column); }
  std::string Text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(statement_, column))) : std::string();
  }
  std::optional<double> OptionalDouble(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Double(column);
  }
  std::optional<int64_t> OptionalInt(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Int(column);
  }
  std::optional<std::string> OptionalText(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Text(column);
  }

 private:
  sqlite3_stmt* statement_;
};

// Runs `sql` with `args` bound to ?1, ?2, ...; calls on_row for each result row.
std::optional<DbProblem> Query(sqlite3* db, const std::string& what, const std::string& sql,
                               const std::vector<Arg>& args, const std::function<void(const Row&)>& on_row) {
  sqlite3_stmt* raw = nullptr;
  int code = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
  if (code != SQLITE_OK) return ProblemOf(db, code, what);
  for (size_t i = 0; i < args.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    if (const auto* integer = std::get_if<int64_t>(&args[i])) {
      code = sqlite3_bind_int64(raw, index, *integer);
    } else if (const auto* real = std::get_if<double>(&args[i])) {
      code = sqlite3_bind_double(raw, index, *real);
    } else {
      const std::string& text = std::get<std::string>(args[i]);
      code = sqlite3_bind_text(raw, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    }
    if (code != SQLITE_OK) return ProblemOf(db, code, what);
  }
  const Row row(raw);
  while ((code = sqlite3_step(raw)) == SQLITE_ROW) on_row(row);
  if (code != SQLITE_DONE) return ProblemOf(db, code, what);
  return std::nullopt;
}

// Microseconds of a bucket width, or a problem when it is too small to bucket by.
std::optional<int64_t> BucketMicros(double bucket_s) {
  if (!(bucket_s > 0) || !std::isfinite(bucket_s)) return std::nullopt;
  const auto micros = static_cast<int64_t>(std::llround(bucket_s * kMicro));
  if (micros < 1) return std::nullopt;
  return micros;
}

DbProblem BadBucket(double bucket_s) {
  return Problem(DbProblem::Kind::kQuery, "bucket width must be at least 1 microsecond, not " + std::to_string(bucket_s));
}

// Series of per-bucket counts (name, bucket, count rows) as rates per second, with the empty
// buckets between the first and the last bucket of any series as 0.
std::vector<Series> RatesFromCounts(const std::vector<std::string>& names,
                                    const std::map<std::string, std::map<int64_t, int64_t>>& counts, double bucket_s) {
  int64_t first = 0, last = -1;
  bool any = false;
  for (const auto& [name, buckets] : counts) {
    if (buckets.empty()) continue;
    first = any ? std::min(first, buckets.begin()->first) : buckets.begin()->first;
    last = any ? std::max(last, buckets.rbegin()->first) : buckets.rbegin()->first;
    any = true;
  }
  const bool fill = any && last - first < kMaxFilledBuckets;
  std::vector<Series> result;
  for (const std::string& name : names) {
    const auto& buckets = counts.at(name);
    Series series{name, {}};
    if (fill) {
      for (int64_t bucket = first; bucket <= last; ++bucket) {
        auto found = buckets.find(bucket);
        const double count = found == buckets.end() ? 0.0 : static_cast<double>(found->second);
        series.points.push_back(Point{static_cast<double>(bucket) * bucket_s, count / bucket_s});
      }
    } else {
      for (const auto& [bucket, count] : buckets) {
        series.points.push_back(Point{static_cast<double>(bucket) * bucket_s, static_cast<double>(count) / bucket_s});
      }
    }
    result.push_back(std::move(series));
  }
  return result;
}

// Rates per second by outcome from `sql`, which selects (outcome, bucket, count) rows of run ?1
// in buckets of ?2 microseconds, ordered as the series should be.
Expected<std::vector<Series>> RatePerOutcome(sqlite3* db, const std::string& what, const std::string& sql,
                                             int64_t run, double bucket_s) {
  const auto micros = BucketMicros(bucket_s);
  if (!micros) return BadBucket(bucket_s);
  std::vector<std::string> names;
  std::map<std::string, std::map<int64_t, int64_t>> counts;
  if (auto problem = Query(db, what, sql, {run, *micros}, [&](const Row& row) {
        const std::string name = row.Text(0);
        if (!counts.count(name)) names.push_back(name);
        counts[name][row.Int(1)] = row.Int(2);
      })) {
    return *problem;
  }
  return RatesFromCounts(names, counts, static_cast<double>(*micros) / kMicro);
}

// The role of a node of a version-1 database, which has no nodes table: UEs are ue<user>.<t>,
// topology nodes are named after their role, perhaps with a number (pcscf2).
std::string RoleFromName(const std::string& name) {
  if (name.size() > 2 && name.compare(0, 2, "ue") == 0 && std::isdigit(static_cast<unsigned char>(name[2]))) {
    return "ue";
  }
  size_t end = name.size();
  while (end > 0 && std::isdigit(static_cast<unsigned char>(name[end - 1]))) --end;
  return end == 0 ? name : name.substr(0, end);
}

// Column order of the ladder diagram: the path of a push from the phone to the AS and on.
int RoleRank(const std::string& role) {
  static const char* const kOrder[] = {"ue", "pcscf", "icscf", "scscf", "as", "content", "attacker"};
  for (int i = 0; i < static_cast<int>(std::size(kOrder)); ++i) {
    if (role == kOrder[i]) return i;
  }
  return static_cast<int>(std::size(kOrder));
}

// Natural order of node names, so that ue2.0 comes before ue10.0.
bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool digit_a = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
    const bool digit_b = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
    if (digit_a && digit_b) {
      size_t end_a = i, end_b = j;
      while (end_a < a.size() && std::isdigit(static_cast<unsigned char>(a[end_a]))) ++end_a;
      while (end_b < b.size() && std::isdigit(static_cast<unsigned char>(b[end_b]))) ++end_b;
      const std::string number_a = a.substr(i, end_a - i), number_b = b.substr(j, end_b - j);
      const std::string trimmed_a = number_a.substr(std::min(number_a.find_first_not_of('0'), number_a.size()));
      const std::string trimmed_b = number_b.substr(std::min(number_b.find_first_not_of('0'), number_b.size()));
      if (trimmed_a.size() != trimmed_b.size()) return trimmed_a.size() < trimmed_b.size();
      if (trimmed_a != trimmed_b) return trimmed_a < trimmed_b;
      i = end_a;
      j = end_b;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

// "10.0.0.2:5060/UDP" -> "10.0.0.2" (an IPv6 peer would be "[addr]:port/UDP").
std::string HostOf(std::string peer) {
  if (const size_t slash = peer.find('/'); slash != std::string::npos) peer.resize(slash);
  if (!peer.empty() && peer.front() == '[') {
    const size_t close = peer.find(']');
    return close == std::string::npos ? peer : peer.substr(1, close - 1);
  }
  const size_t colon = peer.rfind(':');
  return colon == std::string::npos ? peer : peer.substr(0, colon);
}

// A JSON array of strings, for json_each.
std::string JsonArray(const std::set<std::string>& items) {
  std::string json = "[";
  for (const std::string& item : items) {
    if (json.size() > 1) json += ',';
    json += '"';
    for (char c : item) {
      if (c == '"' || c == '\\') {
        json += '\\';
        json += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
        json += escaped;
      } else {
        json += c;
      }
    }
    json += '"';
  }
  return json + "]";
}

}  // namespace

struct ResultsDb::Connection {
  sqlite3* db = nullptr;
  std::shared_ptr<const std::atomic<bool>> cancel;
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { sqlite3_close_v2(db); }
};

ResultsDb::ResultsDb(std::unique_ptr<Connection> connection, int schema_version)
    : connection_(std::move(connection)), schema_version_(schema_version) {}
ResultsDb::ResultsDb(ResultsDb&& other) noexcept = default;
ResultsDb& ResultsDb::operator=(ResultsDb&& other) noexcept = default;
ResultsDb::~ResultsDb() = default;

Expected<ResultsDb> ResultsDb::Open(const std::string& path) {
  auto connection = std::make_unique<Connection>();
  const int code = sqlite3_open_v2(path.c_str(), &connection->db, SQLITE_OPEN_READONLY, nullptr);
  if (code != SQLITE_OK) {
    return Problem(DbProblem::Kind::kCannotOpen,
                   "cannot open " + path + ": " + (connection->db ? sqlite3_errmsg(connection->db) : sqlite3_errstr(code)));
  }
  sqlite3* db = connection->db;
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_progress_handler(
      db, 1000,
      [](void* context) -> int {
        const auto* self = static_cast<const Connection*>(context);
        return self->cancel && self->cancel->load() ? 1 : 0;
      },
      connection.get());

  int version = 0;
  if (auto problem = Query(db, path, "PRAGMA user_version", {}, [&](const Row& row) { version = static_cast<int>(row.Int(0)); })) {
    if (problem->kind == DbProblem::Kind::kNotPushsim) problem->message = path + " is " + problem->message;
    return *problem;
  }
  std::set<std::string> tables;
  if (auto problem = Query(db, path, "SELECT name FROM sqlite_master WHERE type = 'table'", {},
                           [&](const Row& row) { tables.insert(row.Text(0)); })) {
    return *problem;
  }
  if (tables.empty() && version == 0) {
    return Problem(DbProblem::Kind::kEmpty, path + " is empty: no results in it yet (pushsim writes them with --db)");
  }
  if (version > kNewestSchema) {
    return Problem(DbProblem::Kind::kNewerSchema, path + " has results schema version " + std::to_string(version) +
                                                      ", newer than this dashboard reads (" +
                                                      std::to_string(kNewestSchema) + "): use a newer pushsim-dashboard");
  }
  std::vector<std::string> needed = {"runs", "registrations", "pushes", "element_samples", "events", "messages"};
  if (version >= 2) needed.insert(needed.end(), {"sweeps", "nodes"});
  std::string missing;
  for (const std::string& table : needed) {
    if (!tables.count(table)) missing += (missing.empty() ? "" : ", ") + table;
  }
  if (version < 1 || !missing.empty()) {
    return Problem(DbProblem::Kind::kNotPushsim,
                   path + " is not a pushsim results database" +
                       (version < 1 ? std::string(" (no results schema version)") : " (no table " + missing + ")"));
  }
  return ResultsDb(std::move(connection), version);
}

std::string ResultsDb::SchemaNote() const {
  if (schema_version_ >= 2) return "";
  return "This database has results schema version " + std::to_string(schema_version_) +
         ": it records no sweeps, no node addresses and no push Call-IDs (pushsim writes version 2).";
}

Expected<std::vector<RunRow>> ResultsDb::Runs() const {
  const std::string sweep_columns =
      schema_version_ >= 2 ? "sweep_id, sweep_value, sweep_x" : "NULL, NULL, NULL";
  const std::string sql =
      "SELECT id, scenario, parameters, status, started_at, COALESCE(finished_at, ''), seed, replication, "
      "sim_duration_s, sim_reached_s, (julianday(finished_at) - julianday(started_at)) * 86400.0, " +
      sweep_columns + ", COALESCE(error, '') FROM runs ORDER BY id";
  std::vector<RunRow> runs;
  if (auto problem = Query(connection_->db, "runs", sql, {}, [&](const Row& row) {
        RunRow run;
        run.id = row.Int(0);
        run.scenario = row.Text(1);
        run.parameters_json = row.Text(2);
        run.status = row.Text(3);
        run.started_at = row.Text(4);
        run.finished_at = row.Text(5);
        run.seed = row.Int(6);
        run.replication = row.Int(7);
        run.sim_duration_s = row.OptionalDouble(8);
        run.sim_reached_s = row.OptionalDouble(9);
        run.wall_s = row.OptionalDouble(10);
        run.sweep_id = row.OptionalInt(11);
        run.sweep_value = row.OptionalText(12);
        run.sweep_x = row.OptionalDouble(13);
        run.error = row.Text(14);
        runs.push_back(std::move(run));
      })) {
    return *problem;
  }
  return runs;
}

std::vector<std::string> ResultsDb::VaryingParameters(const std::vector<RunRow>& runs) const {
  if (runs.size() < 2) return {};
  // SQLite's JSON functions read the parameters, so that this needs no JSON parser of its own.
  std::string array = "[";
  for (const RunRow& run : runs) {
    array += (array.size() > 1 ? "," : "") + (run.parameters_json.empty() ? std::string("{}") : run.parameters_json);
  }
  array += "]";
  std::vector<std::string> keys;
  const auto problem = Query(connection_->db, "parameters",
                             "SELECT p.key FROM json_each(?1) AS r, json_each(r.value) AS p "
                             "GROUP BY p.key HAVING COUNT(DISTINCT p.type || ':' || COALESCE(p.value, '')) > 1 "
                             "OR COUNT(*) < ?2 ORDER BY p.key",
                             {array, static_cast<int64_t>(runs.size())}, [&](const Row& row) { keys.push_back(row.Text(0)); });
  if (problem) return {};
  return keys;
}

Expected<std::vector<Series>> ResultsDb::RegistrationRate(int64_t run, double bucket_s) const {
  return RatePerOutcome(connection_->db, "registrations per second",
                        "SELECT CASE WHEN final_code IS NULL THEN 'no final response' ELSE CAST(final_code AS TEXT) END, "
                        "CAST(ROUND(start_s * 1000000) AS INTEGER) / ?2 AS bucket, COUNT(*) "
                        "FROM registrations WHERE run_id = ?1 "
                        "GROUP BY final_code, bucket ORDER BY final_code IS NULL, final_code, bucket",
                        run, bucket_s);
}

Expected<std::vector<Series>> ResultsDb::PushRate(int64_t run, double bucket_s) const {
  return RatePerOutcome(connection_->db, "pushes per second",
                        "SELECT app_status, CAST(ROUND(created_s * 1000000) AS INTEGER) / ?2 AS bucket, COUNT(*) "
                        "FROM pushes WHERE run_id = ?1 "
                        "GROUP BY app_status, bucket ORDER BY app_status <> 'accepted', app_status, bucket",
                        run, bucket_s);
}

Expected<std::vector<Series>> ResultsDb::PushLatencyPercentiles(int64_t run, double bucket_s) const {
  const auto micros = BucketMicros(bucket_s);
  if (!micros) return BadBucket(bucket_s);
  const double width = static_cast<double>(*micros) / kMicro;
  std::vector<Series> series = {{"p50", {}}, {"p95", {}}, {"p99", {}}};
  // Nearest rank, as the schema's views: rank ceil(p * n / 100) = (p * n + 99) / 100.
  if (auto problem = Query(connection_->db, "push latency percentiles",
                           "WITH samples AS ("
                           "  SELECT CAST(ROUND(created_s * 1000000) AS INTEGER) / ?2 AS bucket, delivery_delay_s AS value "
                           "    FROM pushes WHERE run_id = ?1 AND delivery_delay_s IS NOT NULL), "
                           "ranked AS ("
                           "  SELECT bucket, value, ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY value) AS rank, "
                           "         COUNT(*) OVER (PARTITION BY bucket) AS n FROM samples) "
                           "SELECT bucket, MAX(CASE WHEN rank = (50 * n + 99) / 100 THEN value END), "
                           "       MAX(CASE WHEN rank = (95 * n + 99) / 100 THEN value END), "
                           "       MAX(CASE WHEN rank = (99 * n + 99) / 100 THEN value END) "
                           "  FROM ranked GROUP BY bucket ORDER BY bucket",
                           {run, *micros}, [&](const Row& row) {
                             const double x = static_cast<double>(row.Int(0)) * width;
                             for (int i = 0; i < 3; ++i) series[static_cast<size_t>(i)].points.push_back(Point{x, row.Double(i + 1)});
                           })) {
    return *problem;
  }
  return series;
}

namespace {

Expected<std::vector<Series>> ElementSeries(sqlite3* db, int64_t run, const std::string& column, const std::string& what) {
  std::vector<Series> series;
  if (auto problem = Query(db, what,
                           "SELECT element, time_s, " + column +
                               " FROM element_samples WHERE run_id = ?1 ORDER BY element, time_s",
                           {run}, [&](const Row& row) {
                             std::string element = row.Text(0);
                             if (series.empty() || series.back().name != element) series.push_back(Series{element, {}});
                             series.back().points.push_back(Point{row.Double(1), row.Double(2)});
                           })) {
    return *problem;
  }
  return series;
}

}  // namespace

Expected<std::vector<Series>> ResultsDb::ElementQueue(int64_t run) const {
  return ElementSeries(connection_->db, run, "queue_length", "element queue lengths");
}

Expected<std::vector<Series>> ResultsDb::ElementUtilization(int64_t run) const {
  return ElementSeries(connection_->db, run, "utilization", "element utilization");
}

Expected<std::vector<Marker>> ResultsDb::Markers(int64_t run, int max_per_kind) const {
  std::vector<Marker> markers;
  if (max_per_kind <= 0) return markers;
  // Of n events of a kind, the first of each of max_per_kind equal slices of their sequence: all
  // of them when n <= max_per_kind, else a sample spread over the whole run.
  if (auto problem = Query(connection_->db, "events",
                           "SELECT time_s, kind, COALESCE(element, ''), COALESCE(detail, '') FROM ("
                           "  SELECT id, time_s, kind, element, detail, "
                           "         ROW_NUMBER() OVER (PARTITION BY kind ORDER BY time_s, id) AS nth, "
                           "         COUNT(*) OVER (PARTITION BY kind) AS n "
                           "    FROM events WHERE run_id = ?1) "
                           " WHERE nth = 1 OR ((nth - 1) * ?2) / n <> ((nth - 2) * ?2) / n ORDER BY time_s, id",
                           {run, static_cast<int64_t>(std::max(0, max_per_kind))}, [&](const Row& row) {
                             markers.push_back(Marker{row.Double(0), row.Text(1), row.Text(2), row.Text(3)});
                           })) {
    return *problem;
  }
  return markers;
}

namespace {

// The empirical CDF of `samples` (a query of (series, value) rows with ?1 = run), per series:
// points (value, fraction of samples <= value), one per distinct value. Sampled to about
// max_points: a value is kept when its cumulative count crosses a multiple of n / max_points,
// so n <= max_points keeps every value, and the largest value is always kept. Counting per
// distinct value first keeps the window functions off the raw rows.
Expected<std::vector<Series>> Cdf(sqlite3* db, int64_t run, int max_points, const std::string& samples,
                                  const std::string& what) {
  if (max_points < 2) return Problem(DbProblem::Kind::kQuery, what + ": max_points must be at least 2");
  std::vector<Series> series;
  if (auto problem = Query(db, what,
                           "WITH samples AS (" + samples +
                               "), "
                               "counted AS (SELECT series, value, COUNT(*) AS c FROM samples GROUP BY series, value), "
                               "cumulative AS ("
                               "  SELECT series, value, c, "
                               "         SUM(c) OVER (PARTITION BY series ORDER BY value) AS below, "
                               "         SUM(c) OVER (PARTITION BY series) AS n "
                               "    FROM counted) "
                               "SELECT series, value, 1.0 * below / n FROM cumulative "
                               " WHERE below = n OR (below * ?2) / n > ((below - c) * ?2) / n "
                               " ORDER BY series, value",
                           {run, static_cast<int64_t>(max_points)}, [&](const Row& row) {
                             std::string name = row.Text(0);
                             if (series.empty() || series.back().name != name) series.push_back(Series{name, {}});
                             series.back().points.push_back(Point{row.Double(1), row.Double(2)});
                           })) {
    return *problem;
  }
  return series;
}

}  // namespace

Expected<std::vector<Series>> ResultsDb::PushLatencyCdf(int64_t run, int max_points) const {
  return Cdf(connection_->db, run, max_points,
             "SELECT method AS series, delivery_delay_s AS value FROM pushes "
             "WHERE run_id = ?1 AND delivery_delay_s IS NOT NULL",
             "push latency CDF");
}

Expected<Series> ResultsDb::RegistrationDelayCdf(int64_t run, int max_points) const {
  auto cdf = Cdf(connection_->db, run, max_points,
                 "SELECT 'Registration Request Delay' AS series, end_s - start_s AS value FROM registrations "
                 "WHERE run_id = ?1 AND final_code BETWEEN 200 AND 299 AND end_s IS NOT NULL",
                 "registration delay CDF");
  if (!cdf.ok()) return cdf.problem();
  if (cdf.value().empty()) return Series{"Registration Request Delay", {}};
  return std::move(cdf.value().front());
}

Expected<std::vector<SweepRow>> ResultsDb::Sweeps() const {
  std::vector<SweepRow> sweeps;
  if (schema_version_ < 2) return sweeps;
  if (auto problem = Query(connection_->db, "sweeps",
                           "SELECT id, scenario, parameter, status, runs_per_value FROM sweeps ORDER BY id", {},
                           [&](const Row& row) {
                             sweeps.push_back(SweepRow{row.Int(0), row.Text(1), row.Text(2), row.Text(3), row.Int(4)});
                           })) {
    return *problem;
  }
  return sweeps;
}

namespace {

// One completed run of a sweep and its push figures, as the schema's sweep_points view defines
// them (that view ranks the pushes of every run in the database; this reads the sweep's runs
// only, through pushes_by_run_method).
struct SweepRun {
  int64_t id = 0;
  std::string value;
  std::optional<double> x;
  std::optional<double> goodput, success_ratio, failure_ratio, p95;
};

std::optional<DbProblem> ReadSweepRuns(sqlite3* db, int64_t sweep, bool with_p95, std::vector<SweepRun>& runs) {
  // x: sweep_x, else the value's 0-based position in the sweep's values.
  if (auto problem = Query(
          db, "sweep runs",
          "SELECT r.id, r.sweep_value, "
          "       COALESCE(r.sweep_x, (SELECT CAST(j.key AS REAL) FROM sweeps w, json_each(w.\"values\") j "
          "                             WHERE w.id = r.sweep_id AND CAST(j.value AS TEXT) = r.sweep_value)), "
          "       COALESCE(r.sim_reached_s, r.sim_duration_s), "
          "       (SELECT COUNT(*) FROM pushes p WHERE p.run_id = r.id), "
          "       (SELECT TOTAL(p.app_status = 'accepted') FROM pushes p WHERE p.run_id = r.id), "
          "       (SELECT COUNT(*) FROM pushes p WHERE p.run_id = r.id AND p.delivery_delay_s IS NOT NULL) "
          "  FROM runs r WHERE r.sweep_id = ?1 AND r.status = 'completed' ORDER BY r.id",
          {sweep}, [&](const Row& row) {
            SweepRun run;
            run.id = row.Int(0);
            run.value = row.Text(1);
            run.x = row.OptionalDouble(2);
            const std::optional<double> sim_s = row.OptionalDouble(3);
            const auto offered = static_cast<double>(row.Int(4));
            const double accepted = row.Double(5);
            if (sim_s && *sim_s > 0) run.goodput = accepted / *sim_s;
            if (offered > 0) {
              run.success_ratio = accepted / offered;
              run.failure_ratio = 1.0 - accepted / offered;
            }
            // Stash the delivered count in p95 until the percentile is read below.
            run.p95 = static_cast<double>(row.Int(6));
            runs.push_back(std::move(run));
          })) {
    return problem;
  }
  for (SweepRun& run : runs) {
    const auto delivered = static_cast<int64_t>(run.p95.value_or(0));
    run.p95.reset();
    if (!with_p95 || delivered == 0) continue;
    // Nearest rank ceil(95 n / 100), counted from the top: a descending sort with a small
    // OFFSET keeps only the top 5 % of the run's delays in SQLite's sorter.
    const int64_t rank = (95 * delivered + 99) / 100;
    if (auto problem = Query(db, "p95 delivery latency",
                             "SELECT delivery_delay_s FROM pushes WHERE run_id = ?1 AND delivery_delay_s IS NOT NULL "
                             "ORDER BY delivery_delay_s DESC LIMIT 1 OFFSET ?2",
                             {run.id, delivered - rank}, [&](const Row& row) { run.p95 = row.Double(0); })) {
      return problem;
    }
  }
  return std::nullopt;
}

// The runs grouped by value, in x order (values without x after, in run order), each with its
// position among the values.
struct SweepValue {
  std::string value;
  double x = 0;
  std::vector<const SweepRun*> runs;
};

std::vector<SweepValue> GroupByValue(const std::vector<SweepRun>& runs) {
  std::vector<SweepValue> values;
  std::vector<std::optional<double>> xs;
  for (const SweepRun& run : runs) {
    auto found = std::find_if(values.begin(), values.end(), [&](const SweepValue& v) { return v.value == run.value; });
    if (found == values.end()) {
      values.push_back(SweepValue{run.value, 0, {}});
      xs.push_back(run.x);
      found = values.end() - 1;
    }
    found->runs.push_back(&run);
  }
  std::vector<size_t> order(values.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (xs[a].has_value() != xs[b].has_value()) return xs[a].has_value();
    return xs[a] && *xs[a] < *xs[b];
  });
  std::vector<SweepValue> sorted;
  for (size_t i = 0; i < order.size(); ++i) {
    sorted.push_back(std::move(values[order[i]]));
    sorted.back().x = xs[order[i]].value_or(static_cast<double>(i));
  }
  return sorted;
}

}  // namespace

Expected<std::vector<SweepPoint>> ResultsDb::SweepCurve(int64_t sweep, SweepMetric metric) const {
  std::vector<SweepPoint> points;
  if (schema_version_ < 2) return points;
  std::vector<SweepRun> runs;
  if (auto problem = ReadSweepRuns(connection_->db, sweep, metric == SweepMetric::kP95Latency, runs)) return *problem;
  for (const SweepValue& value : GroupByValue(runs)) {
    std::vector<double> samples;
    for (const SweepRun* run : value.runs) {
      const std::optional<double>& sample = metric == SweepMetric::kGoodput        ? run->goodput
                                            : metric == SweepMetric::kSuccessRatio ? run->success_ratio
                                                                                   : run->p95;
      if (sample) samples.push_back(*sample);
    }
    if (samples.empty()) continue;
    SweepPoint point;
    point.value = value.value;
    point.x = value.x;
    point.n = static_cast<int>(samples.size());
    double sum = 0;
    for (double sample : samples) sum += sample;
    point.mean = sum / point.n;
    point.ci_low = point.ci_high = point.mean;
    if (point.n >= 2) {
      // Student's t interval: mean +- t(0.975, n - 1) s / sqrt(n), s the sample standard deviation
      // of the replications.
      double squares = 0;
      for (double sample : samples) squares += (sample - point.mean) * (sample - point.mean);
      const double deviation = std::sqrt(squares / (point.n - 1));
      const double half = StudentT975(point.n - 1).value_or(0) * deviation / std::sqrt(point.n);
      point.ci_low = point.mean - half;
      point.ci_high = point.mean + half;
    }
    points.push_back(std::move(point));
  }
  return points;
}

Expected<CapacityPoint> ResultsDb::Capacity(int64_t sweep, double max_failure_ratio) const {
  CapacityPoint capacity{false, 0, ""};
  if (schema_version_ < 2) return capacity;
  std::vector<SweepRun> runs;
  if (auto problem = ReadSweepRuns(connection_->db, sweep, false, runs)) return *problem;
  for (const SweepValue& value : GroupByValue(runs)) {
    double sum = 0;
    int n = 0;
    for (const SweepRun* run : value.runs) {
      if (run->failure_ratio) {
        sum += *run->failure_ratio;
        ++n;
      }
    }
    if (n == 0) continue;  // no pushes offered: says nothing about the load
    if (sum / n > max_failure_ratio + kRatioTolerance) break;
    capacity = CapacityPoint{true, value.x, value.value};
  }
  return capacity;
}

Expected<std::vector<LadderSubject>> ResultsDb::LadderSubjects(int64_t run, int limit) const {
  std::vector<LadderSubject> subjects;
  const auto max = static_cast<int64_t>(std::max(0, limit));
  int64_t max_registers = max * kRegistersPerSubject;
  // A UE keeps one Call-ID for its registrations (RFC 3261 10.2): one subject per Call-ID. The
  // REGISTERs are read in time order from messages_by_run_time and the walk stops after a few
  // per subject wanted (retransmissions, refreshes), instead of grouping every message of a run
  // of millions; so the subjects are the run's first registrations. A run without registrations
  // skips the walk.
  bool registered = false;
  if (auto problem = Query(connection_->db, "registrations", "SELECT 1 FROM registrations WHERE run_id = ?1 LIMIT 1",
                           {run}, [&](const Row&) { registered = true; })) {
    return *problem;
  }
  const std::string ue_nodes = schema_version_ >= 2
                                   ? "node IN (SELECT name FROM nodes WHERE run_id = ?1 AND role = 'ue')"
                                   : "node GLOB 'ue[0-9]*'";
  if (!registered) max_registers = 0;
  if (auto problem = Query(connection_->db, "registrations to draw",
                           "SELECT call_id, MIN(time_s), MIN(node) FROM ("
                           "  SELECT call_id, time_s, node FROM messages "
                           "   WHERE run_id = ?1 AND direction = 'out' AND call_id IS NOT NULL "
                           "     AND first_line LIKE 'REGISTER %' AND " + ue_nodes +
                               "   ORDER BY time_s LIMIT ?3) "
                               " GROUP BY call_id ORDER BY MIN(time_s), call_id LIMIT ?2",
                           {run, max, max_registers}, [&](const Row& row) {
                             subjects.push_back(LadderSubject{"registration",
                                                              "REGISTER from " + row.Text(2) + " (Call-ID " +
                                                                  row.Text(0) + ")",
                                                              row.Text(0), row.Double(1)});
                           })) {
    return *problem;
  }
  if (schema_version_ >= 2) {
    if (auto problem = Query(connection_->db, "pushes to draw",
                             "SELECT push_id, method, target_uri, app_status, call_id, created_s FROM pushes "
                             " WHERE run_id = ?1 AND call_id IS NOT NULL ORDER BY created_s, push_id LIMIT ?2",
                             {run, max}, [&](const Row& row) {
                               subjects.push_back(LadderSubject{"push",
                                                                "push " + std::to_string(row.Int(0)) + " " + row.Text(1) +
                                                                    " to " + row.Text(2) + " (" + row.Text(3) + ")",
                                                                row.Text(4), row.Double(5)});
                             })) {
      return *problem;
    }
  }
  std::stable_sort(subjects.begin(), subjects.end(),
                   [](const LadderSubject& a, const LadderSubject& b) { return a.start_s < b.start_s; });
  return subjects;
}

namespace {

struct LoggedMessage {
  int64_t id = 0;
  double time_s = 0;
  std::string node, direction, first_line, call_id, cseq;
  std::optional<std::string> peer;
  int64_t size_bytes = 0;
};

constexpr const char* kMessageColumns =
    "SELECT id, time_s, node, direction, peer, first_line, COALESCE(call_id, ''), COALESCE(cseq, ''), size_bytes "
    "FROM messages ";

void AddLogged(const Row& row, std::vector<LoggedMessage>& into) {
  into.push_back(LoggedMessage{row.Int(0), row.Double(1), row.Text(2), row.Text(3), row.Text(5), row.Text(6),
                               row.Text(7), row.OptionalText(4), row.Int(8)});
}

}  // namespace

Expected<Ladder> ResultsDb::LadderOf(int64_t run, const std::string& call_id) const {
  sqlite3* db = connection_->db;
  // Roles and addresses of the nodes these messages name (a run may list 100,000 UEs: only
  // those asked for are read).
  std::map<std::string, std::string> role_of;
  std::map<std::string, std::string> node_at;  // address -> node
  auto learn_nodes = [&](const std::vector<LoggedMessage>& messages) -> std::optional<DbProblem> {
    if (schema_version_ < 2) return std::nullopt;
    std::set<std::string> names, hosts;
    for (const LoggedMessage& message : messages) {
      if (!role_of.count(message.node)) names.insert(message.node);
      if (message.peer && !node_at.count(HostOf(*message.peer))) hosts.insert(HostOf(*message.peer));
    }
    if (names.empty() && hosts.empty()) return std::nullopt;
    return Query(db, "nodes",
                 "SELECT name, role, address FROM nodes WHERE run_id = ?1 AND "
                 "(name IN (SELECT value FROM json_each(?2)) OR address IN (SELECT value FROM json_each(?3)))",
                 {run, JsonArray(names), JsonArray(hosts)}, [&](const Row& row) {
                   role_of[row.Text(0)] = row.Text(1);
                   if (!row.IsNull(2)) node_at[row.Text(2)] = row.Text(0);
                 });
  };
  auto role = [&](const std::string& node) {
    auto found = role_of.find(node);
    return found != role_of.end() ? found->second : RoleFromName(node);
  };

  std::vector<LoggedMessage> logged;
  if (auto problem = Query(db, "messages of the Call-ID",
                           // No ORDER BY: it would make SQLite walk messages_by_run_time over the
                           // whole run instead of messages_by_call; sorted below.
                           std::string(kMessageColumns) + "WHERE run_id = ?1 AND call_id = ?2",
                           {run, call_id}, [&](const Row& row) { AddLogged(row, logged); })) {
    return *problem;
  }
  if (auto problem = learn_nodes(logged)) return *problem;

  // A registration: the third-party REGISTERs (3GPP TS 24.229 5.4.1.7) have a Call-ID of their
  // own. The S-CSCF sends each when it sends the 2xx to the UE's REGISTER, so the REGISTERs it
  // sent at the instant of such a 2xx belong to this registration, with their whole transaction.
  std::set<std::pair<std::string, std::string>> third_party;
  for (const LoggedMessage& message : logged) {
    if (message.direction != "out" || role(message.node) != "scscf" || message.first_line.rfind("SIP/2.0 2", 0) != 0 ||
        message.cseq.find("REGISTER") == std::string::npos) {
      continue;
    }
    if (auto problem = Query(db, "third-party registrations",
                             "SELECT call_id, cseq FROM messages WHERE run_id = ?1 AND time_s = ?2 AND node = ?3 "
                             "AND direction = 'out' AND first_line LIKE 'REGISTER %' AND call_id IS NOT NULL "
                             "AND cseq IS NOT NULL AND call_id <> ?4",
                             {run, message.time_s, message.node, call_id},
                             [&](const Row& row) { third_party.emplace(row.Text(0), row.Text(1)); })) {
      return *problem;
    }
  }
  for (const auto& [other_call, cseq] : third_party) {
    if (auto problem = Query(db, "third-party registration",
                             std::string(kMessageColumns) + "WHERE run_id = ?1 AND call_id = ?2 AND cseq = ?3",
                             {run, other_call, cseq}, [&](const Row& row) { AddLogged(row, logged); })) {
      return *problem;
    }
  }
  if (auto problem = learn_nodes(logged)) return *problem;
  std::sort(logged.begin(), logged.end(), [](const LoggedMessage& a, const LoggedMessage& b) {
    return a.time_s != b.time_s ? a.time_s < b.time_s : a.id < b.id;
  });

  auto peer_node = [&](const LoggedMessage& message) -> std::optional<std::string> {
    if (!message.peer) return std::nullopt;
    auto found = node_at.find(HostOf(*message.peer));
    if (found == node_at.end()) return std::nullopt;
    return found->second;
  };

  // One arrow per message: a message logged as sent ('out') and as received ('in') is one arrow,
  // from the sender's row. The received copy is the earliest unmatched 'in' row of the same
  // message (Call-ID, CSeq, first line, size) at another node, no earlier than the send, at the
  // node the peer address names when it names one.
  struct Pending {
    const LoggedMessage* message;
    std::string from, to;
    std::optional<double> arrival_s;
  };
  std::vector<Pending> pending;
  std::vector<bool> matched(logged.size(), false);
  for (size_t i = 0; i < logged.size(); ++i) {
    const LoggedMessage& sent = logged[i];
    if (sent.direction != "out") continue;
    const std::optional<std::string> addressed = peer_node(sent);
    Pending arrow{&sent, sent.node, addressed.value_or(sent.node), std::nullopt};
    for (size_t j = 0; j < logged.size(); ++j) {
      const LoggedMessage& received = logged[j];
      if (matched[j] || received.direction != "in" || received.node == sent.node || received.time_s < sent.time_s ||
          received.call_id != sent.call_id || received.cseq != sent.cseq || received.first_line != sent.first_line ||
          received.size_bytes != sent.size_bytes) {
        continue;
      }
      if (addressed && *addressed != received.node) continue;
      const std::optional<std::string> sender = peer_node(received);
      if (sender && *sender != sent.node) continue;
      matched[j] = true;
      arrow.to = received.node;
      arrow.arrival_s = received.time_s;
      break;
    }
    pending.push_back(arrow);
  }
  for (size_t j = 0; j < logged.size(); ++j) {
    const LoggedMessage& received = logged[j];
    if (received.direction != "in" || matched[j]) continue;
    pending.push_back(Pending{&received, peer_node(received).value_or(received.node), received.node, received.time_s});
  }
  std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) {
    return a.message->time_s != b.message->time_s ? a.message->time_s < b.message->time_s : a.message->id < b.message->id;
  });

  std::set<std::string> involved;
  for (const Pending& arrow : pending) {
    involved.insert(arrow.from);
    involved.insert(arrow.to);
  }
  Ladder ladder;
  for (const std::string& node : involved) ladder.columns.push_back(LadderColumn{node, role(node)});
  std::sort(ladder.columns.begin(), ladder.columns.end(), [](const LadderColumn& a, const LadderColumn& b) {
    const int rank_a = RoleRank(a.role), rank_b = RoleRank(b.role);
    if (rank_a != rank_b) return rank_a < rank_b;
    if (a.role != b.role) return a.role < b.role;
    return NaturalLess(a.node, b.node);
  });
  std::map<std::string, int> column_of;
  for (size_t i = 0; i < ladder.columns.size(); ++i) column_of[ladder.columns[i].node] = static_cast<int>(i);
  for (const Pending& arrow : pending) {
    ladder.arrows.push_back(LadderArrow{arrow.message->id, arrow.message->time_s, column_of[arrow.from],
                                        column_of[arrow.to], arrow.message->first_line, arrow.message->size_bytes,
                                        arrow.arrival_s});
  }
  return ladder;
}

Expected<std::string> ResultsDb::MessageText(int64_t message_id) const {
  std::optional<std::string> text;
  std::string first_line;
  bool found = false;
  if (auto problem = Query(connection_->db, "message text", "SELECT text, first_line FROM messages WHERE id = ?1",
                           {message_id}, [&](const Row& row) {
                             found = true;
                             text = row.OptionalText(0);
                             first_line = row.Text(1);
                           })) {
    return *problem;
  }
  if (!found) return Problem(DbProblem::Kind::kQuery, "no message " + std::to_string(message_id) + " in the database");
  if (text) return *text;
  return first_line +
         "\n\n(This run logged a summary of each message only; run it again with --set trace.messages=full to keep "
         "the whole text.)\n";
}

void ResultsDb::Cancel() const {
  if (connection_ && connection_->db) sqlite3_interrupt(connection_->db);
}

void ResultsDb::SetCancelFlag(std::shared_ptr<const std::atomic<bool>> flag) {
  if (connection_) connection_->cancel = std::move(flag);
}

std::optional<double> StudentT975(int degrees_of_freedom) {
  if (degrees_of_freedom < 1) return std::nullopt;
  // t(0.975, df) for df = 1..30.
  static const double kTable[] = {12.7062047, 4.30265273, 3.18244631, 2.77644511, 2.57058184, 2.44691185,
                                  2.36462425, 2.30600414, 2.26215716, 2.22813885, 2.20098516, 2.17881283,
                                  2.16036866, 2.14478669, 2.13144955, 2.11990530, 2.10981558, 2.10092204,
                                  2.09302405, 2.08596345, 2.07961384, 2.07387307, 2.06865761, 2.06389856,
                                  2.05953855, 2.05552944, 2.05183052, 2.04840714, 2.04522964, 2.04227246};
  if (degrees_of_freedom <= 30) return kTable[degrees_of_freedom - 1];
  // Above 30: the Cornish-Fisher expansion of t around the normal quantile (Abramowitz and
  // Stegun 26.7.5), within 1e-5 of the exact value from df = 30 on.
  const double z = 1.959963984540054;
  const double df = degrees_of_freedom;
  const double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, z9 = z7 * z * z;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df) +
         (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df * df * df) +
         (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df * df * df * df);
}

std::string SeriesCsv(const std::vector<Series>& series) {
  std::string csv = "series,x,y\n";
  for (const Series& line : series) {
    const std::string name = CsvField(line.name);
    for (const Point& point : line.points) csv += name + "," + CsvNumber(point.x) + "," + CsvNumber(point.y) + "\n";
  }
  return csv;
}

}  // namespace pushsim::dashboard
