// Opening results databases: what is refused and why, older and newer schema versions, runs
// that are still running or were aborted; the statistics helpers.
#include <QtTest>
#include <cmath>
#include <fstream>

#include "results_db.h"
#include "test_db.h"

namespace pushsim::dashboard {
namespace {

using testing::TestDb;

class OpenTest : public QObject {
  Q_OBJECT

 private slots:
  void MissingFileCannotBeOpened() {
    TestDb scratch("");
    const auto opened = ResultsDb::Open(scratch.Dir() + "/no-such.db");
    QVERIFY(!opened.ok());
    QCOMPARE(opened.problem().kind, DbProblem::Kind::kCannotOpen);
    QVERIFY(opened.problem().message.find("no-such.db") != std::string::npos);
  }

  void TextFileIsNotOurs() {
    TestDb scratch("");
    const std::string path = scratch.Dir() + "/notes.db";
    std::ofstream(path) << "These are notes, not a database. They are long enough to fill a header page.\n"
                        << std::string(200, 'x') << "\n";
    const auto opened = ResultsDb::Open(path);
    QVERIFY(!opened.ok());
    QCOMPARE(opened.problem().kind, DbProblem::Kind::kNotPushsim);
    QVERIFY(opened.problem().message.find("not an SQLite database") != std::string::npos);
  }

  void OtherSqliteDatabaseIsNotOurs() {
    TestDb db("");
    db.Exec("CREATE TABLE recipes (name TEXT, minutes INTEGER); INSERT INTO recipes VALUES ('bread', 180);");
    db.Close();
    const auto opened = ResultsDb::Open(db.path());
    QVERIFY(!opened.ok());
    QCOMPARE(opened.problem().kind, DbProblem::Kind::kNotPushsim);
    QVERIFY(opened.problem().message.find("not a pushsim results database") != std::string::npos);
  }

  void EmptyFileIsEmpty() {
    TestDb scratch("");
    const std::string path = scratch.Dir() + "/empty.db";
    std::ofstream{path};
    const auto opened = ResultsDb::Open(path);
    QVERIFY(!opened.ok());
    QCOMPARE(opened.problem().kind, DbProblem::Kind::kEmpty);
  }

  void NewerSchemaIsRefused() {
    TestDb db;
    db.Exec("PRAGMA user_version = 99");
    db.Close();
    const auto opened = ResultsDb::Open(db.path());
    QVERIFY(!opened.ok());
    QCOMPARE(opened.problem().kind, DbProblem::Kind::kNewerSchema);
    QVERIFY(opened.problem().message.find("99") != std::string::npos);
  }

  void PushsimTablesWithoutVersionAreRefused() {
    TestDb db;
    db.Exec("PRAGMA user_version = 0");
    db.Close();
    const auto opened = ResultsDb::Open(db.path());
    QVERIFY(!opened.ok());
    QCOMPARE(opened.problem().kind, DbProblem::Kind::kNotPushsim);
  }

  void CurrentSchemaOpens() {
    TestDb db;
    db.Close();
    const auto opened = ResultsDb::Open(db.path());
    QVERIFY2(opened.ok(), opened.ok() ? "" : opened.problem().message.c_str());
    QCOMPARE(opened->schema_version(), 2);
    QVERIFY(opened->SchemaNote().empty());
    QVERIFY(opened->Runs().ok());
    QVERIFY(opened->Runs().value().empty());
  }

  // Version 1 has no sweeps, nodes or push Call-IDs: those come back empty, with a note that
  // says why; everything else works.
  void VersionOneHasNoSweeps() {
    TestDb db(PUSHSIM_SCHEMA_V1_SQL);
    db.AddRun(1);
    db.Exec("INSERT INTO registrations (run_id, user, terminal, start_s, end_s, final_code) "
            "VALUES (1, 'sip:user1@home1.net', 't', 1.0, 1.05, 200);"
            "INSERT INTO messages (run_id, time_s, node, direction, peer, first_line, call_id, cseq, size_bytes) "
            "VALUES (1, 1.0, 'ue1.0', 'out', '10.0.0.1:5060/UDP', 'REGISTER sip:home1.net SIP/2.0', 'r1', "
            "'1 REGISTER', 400), "
            "(1, 1.01, 'pcscf', 'in', '10.0.0.2:5060/UDP', 'REGISTER sip:home1.net SIP/2.0', 'r1', '1 REGISTER', 400);");
    db.Close();
    const auto opened = ResultsDb::Open(db.path());
    QVERIFY2(opened.ok(), opened.ok() ? "" : opened.problem().message.c_str());
    const ResultsDb& results = opened.value();
    QCOMPARE(results.schema_version(), 1);
    QVERIFY(results.SchemaNote().find("no sweeps") != std::string::npos);
    const auto sweeps = results.Sweeps();
    QVERIFY(sweeps.ok());
    QVERIFY(sweeps.value().empty());
    QVERIFY(results.SweepCurve(1, ResultsDb::SweepMetric::kGoodput).value().empty());
    QVERIFY(!results.Capacity(1, 0.1).value().found);

    const auto runs = results.Runs();
    QVERIFY(runs.ok());
    QCOMPARE(runs.value().size(), size_t{1});
    QVERIFY(!runs.value()[0].sweep_id.has_value());

    // Without a nodes table, UEs are known by their names and the peer pairs the two rows.
    const auto subjects = results.LadderSubjects(1);
    QVERIFY(subjects.ok());
    QCOMPARE(subjects.value().size(), size_t{1});
    QCOMPARE(subjects.value()[0].kind, std::string("registration"));
    QCOMPARE(subjects.value()[0].call_id, std::string("r1"));
    const auto ladder = results.LadderOf(1, "r1");
    QVERIFY(ladder.ok());
    QCOMPARE(ladder.value().columns.size(), size_t{2});
    QCOMPARE(ladder.value().columns[0].node, std::string("ue1.0"));
    QCOMPARE(ladder.value().columns[0].role, std::string("ue"));
    QCOMPARE(ladder.value().columns[1].role, std::string("pcscf"));
    QCOMPARE(ladder.value().arrows.size(), size_t{1});
    QCOMPARE(ladder.value().arrows[0].from, 0);
    QCOMPARE(ladder.value().arrows[0].to, 1);
  }

  // A run still being written and an aborted one are listed with their status; only a
  // finished run has a wall-clock duration.
  void RunningAndAbortedRunsAreShownAsSuch() {
    TestDb db;
    db.Exec("INSERT INTO runs (id, scenario, scenario_text, seed, program_version, host, pid, started_at, "
            "finished_at, sim_duration_s, sim_reached_s, status, error) VALUES "
            "(1, 'storm', '', 1, 'v', 'h', 1, '2024-05-01T10:00:00Z', NULL, 60, 12.5, 'running', NULL), "
            "(2, 'storm', '', 2, 'v', 'h', 2, '2024-05-01T10:00:00Z', '2024-05-01T10:01:30Z', 60, 31, "
            "'aborted', 'interrupted by signal 2')");
    db.Close();
    const auto opened = ResultsDb::Open(db.path());
    QVERIFY(opened.ok());
    const auto runs = opened->Runs();
    QVERIFY(runs.ok());
    QCOMPARE(runs.value().size(), size_t{2});
    const RunRow& running = runs.value()[0];
    QCOMPARE(running.status, std::string("running"));
    QVERIFY(running.finished_at.empty());
    QVERIFY(!running.wall_s.has_value());
    QCOMPARE(*running.sim_reached_s, 12.5);
    const RunRow& aborted = runs.value()[1];
    QCOMPARE(aborted.status, std::string("aborted"));
    QCOMPARE(aborted.error, std::string("interrupted by signal 2"));
    QVERIFY(aborted.wall_s.has_value());
    QVERIFY(std::abs(*aborted.wall_s - 90.0) < 1e-3);  // 10:00:00 to 10:01:30
  }

  // The database may still be written (WAL mode, a writer holding it open): it opens read-only.
  void DatabaseBeingWrittenOpens() {
    TestDb db;
    db.Exec("PRAGMA journal_mode = WAL");
    db.AddRun(1, "running");
    const auto opened = ResultsDb::Open(db.path());
    QVERIFY2(opened.ok(), opened.ok() ? "" : opened.problem().message.c_str());
    const auto runs = opened->Runs();
    QVERIFY(runs.ok());
    QCOMPARE(runs.value().size(), size_t{1});
    QCOMPARE(runs.value()[0].status, std::string("running"));
  }

  void VaryingParametersAreTheKeysThatDiffer() {
    TestDb db;
    db.Close();
    const auto opened = ResultsDb::Open(db.path());
    QVERIFY(opened.ok());
    std::vector<RunRow> runs(3);
    runs[0].parameters_json = R"({"push.rate":"100/s","scscf.QueueCapacity":200})";
    runs[1].parameters_json = R"({"push.rate":"200/s","scscf.QueueCapacity":200})";
    runs[2].parameters_json = R"({"push.rate":"100/s","scscf.QueueCapacity":200,"seedless":"x"})";
    const std::vector<std::string> expected = {"push.rate", "seedless"};
    QCOMPARE(opened->VaryingParameters(runs), expected);
    QVERIFY(opened->VaryingParameters({runs[0]}).empty());
  }

  void CancelFlagStopsAQuery() {
    TestDb db;
    db.AddRun(1);
    std::string insert = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
                         "INSERT INTO registrations (run_id, user, terminal, start_s, end_s, final_code) "
                         "SELECT 1, 'u' || i, 't', i * 0.001, i * 0.001 + 0.05, 200 FROM n";
    db.Exec(insert);
    db.Close();
    auto opened = ResultsDb::Open(db.path());
    QVERIFY(opened.ok());
    ResultsDb results = std::move(opened).value();
    QVERIFY(results.RegistrationRate(1, 1.0).ok());
    auto cancel = std::make_shared<std::atomic<bool>>(true);
    results.SetCancelFlag(cancel);
    const auto stopped = results.RegistrationRate(1, 1.0);
    QVERIFY(!stopped.ok());
    QCOMPARE(stopped.problem().kind, DbProblem::Kind::kCancelled);
    cancel->store(false);
    QVERIFY(results.RegistrationRate(1, 1.0).ok());
  }

  // Two-sided 95 % quantiles of Student's t (tables: t(0.975, 1) = 12.706, t(0.975, 2) = 4.303,
  // t(0.975, 10) = 2.228, t(0.975, 60) = 2.000, t(0.975, 120) = 1.980).
  void StudentQuantiles() {
    QVERIFY(!StudentT975(0).has_value());
    QVERIFY(std::abs(*StudentT975(1) - 12.706) < 5e-4);
    QVERIFY(std::abs(*StudentT975(2) - 4.303) < 5e-4);
    QVERIFY(std::abs(*StudentT975(10) - 2.228) < 5e-4);
    QVERIFY(std::abs(*StudentT975(60) - 2.000) < 5e-4);
    QVERIFY(std::abs(*StudentT975(120) - 1.980) < 5e-4);
    QVERIFY(*StudentT975(100000) > 1.9599 && *StudentT975(100000) < 1.9601);
  }

  void SeriesAsCsv() {
    const std::vector<Series> series = {{"200", {{0, 2}, {0.5, 1.25}}}, {"a, \"b\"", {{1, 0}}}};
    QCOMPARE(SeriesCsv(series), std::string("series,x,y\n200,0,2\n200,0.5,1.25\n\"a, \"\"b\"\"\",1,0\n"));
  }
};

}  // namespace
}  // namespace pushsim::dashboard

QTEST_GUILESS_MAIN(pushsim::dashboard::OpenTest)
#include "open_test.moc"
