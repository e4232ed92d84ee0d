// The results database: schema creation and checks, batched writes, the views on hand-built data
// (expected figures computed by hand in the comments), interrupted runs (SIGKILL, SIGINT,
// SIGTERM), two processes writing at once, and the determinism dump.
#include "recorder.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace pushsim::runner {
namespace {

namespace fs = std::filesystem;

class RecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pushsim-recorder-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string DbPath(const std::string& name = "results.db") const { return (dir_ / name).string(); }

  fs::path dir_;
};

Recorder OpenOrDie(const std::string& path, RecorderOptions options = {}) {
  auto opened = Recorder::Open(path, options);
  if (!opened.ok()) {
    ADD_FAILURE() << opened.error().message;
    std::abort();
  }
  return std::move(opened.value());
}

RunInfo Info(const std::string& scenario = "quickstart", std::int64_t seed = 1) {
  RunInfo info;
  info.scenario = scenario;
  info.scenario_text = "name: " + scenario + "\nduration: 10s\n";
  info.parameters_json = R"({"scscf.QueueCapacity":"200"})";
  info.seed = seed;
  info.sim_duration_s = 10;
  return info;
}

PushRow Push(std::int64_t id, double created = 0) {
  PushRow row;
  row.push_id = id;
  row.created_s = created;
  row.method = "MESSAGE";
  row.size_bytes = 100;
  row.target_kind = "user";
  row.target_uri = "sip:user" + std::to_string(id % 10) + "@home1.net";
  row.final_code = 200;
  row.app_status = "accepted";
  row.response_delay_s = 0.05;
  row.delivery_delay_s = 0.05;
  return row;
}

// Runs a query returning one value, as text ("NULL" for null).
std::string Query(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    std::string error = std::string("error: ") + sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    return error;
  }
  std::string value = "no row";
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(stmt, 0);
    value = text ? reinterpret_cast<const char*>(text) : "NULL";
  }
  sqlite3_finalize(stmt);
  return value;
}
double QueryReal(sqlite3* db, const std::string& sql) { return std::stod(Query(db, sql)); }
long long QueryInt(sqlite3* db, const std::string& sql) { return std::stoll(Query(db, sql)); }

// A second connection, as another reader would have.
struct Connection {
  explicit Connection(const std::string& path) { sqlite3_open(path.c_str(), &db); }
  ~Connection() { sqlite3_close(db); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  sqlite3* db = nullptr;
};

void ExecOrFail(sqlite3* db, const char* sql) {
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
}

// ---------------------------------------------------------------------------------------------
// Schema

TEST_F(RecorderTest, CreatesTheSchemaInANewDatabase) {
  Recorder recorder = OpenOrDie(DbPath());
  sqlite3* db = recorder.handle();
  EXPECT_EQ(QueryInt(db, "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(Query(db, "PRAGMA journal_mode"), "wal");
  for (const char* table : {"runs", "registrations", "pushes", "element_samples",
                            "element_method_samples", "events", "messages"}) {
    EXPECT_EQ(QueryInt(db, std::string("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = '") +
                               table + "'"),
              1)
        << table;
  }
  for (const char* view : {"push_latency", "push_success", "registration_delay",
                           "registration_delay_histogram", "element_peaks", "event_counts", "run_summary"}) {
    EXPECT_EQ(QueryInt(db, std::string("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'view' AND name = '") +
                               view + "'"),
              1)
        << view;
  }
  // Opening again finds our schema and changes nothing.
  Recorder again = OpenOrDie(DbPath());
  EXPECT_EQ(QueryInt(again.handle(), "PRAGMA user_version"), kSchemaVersion);
}

TEST_F(RecorderTest, RefusesATableRunsWithOtherColumns) {
  {
    Connection foreign(DbPath());
    ExecOrFail(foreign.db, "CREATE TABLE runs (name TEXT, started TEXT)");
  }
  auto opened = Recorder::Open(DbPath());
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("not a pushsim results database"), std::string::npos)
      << opened.error().message;
  // Nothing was added to the foreign database.
  Connection check(DbPath());
  EXPECT_EQ(QueryInt(check.db, "SELECT COUNT(*) FROM sqlite_schema"), 1);
  EXPECT_EQ(QueryInt(check.db, "PRAGMA user_version"), 0);
}

TEST_F(RecorderTest, RefusesOurVersionNumberWithOtherColumns) {
  {
    Connection foreign(DbPath());
    ExecOrFail(foreign.db, "CREATE TABLE runs (id INTEGER PRIMARY KEY, label TEXT); PRAGMA user_version = 1");
  }
  auto opened = Recorder::Open(DbPath());
  ASSERT_FALSE(opened.ok());
  // The version number alone does not make it ours: migrating it to version 2 fails on the first
  // table it lacks, and the failed migration leaves it exactly as it was.
  EXPECT_NE(opened.error().message.find("not a pushsim results database of schema version 1"), std::string::npos)
      << opened.error().message;
  EXPECT_NE(opened.error().message.find("no such table: pushes"), std::string::npos) << opened.error().message;
  Connection check(DbPath());
  EXPECT_EQ(QueryInt(check.db, "PRAGMA user_version"), 1);
  EXPECT_EQ(QueryInt(check.db, "SELECT COUNT(*) FROM pragma_table_info('runs')"), 2);
  EXPECT_EQ(QueryInt(check.db, "SELECT COUNT(*) FROM sqlite_schema"), 1);
}

TEST_F(RecorderTest, RefusesAMissingColumnInOurTables) {
  {
    Recorder recorder = OpenOrDie(DbPath());
  }
  {
    Connection edit(DbPath());
    ExecOrFail(edit.db, "ALTER TABLE runs DROP COLUMN error");
  }
  auto opened = Recorder::Open(DbPath());
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("table runs has columns (id, scenario, scenario_text"),
            std::string::npos)
      << opened.error().message;
  EXPECT_NE(opened.error().message.find("status, error, sweep_id"), std::string::npos) << opened.error().message;
}

TEST_F(RecorderTest, RefusesAnotherSchemaVersion) {
  {
    Connection other(DbPath());
    ExecOrFail(other.db, "CREATE TABLE runs (id INTEGER PRIMARY KEY); PRAGMA user_version = 7");
  }
  auto opened = Recorder::Open(DbPath());
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("schema version 7"), std::string::npos) << opened.error().message;
}

TEST_F(RecorderTest, RefusesANewerVersionOfItsOwnSchemaAndLeavesItAlone) {
  {
    Recorder recorder = OpenOrDie(DbPath());
    ASSERT_TRUE(recorder.BeginRun(Info()).ok());
    ASSERT_TRUE(recorder.FinishRun(RunStatus::kCompleted).ok());
  }
  {
    Connection later(DbPath());
    ExecOrFail(later.db, "PRAGMA user_version = 3");
  }
  auto opened = Recorder::Open(DbPath());
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("has results schema version 3, newer than this program's version 2"),
            std::string::npos)
      << opened.error().message;
  Connection check(DbPath());
  EXPECT_EQ(QueryInt(check.db, "PRAGMA user_version"), 3);
  EXPECT_EQ(QueryInt(check.db, "SELECT COUNT(*) FROM runs"), 1);
}

// ---------------------------------------------------------------------------------------------
// Migration from schema version 1 (tests/support/schema-v1.sql is results/schema.sql as it was)

std::string SchemaV1Text() {
  std::ifstream in(std::string(PUSHSIM_SOURCE_DIR) + "/tests/support/schema-v1.sql", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every table's columns as "table.name type notnull pk default", and the foreign keys, in name
// order: what must be equal between a migrated database and a new one.
std::string ColumnsOfEveryTable(sqlite3* db) {
  return Query(db,
               "SELECT group_concat(line, '; ') FROM (SELECT t.name || '.' || c.name || ' ' || c.type || ' ' || "
               "c.\"notnull\" || ' ' || c.pk || ' ' || COALESCE(c.dflt_value, '-') AS line "
               "FROM sqlite_schema t, pragma_table_info(t.name) c WHERE t.type = 'table' "
               "ORDER BY t.name, c.cid)") +
         " / " +
         Query(db,
               "SELECT group_concat(line, '; ') FROM (SELECT t.name || '.' || f.\"from\" || '->' || f.\"table\" "
               "|| '.' || COALESCE(f.\"to\", 'pk') || ' ' || f.on_delete AS line "
               "FROM sqlite_schema t, pragma_foreign_key_list(t.name) f WHERE t.type = 'table' "
               "ORDER BY t.name, f.id)");
}

TEST_F(RecorderTest, MigratesAVersion1DatabaseAndKeepsItsRows) {
  const std::string v1 = SchemaV1Text();
  ASSERT_NE(v1.find("PRAGMA user_version = 1;"), std::string::npos) << "fixture missing";
  {
    Connection old(DbPath());
    ExecOrFail(old.db, "PRAGMA journal_mode = WAL");
    ExecOrFail(old.db, v1.c_str());
    ExecOrFail(old.db,
               "INSERT INTO runs (scenario, scenario_text, parameters, seed, program_version, host, pid, "
               "started_at, sim_duration_s, sim_reached_s, status) VALUES ('old', 'name: old', "
               "'{\"push.rate\":\"5/s\"}', 4, '0.0.9', 'elsewhere', 1, '2024-01-01T00:00:00.000Z', 10, 10, "
               "'completed');"
               "INSERT INTO pushes (run_id, push_id, created_s, method, size_bytes, target_kind, target_uri, "
               "final_code, app_status, response_delay_s, delivery_delay_s) VALUES "
               "(1, 1, 0.5, 'MESSAGE', 100, 'user', 'sip:user1@home1.net', 200, 'accepted', 0.1, 0.2), "
               "(1, 2, 0.7, 'MESSAGE', 100, 'user', 'sip:user2@home1.net', 480, 'undeliverable', 0.3, NULL);"
               "INSERT INTO events (run_id, time_s, kind, element) VALUES (1, 2.5, '503', 'scscf');");
  }
  {
    Recorder recorder = OpenOrDie(DbPath());
    sqlite3* db = recorder.handle();
    EXPECT_EQ(QueryInt(db, "PRAGMA user_version"), 2);
    // The old rows are all there, unchanged, with NULL in the new columns.
    EXPECT_EQ(Query(db, "SELECT scenario || '/' || parameters || '/' || seed || '/' || status || '/' || host FROM runs"),
              R"(old/{"push.rate":"5/s"}/4/completed/elsewhere)");
    EXPECT_EQ(Query(db, "SELECT sweep_id IS NULL AND sweep_value IS NULL AND sweep_x IS NULL FROM runs"), "1");
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM pushes WHERE call_id IS NULL"), 2);
    EXPECT_EQ(Query(db, "SELECT group_concat(final_code || ':' || app_status, ',') FROM pushes"),
              "200:accepted,480:undeliverable");
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM events"), 1);
    // The old views still answer for it: 1 accepted of 2.
    EXPECT_DOUBLE_EQ(QueryReal(db, "SELECT push_success_ratio FROM run_summary"), 0.5);

    // The new tables take rows.
    auto sweep = recorder.BeginSweep(SweepInfo{"old", "push.rate", {"5/s"}, 1, 1});
    ASSERT_TRUE(sweep.ok()) << sweep.error().message;
    recorder.SetSweepTag(SweepTag{sweep.value(), "5/s", 5.0});
    ASSERT_TRUE(recorder.BeginRun(Info("old", 4)).ok());
    PushRow push = Push(1);
    push.call_id = "c1@as";
    recorder.AddPush(push);
    recorder.AddNode(NodeRow{"scscf", "scscf", std::string("10.0.0.3")});
    ASSERT_TRUE(recorder.FinishRun(RunStatus::kCompleted, {}, 10).ok());
    EXPECT_EQ(Query(db, "SELECT call_id FROM pushes WHERE run_id = 2"), "c1@as");
    EXPECT_EQ(Query(db, "SELECT sweep_value || '/' || sweep_x FROM runs WHERE id = 2"), "5/s/5.0");
    EXPECT_EQ(Query(db, "SELECT address FROM nodes WHERE run_id = 2 AND name = 'scscf'"), "10.0.0.3");
  }
  // The migrated database has the very tables, columns, keys, indexes and views of a new one,
  // and opens again without another migration.
  Recorder fresh = OpenOrDie(DbPath("fresh.db"));
  Recorder again = OpenOrDie(DbPath());
  EXPECT_EQ(ColumnsOfEveryTable(again.handle()), ColumnsOfEveryTable(fresh.handle()));
  const std::string objects =
      "SELECT group_concat(type || ' ' || name, ', ') FROM (SELECT type, name FROM sqlite_schema ORDER BY name)";
  EXPECT_EQ(Query(again.handle(), objects), Query(fresh.handle(), objects));
  const std::string view = "SELECT sql FROM sqlite_schema WHERE name = 'sweep_points'";
  EXPECT_EQ(Query(again.handle(), view), Query(fresh.handle(), view));
  EXPECT_EQ(Query(again.handle(), "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(Query(again.handle(), "PRAGMA foreign_key_check"), "no row");
}

TEST_F(RecorderTest, AMigrationThatFailsChangesNothing) {
  // A version-1 database whose messages table is not ours: the migration adds the sweep
  // columns to runs and pushes first, then the check finds the difference and rolls it all back.
  {
    Connection old(DbPath());
    ExecOrFail(old.db, SchemaV1Text().c_str());
    ExecOrFail(old.db, "DROP INDEX messages_by_run_time; DROP INDEX messages_by_call; DROP TABLE messages;"
                       "CREATE TABLE messages (run_id INTEGER, what TEXT)");
  }
  auto opened = Recorder::Open(DbPath());
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("table messages has columns (run_id, what)"), std::string::npos)
      << opened.error().message;
  Connection check(DbPath());
  EXPECT_EQ(QueryInt(check.db, "PRAGMA user_version"), 1);
  EXPECT_EQ(QueryInt(check.db, "SELECT COUNT(*) FROM pragma_table_info('runs') WHERE name LIKE 'sweep%'"), 0);
  EXPECT_EQ(QueryInt(check.db, "SELECT COUNT(*) FROM pragma_table_info('pushes') WHERE name = 'call_id'"), 0);
  EXPECT_EQ(QueryInt(check.db, "SELECT COUNT(*) FROM sqlite_schema WHERE name IN ('sweeps', 'nodes', 'sweep_points')"),
            0);
}

TEST_F(RecorderTest, RefusesAFileThatIsNotADatabase) {
  {
    std::ofstream junk(DbPath(), std::ios::binary);
    junk << "this is a scenario file, not a database\n" << std::string(4096, '\x01');
  }
  auto opened = Recorder::Open(DbPath());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().sqlite_code & 0xff, SQLITE_NOTADB) << opened.error().message;
}

TEST_F(RecorderTest, ReportsAMissingSchemaFile) {
  RecorderOptions options;
  options.schema_path = (dir_ / "nowhere.sql").string();
  auto opened = Recorder::Open(DbPath(), options);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("nowhere.sql"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Runs and batches

TEST_F(RecorderTest, BeginRunRecordsARunningRunOfThisProcess) {
  Recorder recorder = OpenOrDie(DbPath());
  auto run = recorder.BeginRun(Info());
  ASSERT_TRUE(run.ok()) << run.error().message;
  sqlite3* db = recorder.handle();
  const std::string where = " FROM runs WHERE id = " + std::to_string(run.value());
  EXPECT_EQ(Query(db, "SELECT status" + where), "running");
  EXPECT_EQ(QueryInt(db, "SELECT pid" + where), static_cast<long long>(getpid()));
  EXPECT_EQ(Query(db, "SELECT parameters" + where), R"({"scscf.QueueCapacity":"200"})");
  EXPECT_EQ(Query(db, "SELECT program_version" + where), PUSHSIM_VERSION);
  // ISO 8601 UTC with milliseconds: 2024-05-01T12:34:56.789Z is 24 characters.
  const std::string started = Query(db, "SELECT started_at" + where);
  ASSERT_EQ(started.size(), 24u) << started;
  EXPECT_EQ(started[10], 'T');
  EXPECT_EQ(started.back(), 'Z');
  EXPECT_EQ(Query(db, "SELECT finished_at" + where), "NULL");

  // Another recorder opened meanwhile (this process is alive) leaves the run alone.
  Recorder second = OpenOrDie(DbPath());
  EXPECT_EQ(Query(second.handle(), "SELECT status" + where), "running");

  ASSERT_TRUE(recorder.FinishRun(RunStatus::kCompleted, {}, 9.5).ok());
  EXPECT_EQ(Query(db, "SELECT status" + where), "completed");
  EXPECT_EQ(QueryReal(db, "SELECT sim_reached_s" + where), 9.5);
  EXPECT_EQ(Query(db, "SELECT error" + where), "NULL");
  EXPECT_NE(Query(db, "SELECT finished_at" + where), "NULL");
}

TEST_F(RecorderTest, RejectsParametersThatAreNotJson) {
  Recorder recorder = OpenOrDie(DbPath());
  RunInfo info = Info();
  info.parameters_json = "{scscf.QueueCapacity: 200";
  auto run = recorder.BeginRun(info);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error().sqlite_code & 0xff, SQLITE_CONSTRAINT) << run.error().message;
}

TEST_F(RecorderTest, WritesWholeBatchesAndTheRestOnFlush) {
  RecorderOptions options;
  options.batch_rows = 1000;
  Recorder recorder = OpenOrDie(DbPath(), options);
  ASSERT_TRUE(recorder.BeginRun(Info()).ok());
  for (int i = 0; i < 2500; ++i) recorder.AddPush(Push(i));
  EXPECT_EQ(recorder.committed_rows(), 2000u);
  EXPECT_EQ(recorder.pending_rows(), 500u);
  Connection reader(DbPath());
  EXPECT_EQ(QueryInt(reader.db, "SELECT COUNT(*) FROM pushes"), 2000);
  ASSERT_TRUE(recorder.Flush().ok());
  EXPECT_EQ(QueryInt(reader.db, "SELECT COUNT(*) FROM pushes"), 2500);
  EXPECT_EQ(QueryInt(reader.db, "SELECT MAX(push_id) - MIN(push_id)"
                                " FROM pushes"), 2499);
}

TEST_F(RecorderTest, WritesOneHundredThousandRowsInBatches) {
  RecorderOptions options;
  options.batch_rows = 100000;
  Recorder recorder = OpenOrDie(DbPath(), options);
  ASSERT_TRUE(recorder.BeginRun(Info()).ok());
  std::vector<PushRow> rows;
  rows.reserve(100000);
  for (int i = 0; i < 100000; ++i) rows.push_back(Push(i, i * 0.001));
  const auto started = std::chrono::steady_clock::now();
  const std::clock_t cpu_started = std::clock();
  for (PushRow& row : rows) recorder.AddPush(std::move(row));
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  const double cpu = static_cast<double>(std::clock() - cpu_started) / CLOCKS_PER_SEC;
  // Reported, not asserted: the figures depend on the machine and its load.
  std::cout << "100,000 push rows buffered and written in one transaction: " << elapsed.count()
            << " s wall, " << cpu << " s CPU\n";
  // The 100,000th row completes the batch: written at once, in one transaction.
  EXPECT_EQ(recorder.committed_rows(), 100000u);
  EXPECT_EQ(recorder.pending_rows(), 0u);
  for (int i = 0; i < 100000; ++i) {
    RegistrationRow row;
    row.user = "sip:user" + std::to_string(i) + "@home1.net";
    row.terminal = "<urn:uuid:" + std::to_string(i) + ">";
    row.start_s = i;
    row.end_s = i + 0.25;
    row.final_code = 200;
    recorder.AddRegistration(row);
  }
  ASSERT_TRUE(recorder.FinishRun(RunStatus::kCompleted).ok());
  EXPECT_EQ(recorder.committed_rows(), 200000u);
  sqlite3* db = recorder.handle();
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM pushes"), 100000);
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM registrations"), 100000);
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(DISTINCT push_id) FROM pushes"), 100000);
}

TEST_F(RecorderTest, WritesEveryKindOfRowWithItsNulls) {
  Recorder recorder = OpenOrDie(DbPath());
  ASSERT_TRUE(recorder.BeginRun(Info()).ok());
  RegistrationRow registration;
  registration.user = "sip:alice@home1.net";
  registration.terminal = "<urn:uuid:a>";
  registration.start_s = 1.5;  // no response: end_s and final_code stay NULL
  registration.retransmissions = 6;
  recorder.AddRegistration(registration);
  ElementSample sample;
  sample.element = "scscf";
  sample.role = "scscf";
  sample.time_s = 2;
  sample.interval_s = 1;
  sample.queue_length = 4;
  sample.utilization = 0.5;
  sample.messages_in = 7;
  sample.messages_out = 6;
  sample.refused = 1;
  sample.per_method = {{"REGISTER", 5, 4, 1}, {"response", 2, 2, 0}};
  recorder.AddElementSample(sample);
  recorder.AddEvent({3.25, "element-down", std::string("pcscf"), std::nullopt});
  MessageRow message;
  message.time_s = 1.5;
  message.node = "ue0";
  message.direction = "out";
  message.first_line = "REGISTER sip:home1.net SIP/2.0";
  message.call_id = "a84b4c76e66710";
  message.cseq = "1 REGISTER";
  message.size_bytes = 512;
  recorder.AddMessage(message);
  recorder.AddNode(NodeRow{"ue3.1", "ue", std::string("10.1.0.7")});
  recorder.AddNode(NodeRow{"router1", "router", std::nullopt});
  PushRow push = Push(1);
  push.call_id = "a84b4c76e66711";
  recorder.AddPush(push);
  recorder.AddPush(Push(2));  // no call_id: NULL
  ASSERT_TRUE(recorder.FinishRun(RunStatus::kCompleted).ok());

  sqlite3* db = recorder.handle();
  EXPECT_EQ(Query(db, "SELECT group_concat(name || '/' || role || '/' || COALESCE(address, 'NULL'), ',') "
                      "FROM (SELECT * FROM nodes ORDER BY name)"),
            "router1/router/NULL,ue3.1/ue/10.1.0.7");
  EXPECT_EQ(Query(db, "SELECT group_concat(COALESCE(call_id, 'NULL'), ',') FROM (SELECT * FROM pushes ORDER BY push_id)"),
            "a84b4c76e66711,NULL");
  // A run is not a sweep's unless tagged.
  EXPECT_EQ(Query(db, "SELECT sweep_id IS NULL AND sweep_value IS NULL AND sweep_x IS NULL FROM runs"), "1");
  EXPECT_EQ(Query(db, "SELECT end_s IS NULL AND final_code IS NULL AND retransmissions = 6 FROM registrations"), "1");
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM element_method_samples WHERE element = 'scscf' AND time_s = 2"), 2);
  EXPECT_EQ(QueryInt(db, "SELECT refused FROM element_method_samples WHERE method = 'REGISTER'"), 1);
  EXPECT_EQ(Query(db, "SELECT element || '/' || kind || '/' || (detail IS NULL) FROM events"), "pcscf/element-down/1");
  EXPECT_EQ(Query(db, "SELECT cseq || '/' || size_bytes || '/' || (text IS NULL) FROM messages"), "1 REGISTER/512/1");
}

TEST_F(RecorderTest, ABatchThatBreaksAConstraintIsReportedAndDropped) {
  Recorder recorder = OpenOrDie(DbPath());
  ASSERT_TRUE(recorder.BeginRun(Info()).ok());
  PushRow bad = Push(1);
  bad.target_kind = "everyone";  // not user | gruu | all-terminals
  recorder.AddPush(bad);
  auto flushed = recorder.Flush();
  ASSERT_FALSE(flushed.ok());
  EXPECT_EQ(flushed.error().sqlite_code & 0xff, SQLITE_CONSTRAINT) << flushed.error().message;
  EXPECT_EQ(recorder.dropped_rows(), 1u);
  EXPECT_EQ(recorder.pending_rows(), 0u);
  // The run is finished with the loss noted, and the next rows are written normally.
  recorder.AddPush(Push(2));
  auto finished = recorder.FinishRun(RunStatus::kCompleted);
  EXPECT_FALSE(finished.ok());
  sqlite3* db = recorder.handle();
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM pushes"), 1);
  EXPECT_NE(Query(db, "SELECT error FROM runs").find("1 rows lost"), std::string::npos);
}

TEST_F(RecorderTest, RowsWithoutARunAreIgnored) {
  Recorder recorder = OpenOrDie(DbPath());
  recorder.AddPush(Push(1));
  EXPECT_EQ(recorder.pending_rows(), 0u);
  EXPECT_FALSE(recorder.FinishRun(RunStatus::kCompleted).ok());
}

TEST_F(RecorderTest, ClosingARecorderWithAnOpenRunMarksItAborted) {
  {
    Recorder recorder = OpenOrDie(DbPath());
    ASSERT_TRUE(recorder.BeginRun(Info()).ok());
    recorder.AddPush(Push(1));
  }
  Connection check(DbPath());
  EXPECT_EQ(Query(check.db, "SELECT status FROM runs"), "aborted");
  EXPECT_EQ(QueryInt(check.db, "SELECT COUNT(*) FROM pushes"), 1);
}

// ---------------------------------------------------------------------------------------------
// Views on hand-built data

class RecorderViewsTest : public RecorderTest {
 protected:
  void SetUp() override {
    RecorderTest::SetUp();
    auto opened = Recorder::Open(DbPath());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    recorder_.emplace(std::move(opened.value()));
    auto first = recorder_->BeginRun(Info("views", 1));
    ASSERT_TRUE(first.ok());
    run1_ = first.value();

    // MESSAGE, 10 pushes. i = 1..8: 200 accepted, response i/100 s, delivery i/10 s.
    // i = 9: 503, response 0.09 s, not delivered. i = 10: no response at all (timer F).
    // Inserted in a shuffled order: the percentiles must not depend on it.
    for (int i : {7, 3, 10, 1, 9, 5, 2, 8, 4, 6}) {
      PushRow row = Push(i);
      row.response_delay_s = i / 100.0;
      row.delivery_delay_s = i / 10.0;
      if (i == 9) {
        row.final_code = 503;
        row.app_status = "rejected-may-retry";
        row.delivery_delay_s.reset();
        row.retries = 2;
      } else if (i == 10) {
        row.final_code.reset();
        row.app_status = "undeliverable";
        row.response_delay_s.reset();
        row.delivery_delay_s.reset();
      }
      recorder_->AddPush(row);
    }
    // INVITE+MSRP, 100 pushes, k = 100 down to 1: response 1 s; k <= 96 accepted and delivered
    // after k seconds; k = 97..100 answered 486 and not delivered.
    for (int k = 100; k >= 1; --k) {
      PushRow row = Push(1000 + k);
      row.method = "INVITE+MSRP";
      row.response_delay_s = 1.0;
      row.delivery_delay_s = static_cast<double>(k);
      if (k > 96) {
        row.final_code = 486;
        row.app_status = "rejected-may-retry";
        row.delivery_delay_s.reset();
      }
      recorder_->AddPush(row);
    }
    // Registrations: four successes with delays 0.2, 0.4, 0.1, 0.3 s, one 403, one without a
    // final response; retransmissions 1 + 2.
    const double starts[] = {10.0, 20.0, 30.0, 40.0};
    const double delays[] = {0.2, 0.4, 0.1, 0.3};
    for (int i = 0; i < 4; ++i) {
      RegistrationRow row;
      row.user = "sip:user" + std::to_string(i) + "@home1.net";
      row.terminal = "t" + std::to_string(i);
      row.start_s = starts[i];
      row.end_s = starts[i] + delays[i];
      row.final_code = 200;
      row.retransmissions = i == 1 ? 1 : 0;
      recorder_->AddRegistration(row);
    }
    RegistrationRow forbidden;
    forbidden.user = "sip:eve@home1.net";
    forbidden.terminal = "te";
    forbidden.start_s = 5;
    forbidden.end_s = 5.05;
    forbidden.final_code = 403;
    recorder_->AddRegistration(forbidden);
    RegistrationRow lost;
    lost.user = "sip:bob@home1.net";
    lost.terminal = "tb";
    lost.start_s = 6;
    lost.retransmissions = 2;
    recorder_->AddRegistration(lost);
    // The S-CSCF sampled four times, the P-CSCF twice.
    const double utilization[] = {0.5, 0.9, 0.9, 0.7};
    const int queue[] = {3, 8, 5, 1};
    const int refused[] = {0, 2, 1, 0};
    for (int t = 1; t <= 4; ++t) {
      ElementSample sample;
      sample.element = "scscf";
      sample.role = "scscf";
      sample.time_s = t;
      sample.interval_s = 1;
      sample.utilization = utilization[t - 1];
      sample.queue_length = queue[t - 1];
      sample.messages_in = 10 * t;
      sample.messages_out = 10 * t - 1;
      sample.refused = refused[t - 1];
      recorder_->AddElementSample(sample);
    }
    for (int t = 1; t <= 2; ++t) {
      ElementSample sample;
      sample.element = "pcscf";
      sample.role = "pcscf";
      sample.time_s = t;
      sample.interval_s = 1;
      sample.utilization = 0.2 * t;
      sample.queue_length = t - 1;
      recorder_->AddElementSample(sample);
    }
    recorder_->AddEvent({2.0, "503", std::string("scscf"), std::nullopt});
    recorder_->AddEvent({3.0, "503", std::string("scscf"), std::nullopt});
    recorder_->AddEvent({4.0, "element-down", std::string("pcscf"), std::nullopt});
    ASSERT_TRUE(recorder_->FinishRun(RunStatus::kCompleted).ok());

    // Run 2: one MESSAGE push delivered after 2 s, nothing else.
    auto second = recorder_->BeginRun(Info("views", 2));
    ASSERT_TRUE(second.ok());
    run2_ = second.value();
    PushRow only = Push(1);
    only.response_delay_s = 2.0;
    only.delivery_delay_s = 2.0;
    recorder_->AddPush(only);
    ASSERT_TRUE(recorder_->FinishRun(RunStatus::kCompleted).ok());
  }

  std::string Where(std::int64_t run) const { return " WHERE run_id = " + std::to_string(run); }
  sqlite3* db() { return recorder_->handle(); }

  std::optional<Recorder> recorder_;
  std::int64_t run1_ = 0;
  std::int64_t run2_ = 0;
};

TEST_F(RecorderViewsTest, PushLatencyPercentilesAreNearestRank) {
  const std::string message = Where(run1_) + " AND method = 'MESSAGE'";
  // Response, 9 samples 0.01..0.09: p50 rank ceil(4.5) = 5 -> 0.05; p95 rank ceil(8.55) = 9 and
  // p99 rank ceil(8.91) = 9 -> 0.09.
  const std::string response = message + " AND metric = 'response'";
  EXPECT_EQ(QueryInt(db(), "SELECT samples FROM push_latency" + response), 9);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT p50_s FROM push_latency" + response), 0.05);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT p95_s FROM push_latency" + response), 0.09);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT p99_s FROM push_latency" + response), 0.09);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT min_s FROM push_latency" + response), 0.01);
  EXPECT_NEAR(QueryReal(db(), "SELECT mean_s FROM push_latency" + response), 0.05, 1e-12);
  // Delivery, 8 samples 0.1..0.8: p50 rank 4 -> 0.4; p95 rank ceil(7.6) = 8 -> 0.8.
  const std::string delivery = message + " AND metric = 'delivery'";
  EXPECT_EQ(QueryInt(db(), "SELECT samples FROM push_latency" + delivery), 8);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT p50_s FROM push_latency" + delivery), 0.4);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT p95_s FROM push_latency" + delivery), 0.8);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT p99_s FROM push_latency" + delivery), 0.8);
  // INVITE+MSRP delivery, 96 samples 1..96: p50 rank 48, p95 rank ceil(91.2) = 92, p99 rank
  // ceil(95.04) = 96.
  const std::string msrp = Where(run1_) + " AND method = 'INVITE+MSRP' AND metric = 'delivery'";
  EXPECT_EQ(QueryInt(db(), "SELECT samples FROM push_latency" + msrp), 96);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT p50_s FROM push_latency" + msrp), 48);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT p95_s FROM push_latency" + msrp), 92);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT p99_s FROM push_latency" + msrp), 96);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT max_s FROM push_latency" + msrp), 96);
  // Run 2 is partitioned apart: one sample, every percentile is it.
  const std::string other = Where(run2_) + " AND method = 'MESSAGE' AND metric = 'delivery'";
  EXPECT_EQ(QueryInt(db(), "SELECT samples FROM push_latency" + other), 1);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT p50_s FROM push_latency" + other), 2.0);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT p99_s FROM push_latency" + other), 2.0);
  EXPECT_EQ(QueryInt(db(), "SELECT COUNT(*) FROM push_latency" + Where(run1_)), 4);
}

TEST_F(RecorderViewsTest, PushSuccessRatioPerMethod) {
  const std::string message = Where(run1_) + " AND method = 'MESSAGE'";
  EXPECT_EQ(Query(db(), "SELECT pushes || '/' || accepted || '/' || delivered || '/' || unanswered || '/' || "
                        "retries FROM push_success" + message),
            "10/8/8/1/2");
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT success_ratio FROM push_success" + message), 0.8);
  const std::string msrp = Where(run1_) + " AND method = 'INVITE+MSRP'";
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT success_ratio FROM push_success" + msrp), 0.96);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT delivery_ratio FROM push_success" + msrp), 0.96);
}

TEST_F(RecorderViewsTest, RegistrationRequestDelayCountsZeroSuccessesWhenNothingWasAnswered) {
  // A run whose every REGISTER went unanswered (no final code): 0 successful, not NULL.
  auto run = recorder_->BeginRun(Info("views", 3));
  ASSERT_TRUE(run.ok());
  for (int i = 0; i < 3; ++i) {
    RegistrationRow row;
    row.user = "sip:user" + std::to_string(i) + "@home1.net";
    row.terminal = "t" + std::to_string(i);
    row.start_s = i;
    row.retransmissions = 10;
    recorder_->AddRegistration(row);
  }
  ASSERT_TRUE(recorder_->Flush().ok());
  EXPECT_EQ(Query(db(), "SELECT attempts || '/' || successful || '/' || ineffective FROM registration_delay" +
                            Where(run.value())),
            "3/0/3");
}

TEST_F(RecorderViewsTest, RegistrationRequestDelayCountsOnlySuccesses) {
  const std::string run = Where(run1_);
  // RFC 6076 4.1/4.2: 6 attempts, 4 successful, 2 ineffective (403 and no answer).
  EXPECT_EQ(Query(db(), "SELECT attempts || '/' || successful || '/' || ineffective || '/' || retransmissions "
                        "FROM registration_delay" + run),
            "6/4/2/3");
  // Delays 0.1, 0.2, 0.3, 0.4: p50 rank 2 -> 0.2, p95 rank ceil(3.8) = 4 -> 0.4, mean 0.25.
  EXPECT_NEAR(QueryReal(db(), "SELECT p50_s FROM registration_delay" + run), 0.2, 1e-9);
  EXPECT_NEAR(QueryReal(db(), "SELECT p95_s FROM registration_delay" + run), 0.4, 1e-9);
  EXPECT_NEAR(QueryReal(db(), "SELECT p99_s FROM registration_delay" + run), 0.4, 1e-9);
  EXPECT_NEAR(QueryReal(db(), "SELECT min_s FROM registration_delay" + run), 0.1, 1e-9);
  EXPECT_NEAR(QueryReal(db(), "SELECT mean_s FROM registration_delay" + run), 0.25, 1e-9);
  // One per 10 ms bucket, at 0.10, 0.20, 0.30 and 0.40 (10.2 - 10.0 is 0.1999... in binary).
  EXPECT_EQ(Query(db(), "SELECT group_concat(printf('%.2f:%d', bucket_s, attempts), ' ') FROM "
                        "(SELECT * FROM registration_delay_histogram" + run + " ORDER BY bucket_s)"),
            "0.10:1 0.20:1 0.30:1 0.40:1");
  // Run 2 has no registrations: no row.
  EXPECT_EQ(Query(db(), "SELECT COUNT(*) FROM registration_delay" + Where(run2_)), "0");
}

TEST_F(RecorderViewsTest, ElementPeaks) {
  const std::string scscf = Where(run1_) + " AND element = 'scscf'";
  // Utilization 0.5, 0.9, 0.9, 0.7: peak 0.9 first at t = 2, mean 0.75; queue peak 8;
  // in 10+20+30+40 = 100, out 9+19+29+39 = 96, refused 0+2+1+0 = 3.
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT peak_utilization FROM element_peaks" + scscf), 0.9);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT peak_utilization_at_s FROM element_peaks" + scscf), 2);
  EXPECT_NEAR(QueryReal(db(), "SELECT mean_utilization FROM element_peaks" + scscf), 0.75, 1e-12);
  EXPECT_EQ(Query(db(), "SELECT samples || '/' || peak_queue_length || '/' || messages_in || '/' || "
                        "messages_out || '/' || refused FROM element_peaks" + scscf),
            "4/8/100/96/3");
  const std::string pcscf = Where(run1_) + " AND element = 'pcscf'";
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT peak_utilization FROM element_peaks" + pcscf), 0.4);
  EXPECT_EQ(QueryInt(db(), "SELECT peak_queue_length FROM element_peaks" + pcscf), 1);
}

TEST_F(RecorderViewsTest, EventCounts) {
  EXPECT_EQ(Query(db(), "SELECT events || '/' || first_s || '/' || last_s FROM event_counts" + Where(run1_) +
                            " AND kind = '503'"),
            "2/2.0/3.0");
  EXPECT_EQ(QueryInt(db(), "SELECT events FROM event_counts" + Where(run1_) + " AND kind = 'element-down'"), 1);
}

TEST_F(RecorderViewsTest, RunSummary) {
  const std::string run = " WHERE run_id = " + std::to_string(run1_);
  EXPECT_EQ(Query(db(), "SELECT scenario || '/' || seed || '/' || status || '/' || registrations || '/' || "
                        "registrations_successful || '/' || pushes || '/' || pushes_accepted || '/' || "
                        "pushes_delivered || '/' || peak_queue_length || '/' || refused || '/' || events "
                        "FROM run_summary" + run),
            "views/1/completed/6/4/110/104/104/8/3/3");
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT registration_success_ratio FROM run_summary" + run), 4.0 / 6.0);
  EXPECT_NEAR(QueryReal(db(), "SELECT registration_delay_p95_s FROM run_summary" + run), 0.4, 1e-9);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT push_success_ratio FROM run_summary" + run), 104.0 / 110.0);
  // Delivery over both methods, 104 samples: 0.1..0.8 at ranks 1..8, then 1..96 at ranks 9..104.
  // p50 rank 52 -> 44; p95 rank ceil(98.8) = 99 -> 91; p99 rank ceil(102.96) = 103 -> 95.
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT delivery_p50_s FROM run_summary" + run), 44);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT delivery_p95_s FROM run_summary" + run), 91);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT delivery_p99_s FROM run_summary" + run), 95);
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT peak_utilization FROM run_summary" + run), 0.9);

  const std::string other = " WHERE run_id = " + std::to_string(run2_);
  EXPECT_EQ(Query(db(), "SELECT registrations || '/' || pushes || '/' || events || '/' || "
                        "(registration_success_ratio IS NULL) || '/' || (peak_utilization IS NULL) "
                        "FROM run_summary" + other),
            "0/1/0/1/1");
  EXPECT_DOUBLE_EQ(QueryReal(db(), "SELECT delivery_p50_s FROM run_summary" + other), 2.0);
}

// ---------------------------------------------------------------------------------------------
// Interrupted runs and concurrent writers (child processes)

// Reads 8-byte counters from `fd` until one reaches `at_least` or the pipe closes; returns the
// last one read.
std::uint64_t ReadCountersUntil(int fd, std::uint64_t at_least) {
  std::uint64_t last = 0;
  std::uint64_t value = 0;
  while (last < at_least && read(fd, &value, sizeof value) == static_cast<ssize_t>(sizeof value)) last = value;
  return last;
}
std::uint64_t DrainCounters(int fd, std::uint64_t last) {
  std::uint64_t value = 0;
  while (read(fd, &value, sizeof value) == static_cast<ssize_t>(sizeof value)) last = value;
  return last;
}
void Announce(int fd, std::uint64_t value) {
  if (write(fd, &value, sizeof value) != static_cast<ssize_t>(sizeof value)) _exit(9);
}

TEST_F(RecorderTest, AKilledRunIsAbortedAndKeepsEveryCommittedBatch) {
  constexpr std::uint64_t kBatch = 500;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    RecorderOptions options;
    options.batch_rows = kBatch;
    auto opened = Recorder::Open(DbPath(), options);
    if (!opened.ok()) _exit(3);
    Recorder& recorder = opened.value();
    if (!recorder.BeginRun(Info("killed")).ok()) _exit(4);
    for (std::int64_t i = 0; i < 50'000'000; ++i) {
      recorder.AddPush(Push(i, i * 0.001));
      if (recorder.pending_rows() == 0) Announce(fds[1], recorder.committed_rows());
    }
    _exit(5);
  }
  close(fds[1]);
  const std::uint64_t seen = ReadCountersUntil(fds[0], 20 * kBatch);
  ASSERT_GE(seen, 20 * kBatch) << "the child stopped writing early";
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  const std::uint64_t announced = DrainCounters(fds[0], seen);
  close(fds[0]);

  Recorder recorder = OpenOrDie(DbPath());
  sqlite3* db = recorder.handle();
  EXPECT_EQ(Query(db, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(Query(db, "SELECT status FROM runs WHERE scenario = 'killed'"), "aborted");
  EXPECT_NE(Query(db, "SELECT error FROM runs WHERE scenario = 'killed'").find("pid " + std::to_string(child)),
            std::string::npos);
  const auto rows = static_cast<std::uint64_t>(QueryInt(db, "SELECT COUNT(*) FROM pushes"));
  // Every batch announced as committed is there; at most the one being committed when the
  // signal came is there too; batches are whole.
  EXPECT_GE(rows, announced);
  EXPECT_LE(rows, announced + kBatch);
  EXPECT_EQ(rows % kBatch, 0u);
  EXPECT_EQ(QueryInt(db, "SELECT MAX(push_id) + 1 FROM pushes"), static_cast<long long>(rows));
}

void InterruptChild(const std::string& path, int signal_number, const char* scenario) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    Recorder::InstallSignalHandlers();
    RecorderOptions options;
    options.batch_rows = 1'000'000'000;  // nothing is written before the interrupt
    auto opened = Recorder::Open(path, options);
    if (!opened.ok()) _exit(3);
    Recorder& recorder = opened.value();
    if (!recorder.BeginRun(Info(scenario)).ok()) _exit(4);
    for (std::int64_t i = 0; i < 20'000'000; ++i) {
      recorder.AddPush(Push(i, i * 0.001));
      if ((i + 1) % 1000 == 0) Announce(fds[1], static_cast<std::uint64_t>(i + 1));
      recorder.CheckInterrupt();  // the runner loop's poll
    }
    _exit(5);
  }
  close(fds[1]);
  const std::uint64_t seen = ReadCountersUntil(fds[0], 5000);
  ASSERT_GE(seen, 5000u) << "the child stopped writing early";
  ASSERT_EQ(kill(child, signal_number), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + signal_number);
  const std::uint64_t announced = DrainCounters(fds[0], seen);
  close(fds[0]);

  Connection check(path);
  EXPECT_EQ(Query(check.db, "PRAGMA integrity_check"), "ok");
  const std::string run = std::string(" FROM runs WHERE scenario = '") + scenario + "'";
  EXPECT_EQ(Query(check.db, "SELECT status" + run), "aborted");
  EXPECT_EQ(Query(check.db, "SELECT error" + run),
            signal_number == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM");
  EXPECT_NE(Query(check.db, "SELECT finished_at" + run), "NULL");
  // Every row added before the signal was acted on was flushed: at least those announced, ids
  // without a gap.
  const std::string rows = " FROM pushes WHERE run_id = (SELECT id" + run + ")";
  const auto count = static_cast<std::uint64_t>(QueryInt(check.db, "SELECT COUNT(*)" + rows));
  EXPECT_GE(count, announced);
  EXPECT_EQ(QueryInt(check.db, "SELECT MAX(push_id) + 1" + rows), static_cast<long long>(count));
}

TEST_F(RecorderTest, SigintFlushesMarksTheRunAbortedAndExits130) {
  InterruptChild(DbPath(), SIGINT, "interrupted");
}

TEST_F(RecorderTest, SigtermFlushesMarksTheRunAbortedAndExits143) {
  InterruptChild(DbPath(), SIGTERM, "terminated");
}

TEST_F(RecorderTest, TwoProcessesWritingAtOnceLoseNothing) {
  constexpr int kRows = 20000;
  int start[2];
  ASSERT_EQ(pipe(start), 0);
  pid_t children[2];
  for (int c = 0; c < 2; ++c) {
    children[c] = fork();
    ASSERT_GE(children[c], 0);
    if (children[c] == 0) {
      close(start[1]);
      char go = 0;
      if (read(start[0], &go, 1) < 0) _exit(2);  // returns at EOF: both start together
      RecorderOptions options;
      options.batch_rows = 250;  // 80 transactions each, interleaved with the other writer's
      // Both open a database that does not exist yet: the schema is created once.
      auto opened = Recorder::Open(DbPath(), options);
      if (!opened.ok()) _exit(3);
      Recorder& recorder = opened.value();
      if (!recorder.BeginRun(Info("writer" + std::to_string(c))).ok()) _exit(4);
      for (int i = 0; i < kRows; ++i) {
        recorder.AddPush(Push(i, i * 0.001));
        if (recorder.last_error()) _exit(5);
      }
      _exit(recorder.FinishRun(RunStatus::kCompleted).ok() ? 0 : 6);
    }
  }
  close(start[0]);
  close(start[1]);
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  Recorder recorder = OpenOrDie(DbPath());
  sqlite3* db = recorder.handle();
  EXPECT_EQ(Query(db, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM pushes"), 2 * kRows);
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM runs WHERE status = 'completed'"), 2);
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM runs"), 2);
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM (SELECT run_id FROM pushes GROUP BY run_id "
                         "HAVING COUNT(*) = 20000 AND COUNT(DISTINCT push_id) = 20000)"),
            2);
}

// ---------------------------------------------------------------------------------------------
// Determinism

void RecordSmallRun(Recorder& recorder, double last_delay) {
  ASSERT_TRUE(recorder.BeginRun(Info("same", 42)).ok());
  for (int i = 0; i < 5; ++i) {
    PushRow row = Push(i, i * 0.5);
    row.delivery_delay_s = i == 4 ? last_delay : 0.1 * i;
    recorder.AddPush(row);
  }
  recorder.AddEvent({1.0, "lockout-engaged", std::string("as"), std::string("line one\nline \"two\"\x01")});
  RegistrationRow registration;
  registration.user = "sip:alice@home1.net";
  registration.terminal = "<urn:uuid:a>";
  registration.start_s = 0.25;
  registration.end_s = 0.5;
  registration.final_code = 200;
  recorder.AddRegistration(registration);
  ASSERT_TRUE(recorder.FinishRun(RunStatus::kCompleted, {}, 10).ok());
}

TEST_F(RecorderTest, DumpRunIsEqualForEqualRunsAndDiffersOtherwise) {
  Recorder first = OpenOrDie(DbPath("first.db"));
  Recorder second = OpenOrDie(DbPath("second.db"));
  // A run of something else first, so that row ids differ between the two databases.
  ASSERT_TRUE(second.BeginRun(Info("other")).ok());
  second.AddPush(Push(99));
  ASSERT_TRUE(second.FinishRun(RunStatus::kCompleted).ok());

  RecordSmallRun(first, 0.4);
  RecordSmallRun(second, 0.4);
  RecordSmallRun(second, 0.4000001);
  auto a = first.DumpRun(1);
  auto b = second.DumpRun(2);
  auto c = second.DumpRun(3);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a.value(), b.value());
  EXPECT_NE(a.value(), c.value());

  const std::string& dump = a.value();
  // One line for the run and one per row: 1 + 5 pushes + 1 event + 1 registration.
  EXPECT_EQ(std::count(dump.begin(), dump.end(), '\n'), 8);
  EXPECT_EQ(dump.find("started_at"), std::string::npos);
  EXPECT_EQ(dump.find("pid="), std::string::npos);
  EXPECT_EQ(dump.find("host="), std::string::npos);
  EXPECT_NE(dump.find("status=\"completed\""), std::string::npos);
  EXPECT_NE(dump.find(R"(detail="line one\nline \"two\"\x01")"), std::string::npos) << dump;
  EXPECT_NE(dump.find("delivery_delay_s=0.40000000000000002"), std::string::npos) << dump;
  // A run that does not exist dumps as nothing.
  auto none = first.DumpRun(77);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value(), "");
}

// ---------------------------------------------------------------------------------------------
// Sweeps

TEST_F(RecorderTest, SweepsAndTheTagOfTheirRuns) {
  Recorder recorder = OpenOrDie(DbPath());
  sqlite3* db = recorder.handle();
  auto sweep = recorder.BeginSweep(SweepInfo{"capacity", "push.size", {"uniform(1KiB, 2KiB)", "4KiB", "say \"hi\""}, 3, 2});
  ASSERT_TRUE(sweep.ok()) << sweep.error().message;
  const std::string where = " FROM sweeps WHERE id = " + std::to_string(sweep.value());
  EXPECT_EQ(Query(db, "SELECT scenario || '/' || parameter || '/' || runs_per_value || '/' || jobs || '/' || status" + where),
            "capacity/push.size/3/2/running");
  // The values as a JSON array of the texts given, quotes escaped.
  EXPECT_EQ(Query(db, "SELECT \"values\"" + where), R"json(["uniform(1KiB, 2KiB)","4KiB","say \"hi\""])json");
  EXPECT_EQ(QueryInt(db, "SELECT json_array_length(\"values\")" + where), 3);
  EXPECT_EQ(Query(db, "SELECT finished_at IS NULL" + where), "1");

  recorder.SetSweepTag(SweepTag{sweep.value(), "4KiB", 4096.0});
  auto tagged = recorder.BeginRun(Info("capacity", 7));
  ASSERT_TRUE(tagged.ok());
  ASSERT_TRUE(recorder.FinishRun(RunStatus::kCompleted).ok());
  recorder.SetSweepTag(SweepTag{sweep.value(), "uniform(1KiB, 2KiB)", std::nullopt});
  auto untyped = recorder.BeginRun(Info("capacity", 8));
  ASSERT_TRUE(untyped.ok());
  ASSERT_TRUE(recorder.FinishRun(RunStatus::kCompleted).ok());
  recorder.SetSweepTag(std::nullopt);
  auto plain = recorder.BeginRun(Info("capacity", 9));
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE(recorder.FinishRun(RunStatus::kCompleted).ok());

  auto run_row = [&](std::int64_t id) {
    return Query(db, "SELECT COALESCE(sweep_id, 'NULL') || '|' || COALESCE(sweep_value, 'NULL') || '|' || "
                     "COALESCE(sweep_x, 'NULL') FROM runs WHERE id = " + std::to_string(id));
  };
  const std::string id = std::to_string(sweep.value());
  EXPECT_EQ(run_row(tagged.value()), id + "|4KiB|4096.0");
  EXPECT_EQ(run_row(untyped.value()), id + "|uniform(1KiB, 2KiB)|NULL");
  EXPECT_EQ(run_row(plain.value()), "NULL|NULL|NULL");

  ASSERT_TRUE(recorder.FinishSweep(sweep.value(), RunStatus::kAborted).ok());
  EXPECT_EQ(Query(db, "SELECT status" + where), "aborted");
  EXPECT_EQ(Query(db, "SELECT length(finished_at)" + where), "24");
  EXPECT_FALSE(recorder.FinishSweep(sweep.value() + 100, RunStatus::kCompleted).ok());
  // A run cannot name a sweep that does not exist (foreign key).
  recorder.SetSweepTag(SweepTag{sweep.value() + 100, "1", 1.0});
  EXPECT_FALSE(recorder.BeginRun(Info("capacity", 10)).ok());
}

TEST_F(RecorderTest, SweepPointsComputesGoodputSuccessAndP95PerRun) {
  Recorder recorder = OpenOrDie(DbPath());
  auto sweep = recorder.BeginSweep(SweepInfo{"views", "push.rate", {"100/s", "200/s"}, 2, 2});
  ASSERT_TRUE(sweep.ok());
  auto push = [](int id, bool accepted, std::optional<double> delivery) {
    PushRow row = Push(id);
    if (!accepted) {
      row.final_code = 486;
      row.app_status = "rejected-may-retry";
    }
    row.delivery_delay_s = delivery;
    return row;
  };
  std::vector<std::int64_t> runs;
  auto begin = [&](const char* value, double x, std::int64_t seed, double duration) {
    recorder.SetSweepTag(SweepTag{sweep.value(), value, x});
    RunInfo info = Info("views", seed);
    info.replication = seed - 1;
    info.sim_duration_s = duration;
    auto run = recorder.BeginRun(info);
    ASSERT_TRUE(run.ok());
    runs.push_back(run.value());
  };
  // A: 100/s, seed 1, 10 s reached. 4 pushes, 3 accepted and delivered after 0.1, 0.3, 0.2 s.
  // goodput 3 / 10 = 0.3/s; success 3/4; failure 1/4; p95 of 3 samples: rank ceil(2.85) = 3 -> 0.3.
  begin("100/s", 100, 1, 10);
  recorder.AddPush(push(1, true, 0.1));
  recorder.AddPush(push(2, true, 0.3));
  recorder.AddPush(push(3, false, std::nullopt));
  recorder.AddPush(push(4, true, 0.2));
  ASSERT_TRUE(recorder.FinishRun(RunStatus::kCompleted, {}, 10).ok());
  // B: 100/s, seed 2, aborted at 5 s of 10. 2 pushes accepted, delivered after 0.7 and 0.5 s.
  // goodput 2 / 5 = 0.4/s (over the simulated time reached); success 1; failure 0;
  // p95 of 2: rank ceil(1.9) = 2 -> 0.7.
  begin("100/s", 100, 2, 10);
  recorder.AddPush(push(1, true, 0.7));
  recorder.AddPush(push(2, true, 0.5));
  ASSERT_TRUE(recorder.FinishRun(RunStatus::kAborted, "interrupted", 5).ok());
  // C: 200/s, seed 1, no push at all and no time reached recorded: goodput 0 over the 10 s asked
  // for, ratios and p95 NULL.
  begin("200/s", 200, 1, 10);
  ASSERT_TRUE(recorder.FinishRun(RunStatus::kCompleted).ok());
  // D: 200/s, seed 2, 20 s. 20 pushes: k = 1..18 accepted, delivered after k/100 s; 19, 20 not.
  // goodput 18 / 20 = 0.9/s; success 0.9; failure 0.1; p95 of 18: rank ceil(17.1) = 18 -> 0.18.
  begin("200/s", 200, 2, 20);
  for (int k = 1; k <= 20; ++k) recorder.AddPush(push(k, k <= 18, k <= 18 ? std::optional<double>(k / 100.0) : std::nullopt));
  ASSERT_TRUE(recorder.FinishRun(RunStatus::kCompleted, {}, 20).ok());
  // A run outside the sweep is not a point.
  recorder.SetSweepTag(std::nullopt);
  ASSERT_TRUE(recorder.BeginRun(Info("views", 3)).ok());
  recorder.AddPush(Push(1));
  ASSERT_TRUE(recorder.FinishRun(RunStatus::kCompleted, {}, 10).ok());

  sqlite3* db = recorder.handle();
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM sweep_points"), 4);
  auto point = [&](std::size_t index, const std::string& column) {
    return Query(db, "SELECT " + column + " FROM sweep_points WHERE run_id = " + std::to_string(runs[index]));
  };
  auto real = [&](std::size_t index, const std::string& column) { return std::stod(point(index, column)); };
  EXPECT_EQ(point(0, "sweep_id || '/' || parameter || '/' || sweep_value || '/' || sweep_x || '/' || seed || '/' || status"),
            std::to_string(sweep.value()) + "/push.rate/100/s/100.0/1/completed");
  EXPECT_EQ(point(0, "offered_pushes || '/' || accepted_pushes"), "4/3");
  EXPECT_DOUBLE_EQ(real(0, "goodput_per_s"), 0.3);
  EXPECT_DOUBLE_EQ(real(0, "success_ratio"), 0.75);
  EXPECT_DOUBLE_EQ(real(0, "failure_ratio"), 0.25);
  EXPECT_DOUBLE_EQ(real(0, "delivery_p95_s"), 0.3);

  EXPECT_EQ(point(1, "status || '/' || offered_pushes || '/' || accepted_pushes || '/' || sim_s"), "aborted/2/2/5.0");
  EXPECT_DOUBLE_EQ(real(1, "goodput_per_s"), 0.4);
  EXPECT_DOUBLE_EQ(real(1, "success_ratio"), 1.0);
  EXPECT_DOUBLE_EQ(real(1, "failure_ratio"), 0.0);
  EXPECT_DOUBLE_EQ(real(1, "delivery_p95_s"), 0.7);

  EXPECT_EQ(point(2, "offered_pushes || '/' || accepted_pushes || '/' || sim_s"), "0/0/10.0");
  EXPECT_DOUBLE_EQ(real(2, "goodput_per_s"), 0.0);
  EXPECT_EQ(point(2, "success_ratio IS NULL AND failure_ratio IS NULL AND delivery_p95_s IS NULL"), "1");

  EXPECT_EQ(point(3, "sweep_value || '/' || offered_pushes || '/' || accepted_pushes"), "200/s/20/18");
  EXPECT_DOUBLE_EQ(real(3, "goodput_per_s"), 0.9);
  EXPECT_DOUBLE_EQ(real(3, "success_ratio"), 0.9);
  EXPECT_NEAR(real(3, "failure_ratio"), 0.1, 1e-12);
  EXPECT_DOUBLE_EQ(real(3, "delivery_p95_s"), 0.18);

  // Means over the replications of a value, as a reader would take them: 100/s -> (0.3 + 0.4) / 2.
  EXPECT_DOUBLE_EQ(QueryReal(db, "SELECT AVG(goodput_per_s) FROM sweep_points WHERE sweep_x = 100"), 0.35);
}

}  // namespace
}  // namespace pushsim::runner
