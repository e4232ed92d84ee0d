// The dashboard's queries on hand-built databases, each expected value derived by hand: rates
// per bucket, nearest-rank percentiles, CDFs, the sweep statistics and capacity point, ladders.
#include <QtTest>
#include <cmath>

#include "results_db.h"
#include "test_db.h"

namespace pushsim::dashboard {
namespace {

using testing::TestDb;

ResultsDb OpenOrFail(TestDb& db) {
  db.Close();
  auto opened = ResultsDb::Open(db.path());
  if (!opened.ok()) qFatal("open: %s", opened.problem().message.c_str());
  return std::move(opened).value();
}

const Series* Find(const std::vector<Series>& series, const std::string& name) {
  for (const Series& line : series) {
    if (line.name == name) return &line;
  }
  return nullptr;
}

bool Near(double a, double b, double tolerance = 1e-9) { return std::abs(a - b) <= tolerance; }

std::string Push(int64_t run, int64_t id, double created_s, const std::string& method, const std::string& status,
                 const std::string& delivery) {
  return "INSERT INTO pushes (run_id, push_id, created_s, method, size_bytes, target_kind, target_uri, app_status, "
         "delivery_delay_s) VALUES (" +
         std::to_string(run) + ", " + std::to_string(id) + ", " + std::to_string(created_s) + ", '" + method +
         "', 100, 'user', 'sip:u@h', '" + status + "', " + delivery + ");";
}

class QueriesTest : public QObject {
  Q_OBJECT

 private slots:
  // 0.3 s in 0.1 s buckets is bucket 3 although 0.3 / 0.1 = 2.9999999999999996 in binary.
  void RegistrationRateCountsPerBucketByFinalCode() {
    TestDb db;
    db.AddRun(1);
    db.AddRun(2);
    db.Exec(
        "INSERT INTO registrations (run_id, user, terminal, start_s, end_s, final_code) VALUES "
        "(1, 'a', 't', 0.30, 0.35, 200), (1, 'b', 't', 0.31, 0.36, 200), (1, 'c', 't', 0.39, 0.50, 503), "
        "(1, 'd', 't', 0.62, NULL, NULL), (2, 'e', 't', 0.30, 0.40, 200)");
    const ResultsDb results = OpenOrFail(db);
    const auto rate = results.RegistrationRate(1, 0.1);
    QVERIFY(rate.ok());
    // Buckets 3..6: "200" has 2 in bucket 3 (20/s), "503" 1 in bucket 3 (10/s), no response 1
    // in bucket 6; empty buckets 4 and 5 are 0 in every series.
    QCOMPARE(rate.value().size(), size_t{3});
    QCOMPARE(rate.value()[0].name, std::string("200"));
    QCOMPARE(rate.value()[1].name, std::string("503"));
    QCOMPARE(rate.value()[2].name, std::string("no final response"));
    const std::vector<double> ok = {20, 0, 0, 0}, busy = {10, 0, 0, 0}, none = {0, 0, 0, 10};
    for (size_t i = 0; i < 4; ++i) {
      QVERIFY(Near(rate.value()[0].points[i].x, 0.3 + 0.1 * static_cast<double>(i)));
      QVERIFY(Near(rate.value()[0].points[i].y, ok[i]));
      QVERIFY(Near(rate.value()[1].points[i].y, busy[i]));
      QVERIFY(Near(rate.value()[2].points[i].y, none[i]));
    }
    QCOMPARE(rate.value()[0].points.size(), size_t{4});
    QVERIFY(!results.RegistrationRate(1, 0).ok());
    QVERIFY(results.RegistrationRate(3, 1).value().empty());
  }

  void PushRateByStatus() {
    TestDb db;
    db.AddRun(1);
    db.Exec(Push(1, 1, 0.5, "MESSAGE", "accepted", "0.1") + Push(1, 2, 1.5, "MESSAGE", "accepted", "0.1") +
            Push(1, 3, 1.7, "MESSAGE", "accepted", "0.1") + Push(1, 4, 1.8, "MESSAGE", "undeliverable", "NULL"));
    const ResultsDb results = OpenOrFail(db);
    const auto rate = results.PushRate(1, 2.0);  // one bucket [0, 2): 3 accepted, 1 undeliverable
    QVERIFY(rate.ok());
    QCOMPARE(rate.value().size(), size_t{2});
    QCOMPARE(rate.value()[0].name, std::string("accepted"));
    QCOMPARE(rate.value()[0].points.size(), size_t{1});
    QVERIFY(Near(rate.value()[0].points[0].y, 1.5));
    QCOMPARE(rate.value()[1].name, std::string("undeliverable"));
    QVERIFY(Near(rate.value()[1].points[0].y, 0.5));
  }

  // Nearest rank: the p-th percentile of n sorted samples is the one at rank ceil(p n / 100).
  void LatencyPercentilesPerBucketAreNearestRank() {
    TestDb db;
    db.AddRun(1);
    std::string sql;
    // Bucket [0, 1): delays 1..20 ms, inserted out of order. n = 20: p50 rank 10 (10 ms), p95
    // rank 19 (19 ms), p99 rank ceil(19.8) = 20 (20 ms).
    for (int i = 0; i < 20; ++i) {
      const int ms = (i * 7) % 20 + 1;
      sql += Push(1, i, 0.01 * i, "MESSAGE", "accepted", std::to_string(ms / 1000.0));
    }
    // Bucket [1, 2): nothing delivered: no point.
    sql += Push(1, 100, 1.5, "MESSAGE", "undeliverable", "NULL");
    // Bucket [2, 3): 0.1, 0.3, 0.2 s. n = 3: p50 rank 2 (0.2), p95 rank 3 (0.3), p99 rank 3.
    sql += Push(1, 101, 2.1, "MESSAGE", "accepted", "0.1") + Push(1, 102, 2.2, "INVITE+MSRP", "accepted", "0.3") +
           Push(1, 103, 2.3, "MESSAGE", "accepted", "0.2");
    db.Exec(sql);
    const ResultsDb results = OpenOrFail(db);
    const auto percentiles = results.PushLatencyPercentiles(1, 1.0);
    QVERIFY(percentiles.ok());
    QCOMPARE(percentiles.value().size(), size_t{3});
    const Series& p50 = percentiles.value()[0];
    const Series& p95 = percentiles.value()[1];
    const Series& p99 = percentiles.value()[2];
    QCOMPARE(p50.name, std::string("p50"));
    QCOMPARE(p95.name, std::string("p95"));
    QCOMPARE(p99.name, std::string("p99"));
    QCOMPARE(p50.points.size(), size_t{2});
    QVERIFY(Near(p50.points[0].x, 0) && Near(p50.points[1].x, 2));
    QVERIFY(Near(p50.points[0].y, 0.010) && Near(p95.points[0].y, 0.019) && Near(p99.points[0].y, 0.020));
    QVERIFY(Near(p50.points[1].y, 0.2) && Near(p95.points[1].y, 0.3) && Near(p99.points[1].y, 0.3));
  }

  // The empirical CDF: the fraction of samples <= x, one point per distinct value.
  void CdfOfKnownValuesHasKnownSteps() {
    TestDb db;
    db.AddRun(1);
    db.Exec(Push(1, 1, 1, "MESSAGE", "accepted", "0.2") + Push(1, 2, 1, "MESSAGE", "accepted", "0.4") +
            Push(1, 3, 1, "MESSAGE", "accepted", "0.1") + Push(1, 4, 1, "MESSAGE", "accepted", "0.2") +
            Push(1, 5, 1, "MESSAGE", "undeliverable", "NULL") + Push(1, 6, 1, "INVITE+MSRP", "accepted", "0.5") +
            "INSERT INTO registrations (run_id, user, terminal, start_s, end_s, final_code) VALUES "
            "(1, 'a', 't', 1.0, 1.05, 200), (1, 'b', 't', 2.0, 2.03, 200), (1, 'c', 't', 3.0, 3.5, 403), "
            "(1, 'd', 't', 4.0, NULL, NULL)");
    const ResultsDb results = OpenOrFail(db);
    const auto cdf = results.PushLatencyCdf(1);
    QVERIFY(cdf.ok());
    QCOMPARE(cdf.value().size(), size_t{2});
    const Series* message = Find(cdf.value(), "MESSAGE");
    QVERIFY(message);
    // 0.1, 0.2, 0.2, 0.4: F(0.1) = 1/4, F(0.2) = 3/4, F(0.4) = 1.
    QCOMPARE(message->points.size(), size_t{3});
    QVERIFY(Near(message->points[0].x, 0.1) && Near(message->points[0].y, 0.25));
    QVERIFY(Near(message->points[1].x, 0.2) && Near(message->points[1].y, 0.75));
    QVERIFY(Near(message->points[2].x, 0.4) && Near(message->points[2].y, 1.0));
    const Series* invite = Find(cdf.value(), "INVITE+MSRP");
    QVERIFY(invite);
    QCOMPARE(invite->points.size(), size_t{1});
    QVERIFY(Near(invite->points[0].x, 0.5) && Near(invite->points[0].y, 1.0));

    // Registration Request Delay: the 2xx attempts only (RFC 6076 4.1): 30 ms and 50 ms.
    const auto delay = results.RegistrationDelayCdf(1);
    QVERIFY(delay.ok());
    QCOMPARE(delay.value().points.size(), size_t{2});
    QVERIFY(Near(delay.value().points[0].x, 0.03) && Near(delay.value().points[0].y, 0.5));
    QVERIFY(Near(delay.value().points[1].x, 0.05) && Near(delay.value().points[1].y, 1.0));
  }

  // 1000 delays of 1..1000 ms sampled to 10 points: ranks 100, 200, ..., 1000, i.e. the points
  // (0.1, 0.1), (0.2, 0.2), ..., (1.0, 1.0).
  void CdfIsSampledToMaxPoints() {
    TestDb db;
    db.AddRun(1);
    db.Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
            "INSERT INTO pushes (run_id, push_id, created_s, method, size_bytes, target_kind, target_uri, "
            "app_status, delivery_delay_s) SELECT 1, i, 1, 'MESSAGE', 10, 'user', 'sip:u@h', 'accepted', i / 1000.0 "
            "FROM n");
    const ResultsDb results = OpenOrFail(db);
    const auto cdf = results.PushLatencyCdf(1, 10);
    QVERIFY(cdf.ok());
    QCOMPARE(cdf.value().size(), size_t{1});
    const auto& points = cdf.value()[0].points;
    QCOMPARE(points.size(), size_t{10});
    for (size_t k = 0; k < 10; ++k) {
      QVERIFY(Near(points[k].x, 0.1 * static_cast<double>(k + 1)));
      QVERIFY(Near(points[k].y, 0.1 * static_cast<double>(k + 1)));
    }
  }

  void ElementSeriesAndMarkers() {
    TestDb db;
    db.AddRun(1);
    db.Exec(
        "INSERT INTO element_samples (run_id, element, role, time_s, interval_s, queue_length, utilization) VALUES "
        "(1, 'scscf', 'scscf', 2, 1, 7, 0.5), (1, 'pcscf', 'pcscf', 1, 1, 0, 0.1), (1, 'scscf', 'scscf', 1, 1, 3, 0.25);"
        "INSERT INTO events (run_id, time_s, kind, element, detail) VALUES "
        "(1, 5, '503', 'scscf', NULL), (1, 2, 'element-down', 'icscf', 'failure 1'), (1, 6, '503', 'scscf', NULL), "
        "(1, 7, '503', 'scscf', NULL)");
    const ResultsDb results = OpenOrFail(db);
    const auto queue = results.ElementQueue(1);
    QVERIFY(queue.ok());
    QCOMPARE(queue.value().size(), size_t{2});
    const Series* scscf = Find(queue.value(), "scscf");
    QVERIFY(scscf && scscf->points.size() == 2);
    QVERIFY(Near(scscf->points[0].x, 1) && Near(scscf->points[0].y, 3));
    QVERIFY(Near(scscf->points[1].x, 2) && Near(scscf->points[1].y, 7));
    const auto utilization = results.ElementUtilization(1);
    QVERIFY(utilization.ok());
    QVERIFY(Near(Find(utilization.value(), "scscf")->points[1].y, 0.5));
    QVERIFY(Near(Find(utilization.value(), "pcscf")->points[0].y, 0.1));

    const auto markers = results.Markers(1);
    QVERIFY(markers.ok());
    QCOMPARE(markers.value().size(), size_t{4});
    QCOMPARE(markers.value()[0].kind, std::string("element-down"));
    QCOMPARE(markers.value()[0].element, std::string("icscf"));
    QCOMPARE(markers.value()[0].detail, std::string("failure 1"));
    QVERIFY(Near(markers.value()[3].time_s, 7));
    // At most two of a kind, spread over the run: of the three 503s (at 5, 6, 7 s) the first of
    // each half of the sequence, 5 s and 7 s, and the element-down.
    const auto capped = results.Markers(1, 2);
    QVERIFY(capped.ok());
    QCOMPARE(capped.value().size(), size_t{3});
    QVERIFY(Near(capped.value()[1].time_s, 5));
    QVERIFY(Near(capped.value().back().time_s, 7));
  }

  // Three values x three replications; each run offers 10 pushes, accepted as below, delivered
  // after 10 ms x their number, over 10 simulated seconds.
  //   100/s: 10, 10, 10 accepted   200/s: 10, 9, 8   300/s: 7, 6, 5
  // An aborted run of 200/s (0 accepted) and a run outside the sweep must not count.
  void SweepStatisticsByHand() {
    TestDb db;
    BuildSweep(db, 1, {{"100/s", 100, {10, 10, 10}}, {"200/s", 200, {10, 9, 8}}, {"300/s", 300, {7, 6, 5}}});
    db.AddRun(99, "aborted");
    db.Exec("UPDATE runs SET sweep_id = 1, sweep_value = '200/s', sweep_x = 200 WHERE id = 99;");
    db.Exec(Push(99, 1, 1, "MESSAGE", "undeliverable", "NULL"));
    db.AddRun(100);
    db.Exec(Push(100, 1, 1, "MESSAGE", "accepted", "9.9"));
    const ResultsDb results = OpenOrFail(db);

    const auto sweeps = results.Sweeps();
    QVERIFY(sweeps.ok());
    QCOMPARE(sweeps.value().size(), size_t{1});
    QCOMPARE(sweeps.value()[0].parameter, std::string("push.rate"));
    QCOMPARE(sweeps.value()[0].runs_per_value, int64_t{3});

    // Success ratio of 200/s: 1.0, 0.9, 0.8 -> mean 0.9, sample s.d. sqrt((0.01 + 0 + 0.01) / 2)
    // = 0.1, half-width t(0.975, 2) s / sqrt(3) = 4.303 x 0.1 / 1.7320508 = 0.248434.
    const auto success = results.SweepCurve(1, ResultsDb::SweepMetric::kSuccessRatio);
    QVERIFY(success.ok());
    QCOMPARE(success.value().size(), size_t{3});
    const SweepPoint& middle = success.value()[1];
    QCOMPARE(middle.value, std::string("200/s"));
    QVERIFY(Near(middle.x, 200));
    QCOMPARE(middle.n, 3);
    QVERIFY(Near(middle.mean, 0.9));
    QVERIFY(Near(middle.ci_low, 0.9 - 0.248434, 1e-4));
    QVERIFY(Near(middle.ci_high, 0.9 + 0.248434, 1e-4));
    // 100/s: all equal, no spread.
    QVERIFY(Near(success.value()[0].mean, 1.0) && Near(success.value()[0].ci_low, 1.0) &&
            Near(success.value()[0].ci_high, 1.0));
    QCOMPARE(success.value()[2].value, std::string("300/s"));
    QVERIFY(Near(success.value()[2].mean, 0.6));

    // Goodput: accepted / 10 s -> 300/s: 0.7, 0.6, 0.5: mean 0.6, same half-width 0.248434.
    const auto goodput = results.SweepCurve(1, ResultsDb::SweepMetric::kGoodput);
    QVERIFY(goodput.ok());
    QVERIFY(Near(goodput.value()[2].mean, 0.6));
    QVERIFY(Near(goodput.value()[2].ci_high - goodput.value()[2].mean, 0.248434, 1e-4));

    // p95 delivery latency: n = 10 -> rank 10, n = 9 -> rank ceil(8.55) = 9, n = 8 -> rank 8: the
    // largest delay, 10 ms x accepted. 200/s: 0.10, 0.09, 0.08 -> mean 0.09, half 0.0248434.
    const auto p95 = results.SweepCurve(1, ResultsDb::SweepMetric::kP95Latency);
    QVERIFY(p95.ok());
    QVERIFY(Near(p95.value()[1].mean, 0.09));
    QVERIFY(Near(p95.value()[1].ci_low, 0.09 - 0.0248434, 1e-5));

    // Mean failure ratios: 0, 0.1, 0.4. A threshold of 0.1 is just met by 200/s.
    const auto capacity = results.Capacity(1, 0.1);
    QVERIFY(capacity.ok());
    QVERIFY(capacity.value().found);
    QCOMPARE(capacity.value().value, std::string("200/s"));
    QVERIFY(Near(capacity.value().x, 200));
    QCOMPARE(results.Capacity(1, 0.099).value().value, std::string("100/s"));
    QCOMPARE(results.Capacity(1, 0.5).value().value, std::string("300/s"));
  }

  // Capacity is where the load stepped up first fails: a higher value that happens to meet the
  // threshold again does not count. Values without sweep_x are placed by their position.
  void CapacityStopsAtTheFirstFailure() {
    TestDb db;
    BuildSweep(db, 1, {{"low", std::nullopt, {10}}, {"mid", std::nullopt, {5}}, {"high", std::nullopt, {10}}});
    const ResultsDb results = OpenOrFail(db);
    const auto capacity = results.Capacity(1, 0.2);
    QVERIFY(capacity.ok());
    QVERIFY(capacity.value().found);
    QCOMPARE(capacity.value().value, std::string("low"));
    QVERIFY(Near(capacity.value().x, 0));
    QVERIFY(!results.Capacity(1, -0.5).value().found);
    const auto curve = results.SweepCurve(1, ResultsDb::SweepMetric::kSuccessRatio);
    QVERIFY(curve.ok());
    QCOMPARE(curve.value().size(), size_t{3});
    QCOMPARE(curve.value()[1].value, std::string("mid"));
    QVERIFY(Near(curve.value()[1].x, 1));
    QCOMPARE(curve.value()[1].n, 1);
    QVERIFY(Near(curve.value()[1].ci_low, 0.5) && Near(curve.value()[1].ci_high, 0.5));
  }

  // A push through S-CSCF and P-CSCF to a UE and its 200 back. Every element logs what it sends
  // and what it receives; the P-CSCF sends to the UE from an address the nodes table does not
  // list (its cell side). Rows are inserted out of time order.
  void LadderOfAPush() {
    TestDb db;
    db.AddRun(1);
    AddCoreNodes(db);
    db.Exec(
        "INSERT INTO messages (id, run_id, time_s, node, direction, peer, first_line, call_id, cseq, size_bytes, text) "
        "VALUES "
        "(10, 1, 1.003, 'scscf', 'out', '172.16.0.1:5060/UDP', 'MESSAGE sip:u1@10.0.0.2 SIP/2.0', 'p1', '1 MESSAGE', "
        "720, 'MESSAGE sip:u1@10.0.0.2 SIP/2.0\r\n\r\n'), "
        "(11, 1, 1.000, 'as', 'out', '172.16.0.9:5060/UDP', 'MESSAGE sip:u1@home1.net SIP/2.0', 'p1', '1 MESSAGE', "
        "640, NULL), "
        "(12, 1, 1.003, 'scscf', 'in', '172.16.0.17:5060/UDP', 'MESSAGE sip:u1@home1.net SIP/2.0', 'p1', "
        "'1 MESSAGE', 640, NULL), "
        "(13, 1, 1.005, 'pcscf', 'in', '172.16.0.9:5060/UDP', 'MESSAGE sip:u1@10.0.0.2 SIP/2.0', 'p1', '1 MESSAGE', "
        "720, NULL), "
        "(14, 1, 1.005, 'pcscf', 'out', '10.0.0.2:5060/UDP', 'MESSAGE sip:u1@10.0.0.2 SIP/2.0', 'p1', '1 MESSAGE', "
        "750, NULL), "
        "(15, 1, 1.030, 'ue1.0', 'in', '172.16.0.26:5060/UDP', 'MESSAGE sip:u1@10.0.0.2 SIP/2.0', 'p1', "
        "'1 MESSAGE', 750, NULL), "
        "(16, 1, 1.031, 'ue1.0', 'out', '172.16.0.26:5060/UDP', 'SIP/2.0 200 OK', 'p1', '1 MESSAGE', 380, NULL), "
        "(17, 1, 1.056, 'pcscf', 'in', '10.0.0.2:5060/UDP', 'SIP/2.0 200 OK', 'p1', '1 MESSAGE', 380, NULL), "
        // A stray copy received from an address no node has, with no sender row: its own arrow.
        "(18, 1, 1.060, 'pcscf', 'in', '192.0.2.1:5060/UDP', 'SIP/2.0 200 OK', 'p1', '1 MESSAGE', 380, NULL), "
        // Another Call-ID at the same time: not part of this ladder.
        "(19, 1, 1.004, 'scscf', 'out', '172.16.0.1:5060/UDP', 'MESSAGE sip:u2@10.0.0.3 SIP/2.0', 'p2', "
        "'1 MESSAGE', 720, NULL)");
    db.Exec(
        "INSERT INTO pushes (run_id, push_id, created_s, method, size_bytes, target_kind, target_uri, app_status, "
        "call_id) VALUES (1, 1, 1.0, 'MESSAGE', 200, 'user', 'sip:u1@home1.net', 'accepted', 'p1')");
    const ResultsDb results = OpenOrFail(db);

    const auto subjects = results.LadderSubjects(1);
    QVERIFY(subjects.ok());
    QCOMPARE(subjects.value().size(), size_t{1});
    QCOMPARE(subjects.value()[0].kind, std::string("push"));
    QCOMPARE(subjects.value()[0].call_id, std::string("p1"));

    const auto ladder = results.LadderOf(1, "p1");
    QVERIFY(ladder.ok());
    // Columns by role: ue, pcscf, scscf, as (the I-CSCF carried nothing of this push).
    const std::vector<std::string> nodes = {"ue1.0", "pcscf", "scscf", "as"};
    QCOMPARE(ladder.value().columns.size(), nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) QCOMPARE(ladder.value().columns[i].node, nodes[i]);
    QCOMPARE(ladder.value().columns[2].role, std::string("scscf"));
    // One arrow per message, in time order: the four sent messages and the stray copy.
    struct Expect {
      int64_t id;
      int from, to;
      std::optional<double> arrival_s;
    };
    const std::vector<Expect> expected = {{11, 3, 2, 1.003}, {10, 2, 1, 1.005}, {14, 1, 0, 1.030},
                                          {16, 0, 1, 1.056}, {18, 1, 1, 1.060}};
    const auto& arrows = ladder.value().arrows;
    QCOMPARE(arrows.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      QCOMPARE(arrows[i].message_id, expected[i].id);
      QCOMPARE(arrows[i].from, expected[i].from);
      QCOMPARE(arrows[i].to, expected[i].to);
      QVERIFY(arrows[i].arrival_s.has_value());
      QVERIFY(Near(*arrows[i].arrival_s, *expected[i].arrival_s));
      if (i > 0) QVERIFY(arrows[i - 1].time_s <= arrows[i].time_s);
    }
    QVERIFY(Near(arrows[0].time_s, 1.000));
    QCOMPARE(arrows[2].size_bytes, int64_t{750});
    QCOMPARE(arrows[3].first_line, std::string("SIP/2.0 200 OK"));

    const auto full = results.MessageText(10);
    QVERIFY(full.ok());
    QCOMPARE(full.value(), std::string("MESSAGE sip:u1@10.0.0.2 SIP/2.0\r\n\r\n"));
    const auto summary = results.MessageText(11);
    QVERIFY(summary.ok());
    QVERIFY(summary.value().find("trace.messages=full") != std::string::npos);
    QVERIFY(!results.MessageText(12345).ok());
  }

  // A registration: the UE's REGISTER transaction, and the third-party REGISTER (its own
  // Call-ID) that the S-CSCF sent to the AS with its 2xx; another user's third-party REGISTER
  // a moment later is not part of it.
  void LadderOfARegistrationIncludesThirdPartyRegister() {
    TestDb db;
    db.AddRun(1);
    AddCoreNodes(db);
    db.Exec("INSERT INTO registrations (run_id, user, terminal, start_s, end_s, final_code) "
            "VALUES (1, 'sip:u1@home1.net', 't', 2.0, 2.03, 200)");
    db.Exec(
        "INSERT INTO messages (id, run_id, time_s, node, direction, peer, first_line, call_id, cseq, size_bytes) "
        "VALUES "
        "(1, 1, 2.000, 'ue1.0', 'out', '172.16.0.9:5060/UDP', 'REGISTER sip:home1.net SIP/2.0', 'r1', '1 REGISTER', "
        "400), "
        "(2, 1, 2.010, 'scscf', 'in', '10.0.0.2:5060/UDP', 'REGISTER sip:home1.net SIP/2.0', 'r1', '1 REGISTER', 400), "
        "(3, 1, 2.015, 'scscf', 'out', '10.0.0.2:5060/UDP', 'SIP/2.0 200 OK', 'r1', '1 REGISTER', 500), "
        "(4, 1, 2.015, 'scscf', 'out', '172.16.0.17:5060/TCP', 'REGISTER sip:as SIP/2.0', 'tp1', '7 REGISTER', 900), "
        "(5, 1, 2.020, 'as', 'in', '172.16.0.9:4000/TCP', 'REGISTER sip:as SIP/2.0', 'tp1', '7 REGISTER', 900), "
        "(6, 1, 2.020, 'as', 'out', '172.16.0.9:4000/TCP', 'SIP/2.0 200 OK', 'tp1', '7 REGISTER', 200), "
        "(7, 1, 2.025, 'scscf', 'in', '172.16.0.17:5060/TCP', 'SIP/2.0 200 OK', 'tp1', '7 REGISTER', 200), "
        "(8, 1, 2.030, 'ue1.0', 'in', '172.16.0.9:5060/UDP', 'SIP/2.0 200 OK', 'r1', '1 REGISTER', 500), "
        // The same third-party Call-ID at a later refresh (another CSeq): not this registration.
        "(9, 1, 9.000, 'scscf', 'out', '172.16.0.17:5060/TCP', 'REGISTER sip:as SIP/2.0', 'tp1', '8 REGISTER', 900), "
        "(10, 1, 2.016, 'scscf', 'out', '172.16.0.17:5060/TCP', 'REGISTER sip:as SIP/2.0', 'tp2', '1 REGISTER', "
        "900)");
    const ResultsDb results = OpenOrFail(db);
    const auto subjects = results.LadderSubjects(1);
    QVERIFY(subjects.ok());
    QCOMPARE(subjects.value().size(), size_t{1});
    QCOMPARE(subjects.value()[0].kind, std::string("registration"));
    QCOMPARE(subjects.value()[0].call_id, std::string("r1"));
    QVERIFY(Near(subjects.value()[0].start_s, 2.0));

    const auto ladder = results.LadderOf(1, "r1");
    QVERIFY(ladder.ok());
    const std::vector<std::string> nodes = {"ue1.0", "scscf", "as"};
    QCOMPARE(ladder.value().columns.size(), nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) QCOMPARE(ladder.value().columns[i].node, nodes[i]);
    std::vector<int64_t> ids;
    for (const LadderArrow& arrow : ladder.value().arrows) ids.push_back(arrow.message_id);
    const std::vector<int64_t> expected = {1, 3, 4, 6};
    QCOMPARE(ids, expected);
    QCOMPARE(ladder.value().arrows[2].from, 1);
    QCOMPARE(ladder.value().arrows[2].to, 2);
    QCOMPARE(ladder.value().arrows[3].from, 2);
    QCOMPARE(ladder.value().arrows[3].to, 1);
  }

 private:
  struct Value {
    std::string text;
    std::optional<double> x;
    std::vector<int> accepted;  // per replication, of 10 pushes
  };

  static void BuildSweep(TestDb& db, int64_t sweep, const std::vector<Value>& values) {
    std::string list;
    for (const Value& value : values) list += (list.empty() ? "\"" : ",\"") + value.text + "\"";
    db.Exec("INSERT INTO sweeps (id, scenario, parameter, \"values\", runs_per_value, jobs, started_at, status) "
            "VALUES (" + std::to_string(sweep) + ", 'hand', 'push.rate', '[" + list + "]', " +
            std::to_string(values.front().accepted.size()) + ", 1, '2024-05-01T10:00:00Z', 'completed')");
    int64_t run = 1;
    std::string sql;
    for (const Value& value : values) {
      for (size_t replication = 0; replication < value.accepted.size(); ++replication, ++run) {
        db.AddRun(run);
        sql += "UPDATE runs SET sweep_id = " + std::to_string(sweep) + ", sweep_value = '" + value.text +
               "', sweep_x = " + (value.x ? std::to_string(*value.x) : std::string("NULL")) +
               ", replication = " + std::to_string(replication) + " WHERE id = " + std::to_string(run) + ";";
        for (int push = 1; push <= 10; ++push) {
          const bool accepted = push <= value.accepted[replication];
          sql += Push(run, push, push, "MESSAGE", accepted ? "accepted" : "undeliverable",
                      accepted ? std::to_string(push / 100.0) : std::string("NULL"));
        }
      }
    }
    db.Exec("BEGIN;" + sql + "COMMIT;");
  }

  static void AddCoreNodes(TestDb& db) {
    db.Exec("INSERT INTO nodes (run_id, name, role, address) VALUES "
            "(1, 'pcscf', 'pcscf', '172.16.0.1'), (1, 'icscf', 'icscf', '172.16.0.5'), "
            "(1, 'scscf', 'scscf', '172.16.0.9'), (1, 'as', 'as', '172.16.0.17'), "
            "(1, 'ue1.0', 'ue', '10.0.0.2'), (1, 'ue2.0', 'ue', '10.0.0.3')");
  }
};

}  // namespace
}  // namespace pushsim::dashboard

QTEST_GUILESS_MAIN(pushsim::dashboard::QueriesTest)
#include "queries_test.moc"
