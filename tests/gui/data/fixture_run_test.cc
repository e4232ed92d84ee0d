// The dashboard's series against the database of a real pushsim run (the gui.data.fixture
// test runs tests/gui/data/dashboard-fixture.yaml with trace.messages=full): every value is
// checked against a plain SQL query written here, independently of the dashboard's.
#include <sqlite3.h>

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "results_db.h"

namespace pushsim::dashboard {
namespace {

class FixtureRunTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    auto opened = ResultsDb::Open(PUSHSIM_GUI_FIXTURE_DB);
    QVERIFY2(opened.ok(), opened.ok() ? "" : opened.problem().message.c_str());
    results_.emplace(std::move(opened).value());
    QCOMPARE(sqlite3_open_v2(PUSHSIM_GUI_FIXTURE_DB, &sql_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    run_ = Int("SELECT MAX(id) FROM runs");
  }
  void cleanupTestCase() { sqlite3_close(sql_); }

  void RunIsListed() {
    const auto runs = results_->Runs();
    QVERIFY(runs.ok());
    QCOMPARE(static_cast<int64_t>(runs.value().size()), Int("SELECT COUNT(*) FROM runs"));
    const RunRow& run = runs.value().back();
    QCOMPARE(run.id, run_);
    QCOMPARE(run.scenario, std::string("dashboard-fixture"));
    QCOMPARE(run.status, std::string("completed"));
    QCOMPARE(run.seed, int64_t{7});
    QVERIFY(run.wall_s.has_value() && *run.wall_s >= 0);
    QCOMPARE(*run.sim_duration_s, 12.0);
  }

  // Each point of each series is its bucket's count per second; the counts are checked one by
  // one against COUNT(*) over the bucket's time range.
  void RegistrationRateHoldsTheCounts() {
    const auto rate = results_->RegistrationRate(run_, 1.0);
    QVERIFY(rate.ok());
    QVERIFY(!rate.value().empty());
    int64_t total = 0;
    for (const Series& series : rate.value()) {
      const std::string code_test =
          series.name == "no final response" ? "final_code IS NULL" : "final_code = " + series.name;
      for (const Point& point : series.points) {
        const int64_t in_bucket = Int("SELECT COUNT(*) FROM registrations WHERE run_id = " + std::to_string(run_) +
                                      " AND " + code_test + " AND start_s >= " + std::to_string(point.x - 1e-7) +
                                      " AND start_s < " + std::to_string(point.x + 1.0 - 1e-7));
        QCOMPARE(std::llround(point.y), static_cast<long long>(in_bucket));
        total += in_bucket;
      }
    }
    QCOMPARE(total, Int("SELECT COUNT(*) FROM registrations WHERE run_id = " + std::to_string(run_)));
    // The fixture's six UEs all register: six 200 REGISTER rows.
    QCOMPARE(Int("SELECT COUNT(*) FROM registrations WHERE final_code = 200 AND run_id = " + std::to_string(run_)),
             int64_t{6});
    QCOMPARE(rate.value().front().name, std::string("200"));
  }

  void PushRateHoldsTheCounts() {
    const auto rate = results_->PushRate(run_, 2.0);
    QVERIFY(rate.ok());
    std::map<std::string, double> per_status;
    for (const Series& series : rate.value()) {
      for (const Point& point : series.points) per_status[series.name] += point.y * 2.0;
    }
    std::map<std::string, double> expected;
    Each("SELECT app_status, COUNT(*) FROM pushes WHERE run_id = " + std::to_string(run_) + " GROUP BY app_status",
         [&](sqlite3_stmt* row) { expected[Text(row, 0)] = sqlite3_column_double(row, 1); });
    QCOMPARE(per_status.size(), expected.size());
    for (const auto& [status, count] : expected) QVERIFY(std::abs(per_status[status] - count) < 1e-9);
  }

  // One bucket over the whole run: the percentiles are the nearest-rank samples, fetched here
  // by their rank with LIMIT/OFFSET.
  void LatencyPercentilesAreTheRankedSamples() {
    const auto percentiles = results_->PushLatencyPercentiles(run_, 100.0);
    QVERIFY(percentiles.ok());
    const int64_t n = Int("SELECT COUNT(*) FROM pushes WHERE delivery_delay_s IS NOT NULL AND run_id = " +
                          std::to_string(run_));
    if (n == 0) {
      QVERIFY(percentiles.value()[0].points.empty());
      return;
    }
    const int ranks[] = {50, 95, 99};
    for (int i = 0; i < 3; ++i) {
      const auto rank = static_cast<int64_t>(std::ceil(ranks[i] * static_cast<double>(n) / 100.0));
      const double sample = Double("SELECT delivery_delay_s FROM pushes WHERE delivery_delay_s IS NOT NULL AND "
                                   "run_id = " + std::to_string(run_) + " ORDER BY delivery_delay_s LIMIT 1 OFFSET " +
                                   std::to_string(rank - 1));
      const Series& series = percentiles.value()[static_cast<size_t>(i)];
      QCOMPARE(series.points.size(), size_t{1});
      QCOMPARE(series.points[0].y, sample);
    }
  }

  void ElementSeriesHoldTheSamples() {
    const auto queue = results_->ElementQueue(run_);
    const auto utilization = results_->ElementUtilization(run_);
    QVERIFY(queue.ok() && utilization.ok());
    QCOMPARE(static_cast<int64_t>(queue.value().size()),
             Int("SELECT COUNT(DISTINCT element) FROM element_samples WHERE run_id = " + std::to_string(run_)));
    for (const Series& series : queue.value()) {
      const std::string where = " FROM element_samples WHERE run_id = " + std::to_string(run_) + " AND element = '" +
                                series.name + "'";
      QCOMPARE(static_cast<int64_t>(series.points.size()), Int("SELECT COUNT(*)" + where));
      double peak = 0;
      for (const Point& point : series.points) peak = std::max(peak, point.y);
      QCOMPARE(peak, Double("SELECT MAX(queue_length)" + where));
    }
    for (const Series& series : utilization.value()) {
      double sum = 0;
      for (const Point& point : series.points) sum += point.y;
      QVERIFY(std::abs(sum - Double("SELECT TOTAL(utilization) FROM element_samples WHERE run_id = " +
                                    std::to_string(run_) + " AND element = '" + series.name + "'")) < 1e-9);
    }
    const auto markers = results_->Markers(run_);
    QVERIFY(markers.ok());
    QCOMPARE(static_cast<int64_t>(markers.value().size()),
             Int("SELECT COUNT(*) FROM events WHERE run_id = " + std::to_string(run_)));
  }

  void CdfsEndAtTheLargestSample() {
    const auto push = results_->PushLatencyCdf(run_);
    QVERIFY(push.ok());
    QCOMPARE(static_cast<int64_t>(push.value().size()),
             Int("SELECT COUNT(DISTINCT method) FROM pushes WHERE delivery_delay_s IS NOT NULL AND run_id = " +
                 std::to_string(run_)));
    for (const Series& series : push.value()) {
      const std::string where = " FROM pushes WHERE delivery_delay_s IS NOT NULL AND run_id = " +
                                std::to_string(run_) + " AND method = '" + series.name + "'";
      QCOMPARE(static_cast<int64_t>(series.points.size()), Int("SELECT COUNT(DISTINCT delivery_delay_s)" + where));
      QCOMPARE(series.points.back().x, Double("SELECT MAX(delivery_delay_s)" + where));
      QCOMPARE(series.points.back().y, 1.0);
      QCOMPARE(series.points.front().x, Double("SELECT MIN(delivery_delay_s)" + where));
    }
    const auto registration = results_->RegistrationDelayCdf(run_);
    QVERIFY(registration.ok());
    QVERIFY(!registration.value().points.empty());
    QCOMPARE(registration.value().points.back().x,
             Double("SELECT MAX(end_s - start_s) FROM registrations WHERE final_code BETWEEN 200 AND 299 AND "
                    "run_id = " + std::to_string(run_)));
    QCOMPARE(registration.value().points.back().y, 1.0);
  }

  void LadderSubjectsAreTheRegistrationsAndPushes() {
    const auto subjects = results_->LadderSubjects(run_);
    QVERIFY(subjects.ok());
    int64_t registrations = 0, pushes = 0;
    for (const LadderSubject& subject : subjects.value()) (subject.kind == "push" ? pushes : registrations) += 1;
    QCOMPARE(registrations,
             Int("SELECT COUNT(DISTINCT m.call_id) FROM messages m JOIN nodes n ON n.run_id = m.run_id AND "
                 "n.name = m.node WHERE n.role = 'ue' AND m.direction = 'out' AND m.first_line LIKE 'REGISTER%' "
                 "AND m.run_id = " + std::to_string(run_)));
    QCOMPARE(pushes, Int("SELECT COUNT(*) FROM pushes WHERE call_id IS NOT NULL AND run_id = " + std::to_string(run_)));
    QVERIFY(registrations > 0);
  }

  // Every element logs each message it sends and receives: a push's ladder has one arrow per
  // message sent, from the sender's column to the column of the node the receiving row is at,
  // in time order.
  void PushLadderHasOneArrowPerMessage() {
    const std::string call_id = Text("SELECT call_id FROM pushes WHERE call_id IS NOT NULL AND run_id = " +
                                     std::to_string(run_) + " ORDER BY created_s LIMIT 1");
    QVERIFY2(!call_id.empty(), "the fixture run recorded no push with a Call-ID");
    CheckLadder(call_id, {call_id});
  }

  // A registration's ladder also holds the third-party REGISTER transaction the S-CSCF sent to
  // the AS at the instant it sent the UE its 200 (the fixture's profiles have that iFC).
  void RegistrationLadderHasTheThirdPartyRegister() {
    const std::string run = std::to_string(run_);
    const std::string call_id = Text(
        "SELECT m.call_id FROM messages m JOIN nodes n ON n.run_id = m.run_id AND n.name = m.node "
        "WHERE n.role = 'ue' AND m.direction = 'out' AND m.first_line LIKE 'REGISTER%' AND m.run_id = " + run +
        " ORDER BY m.time_s LIMIT 1");
    const std::string third_party = Text(
        "SELECT t.call_id FROM messages ok JOIN messages t ON t.run_id = ok.run_id AND t.node = ok.node AND "
        "t.time_s = ok.time_s AND t.direction = 'out' AND t.first_line LIKE 'REGISTER%' "
        "WHERE ok.run_id = " + run + " AND ok.node = 'scscf' AND ok.direction = 'out' AND ok.call_id = '" + call_id +
        "' AND ok.first_line LIKE 'SIP/2.0 200%' LIMIT 1");
    QVERIFY(!third_party.empty());
    CheckLadder(call_id, {call_id, third_party});
  }

 private:
  void CheckLadder(const std::string& call_id, const std::vector<std::string>& call_ids) {
    const std::string run = std::to_string(run_);
    const auto ladder = results_->LadderOf(run_, call_id);
    QVERIFY(ladder.ok());
    std::string in_list;
    for (const std::string& id : call_ids) in_list += (in_list.empty() ? "'" : ",'") + id + "'";
    std::vector<int64_t> sent_ids;
    Each("SELECT id FROM messages WHERE direction = 'out' AND run_id = " + run + " AND call_id IN (" + in_list +
             ") ORDER BY time_s, id",
         [&](sqlite3_stmt* row) { sent_ids.push_back(sqlite3_column_int64(row, 0)); });
    const auto& arrows = ladder.value().arrows;
    const auto& columns = ladder.value().columns;
    QCOMPARE(arrows.size(), sent_ids.size());
    const std::vector<std::string> order = {"ue", "pcscf", "icscf", "scscf", "as", "content", "attacker"};
    auto rank = [&](const std::string& role) { return std::find(order.begin(), order.end(), role) - order.begin(); };
    for (size_t i = 1; i < columns.size(); ++i) QVERIFY(rank(columns[i - 1].role) <= rank(columns[i].role));
    for (size_t i = 0; i < arrows.size(); ++i) {
      const LadderArrow& arrow = arrows[i];
      QCOMPARE(arrow.message_id, sent_ids[i]);
      const std::string where = " FROM messages WHERE id = " + std::to_string(arrow.message_id);
      QCOMPARE(columns[static_cast<size_t>(arrow.from)].node, Text("SELECT node" + where));
      QCOMPARE(arrow.time_s, Double("SELECT time_s" + where));
      QCOMPARE(arrow.first_line, Text("SELECT first_line" + where));
      // Where the peer address is a node's listed address, that node is the receiver.
      const std::string addressed = Text(
          "SELECT n.name FROM messages m JOIN nodes n ON n.run_id = m.run_id AND "
          "m.peer LIKE n.address || ':%' WHERE m.id = " + std::to_string(arrow.message_id));
      if (!addressed.empty()) QCOMPARE(columns[static_cast<size_t>(arrow.to)].node, addressed);
      QVERIFY(arrow.arrival_s.has_value());  // nothing is lost in the fixture
      QVERIFY(arrow.from != arrow.to);
      const auto text = results_->MessageText(arrow.message_id);
      QVERIFY(text.ok());
      QCOMPARE(text.value(), Text("SELECT text" + where));
      QVERIFY(text.value().rfind(arrow.first_line + "\r\n", 0) == 0);
    }
  }

  void Each(const std::string& sql, const std::function<void(sqlite3_stmt*)>& on_row) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(sql_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      qFatal("%s: %s", sql.c_str(), sqlite3_errmsg(sql_));
    }
    while (sqlite3_step(statement) == SQLITE_ROW) on_row(statement);
    sqlite3_finalize(statement);
  }
  static std::string Text(sqlite3_stmt* row, int column) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(row, column));
    return text ? text : "";
  }
  int64_t Int(const std::string& sql) {
    int64_t value = 0;
    Each(sql, [&](sqlite3_stmt* row) { value = sqlite3_column_int64(row, 0); });
    return value;
  }
  double Double(const std::string& sql) {
    double value = 0;
    Each(sql, [&](sqlite3_stmt* row) { value = sqlite3_column_double(row, 0); });
    return value;
  }
  std::string Text(const std::string& sql) {
    std::string value;
    Each(sql, [&](sqlite3_stmt* row) { value = Text(row, 0); });
    return value;
  }

  std::optional<ResultsDb> results_;
  sqlite3* sql_ = nullptr;
  int64_t run_ = 0;
};

}  // namespace
}  // namespace pushsim::dashboard

QTEST_GUILESS_MAIN(pushsim::dashboard::FixtureRunTest)
#include "fixture_run_test.moc"
