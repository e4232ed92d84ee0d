// Helpers of the runner tests: the rows of a query as text, a scenario loaded with --set
// overrides, and a temporary directory that is removed with its contents.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "scenario.h"

namespace pushsim::runner::testing {

// Rows of a query as text, columns separated by '|', NULL as "NULL".
inline std::vector<std::string> Rows(sqlite3* db, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    return rows;
  }
  while (sqlite3_step(statement) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(statement); ++c) {
      if (c) row += "|";
      const unsigned char* text = sqlite3_column_text(statement, c);
      row += text ? reinterpret_cast<const char*>(text) : "NULL";
    }
    rows.push_back(row);
  }
  sqlite3_finalize(statement);
  return rows;
}

// The first column of every row as a number, -1 for NULL.
inline std::vector<double> Numbers(sqlite3* db, const std::string& sql) {
  std::vector<double> out;
  for (const std::string& row : Rows(db, sql)) out.push_back(row == "NULL" ? -1 : std::atof(row.c_str()));
  return out;
}

// The single value of a query as a number (-1 for NULL or when there is not exactly one row).
inline double Number(sqlite3* db, const std::string& sql) {
  const auto values = Numbers(db, sql);
  if (values.size() != 1) {
    ADD_FAILURE() << sql << ": expected one row, got " << values.size();
    return -1;
  }
  return values[0];
}

// The scenario file with the --set assignments applied; a test failure (and an empty scenario)
// when either is wrong.
inline Scenario LoadWithOverrides(const std::string& file, const std::vector<std::string>& overrides) {
  auto loaded = LoadScenario(file);
  if (!loaded.ok()) {
    ADD_FAILURE() << loaded.error().ToString();
    return Scenario{};
  }
  Scenario scenario = std::move(loaded).value();
  for (const std::string& assignment : overrides) {
    if (auto error = ApplyOverride(scenario, assignment)) ADD_FAILURE() << file << ": " << error->ToString();
  }
  return scenario;
}

// A fresh directory under the system's temporary directory, removed on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "cannot create " << pattern;
      std::abort();
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace pushsim::runner::testing
