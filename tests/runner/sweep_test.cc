// `pushsim sweep`: the values and their numbers, the runs a sweep leaves in the database (tags,
// seeds paired across values, parameters), values refused before anything is written, the
// sweep_points figures against the pushes rows, and Ctrl-C.
#include "sweep.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace pushsim::runner {
namespace {

namespace fs = std::filesystem;

const std::string kScenario = std::string(PUSHSIM_SOURCE_DIR) + "/tests/runner/scenarios/sweep-rates.yaml";

class SweepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pushsim-sweep-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string DbPath() const { return (dir_ / "sweep.db").string(); }
  SweepOptions Options() const {
    SweepOptions options;
    options.database = DbPath();
    options.quiet = true;
    return options;
  }

  fs::path dir_;
};

// Rows of a query as text, columns separated by '|', NULL as "NULL".
// `quiet`: an error gives no rows rather than a failure (a database still being created).
std::vector<std::string> Rows(sqlite3* db, const std::string& sql, bool quiet = false) {
  std::vector<std::string> rows;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    if (!quiet) ADD_FAILURE() << sqlite3_errmsg(db) << " in " << sql;
    sqlite3_finalize(stmt);
    return rows;
  }
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      if (i) row += '|';
      const auto* text = sqlite3_column_text(stmt, i);
      row += text ? reinterpret_cast<const char*>(text) : "NULL";
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  return rows;
}

struct Db {
  explicit Db(const std::string& path) { sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr); }
  ~Db() { sqlite3_close(db); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  sqlite3* db = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Values

TEST(SweepValues, CommasInsideParenthesesDoNotSplit) {
  EXPECT_EQ(SplitSweepValues("50/s,100/s,200/s"), (std::vector<std::string>{"50/s", "100/s", "200/s"}));
  EXPECT_EQ(SplitSweepValues("uniform(1KiB, 2KiB),4KiB"), (std::vector<std::string>{"uniform(1KiB, 2KiB)", "4KiB"}));
  EXPECT_EQ(SplitSweepValues("list(1KiB, 2KiB, 4KiB), exponential(8KiB)"),
            (std::vector<std::string>{"list(1KiB, 2KiB, 4KiB)", "exponential(8KiB)"}));
  EXPECT_EQ(SplitSweepValues("ns3::UniformRandomVariable[Min=0.001|Max=0.002],ns3::ConstantRandomVariable[Constant=0]"),
            (std::vector<std::string>{"ns3::UniformRandomVariable[Min=0.001|Max=0.002]",
                                      "ns3::ConstantRandomVariable[Constant=0]"}));
  EXPECT_EQ(SplitSweepValues("single"), (std::vector<std::string>{"single"}));
  // Empty values are kept, for the caller to refuse with their position.
  EXPECT_EQ(SplitSweepValues("1,,2"), (std::vector<std::string>{"1", "", "2"}));
  // An unbalanced ')' does not make the depth negative.
  EXPECT_EQ(SplitSweepValues("a),b"), (std::vector<std::string>{"a)", "b"}));
}

TEST(SweepValues, NumbersInBaseUnits) {
  EXPECT_DOUBLE_EQ(*SweepX("200/s"), 200.0);
  EXPECT_DOUBLE_EQ(*SweepX("30/min"), 0.5);
  EXPECT_DOUBLE_EQ(*SweepX("7200/h"), 2.0);
  EXPECT_DOUBLE_EQ(*SweepX("200ms"), 0.2);
  EXPECT_DOUBLE_EQ(*SweepX("2min"), 120.0);
  EXPECT_DOUBLE_EQ(*SweepX("4KiB"), 4096.0);
  EXPECT_DOUBLE_EQ(*SweepX("1MB"), 1e6);
  EXPECT_DOUBLE_EQ(*SweepX("5%"), 0.05);
  EXPECT_DOUBLE_EQ(*SweepX("0.25"), 0.25);
  EXPECT_DOUBLE_EQ(*SweepX("300"), 300.0);
  EXPECT_FALSE(SweepX("uniform(1KiB, 2KiB)"));
  EXPECT_FALSE(SweepX("true"));
  EXPECT_FALSE(SweepX("round-robin"));
  EXPECT_FALSE(SweepX("ns3::ConstantRandomVariable[Constant=0.002]"));
  EXPECT_FALSE(SweepX(""));
}

// ---------------------------------------------------------------------------------------------
// Whole sweeps

TEST_F(SweepTest, TwoValuesTwoRunsTwoJobsFromTheScenariosSection) {
  SweepOptions options = Options();
  options.jobs = 2;
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(SweepCommand(kScenario, options, out, err), 0) << err.str();
  Db check(DbPath());
  sqlite3* db = check.db;

  const auto sweeps = Rows(db, "SELECT id, scenario, parameter, \"values\", runs_per_value, jobs, status, "
                               "finished_at IS NOT NULL FROM sweeps");
  ASSERT_EQ(sweeps.size(), 1u);
  EXPECT_EQ(sweeps[0], R"(1|sweep-rates|push.rate|["2/s","4/s"]|2|2|completed|1)");

  // Two values x two replications; replication r has seed 5 + r for both values (the scenario's
  // seed is 5), so replications are paired across values.
  const auto runs = Rows(db, "SELECT sweep_id, sweep_value, sweep_x, replication, seed, status, parameters FROM runs "
                             "ORDER BY sweep_x, replication");
  EXPECT_EQ(runs, (std::vector<std::string>{
                      R"(1|2/s|2.0|0|5|completed|{"push.rate":"2/s"})",
                      R"(1|2/s|2.0|1|6|completed|{"push.rate":"2/s"})",
                      R"(1|4/s|4.0|0|5|completed|{"push.rate":"4/s"})",
                      R"(1|4/s|4.0|1|6|completed|{"push.rate":"4/s"})",
                  }));
  // The runs really ran the value: the parameters of the scenario text are the file's, the
  // pushes are more at 4/s than at 2/s in each replication.
  for (int replication : {0, 1}) {
    const std::string count = "SELECT COUNT(*) FROM pushes p JOIN runs r ON r.id = p.run_id WHERE r.replication = " +
                              std::to_string(replication) + " AND r.sweep_value = ";
    const long long slow = std::stoll(Rows(db, count + "'2/s'")[0]);
    const long long fast = std::stoll(Rows(db, count + "'4/s'")[0]);
    EXPECT_GT(slow, 0);
    EXPECT_GT(fast, slow);
  }
  // Every run has its nodes for reading its messages.
  EXPECT_EQ(Rows(db, "SELECT COUNT(DISTINCT run_id) FROM nodes")[0], "4");

  // The summary names each value with its completed runs.
  const std::string summary = out.str();
  EXPECT_NE(summary.find("sweep 1: push.rate, 2 values x 2 runs"), std::string::npos) << summary;
  EXPECT_NE(summary.find("\n2/s "), std::string::npos) << summary;
  EXPECT_NE(summary.find("\n4/s "), std::string::npos) << summary;
  EXPECT_EQ(std::count(summary.begin(), summary.end(), '\n'), 5) << summary;  // title, header, 2 values, results
  EXPECT_NE(summary.find(" 2/2 "), std::string::npos) << summary;
}

// The view's figures against the pushes rows, computed here independently.
TEST_F(SweepTest, SweepPointsAgreeWithThePushRows) {
  SweepOptions options = Options();
  options.vary = "push.rate=3/s,6/s";
  options.runs = 1;
  options.jobs = 2;
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(SweepCommand(kScenario, options, out, err), 0) << err.str();
  Db check(DbPath());
  sqlite3* db = check.db;
  const auto run_ids = Rows(db, "SELECT id, sim_reached_s FROM runs ORDER BY id");
  ASSERT_EQ(run_ids.size(), 2u);
  for (const std::string& run : run_ids) {
    const std::string id = run.substr(0, run.find('|'));
    const double sim_s = std::stod(run.substr(run.find('|') + 1));
    std::size_t offered = 0;
    std::size_t accepted = 0;
    std::vector<double> delivered;
    for (const std::string& row : Rows(db, "SELECT app_status, COALESCE(delivery_delay_s, 'NULL') FROM pushes "
                                           "WHERE run_id = " + id)) {
      ++offered;
      const std::string status = row.substr(0, row.find('|'));
      const std::string delay = row.substr(row.find('|') + 1);
      accepted += status == "accepted";
      if (delay != "NULL") delivered.push_back(std::stod(delay));
    }
    ASSERT_GT(offered, 0u) << "run " << id << " pushed nothing";
    const auto point = Rows(db, "SELECT offered_pushes, accepted_pushes, goodput_per_s, success_ratio, "
                                "failure_ratio, COALESCE(delivery_p95_s, 'NULL') FROM sweep_points WHERE run_id = " + id);
    ASSERT_EQ(point.size(), 1u);
    std::vector<std::string> fields;
    std::stringstream split(point[0]);
    for (std::string field; std::getline(split, field, '|');) fields.push_back(field);
    ASSERT_EQ(fields.size(), 6u);
    EXPECT_EQ(std::stoul(fields[0]), offered);
    EXPECT_EQ(std::stoul(fields[1]), accepted);
    EXPECT_NEAR(std::stod(fields[2]), accepted / sim_s, 1e-9);
    EXPECT_NEAR(std::stod(fields[3]), static_cast<double>(accepted) / offered, 1e-9);
    EXPECT_NEAR(std::stod(fields[4]), 1.0 - static_cast<double>(accepted) / offered, 1e-9);
    if (delivered.empty()) {
      EXPECT_EQ(fields[5], "NULL");
    } else {
      // Nearest rank: the ceil(0.95 n)-th smallest.
      std::sort(delivered.begin(), delivered.end());
      const std::size_t rank = (95 * delivered.size() + 99) / 100;
      EXPECT_DOUBLE_EQ(std::stod(fields[5]), delivered[rank - 1]);
    }
  }
  // --vary replaces the section, --runs its runs.
  EXPECT_EQ(Rows(db, "SELECT \"values\" || '|' || runs_per_value FROM sweeps")[0], R"(["3/s","6/s"]|1)");
}

TEST_F(SweepTest, SetOverridesAndValuesWithCommasReachTheRuns) {
  SweepOptions options = Options();
  options.vary = "push.size=uniform(1KiB, 2KiB),4KiB";
  options.overrides = {"subscribers.users=1"};
  options.runs = 1;
  options.jobs = 1;
  options.seed = 9;
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(SweepCommand(kScenario, options, out, err), 0) << err.str();
  Db check(DbPath());
  EXPECT_EQ(Rows(check.db, "SELECT sweep_value, COALESCE(sweep_x, 'NULL'), seed, parameters FROM runs ORDER BY id"),
            (std::vector<std::string>{
                R"row(uniform(1KiB, 2KiB)|NULL|9|{"subscribers.users":"1","push.size":"uniform(1KiB, 2KiB)"})row",
                R"row(4KiB|4096.0|9|{"subscribers.users":"1","push.size":"4KiB"})row",
            }));
  // The sizes pushed are the value's: 4 KiB exactly, and within 1-2 KiB.
  EXPECT_EQ(Rows(check.db, "SELECT MIN(size_bytes) = 4096 AND MAX(size_bytes) = 4096 FROM pushes p JOIN runs r "
                           "ON r.id = p.run_id WHERE r.sweep_value = '4KiB'")[0],
            "1");
  EXPECT_EQ(Rows(check.db, "SELECT MIN(size_bytes) >= 1024 AND MAX(size_bytes) <= 2048 FROM pushes p JOIN runs r "
                           "ON r.id = p.run_id WHERE r.sweep_x IS NULL")[0],
            "1");
}

TEST_F(SweepTest, BadValuesAreRefusedBeforeAnythingIsWritten) {
  struct Case {
    std::string vary;
    std::string error;
  };
  const std::vector<Case> cases = {
      // "push.rate=" is 10 characters: the second value starts at column 15.
      {"push.rate=2/s,quickly",
       "--vary:1:15: error: rate: 'quickly' is not a rate; expected e.g. 100/s, 30/min or 2/h "
       "(in --vary push.rate=2/s,quickly)\n"},
      {"push.rat=2/s", "--vary:1:6: error: unknown key 'rat' in push workload; expected one of: "},
      {"speed=1,2", "--vary:1:1: error: unknown setting 'speed'"},
      // The comma inside uniform(...) does not split: the error is at bogus(1), column 31.
      {"push.size=uniform(1KiB, 2KiB),bogus(1)", "--vary:1:31: error: size: unknown distribution 'bogus'"},
      {"push.rate=2/s,,4/s", "--vary:1:15: error: empty value"},
      {"push.rate=2/s, 2/s", "--vary:1:16: error: '2/s' appears twice"},
      {"push.rate", "--vary:1:1: error: 'push.rate': expected key=v1,v2,..."},
      // A value that makes the scenario inconsistent (the push starts at 1s): as --set reports it,
      // at the assignment, naming the part of the file it clashes with.
      {"duration=10s,1s", "--vary:1:1: error: push workload: starts at or after the end of the run (see "},
  };
  for (const Case& c : cases) {
    SweepOptions options = Options();
    options.vary = c.vary;
    std::ostringstream out;
    std::ostringstream err;
    EXPECT_EQ(SweepCommand(kScenario, options, out, err), 2) << c.vary;
    EXPECT_EQ(err.str().rfind(c.error, 0), 0u) << c.vary << ": " << err.str();
    EXPECT_FALSE(fs::exists(DbPath())) << c.vary;
    EXPECT_EQ(out.str(), "") << c.vary;
  }
  // The same with --set, and a scenario without a sweep section and no --vary.
  SweepOptions options = Options();
  options.overrides = {"push.rate=fast"};
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(SweepCommand(kScenario, options, out, err), 2);
  EXPECT_NE(err.str().find("(in --set push.rate=fast)"), std::string::npos) << err.str();
  std::ostringstream err2;
  EXPECT_EQ(SweepCommand(std::string(PUSHSIM_SOURCE_DIR) + "/tests/runner/scenarios/minimal.yaml", Options(), out,
                         err2),
            2);
  EXPECT_NE(err2.str().find("nothing to sweep; expected --vary key=v1,v2,... or a sweep: section"), std::string::npos)
      << err2.str();
  EXPECT_FALSE(fs::exists(DbPath()));
}

TEST_F(SweepTest, CtrlCAbortsTheRunningRunsAndTheSweep) {
  // Runs long enough to be interrupted: 400 simulated seconds of 50 users.
  const pid_t sweeper = fork();
  ASSERT_GE(sweeper, 0);
  if (sweeper == 0) {
    SweepOptions options = Options();
    options.vary = "push.rate=100/s,200/s,300/s";
    options.overrides = {"duration=400s", "subscribers.users=50"};
    options.jobs = 2;
    options.runs = 1;
    std::ostringstream out;
    std::ostringstream err;
    _exit(SweepCommand(kScenario, options, out, err));
  }
  // Wait until both first runs are recorded as running, then press Ctrl-C (SIGINT to the sweep).
  bool running = false;
  for (int attempt = 0; attempt < 3000 && !running; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!fs::exists(DbPath())) continue;
    Db check(DbPath());
    const auto rows = Rows(check.db, "SELECT COUNT(*) FROM runs WHERE status = 'running'", true);
    running = !rows.empty() && rows[0] == "2";
  }
  ASSERT_TRUE(running) << "the runs did not start";
  kill(sweeper, SIGINT);
  int status = 0;
  ASSERT_EQ(waitpid(sweeper, &status, 0), sweeper);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  Db check(DbPath());
  EXPECT_EQ(Rows(check.db, "SELECT status, finished_at IS NOT NULL FROM sweeps"), (std::vector<std::string>{"aborted|1"}));
  // The two runs that had begun are aborted by the signal; the third never began.
  EXPECT_EQ(Rows(check.db, "SELECT sweep_value, status, error FROM runs ORDER BY sweep_x"),
            (std::vector<std::string>{"100/s|aborted|interrupted by SIGINT", "200/s|aborted|interrupted by SIGINT"}));
  EXPECT_EQ(Rows(check.db, "PRAGMA integrity_check")[0], "ok");
}

}  // namespace
}  // namespace pushsim::runner
