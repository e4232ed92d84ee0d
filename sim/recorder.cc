#include "recorder.h"

#include "scenario.h"
#include "schema_sql.h"

#include <sqlite3.h>

#include <algorithm>
#include <csignal>
#include <iterator>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

#ifndef PUSHSIM_VERSION
#define PUSHSIM_VERSION "unknown"
#endif

namespace pushsim::runner {
namespace {

volatile std::sig_atomic_t g_pending_signal = 0;

extern "C" void RecordSignal(int signal_number) {
  if (g_pending_signal != 0) {
    // The first signal has not been acted on: the runner is not polling. Die as the default
    // action would; the next Open() marks the run 'aborted'.
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
    return;
  }
  g_pending_signal = signal_number;
}

DbError ErrorFrom(sqlite3* db, int code, std::string_view what) {
  std::string message(what);
  if (db != nullptr) {
    message += ": ";
    message += sqlite3_errmsg(db);
  } else {
    message += ": ";
    message += sqlite3_errstr(code);
  }
  return DbError{code, std::move(message)};
}

bool IsBusy(int code) {
  const int primary = code & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

std::string ReadFile(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::ostringstream text;
  if (*ok) text << in.rdbuf();
  return text.str();
}

std::string TrimmedFirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

// Runs one statement that returns no rows (or whose rows do not matter).
int Exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

struct Finalize {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using LocalStatement = std::unique_ptr<sqlite3_stmt, Finalize>;

LocalStatement PrepareLocal(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return nullptr;
  }
  return LocalStatement(stmt);
}

std::optional<std::int64_t> QueryInt(sqlite3* db, const char* sql) {
  auto stmt = PrepareLocal(db, sql);
  if (!stmt || sqlite3_step(stmt.get()) != SQLITE_ROW) return std::nullopt;
  return sqlite3_column_int64(stmt.get(), 0);
}

void BindText(sqlite3_stmt* stmt, int index, std::string_view text) {
  if (text.size() > kMaxTextBytes) text = text.substr(0, kMaxTextBytes);
  // SQLITE_STATIC: the row outlives the statement's step.
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}
void BindText(sqlite3_stmt* stmt, int index, const std::optional<std::string>& text) {
  if (text) {
    BindText(stmt, index, std::string_view(*text));
  } else {
    sqlite3_bind_null(stmt, index);
  }
}
void BindReal(sqlite3_stmt* stmt, int index, std::optional<double> value) {
  if (value) {
    sqlite3_bind_double(stmt, index, *value);
  } else {
    sqlite3_bind_null(stmt, index);
  }
}
void BindInt(sqlite3_stmt* stmt, int index, std::optional<std::int64_t> value) {
  if (value) {
    sqlite3_bind_int64(stmt, index, *value);
  } else {
    sqlite3_bind_null(stmt, index);
  }
}
std::optional<std::int64_t> Widen(std::optional<int> value) {
  if (!value) return std::nullopt;
  return *value;
}

// One table's columns as (name, declared type, not null, primary key), for comparing schemas.
std::vector<std::string> TableColumns(sqlite3* db, const std::string& table) {
  std::vector<std::string> columns;
  auto stmt = PrepareLocal(db, "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1)");
  if (!stmt) return columns;
  sqlite3_bind_text(stmt.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(stmt.get()) == SQLITE_ROW) {
    std::string column = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
    column += ' ';
    column += reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 1));
    if (sqlite3_column_int(stmt.get(), 2) != 0) column += " NOT NULL";
    if (sqlite3_column_int(stmt.get(), 3) != 0) column += " PRIMARY KEY";
    columns.push_back(std::move(column));
  }
  return columns;
}

std::string JoinNames(const std::vector<std::string>& items) {
  std::string joined;
  for (const auto& item : items) {
    if (!joined.empty()) joined += ", ";
    joined += item.substr(0, item.find(' '));
  }
  return joined;
}

// The tables and views of a database, as (type, name), in name order.
std::vector<std::pair<std::string, std::string>> SchemaObjects(sqlite3* db) {
  std::vector<std::pair<std::string, std::string>> objects;
  auto stmt = PrepareLocal(db,
                           "SELECT type, name FROM sqlite_schema WHERE type IN ('table', 'view') "
                           "AND name NOT LIKE 'sqlite_%' ORDER BY name");
  if (!stmt) return objects;
  while (sqlite3_step(stmt.get()) == SQLITE_ROW) {
    objects.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0)),
                         reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 1)));
  }
  return objects;
}

// Compares the database's tables and views with those the schema script creates.
std::optional<std::string> SchemaMismatch(sqlite3* db, const std::string& schema_sql) {
  sqlite3* raw = nullptr;
  if (sqlite3_open(":memory:", &raw) != SQLITE_OK) {
    sqlite3_close(raw);
    return std::string("cannot open an in-memory database to compare schemas");
  }
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> reference(raw, sqlite3_close);
  if (Exec(reference.get(), schema_sql.c_str()) != SQLITE_OK) {
    return std::string("the schema file does not run: ") + sqlite3_errmsg(reference.get());
  }
  const auto present = SchemaObjects(db);
  for (const auto& [type, name] : SchemaObjects(reference.get())) {
    bool found = false;
    for (const auto& object : present) {
      if (object.second == name) {
        if (object.first != type) return type + " " + name + " is a " + object.first;
        found = true;
      }
    }
    if (!found) return type + " " + name + " is missing";
    if (type != "table") continue;
    const auto expected = TableColumns(reference.get(), name);
    const auto actual = TableColumns(db, name);
    if (expected != actual) {
      return "table " + name + " has columns (" + JoinNames(actual) + "), expected (" +
             JoinNames(expected) + ")";
    }
  }
  return std::nullopt;
}

void AppendQuoted(std::string& out, const unsigned char* text, int length) {
  out += '"';
  for (int i = 0; i < length; ++i) {
    const unsigned char c = text[i];
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// The statements of a schema script, each with the comments before it. sqlite3_complete()
// decides where a statement ends, so semicolons in comments, strings and CREATE TRIGGER bodies
// do not split one.
std::vector<std::string> SplitStatements(const std::string& script) {
  std::vector<std::string> statements;
  std::string current;
  for (const char c : script) {
    current += c;
    if (c == ';' && sqlite3_complete(current.c_str()) != 0) {
      statements.push_back(std::move(current));
      current.clear();
    }
  }
  return statements;
}

// The name of the table, index or view a CREATE statement makes; empty for other statements.
std::string CreatedName(std::string_view statement) {
  // Skip blanks and "--" comments before the statement.
  for (;;) {
    const std::size_t start = statement.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) return {};
    statement.remove_prefix(start);
    if (statement.substr(0, 2) != "--") break;
    const std::size_t end = statement.find('\n');
    if (end == std::string_view::npos) return {};
    statement.remove_prefix(end + 1);
  }
  for (const std::string_view prefix : {"CREATE TABLE ", "CREATE INDEX ", "CREATE VIEW "}) {
    if (statement.substr(0, prefix.size()) != prefix) continue;
    statement.remove_prefix(prefix.size());
    const std::size_t end = statement.find_first_of(" \t\r\n(");
    return std::string(statement.substr(0, end));
  }
  return {};
}

// Version 1 to 2: the columns ALTER TABLE adds (they come last in their tables, as in
// schema.sql), then the objects version 2 added, created from the schema text in its order.
constexpr const char* kColumnsAddedIn2[] = {
    "ALTER TABLE runs ADD COLUMN sweep_id INTEGER REFERENCES sweeps (id)",
    "ALTER TABLE runs ADD COLUMN sweep_value TEXT",
    "ALTER TABLE runs ADD COLUMN sweep_x REAL",
    "ALTER TABLE pushes ADD COLUMN call_id TEXT",
};
constexpr std::string_view kObjectsAddedIn2[] = {"sweeps", "runs_by_sweep", "pushes_by_delivery", "nodes",
                                                  "sweep_points"};

// Migrates a version-1 database to version 2 inside the caller's transaction; on error the
// caller rolls back, which leaves the database as it was.
std::optional<std::string> MigrateFrom1(sqlite3* db, const std::string& schema_sql) {
  for (const char* statement : kColumnsAddedIn2) {
    if (Exec(db, statement) != SQLITE_OK) return std::string(sqlite3_errmsg(db));
  }
  std::size_t created = 0;
  for (const std::string& statement : SplitStatements(schema_sql)) {
    const std::string name = CreatedName(statement);
    if (std::find(std::begin(kObjectsAddedIn2), std::end(kObjectsAddedIn2), name) == std::end(kObjectsAddedIn2)) {
      continue;
    }
    if (Exec(db, statement.c_str()) != SQLITE_OK) return "cannot create " + name + ": " + sqlite3_errmsg(db);
    ++created;
  }
  if (created != std::size(kObjectsAddedIn2)) {
    return std::string("the schema text lacks some of the objects version 2 added");
  }
  if (Exec(db, "PRAGMA user_version = 2") != SQLITE_OK) return std::string(sqlite3_errmsg(db));
  return std::nullopt;
}

// Columns that differ between two runs of the same inputs.
bool IsRunIdentityColumn(std::string_view column) {
  // sweep_id is another table's row id; the sweep's value (sweep_value, sweep_x) is an input.
  return column == "id" || column == "run_id" || column == "sweep_id" || column == "started_at" ||
         column == "finished_at" || column == "host" || column == "pid" ||
         column == "process_start";
}

}  // namespace

std::string_view RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning: return "running";
    case RunStatus::kCompleted: return "completed";
    case RunStatus::kAborted: return "aborted";
    case RunStatus::kFailed: return "failed";
  }
  return "failed";
}

std::string IsoTimestampNow() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm utc{};
  gmtime_r(&now.tv_sec, &utc);
  char text[40];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + length, sizeof text - length, ".%03ldZ", now.tv_nsec / 1000000);
  return text;
}

std::string ProcessStartToken(long pid) {
  if (pid <= 0) return {};
  bool ok = false;
  const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat", &ok);
  if (!ok || stat.empty()) return {};
  // The command name (field 2) is in parentheses and may hold spaces or ')': fields 3.. follow
  // the last ')'. Field 3 is the state, field 22 the start time in clock ticks (proc(5)).
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  std::string state;
  std::string start_time;
  for (int number = 3; number <= 22 && fields >> field; ++number) {
    if (number == 3) state = field;
    if (number == 22) start_time = field;
  }
  if (start_time.empty() || state == "Z" || state == "X") return {};
  const std::string boot_id =
      TrimmedFirstLine(ReadFile("/proc/sys/kernel/random/boot_id", &ok));
  return boot_id + ":" + start_time;
}

void Recorder::DbCloser::operator()(sqlite3* db) const { sqlite3_close_v2(db); }
void Recorder::StmtFinalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Recorder::Recorder(std::unique_ptr<sqlite3, DbCloser> db, RecorderOptions options)
    : db_(std::move(db)), options_(std::move(options)) {
  if (options_.batch_rows == 0) options_.batch_rows = 1;
}

Recorder::Recorder(Recorder&& other) noexcept = default;

Recorder& Recorder::operator=(Recorder&& other) noexcept {
  if (this != &other) {
    FinishOpenRun();
    insert_registration_.reset();
    insert_push_.reset();
    insert_sample_.reset();
    insert_method_sample_.reset();
    insert_event_.reset();
    insert_message_.reset();
    insert_node_.reset();
    db_ = std::move(other.db_);
    options_ = std::move(other.options_);
    insert_registration_ = std::move(other.insert_registration_);
    insert_push_ = std::move(other.insert_push_);
    insert_sample_ = std::move(other.insert_sample_);
    insert_method_sample_ = std::move(other.insert_method_sample_);
    insert_event_ = std::move(other.insert_event_);
    insert_message_ = std::move(other.insert_message_);
    insert_node_ = std::move(other.insert_node_);
    run_id_ = std::exchange(other.run_id_, std::nullopt);
    registrations_ = std::move(other.registrations_);
    pushes_ = std::move(other.pushes_);
    samples_ = std::move(other.samples_);
    events_ = std::move(other.events_);
    messages_ = std::move(other.messages_);
    nodes_ = std::move(other.nodes_);
    sweep_tag_ = std::move(other.sweep_tag_);
    pending_rows_ = std::exchange(other.pending_rows_, 0);
    committed_rows_ = other.committed_rows_;
    dropped_rows_ = other.dropped_rows_;
    last_error_ = std::move(other.last_error_);
  }
  return *this;
}

Recorder::~Recorder() { FinishOpenRun(); }

void Recorder::FinishOpenRun() {
  if (!db_) return;
  if (run_id_) {
    (void)FinishRun(RunStatus::kAborted, "the recorder was closed before the run finished");
  } else {
    (void)Flush();
  }
}

DbResult<Recorder> Recorder::Open(const std::string& path, RecorderOptions options) {
  // The built-in schema unless a test or a developer points at another file.
  const std::string schema_path = options.schema_path.empty() ? "the built-in schema" : options.schema_path;
  bool read_ok = true;
  const std::string schema_sql = options.schema_path.empty() ? std::string(kSchemaSql) : ReadFile(schema_path, &read_ok);
  if (!read_ok) return DbError{0, "cannot read the results schema " + schema_path};

  sqlite3* raw = nullptr;
  const int open_code = sqlite3_open_v2(path.c_str(), &raw,
                                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<sqlite3, DbCloser> db(raw);
  if (open_code != SQLITE_OK) {
    return ErrorFrom(raw, open_code, "cannot open the results database " + path);
  }
  sqlite3_busy_timeout(db.get(), static_cast<int>(options.busy_timeout.count()));
  Recorder recorder(std::move(db), std::move(options));
  sqlite3* handle = recorder.db_.get();

  // Switching to WAL needs a moment alone with the database; another process opening it at the
  // same time can make it busy, so retry like a write.
  const auto deadline = std::chrono::steady_clock::now() + recorder.options_.busy_timeout;
  for (;;) {
    const int code = Exec(handle, "PRAGMA journal_mode = WAL");
    if (code == SQLITE_OK) break;
    if (!IsBusy(code) || std::chrono::steady_clock::now() >= deadline) {
      return ErrorFrom(handle, code, path + " is not a usable results database");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  // NORMAL is safe with WAL: a crash of the process loses no committed transaction (only a power
  // failure can lose the last ones), and the database stays consistent either way.
  Exec(handle, "PRAGMA synchronous = NORMAL");
  Exec(handle, "PRAGMA foreign_keys = ON");

  if (auto begun = recorder.BeginImmediate(); !begun.ok()) return begun.error();
  auto fail = [&](DbError error) -> DbResult<Recorder> {
    Exec(handle, "ROLLBACK");
    return error;
  };
  const auto version = QueryInt(handle, "PRAGMA user_version");
  const auto objects = QueryInt(handle, "SELECT COUNT(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'");
  if (!version || !objects) {
    return fail(ErrorFrom(handle, sqlite3_errcode(handle), path + " is not a usable results database"));
  }
  int migrated_from = 0;
  if (*version == 0 && *objects == 0) {
    if (const int code = Exec(handle, schema_sql.c_str()); code != SQLITE_OK) {
      return fail(ErrorFrom(handle, code, "cannot create the schema from " + schema_path));
    }
    const auto created = QueryInt(handle, "PRAGMA user_version");
    if (!created || *created != kSchemaVersion) {
      return fail(DbError{0, schema_path + " sets schema version " +
                                 std::to_string(created.value_or(0)) + ", this program writes " +
                                 std::to_string(kSchemaVersion)});
    }
  } else if (*version == 0) {
    return fail(DbError{0, path + " is not a pushsim results database: it holds tables but no "
                               "schema version (PRAGMA user_version is 0)"});
  } else if (*version > kSchemaVersion) {
    return fail(DbError{0, path + " has results schema version " + std::to_string(*version) +
                               ", newer than this program's version " + std::to_string(kSchemaVersion) +
                               ": it was written by a later pushsim; use that one, or another database"});
  } else if (*version == 1) {
    migrated_from = 1;
    if (auto problem = MigrateFrom1(handle, schema_sql)) {
      return fail(DbError{0, path + " is not a pushsim results database of schema version 1 (it cannot be "
                                 "migrated to version " + std::to_string(kSchemaVersion) + "): " + *problem});
    }
  } else if (*version != kSchemaVersion) {
    return fail(DbError{0, path + " has results schema version " + std::to_string(*version) +
                               "; this program reads and writes version " +
                               std::to_string(kSchemaVersion)});
  }
  if (auto mismatch = SchemaMismatch(handle, schema_sql)) {
    return fail(DbError{0, path + " is not a pushsim results database of schema version " +
                               std::to_string(migrated_from != 0 ? migrated_from : kSchemaVersion) + ": " +
                               *mismatch});
  }

  // Runs left 'running' by processes of this host that are gone.
  {
    auto select = PrepareLocal(handle,
                               "SELECT id, pid, process_start FROM runs "
                               "WHERE status = 'running' AND host = ?1");
    auto update = PrepareLocal(handle,
                               "UPDATE runs SET status = 'aborted', error = ?2 WHERE id = ?1");
    if (!select || !update) return fail(ErrorFrom(handle, sqlite3_errcode(handle), "cannot check interrupted runs"));
    const std::string host = HostName();
    sqlite3_bind_text(select.get(), 1, host.c_str(), -1, SQLITE_TRANSIENT);
    std::vector<std::pair<std::int64_t, std::int64_t>> dead;
    while (sqlite3_step(select.get()) == SQLITE_ROW) {
      const std::int64_t pid = sqlite3_column_int64(select.get(), 1);
      const auto* recorded = sqlite3_column_text(select.get(), 2);
      const std::string now = ProcessStartToken(static_cast<long>(pid));
      const bool alive = !now.empty() &&
                         (recorded == nullptr || now == reinterpret_cast<const char*>(recorded));
      if (!alive) dead.emplace_back(sqlite3_column_int64(select.get(), 0), pid);
    }
    for (const auto& [id, pid] : dead) {
      const std::string reason = "the process (pid " + std::to_string(pid) + " on " + host +
                                 ") ended without finishing the run";
      sqlite3_bind_int64(update.get(), 1, id);
      sqlite3_bind_text(update.get(), 2, reason.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(update.get()) != SQLITE_DONE) {
        return fail(ErrorFrom(handle, sqlite3_errcode(handle), "cannot mark run " + std::to_string(id) + " aborted"));
      }
      sqlite3_reset(update.get());
    }
  }
  if (const int code = Exec(handle, "COMMIT"); code != SQLITE_OK) {
    return fail(ErrorFrom(handle, code, "cannot commit the schema check"));
  }
  if (auto prepared = recorder.Prepare(); !prepared.ok()) return prepared.error();
  return DbResult<Recorder>(std::move(recorder));
}

DbStatus Recorder::Prepare() {
  struct Entry {
    Statement* statement;
    const char* sql;
  };
  const Entry entries[] = {
      {&insert_registration_,
       "INSERT INTO registrations (run_id, user, terminal, kind, start_s, end_s, final_code, "
       "retransmissions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
      {&insert_push_,
       "INSERT INTO pushes (run_id, push_id, created_s, method, size_bytes, target_kind, "
       "target_uri, terminal, final_code, app_status, response_delay_s, delivery_delay_s, "
       "retries, call_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
      {&insert_sample_,
       "INSERT INTO element_samples (run_id, element, role, time_s, interval_s, queue_length, "
       "utilization, messages_in, messages_out, refused) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
      {&insert_method_sample_,
       "INSERT INTO element_method_samples (run_id, element, time_s, method, messages_in, "
       "messages_out, refused) VALUES (?, ?, ?, ?, ?, ?, ?)"},
      {&insert_event_,
       "INSERT INTO events (run_id, time_s, kind, element, detail) VALUES (?, ?, ?, ?, ?)"},
      {&insert_message_,
       "INSERT INTO messages (run_id, time_s, node, direction, peer, first_line, call_id, cseq, "
       "size_bytes, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
      {&insert_node_, "INSERT INTO nodes (run_id, name, role, address) VALUES (?, ?, ?, ?)"},
  };
  for (const Entry& entry : entries) {
    sqlite3_stmt* stmt = nullptr;
    const int code = sqlite3_prepare_v3(db_.get(), entry.sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (code != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return ErrorFrom(db_.get(), code, "cannot prepare the recorder's statements");
    }
    entry.statement->reset(stmt);
  }
  return Done{};
}

DbStatus Recorder::BeginImmediate() {
  // The busy timeout already waits inside SQLite; the loop covers the cases where SQLite returns
  // SQLITE_BUSY at once (it does so rather than risk a deadlock) until our own deadline.
  const auto deadline = std::chrono::steady_clock::now() + options_.busy_timeout;
  unsigned attempt = 0;
  for (;;) {
    const int code = Exec(db_.get(), "BEGIN IMMEDIATE");
    if (code == SQLITE_OK) return Done{};
    if (!IsBusy(code) || std::chrono::steady_clock::now() >= deadline) {
      return ErrorFrom(db_.get(), code, "cannot start a write transaction");
    }
    ++attempt;
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + (attempt % 8)));
  }
}

DbResult<std::int64_t> Recorder::BeginRun(const RunInfo& info) {
  if (!db_) return DbError{0, "the recorder is closed"};
  if (run_id_) {
    if (auto finished = FinishRun(RunStatus::kAborted, "a new run began before this one finished");
        !finished.ok()) {
      return finished.error();
    }
  }
  auto insert = PrepareLocal(db_.get(),
                             "INSERT INTO runs (scenario, scenario_text, parameters, seed, "
                             "replication, program_version, host, pid, process_start, started_at, "
                             "sim_duration_s, status, sweep_id, sweep_value, sweep_x) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)");
  if (!insert) return ErrorFrom(db_.get(), sqlite3_errcode(db_.get()), "cannot prepare the run");
  const std::string version = info.program_version.empty() ? PUSHSIM_VERSION : info.program_version;
  const std::string host = HostName();
  const long pid = static_cast<long>(getpid());
  const std::string start_token = ProcessStartToken(pid);
  const std::string started_at = IsoTimestampNow();
  sqlite3_stmt* stmt = insert.get();
  BindText(stmt, 1, std::string_view(info.scenario));
  BindText(stmt, 2, std::string_view(info.scenario_text));
  const std::string_view parameters =
      info.parameters_json.empty() ? std::string_view("{}") : std::string_view(info.parameters_json);
  BindText(stmt, 3, parameters);
  sqlite3_bind_int64(stmt, 4, info.seed);
  sqlite3_bind_int64(stmt, 5, info.replication);
  BindText(stmt, 6, std::string_view(version));
  BindText(stmt, 7, std::string_view(host));
  sqlite3_bind_int64(stmt, 8, pid);
  if (start_token.empty()) {
    sqlite3_bind_null(stmt, 9);
  } else {
    BindText(stmt, 9, std::string_view(start_token));
  }
  BindText(stmt, 10, std::string_view(started_at));
  BindReal(stmt, 11, info.sim_duration_s);
  if (sweep_tag_) {
    sqlite3_bind_int64(stmt, 12, sweep_tag_->sweep_id);
    BindText(stmt, 13, std::string_view(sweep_tag_->value));
    BindReal(stmt, 14, sweep_tag_->x);
  }  // else the three stay NULL
  if (auto begun = BeginImmediate(); !begun.ok()) return begun.error();
  if (const int code = sqlite3_step(stmt); code != SQLITE_DONE) {
    DbError error = ErrorFrom(db_.get(), code, "cannot record the run");
    insert.reset();
    Exec(db_.get(), "ROLLBACK");
    return error;
  }
  const std::int64_t id = sqlite3_last_insert_rowid(db_.get());
  insert.reset();
  if (const int code = Exec(db_.get(), "COMMIT"); code != SQLITE_OK) {
    DbError error = ErrorFrom(db_.get(), code, "cannot record the run");
    Exec(db_.get(), "ROLLBACK");
    return error;
  }
  run_id_ = id;
  last_error_.reset();
  return id;
}

DbResult<std::int64_t> Recorder::BeginSweep(const SweepInfo& info) {
  if (!db_) return DbError{0, "the recorder is closed"};
  auto insert = PrepareLocal(db_.get(),
                             "INSERT INTO sweeps (scenario, parameter, \"values\", runs_per_value, jobs, "
                             "started_at, status) VALUES (?, ?, ?, ?, ?, ?, 'running')");
  if (!insert) return ErrorFrom(db_.get(), sqlite3_errcode(db_.get()), "cannot prepare the sweep");
  std::string values = "[";
  for (std::size_t i = 0; i < info.values.size(); ++i) values += (i ? "," : "") + JsonQuote(info.values[i]);
  values += "]";
  const std::string started_at = IsoTimestampNow();
  sqlite3_stmt* stmt = insert.get();
  BindText(stmt, 1, std::string_view(info.scenario));
  BindText(stmt, 2, std::string_view(info.parameter));
  BindText(stmt, 3, std::string_view(values));
  sqlite3_bind_int64(stmt, 4, info.runs_per_value);
  sqlite3_bind_int64(stmt, 5, info.jobs);
  BindText(stmt, 6, std::string_view(started_at));
  if (auto begun = BeginImmediate(); !begun.ok()) return begun.error();
  int code = sqlite3_step(stmt);
  const std::int64_t id = sqlite3_last_insert_rowid(db_.get());
  insert.reset();
  if (code == SQLITE_DONE) code = Exec(db_.get(), "COMMIT");
  if (code != SQLITE_OK) {
    DbError error = ErrorFrom(db_.get(), code, "cannot record the sweep");
    Exec(db_.get(), "ROLLBACK");
    return error;
  }
  return id;
}

DbStatus Recorder::FinishSweep(std::int64_t sweep_id, RunStatus status) {
  if (!db_) return DbError{0, "the recorder is closed"};
  auto update = PrepareLocal(db_.get(), "UPDATE sweeps SET status = ?2, finished_at = ?3 WHERE id = ?1");
  if (!update) return ErrorFrom(db_.get(), sqlite3_errcode(db_.get()), "cannot finish the sweep");
  const std::string finished_at = IsoTimestampNow();
  sqlite3_bind_int64(update.get(), 1, sweep_id);
  BindText(update.get(), 2, RunStatusName(status));
  BindText(update.get(), 3, std::string_view(finished_at));
  if (auto begun = BeginImmediate(); !begun.ok()) return begun.error();
  int code = sqlite3_step(update.get());
  const int changed = sqlite3_changes(db_.get());
  update.reset();
  if (code == SQLITE_DONE) code = Exec(db_.get(), "COMMIT");
  if (code != SQLITE_OK) {
    DbError error = ErrorFrom(db_.get(), code, "cannot finish the sweep");
    Exec(db_.get(), "ROLLBACK");
    return error;
  }
  if (changed == 0) return DbError{0, "no sweep " + std::to_string(sweep_id)};
  return Done{};
}

bool Recorder::AcceptRow() {
  if (!db_ || !run_id_) return false;
  if (pending_rows_ / kMaxPendingBatches >= options_.batch_rows) {
    ++dropped_rows_;
    return false;
  }
  return true;
}

void Recorder::AfterAdd() {
  // After a failed write the batch stays buffered; retry when another batch has gathered rather
  // than on every row.
  if (pending_rows_ == 0 || pending_rows_ % options_.batch_rows != 0) return;
  if (auto written = WriteBatch(); !written.ok()) last_error_ = written.error();
}

void Recorder::AddRegistration(RegistrationRow row) {
  if (!AcceptRow()) return;
  registrations_.push_back(std::move(row));
  ++pending_rows_;
  AfterAdd();
}

void Recorder::AddPush(PushRow row) {
  if (!AcceptRow()) return;
  pushes_.push_back(std::move(row));
  ++pending_rows_;
  AfterAdd();
}

void Recorder::AddElementSample(ElementSample sample) {
  if (!AcceptRow()) return;
  samples_.push_back(std::move(sample));
  // The per-method rows ride along with their sample; the sample counts as one row for batching.
  ++pending_rows_;
  AfterAdd();
}

void Recorder::AddEvent(EventRow row) {
  if (!AcceptRow()) return;
  events_.push_back(std::move(row));
  ++pending_rows_;
  AfterAdd();
}

void Recorder::AddMessage(MessageRow row) {
  if (!AcceptRow()) return;
  messages_.push_back(std::move(row));
  ++pending_rows_;
  AfterAdd();
}

void Recorder::AddNode(NodeRow row) {
  if (!AcceptRow()) return;
  nodes_.push_back(std::move(row));
  ++pending_rows_;
  AfterAdd();
}

DbStatus Recorder::WriteBatch() {
  if (pending_rows_ == 0) return Done{};
  if (!db_) return DbError{0, "the recorder is closed"};
  if (auto begun = BeginImmediate(); !begun.ok()) return begun.error();
  sqlite3* db = db_.get();
  const std::int64_t run = *run_id_;
  int code = SQLITE_DONE;
  auto step = [&](sqlite3_stmt* stmt) {
    if (code == SQLITE_DONE) code = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return code == SQLITE_DONE;
  };
  for (const auto& row : registrations_) {
    sqlite3_stmt* s = insert_registration_.get();
    sqlite3_bind_int64(s, 1, run);
    BindText(s, 2, std::string_view(row.user));
    BindText(s, 3, std::string_view(row.terminal));
    BindText(s, 4, std::string_view(row.kind));
    sqlite3_bind_double(s, 5, row.start_s);
    BindReal(s, 6, row.end_s);
    BindInt(s, 7, Widen(row.final_code));
    sqlite3_bind_int64(s, 8, row.retransmissions);
    if (!step(s)) break;
  }
  for (const auto& row : pushes_) {
    if (code != SQLITE_DONE) break;
    sqlite3_stmt* s = insert_push_.get();
    sqlite3_bind_int64(s, 1, run);
    sqlite3_bind_int64(s, 2, row.push_id);
    sqlite3_bind_double(s, 3, row.created_s);
    BindText(s, 4, std::string_view(row.method));
    sqlite3_bind_int64(s, 5, row.size_bytes);
    BindText(s, 6, std::string_view(row.target_kind));
    BindText(s, 7, std::string_view(row.target_uri));
    BindText(s, 8, row.terminal);
    BindInt(s, 9, Widen(row.final_code));
    BindText(s, 10, std::string_view(row.app_status));
    BindReal(s, 11, row.response_delay_s);
    BindReal(s, 12, row.delivery_delay_s);
    sqlite3_bind_int64(s, 13, row.retries);
    BindText(s, 14, row.call_id);
    if (!step(s)) break;
  }
  for (const auto& sample : samples_) {
    if (code != SQLITE_DONE) break;
    sqlite3_stmt* s = insert_sample_.get();
    sqlite3_bind_int64(s, 1, run);
    BindText(s, 2, std::string_view(sample.element));
    BindText(s, 3, std::string_view(sample.role));
    sqlite3_bind_double(s, 4, sample.time_s);
    sqlite3_bind_double(s, 5, sample.interval_s);
    sqlite3_bind_int64(s, 6, sample.queue_length);
    sqlite3_bind_double(s, 7, sample.utilization);
    sqlite3_bind_int64(s, 8, sample.messages_in);
    sqlite3_bind_int64(s, 9, sample.messages_out);
    sqlite3_bind_int64(s, 10, sample.refused);
    if (!step(s)) break;
    for (const auto& counts : sample.per_method) {
      sqlite3_stmt* m = insert_method_sample_.get();
      sqlite3_bind_int64(m, 1, run);
      BindText(m, 2, std::string_view(sample.element));
      sqlite3_bind_double(m, 3, sample.time_s);
      BindText(m, 4, std::string_view(counts.method));
      sqlite3_bind_int64(m, 5, counts.messages_in);
      sqlite3_bind_int64(m, 6, counts.messages_out);
      sqlite3_bind_int64(m, 7, counts.refused);
      if (!step(m)) break;
    }
  }
  for (const auto& row : events_) {
    if (code != SQLITE_DONE) break;
    sqlite3_stmt* s = insert_event_.get();
    sqlite3_bind_int64(s, 1, run);
    sqlite3_bind_double(s, 2, row.time_s);
    BindText(s, 3, std::string_view(row.kind));
    BindText(s, 4, row.element);
    BindText(s, 5, row.detail);
    if (!step(s)) break;
  }
  for (const auto& row : messages_) {
    if (code != SQLITE_DONE) break;
    sqlite3_stmt* s = insert_message_.get();
    sqlite3_bind_int64(s, 1, run);
    sqlite3_bind_double(s, 2, row.time_s);
    BindText(s, 3, std::string_view(row.node));
    BindText(s, 4, std::string_view(row.direction));
    BindText(s, 5, row.peer);
    BindText(s, 6, std::string_view(row.first_line));
    BindText(s, 7, row.call_id);
    BindText(s, 8, row.cseq);
    sqlite3_bind_int64(s, 9, row.size_bytes);
    BindText(s, 10, row.text);
    if (!step(s)) break;
  }
  for (const auto& row : nodes_) {
    if (code != SQLITE_DONE) break;
    sqlite3_stmt* s = insert_node_.get();
    sqlite3_bind_int64(s, 1, run);
    BindText(s, 2, std::string_view(row.name));
    BindText(s, 3, std::string_view(row.role));
    BindText(s, 4, row.address);
    if (!step(s)) break;
  }
  if (code == SQLITE_DONE) {
    code = Exec(db, "COMMIT");
    if (code == SQLITE_OK) {
      committed_rows_ += pending_rows_;
      pending_rows_ = 0;
      registrations_.clear();
      pushes_.clear();
      samples_.clear();
      events_.clear();
      messages_.clear();
      nodes_.clear();
      return Done{};
    }
  }
  DbError error = ErrorFrom(db, code, "cannot write a batch of " + std::to_string(pending_rows_) + " rows");
  Exec(db, "ROLLBACK");
  if (!IsBusy(code)) {
    // The rows themselves are at fault (a constraint): writing them again would fail again.
    dropped_rows_ += pending_rows_;
    pending_rows_ = 0;
    registrations_.clear();
    pushes_.clear();
    samples_.clear();
    events_.clear();
    messages_.clear();
    nodes_.clear();
  }
  return error;
}

DbStatus Recorder::Flush() {
  if (!db_) return DbError{0, "the recorder is closed"};
  if (auto written = WriteBatch(); !written.ok()) {
    last_error_ = written.error();
    return written;
  }
  if (last_error_ && dropped_rows_ > 0) {
    DbError error = *last_error_;
    error.message += " (" + std::to_string(dropped_rows_) + " rows lost)";
    return error;
  }
  last_error_.reset();
  return Done{};
}

DbStatus Recorder::FinishRun(RunStatus status, std::string_view error, std::optional<double> sim_reached_s) {
  if (!db_) return DbError{0, "the recorder is closed"};
  if (!run_id_) return DbError{0, "no run is open"};
  DbStatus flushed = Flush();
  auto update = PrepareLocal(db_.get(),
                             "UPDATE runs SET status = ?2, error = ?3, finished_at = ?4, "
                             "sim_reached_s = ?5 WHERE id = ?1");
  if (!update) return ErrorFrom(db_.get(), sqlite3_errcode(db_.get()), "cannot finish the run");
  std::string error_text(error);
  if (!flushed.ok()) {
    if (!error_text.empty()) error_text += "; ";
    error_text += flushed.error().message;
  }
  const std::string finished_at = IsoTimestampNow();
  sqlite3_bind_int64(update.get(), 1, *run_id_);
  BindText(update.get(), 2, RunStatusName(status));
  if (error_text.empty()) {
    sqlite3_bind_null(update.get(), 3);
  } else {
    BindText(update.get(), 3, std::string_view(error_text));
  }
  BindText(update.get(), 4, std::string_view(finished_at));
  BindReal(update.get(), 5, sim_reached_s);
  if (auto begun = BeginImmediate(); !begun.ok()) return begun.error();
  int code = sqlite3_step(update.get());
  update.reset();
  if (code == SQLITE_DONE) code = Exec(db_.get(), "COMMIT");
  if (code != SQLITE_OK && code != SQLITE_DONE) {
    DbError failure = ErrorFrom(db_.get(), code, "cannot finish the run");
    Exec(db_.get(), "ROLLBACK");
    return failure;
  }
  run_id_.reset();
  return flushed;
}

DbResult<std::string> Recorder::DumpRun(std::int64_t run_id) {
  if (!db_) return DbError{0, "the recorder is closed"};
  if (run_id_ && *run_id_ == run_id) {
    if (auto flushed = Flush(); !flushed.ok()) return flushed.error();
  }
  static const char* const kQueries[][2] = {
      {"runs", "SELECT * FROM runs WHERE id = ?1"},
      {"registrations", "SELECT * FROM registrations WHERE run_id = ?1 ORDER BY id"},
      {"pushes", "SELECT * FROM pushes WHERE run_id = ?1 ORDER BY id"},
      {"element_samples", "SELECT * FROM element_samples WHERE run_id = ?1 ORDER BY id"},
      {"element_method_samples", "SELECT * FROM element_method_samples WHERE run_id = ?1 ORDER BY id"},
      {"events", "SELECT * FROM events WHERE run_id = ?1 ORDER BY id"},
      {"messages", "SELECT * FROM messages WHERE run_id = ?1 ORDER BY id"},
      {"nodes", "SELECT * FROM nodes WHERE run_id = ?1 ORDER BY name"},
  };
  sqlite3* db = db_.get();
  // One read transaction: every table seen at the same instant even while others write.
  if (const int code = Exec(db, "BEGIN"); code != SQLITE_OK) return ErrorFrom(db, code, "cannot read the run");
  std::string out;
  for (const auto& query : kQueries) {
    auto stmt = PrepareLocal(db, query[1]);
    if (!stmt) {
      DbError error = ErrorFrom(db, sqlite3_errcode(db), std::string("cannot read table ") + query[0]);
      Exec(db, "COMMIT");
      return error;
    }
    sqlite3_bind_int64(stmt.get(), 1, run_id);
    int code = SQLITE_ROW;
    while ((code = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      out += query[0];
      const int columns = sqlite3_column_count(stmt.get());
      for (int i = 0; i < columns; ++i) {
        const char* name = sqlite3_column_name(stmt.get(), i);
        if (IsRunIdentityColumn(name)) continue;
        out += ' ';
        out += name;
        out += '=';
        switch (sqlite3_column_type(stmt.get(), i)) {
          case SQLITE_NULL: out += "NULL"; break;
          case SQLITE_INTEGER: out += std::to_string(sqlite3_column_int64(stmt.get(), i)); break;
          case SQLITE_FLOAT: {
            char number[32];
            std::snprintf(number, sizeof number, "%.17g", sqlite3_column_double(stmt.get(), i));
            out += number;
            break;
          }
          default:
            AppendQuoted(out, sqlite3_column_text(stmt.get(), i), sqlite3_column_bytes(stmt.get(), i));
        }
      }
      out += '\n';
    }
    if (code != SQLITE_DONE) {
      DbError error = ErrorFrom(db, code, std::string("cannot read table ") + query[0]);
      Exec(db, "COMMIT");
      return error;
    }
  }
  Exec(db, "COMMIT");
  return out;
}

void Recorder::InstallSignalHandlers() {
  struct sigaction action {};
  action.sa_handler = RecordSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int Recorder::PendingSignal() { return static_cast<int>(g_pending_signal); }

void Recorder::CheckInterrupt() {
  const int signal_number = PendingSignal();
  if (signal_number == 0) return;
  if (db_) {
    if (run_id_) {
      const std::string reason = signal_number == SIGINT    ? "interrupted by SIGINT"
                                 : signal_number == SIGTERM ? "interrupted by SIGTERM"
                                                            : "interrupted by signal " + std::to_string(signal_number);
      (void)FinishRun(RunStatus::kAborted, reason);
    } else {
      (void)Flush();
    }
    insert_registration_.reset();
    insert_push_.reset();
    insert_sample_.reset();
    insert_method_sample_.reset();
    insert_event_.reset();
    insert_message_.reset();
    insert_node_.reset();
    db_.reset();  // closes the database and checkpoints the WAL
  }
  std::fflush(nullptr);
  std::_Exit(128 + signal_number);
}

}  // namespace pushsim::runner
