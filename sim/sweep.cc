#include "sweep.h"

#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <map>
#include <memory>
#include <sstream>
#include <thread>
#include <utility>

#include <sys/wait.h>
#include <unistd.h>

#include "progress.h"
#include "runner.h"
#include "scenario.h"

namespace pushsim::runner {
namespace {

struct ValueAt {
  std::string text;
  std::size_t offset = 0;  // 0-based, in the text that was split
};

std::vector<ValueAt> SplitWithOffsets(std::string_view text) {
  std::vector<ValueAt> values;
  int depth = 0;
  std::size_t start = 0;
  auto add = [&](std::size_t end) {
    std::size_t first = start;
    std::size_t last = end;
    while (first < last && (text[first] == ' ' || text[first] == '\t')) ++first;
    while (last > first && (text[last - 1] == ' ' || text[last - 1] == '\t')) --last;
    values.push_back(ValueAt{std::string(text.substr(first, last - first)), first});
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '(' || c == '[' || c == '{') ++depth;
    if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    if (c == ',' && depth == 0) {
      add(i);
      start = i + 1;
    }
  }
  add(text.size());
  return values;
}

// What the sweep runs: the key, the scenario of each value, and the runs.
struct Point {
  std::string value;
  Scenario scenario;  // the base scenario with key=value applied
  std::string parameters_json;
  std::optional<double> x;
};

struct Plan {
  std::string key;
  std::vector<Point> points;
  std::uint64_t runs = 1;
  std::uint64_t first_seed = 1;
  std::uint64_t jobs = 1;
};

// One run of the sweep: value `point`, replication `replication`.
struct Job {
  std::size_t point = 0;
  std::uint64_t replication = 0;
};

std::string SignalReason(int signal_number) {
  if (signal_number == SIGINT) return "SIGINT";
  if (signal_number == SIGTERM) return "SIGTERM";
  return "signal " + std::to_string(signal_number);
}

// The child: a fresh process in which nothing has been simulated. Never returns.
[[noreturn]] void RunChild(const Plan& plan, const Job& job, std::int64_t sweep_id, const std::string& database) {
  int code = 1;
  try {
    const Point& point = plan.points[job.point];
    std::ostringstream diagnostics;  // notes of the run; the sweep's own output stays readable
    auto recorder = Recorder::Open(database);
    if (!recorder.ok()) {
      std::fprintf(stderr, "\n%s: %s\n", database.c_str(), recorder.error().message.c_str());
      std::fflush(stderr);
      _exit(3);
    }
    recorder.value().SetSweepTag(SweepTag{sweep_id, point.value, point.x});
    RunSettings settings;
    settings.seed = plan.first_seed + job.replication;
    settings.replication = static_cast<std::int64_t>(job.replication);
    settings.parameters_json = point.parameters_json;
    settings.progress = false;
    const RunOutcome outcome = RunScenario(point.scenario, settings, recorder.value(), diagnostics);
    if (outcome.status != RunStatus::kCompleted) {
      std::fprintf(stderr, "\n%s: run %lld (%s=%s, seed %llu) %s: %s\n", point.scenario.name.c_str(),
                   static_cast<long long>(outcome.run_id), plan.key.c_str(), point.value.c_str(),
                   static_cast<unsigned long long>(outcome.seed), std::string(RunStatusName(outcome.status)).c_str(),
                   outcome.error.c_str());
    }
    code = outcome.status == RunStatus::kCompleted ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "\nsweep run: %s\n", error.what());
  } catch (...) {
    std::fprintf(stderr, "\nsweep run: unknown error\n");
  }
  // The recorder was closed at the end of the block above. _exit: none of the parent's atexit
  // handlers or buffered output may run twice.
  std::fflush(nullptr);
  _exit(code);
}

std::string Seconds(double seconds) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(seconds < 10 ? 1 : 0) << seconds << "s";
  return out.str();
}

std::string ProgressLine(std::size_t done, std::size_t total, std::size_t failed, double elapsed) {
  std::ostringstream line;
  line << "sweep: " << done << "/" << total << " runs done, " << failed << " failed, " << Seconds(elapsed)
       << " elapsed";
  if (done < total) {
    if (const auto left = EstimateTimeLeft(static_cast<double>(done), static_cast<double>(total), elapsed)) {
      line << ", ~" << Seconds(*left) << " left";
    }
  }
  return line.str();
}

// Reads the plan from the options and the scenario; false after printing the error.
bool MakePlan(const Scenario& base, const std::string& scenario_file, const SweepOptions& options, Plan& plan,
              std::ostream& err) {
  std::vector<ValueAt> values;
  std::optional<SourcePosition> section;
  if (options.vary) {
    const std::string& vary = *options.vary;
    const std::size_t equals = vary.find('=');
    if (equals == std::string::npos || equals == 0) {
      err << SourceError{"--vary", 1, 1, "'" + vary + "': expected key=v1,v2,..., e.g. push.rate=50/s,100/s"}.ToString()
          << "\n";
      return false;
    }
    plan.key = vary.substr(0, equals);
    values = SplitWithOffsets(std::string_view(vary).substr(equals + 1));
    for (ValueAt& value : values) value.offset += equals + 1;
  } else if (base.sweep) {
    plan.key = base.sweep->key;
    for (const std::string& value : base.sweep->values) values.push_back(ValueAt{value, 0});
    section = base.sweep->where;
  } else {
    err << scenario_file << ": error: nothing to sweep; expected --vary key=v1,v2,... or a sweep: section\n";
    return false;
  }
  if (values.size() > kMaxSweepValues) {
    err << "--vary: " << values.size() << " values; expected at most " << kMaxSweepValues << "\n";
    return false;
  }
  // Where an error in a value is reported: in --vary, the value's column; for the scenario's
  // section, the key's position there (the values were checked without the --set overrides).
  auto report = [&](const ValueAt& value, const SourceError& error) {
    if (options.vary) {
      SourceError at = error;
      at.file = "--vary";
      const std::size_t value_start = plan.key.size() + 2;  // column of the value in key=value
      at.column = error.column >= static_cast<int>(value_start)
                      ? static_cast<int>(value.offset + 1 + (error.column - value_start))
                      : error.column;
      err << at.ToString() << " (in --vary " << *options.vary << ")\n";
    } else {
      SourceError at{section->file, section->line, section->column,
                     "sweep value '" + value.text + "' with the --set overrides: " + error.message};
      err << at.ToString() << "\n";
    }
  };
  for (const ValueAt& value : values) {
    if (value.text.empty()) {
      report(value, SourceError{"--set", 1, static_cast<int>(plan.key.size() + 2), "empty value; expected v1,v2,..."});
      return false;
    }
    for (const Point& earlier : plan.points) {
      if (earlier.value == value.text) {
        report(value, SourceError{"--set", 1, static_cast<int>(plan.key.size() + 2),
                                  "'" + value.text + "' appears twice; expected each value once"});
        return false;
      }
    }
    Point point{value.text, base, "{}", SweepX(value.text)};
    const std::string assignment = plan.key + "=" + value.text;
    if (auto error = ApplyOverride(point.scenario, assignment)) {
      report(value, *error);
      return false;
    }
    if (auto problem = CheckProfile(point.scenario)) {
      err << *problem << " (with " << assignment << ")\n";
      return false;
    }
    std::vector<std::string> parameters = options.overrides;
    parameters.push_back(assignment);
    point.parameters_json = OverridesJson(parameters);
    plan.points.push_back(std::move(point));
  }

  plan.runs = options.runs.value_or(base.sweep && !options.vary ? base.sweep->runs : 1);
  if (plan.runs < 1 || plan.runs > kMaxSweepRuns) {
    err << "--runs: expected 1 to " << kMaxSweepRuns << "\n";
    return false;
  }
  plan.first_seed = options.seed.value_or(base.seed);
  if (plan.first_seed < 1 || plan.first_seed + plan.runs - 1 > 4294967295u) {
    err << "--seed: seeds " << plan.first_seed << " to " << plan.first_seed + plan.runs - 1
        << " are out of range; expected 1 to 4294967295\n";
    return false;
  }
  const unsigned cores = std::thread::hardware_concurrency();
  plan.jobs = options.jobs.value_or(cores == 0 ? 1 : cores);
  if (plan.jobs < 1) {
    err << "--jobs: expected at least 1\n";
    return false;
  }
  return true;
}

struct Column {
  std::string text;
  static Column Of(sqlite3_stmt* row, int index, int precision, const char* unit = "") {
    if (sqlite3_column_type(row, index) == SQLITE_NULL) return Column{"-"};
    std::ostringstream out;
    out << std::setprecision(precision) << sqlite3_column_double(row, index) << unit;
    return Column{out.str()};
  }
};

std::string Pad(const std::string& text, std::size_t width, bool right = true) {
  if (text.size() >= width) return text + " ";
  const std::string fill(width - text.size(), ' ');
  return right ? fill + text + " " : text + fill + " ";
}

}  // namespace

std::vector<std::string> SplitSweepValues(std::string_view text) {
  std::vector<std::string> values;
  for (ValueAt& value : SplitWithOffsets(text)) values.push_back(std::move(value.text));
  return values;
}

std::optional<double> SweepX(std::string_view value) {
  if (value.empty()) return std::nullopt;
  double number = 0;
  const auto parsed = std::from_chars(value.data(), value.data() + value.size(), number);
  if (parsed.ec == std::errc() && parsed.ptr == value.data() + value.size()) {
    return std::isfinite(number) ? std::optional<double>(number) : std::nullopt;
  }
  if (const auto rate = ParseEventRate(value)) return *rate;
  if (const auto duration = ParseDuration(value)) return std::chrono::duration<double>(*duration).count();
  if (const auto size = ParseSize(value)) return static_cast<double>(*size);
  if (value.back() == '%') {
    if (const auto probability = ParseProbability(value)) return *probability;
  }
  return std::nullopt;
}

DbResult<std::string> SweepSummaryTable(Recorder& recorder, std::int64_t sweep_id) {
  sqlite3* db = recorder.handle();
  // The values in the sweep's order (json_each's key is the index in the array); means over the
  // completed runs only: an interrupted run's figures cover part of the time.
  const char* const sql =
      "SELECT v.value, COUNT(p.run_id), COALESCE(SUM(p.status = 'completed'), 0), "
      "AVG(CASE WHEN p.status = 'completed' THEN p.goodput_per_s END), "
      "AVG(CASE WHEN p.status = 'completed' THEN p.success_ratio END), "
      "AVG(CASE WHEN p.status = 'completed' THEN p.delivery_p95_s END), "
      "s.parameter, s.runs_per_value "
      "FROM sweeps s, json_each(s.\"values\") v "
      "LEFT JOIN sweep_points p ON p.sweep_id = s.id AND p.sweep_value = v.value "
      "WHERE s.id = ?1 GROUP BY v.key ORDER BY v.key";
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    sqlite3_finalize(raw);
    return DbError{sqlite3_errcode(db), std::string("cannot read the sweep: ") + sqlite3_errmsg(db)};
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
  sqlite3_bind_int64(raw, 1, sweep_id);
  std::ostringstream rows;
  std::string parameter;
  std::int64_t runs_per_value = 0;
  std::size_t count = 0;
  int code = SQLITE_ROW;
  while ((code = sqlite3_step(raw)) == SQLITE_ROW) {
    const auto* value = sqlite3_column_text(raw, 0);
    parameter = reinterpret_cast<const char*>(sqlite3_column_text(raw, 6));
    runs_per_value = sqlite3_column_int64(raw, 7);
    const std::string runs =
        std::to_string(sqlite3_column_int64(raw, 2)) + "/" + std::to_string(sqlite3_column_int64(raw, 1));
    rows << Pad(value ? reinterpret_cast<const char*>(value) : "", 24, false) << Pad(runs, 8)
         << Pad(Column::Of(raw, 3, 4).text, 12) << Pad(Column::Of(raw, 4, 4).text, 10)
         << Pad(Column::Of(raw, 5, 4, "s").text, 14) << "\n";
    ++count;
  }
  if (code != SQLITE_DONE) return DbError{code, std::string("cannot read the sweep: ") + sqlite3_errmsg(db)};
  if (count == 0) return DbError{0, "no sweep " + std::to_string(sweep_id)};
  std::ostringstream out;
  out << "sweep " << sweep_id << ": " << parameter << ", " << count << " values x " << runs_per_value
      << " runs (means over the completed runs)\n";
  out << Pad(parameter, 24, false) << Pad("runs", 8) << Pad("goodput/s", 12) << Pad("success", 10)
      << Pad("delivery p95", 14) << "\n";
  out << rows.str();
  return out.str();
}

int SweepCommand(const std::string& scenario_file, const SweepOptions& options, std::ostream& out,
                 std::ostream& err) {
  auto loaded = LoadScenario(scenario_file);
  if (!loaded.ok()) {
    err << loaded.error().ToString() << "\n";
    return 2;
  }
  Scenario base = std::move(loaded).value();
  for (const std::string& assignment : options.overrides) {
    if (const auto error = ApplyOverride(base, assignment)) {
      err << error->ToString() << " (in --set " << assignment << ")\n";
      return 2;
    }
  }
  Plan plan;
  if (!MakePlan(base, scenario_file, options, plan, err)) return 2;

  const std::string database = options.database.empty() ? DefaultDatabasePath(base) : options.database;
  std::error_code fs_error;
  const std::filesystem::path parent = std::filesystem::path(database).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, fs_error);
  if (fs_error) {
    err << database << ": cannot create " << parent.string() << ": " << fs_error.message() << "\n";
    return 2;
  }

  std::vector<Job> jobs;
  for (std::uint64_t r = 0; r < plan.runs; ++r) {
    for (std::size_t p = 0; p < plan.points.size(); ++p) jobs.push_back(Job{p, r});
  }
  const std::size_t workers = static_cast<std::size_t>(std::min<std::uint64_t>(plan.jobs, jobs.size()));

  std::int64_t sweep_id = 0;
  {
    // Closed again before the first fork: no SQLite connection may cross it.
    auto recorder = Recorder::Open(database);
    if (!recorder.ok()) {
      err << database << ": " << recorder.error().message << "\n";
      return 2;
    }
    SweepInfo info;
    info.scenario = base.name;
    info.parameter = plan.key;
    for (const Point& point : plan.points) info.values.push_back(point.value);
    info.runs_per_value = static_cast<std::int64_t>(plan.runs);
    info.jobs = static_cast<std::int64_t>(workers);
    auto begun = recorder.value().BeginSweep(info);
    if (!begun.ok()) {
      err << database << ": " << begun.error().message << "\n";
      return 2;
    }
    sweep_id = begun.value();
  }

  Recorder::InstallSignalHandlers();
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  std::map<pid_t, Job> running;
  std::size_t next = 0;
  std::size_t done = 0;
  std::size_t failed = 0;
  int stopped_by = 0;
  bool fork_failed = false;
  auto last_draw = std::chrono::steady_clock::time_point{};
  bool drawn = false;
  std::size_t drawn_width = 0;
  // Silent for the first two seconds, as the run's progress bar: a short sweep prints nothing.
  auto draw = [&](bool force) {
    if (options.quiet || elapsed() < 2.0) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_draw < std::chrono::milliseconds(500)) return;
    drawn = true;
    last_draw = now;
    std::string line = ProgressLine(done, jobs.size(), failed, elapsed());
    const std::size_t width = line.size();
    if (line.size() < drawn_width) line.append(drawn_width - line.size(), ' ');  // covers a longer line
    drawn_width = width;
    err << "\r" << line << std::flush;
  };

  while (running.size() > 0 || (next < jobs.size() && stopped_by == 0 && !fork_failed)) {
    if (stopped_by == 0 && Recorder::PendingSignal() != 0) {
      stopped_by = Recorder::PendingSignal();
      // Once to each child: a second signal would make it die without marking its run.
      for (const auto& entry : running) kill(entry.first, stopped_by);
    }
    while (stopped_by == 0 && !fork_failed && running.size() < workers && next < jobs.size()) {
      std::fflush(nullptr);
      out.flush();
      err.flush();
      const pid_t pid = fork();
      if (pid == 0) {
        setpgid(0, 0);  // out of the terminal's foreground group: Ctrl-C reaches the sweep process only
        RunChild(plan, jobs[next], sweep_id, database);
      }
      if (pid < 0) {
        err << "\nsweep: cannot start a process: " << std::strerror(errno) << "\n";
        fork_failed = true;
        break;
      }
      setpgid(pid, pid);  // also here, so that it holds before the parent's next signal
      running.emplace(pid, jobs[next]);
      ++next;
    }
    int status = 0;
    const pid_t ended = waitpid(-1, &status, WNOHANG);
    if (ended > 0) {
      if (running.erase(ended) == 1) {
        ++done;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
        draw(true);
      }
      continue;
    }
    draw(false);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (drawn) {
    std::string line = ProgressLine(done, jobs.size(), failed, elapsed());
    if (line.size() < drawn_width) line.append(drawn_width - line.size(), ' ');
    err << "\r" << line << "\n";
  }

  const bool completed = stopped_by == 0 && !fork_failed && failed == 0 && done == jobs.size();
  const RunStatus sweep_status = stopped_by != 0 ? RunStatus::kAborted
                                 : completed     ? RunStatus::kCompleted
                                                 : RunStatus::kFailed;
  auto recorder = Recorder::Open(database);
  if (!recorder.ok()) {
    err << database << ": " << recorder.error().message << "\n";
    return stopped_by != 0 ? 128 + stopped_by : 1;
  }
  if (auto finished = recorder.value().FinishSweep(sweep_id, sweep_status); !finished.ok()) {
    err << database << ": " << finished.error().message << "\n";
  }
  auto table = SweepSummaryTable(recorder.value(), sweep_id);
  if (table.ok()) {
    out << table.value();
  } else {
    err << database << ": summary: " << table.error().message << "\n";
  }
  out << "results: " << database << " (sweep " << sweep_id << ", " << RunStatusName(sweep_status) << ")\n";
  if (stopped_by != 0) {
    err << "sweep interrupted by " << SignalReason(stopped_by) << "\n";
    return 128 + stopped_by;
  }
  return completed ? 0 : 1;
}

}  // namespace pushsim::runner
