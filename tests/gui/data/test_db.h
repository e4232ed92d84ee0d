// Hand-built results databases for the dashboard's data tests: a fresh file with the project's
// schema (or none), filled by plain SQL.
#pragma once

#include <sqlite3.h>

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <sstream>
#include <string>

namespace pushsim::dashboard::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A database file in a temporary directory, open for writing while the test builds it.
class TestDb {
 public:
  // schema_path: the SQL to create it with ("" leaves the file empty of tables).
  explicit TestDb(const std::string& schema_path = PUSHSIM_SCHEMA_SQL, const std::string& file = "test.db")
      : path_(dir_.filePath(QString::fromStdString(file)).toStdString()) {
    if (sqlite3_open(path_.c_str(), &db_) != SQLITE_OK) qFatal("cannot create %s", path_.c_str());
    Exec("PRAGMA synchronous = OFF");  // a scratch file: no need to wait for the disk
    if (!schema_path.empty()) Exec("BEGIN; " + ReadFile(schema_path) + "; COMMIT;");
  }
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;
  ~TestDb() { sqlite3_close(db_); }

  void Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error ? error : "?";
      sqlite3_free(error);
      qFatal("SQL failed: %s\n%s", message.c_str(), sql.c_str());
    }
  }
  // Closes the writing connection (so that the file is complete, with no journal left).
  void Close() {
    sqlite3_close(db_);
    db_ = nullptr;
  }
  const std::string& path() const { return path_; }
  std::string Dir() const { return dir_.path().toStdString(); }

  // A run row with the columns the dashboard reads; returns nothing, the id is given.
  void AddRun(int64_t id, const std::string& status = "completed", const std::string& parameters = "{}",
              double sim_s = 10) {
    Exec("INSERT INTO runs (id, scenario, scenario_text, parameters, seed, program_version, host, pid, started_at, "
         "finished_at, sim_duration_s, sim_reached_s, status) VALUES (" +
         std::to_string(id) + ", 'hand', '', '" + parameters + "', " + std::to_string(id) +
         ", 'test', 'host', 1, '2024-05-01T10:00:00Z', '2024-05-01T10:00:02.5Z', " + std::to_string(sim_s) + ", " +
         std::to_string(sim_s) + ", '" + status + "')");
  }

 private:
  QTemporaryDir dir_;
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace pushsim::dashboard::testing
