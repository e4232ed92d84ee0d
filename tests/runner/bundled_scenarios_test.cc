// The bundled scenarios (scenarios/*.yaml): each loads and passes the checks `pushsim check`
// makes, and each runs short into a temporary database and shows what its comment says it
// teaches, asserted from the rows with figures derived by hand from the scenario, its topology
// and the RFCs it cites.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "runner.h"
#include "support/runner_db.h"
#include "sweep.h"

namespace pushsim::runner {
namespace {

namespace fs = std::filesystem;
using testing::Number;
using testing::Rows;

const std::string kBundled = std::string(PUSHSIM_SOURCE_DIR) + "/scenarios/";

// Every bundled scenario; a new file in scenarios/ must be added here (the first test checks).
const std::vector<std::string> kNames = {"quickstart",         "registration-storm",       "push-campaign",
                                         "multi-terminal-gruu", "refer-lockout",            "reg-event-vs-third-party",
                                         "capacity-sweep"};

Scenario LoadBundled(const std::string& name, const std::vector<std::string>& overrides = {}) {
  return testing::LoadWithOverrides(kBundled + name + ".yaml", overrides);
}

class BundledScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Recorder::Open((dir_.path() / "results.db").string());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    recorder_ = std::make_unique<Recorder>(std::move(opened.value()));
  }

  // Runs scenarios/<name>.yaml with the overrides into the temporary database; the run id.
  std::string Run(const std::string& name, const std::vector<std::string>& overrides) {
    const Scenario scenario = LoadBundled(name, overrides);
    RunSettings settings;
    settings.seed = scenario.seed;
    settings.parameters_json = OverridesJson(overrides);
    std::ostringstream diagnostics;
    const RunOutcome outcome = RunScenario(scenario, settings, *recorder_, diagnostics);
    EXPECT_EQ(outcome.status, RunStatus::kCompleted) << outcome.error << "\n" << diagnostics.str();
    return std::to_string(outcome.run_id);
  }

  sqlite3* Db() { return recorder_->handle(); }

  testing::TempDir dir_{"pushsim-bundled"};
  std::unique_ptr<Recorder> recorder_;
};

// ---- Every scenario loads, passes the checks and says what it teaches.

TEST(BundledScenarios, EveryFileInScenariosIsListedHere) {
  std::set<std::string> found;
  for (const auto& entry : fs::directory_iterator(kBundled)) {
    if (entry.path().extension() == ".yaml") found.insert(entry.path().stem().string());
  }
  EXPECT_EQ(found, std::set<std::string>(kNames.begin(), kNames.end()));
}

TEST(BundledScenarios, EachLoadsPassesTheChecksAndSaysWhatItTeaches) {
  for (const std::string& name : kNames) {
    SCOPED_TRACE(name);
    auto loaded = LoadScenario(kBundled + name + ".yaml");
    ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
    const Scenario& scenario = loaded.value();
    // The results database is named after the scenario (results/<name>.db): name = file name.
    EXPECT_EQ(scenario.name, name);
    EXPECT_FALSE(scenario.description.empty());
    EXPECT_EQ(CheckProfile(scenario), std::nullopt);
    EXPECT_FALSE(ScenarioSummary(scenario).empty());
    // The comment block at the top: "# <name>: ..." and what the scenario teaches.
    EXPECT_EQ(scenario.Text().rfind("# " + name + ":", 0), 0u);
    EXPECT_NE(scenario.Text().find("What it teaches"), std::string::npos);
    if (name != "quickstart") EXPECT_NE(scenario.Text().find("What to look at"), std::string::npos);
    // Every value of a sweep section is one `pushsim sweep` accepts as --set KEY=VALUE.
    if (scenario.sweep) {
      for (const std::string& value : scenario.sweep->values) {
        Scenario copy = scenario;
        EXPECT_EQ(ApplyOverride(copy, scenario.sweep->key + "=" + value), std::nullopt) << value;
      }
    }
  }
}

TEST(BundledScenarios, SweepSectionsVaryWhatTheirCommentsSay) {
  const Scenario capacity = LoadBundled("capacity-sweep");
  ASSERT_TRUE(capacity.sweep.has_value());
  EXPECT_EQ(capacity.sweep->key, "push.rate");
  EXPECT_EQ(capacity.sweep->values.size(), 8u);
  EXPECT_EQ(capacity.sweep->runs, 3u);
  // The S-CSCF's knee, 1 / (2 ms + 0.5 ms) = 400 pushes a second, lies inside the swept range.
  EXPECT_LT(SweepX(capacity.sweep->values.front()).value_or(1e9), 400.0);
  EXPECT_GT(SweepX(capacity.sweep->values.back()).value_or(0), 400.0);

  const Scenario lockout = LoadBundled("refer-lockout");
  ASSERT_TRUE(lockout.sweep.has_value());
  EXPECT_EQ(lockout.sweep->key, "refer-flood.lockout");
  EXPECT_EQ(lockout.sweep->values, (std::vector<std::string>{"none", "defer", "discard"}));

  const Scenario reg_event = LoadBundled("reg-event-vs-third-party");
  ASSERT_TRUE(reg_event.sweep.has_value());
  EXPECT_EQ(reg_event.sweep->key, "as.SubscribeRegEvent");
  EXPECT_EQ(reg_event.sweep->values, (std::vector<std::string>{"false", "true"}));
}

TEST(BundledScenarios, RegistrationStormIsTenThousandUes) {
  const Scenario storm = LoadBundled("registration-storm");
  EXPECT_EQ(storm.subscribers.TotalTerminals(), 10000u);
}

// ---- registration-storm, 200 UEs and a P-CSCF queue of 20.
//
// The P-CSCF is cut off from 0 s to 12 s; the 200 UEs send their first REGISTER evenly over
// [10 s, 10.2 s). RFC 3261 17.1.2.2 (timer E from T1 = 500 ms, doubling): each REGISTER is sent
// again 0.5 s, 1.5 s and 3.5 s after the first, so the sends at +0, +0.5 and +1.5 s (all before
// 11.7 s) are lost and the first that arrives is the third retransmission, in [13.5 s, 13.7 s):
// every UE's first attempt has at least 3 retransmissions. Those 200 REGISTERs arrive within
// 0.2 s, 1,000 a second, at a P-CSCF that spends 1.5 ms (mean) on each and 0.3 ms on its 200,
// about 550 registrations a second: its queue of 20 overflows and the excess is refused with 503
// (RFC 3261 21.5.4); those UEs come back Retry-After: 5 s later, until everyone is registered.
TEST_F(BundledScenarioTest, RegistrationStormEveryUeRegistersAfterRetransmissionsAnd503s) {
  const std::string run = Run("registration-storm", {"subscribers.users=200", "pcscf.QueueCapacity=20",
                                                     "registration.ramp=200ms", "duration=60s"});
  sqlite3* db = Db();
  // Every UE registered in the end: its last attempt got 200.
  EXPECT_EQ(Number(db, "SELECT COUNT(DISTINCT terminal) FROM registrations WHERE run_id = " + run), 200);
  EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM registrations r WHERE run_id = " + run +
                           " AND end_s = (SELECT MAX(end_s) FROM registrations WHERE run_id = r.run_id"
                           " AND terminal = r.terminal) AND final_code = 200"),
            200);
  // Each UE's first attempt: at least the three retransmissions sent during the outage.
  EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM registrations r WHERE run_id = " + run +
                           " AND start_s = (SELECT MIN(start_s) FROM registrations WHERE run_id = r.run_id"
                           " AND terminal = r.terminal) AND retransmissions >= 3"),
            200);
  // The outage, and the P-CSCF's 503s with their ineffective attempts (RFC 6076 4.2).
  EXPECT_EQ(Rows(db, "SELECT kind, time_s FROM events WHERE run_id = " + run +
                         " AND kind LIKE 'element-%' ORDER BY time_s"),
            (std::vector<std::string>{"element-down|0.0", "element-up|12.0"}));
  EXPECT_GE(Number(db, "SELECT COUNT(*) FROM events WHERE run_id = " + run + " AND kind = '503' AND element = 'pcscf'"),
            1);
  EXPECT_GE(Number(db, "SELECT COUNT(*) FROM registrations WHERE run_id = " + run + " AND final_code = 503"), 1);
  EXPECT_LE(Number(db, "SELECT MAX(queue_length) FROM element_samples WHERE run_id = " + run +
                           " AND element = 'pcscf'"),
            20);
}

// ---- push-campaign, as bundled (60 users, 160 pushes; a second of wall time).
//
// Four windows of 20 s at 2 pushes a second: 40 pushes each, sizes from 256 B to 64 KiB. By
// TS 9.1.2 step 8, a MESSAGE is used while the whole request fits in 1300 bytes: 256 B of
// content plus a header section of a few hundred bytes fits, 1 KiB and more does not.
//   [10, 30)  method message: MESSAGE whatever the size;
//   [30, 50)  method indirection: MESSAGE+external-body whatever the size (forced);
//   [50, 70)  method invite-msrp: INVITE+MSRP whatever the size;
//   [70, 90)  auto, LargeContent = Indirection: as [30, 50).
TEST_F(BundledScenarioTest, PushCampaignEachMethodCarriesTheSizesThatSelectIt) {
  const std::string run = Run("push-campaign", {});
  sqlite3* db = Db();
  const std::string window = "CAST((created_s - 10) / 20 AS INTEGER)";
  EXPECT_EQ(Rows(db, "SELECT " + window + ", COUNT(*) FROM pushes WHERE run_id = " + run + " GROUP BY 1 ORDER BY 1"),
            (std::vector<std::string>{"0|40", "1|40", "2|40", "3|40"}));
  const auto methods = [&](int w, const std::string& sizes) {
    return Rows(db, "SELECT DISTINCT method FROM pushes WHERE run_id = " + run + " AND " + window + " = " +
                        std::to_string(w) + " AND size_bytes " + sizes + " ORDER BY 1");
  };
  using Strings = std::vector<std::string>;
  EXPECT_EQ(methods(0, ">= 0"), Strings{"MESSAGE"});
  EXPECT_EQ(methods(1, ">= 0"), Strings{"MESSAGE+external-body"});
  EXPECT_EQ(methods(2, ">= 0"), Strings{"INVITE+MSRP"});
  EXPECT_EQ(methods(3, "<= 256"), Strings{"MESSAGE"});
  EXPECT_EQ(methods(3, ">= 1024"), Strings{"MESSAGE+external-body"});
  // The list of sizes is covered (40 draws of 5 equally likely sizes per window) and every push
  // arrives whole: accepted, delivered.
  EXPECT_EQ(Rows(db, "SELECT DISTINCT size_bytes FROM pushes WHERE run_id = " + run + " ORDER BY 1"),
            (Strings{"256", "1024", "4096", "16384", "65536"}));
  EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM pushes WHERE run_id = " + run +
                           " AND app_status = 'accepted' AND delivery_delay_s IS NOT NULL"),
            160);
  // Indirection delivers after the fetch, which follows the 200 of the MESSAGE (RFC 4483).
  EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM pushes WHERE run_id = " + run +
                           " AND method = 'MESSAGE+external-body' AND delivery_delay_s <= response_delay_s"),
            0);
}

// ---- multi-terminal-gruu, as bundled but with the full message text (30 users x 3 terminals).
//
// 20 pushes per window (2 a second for 10 s). A push to the public identity forks to the three
// terminals, which all match its Accept-Contact equally (RFC 3841 sections 7 and 9); a push to a
// GRUU reaches exactly the terminal whose +sip.instance is its "gr" parameter (RFC 5627 5.3,
// 3.2: pub-gruu = AOR;gr=<instance URN>); all-terminals is one request and one row per terminal.
TEST_F(BundledScenarioTest, MultiTerminalGruuPushReachesExactlyThatTerminal) {
  const std::string run = Run("multi-terminal-gruu", {"trace.messages=full"});
  sqlite3* db = Db();
  EXPECT_EQ(Rows(db, "SELECT target_kind, COUNT(*), COUNT(DISTINCT push_id), SUM(app_status = 'accepted') "
                     "FROM pushes WHERE run_id = " + run + " GROUP BY target_kind ORDER BY target_kind"),
            (std::vector<std::string>{"all-terminals|60|20|60", "gruu|20|20|20", "user|20|20|20"}));

  // The UE nodes that received each push's MESSAGE (its Call-ID).
  const auto receivers = [&](const std::string& push_row) {
    return Rows(db, "SELECT DISTINCT m.node FROM pushes p JOIN messages m"
                    " ON m.run_id = p.run_id AND m.call_id = p.call_id WHERE p.id = " + push_row + " AND m.node LIKE 'ue%' AND m.direction = 'in'"
                    " AND m.first_line LIKE 'MESSAGE %' ORDER BY m.node");
  };
  // The UE node whose REGISTER carried +sip.instance="<urn>".
  const auto node_of_instance = [&](const std::string& urn) {
    return Rows(db, "SELECT DISTINCT node FROM messages WHERE run_id = " + run +
                        " AND node LIKE 'ue%' AND direction = 'out' AND first_line LIKE 'REGISTER %'"
                        " AND instr(text, '+sip.instance=\"<" + urn + ">\"') > 0");
  };

  const auto gruu_pushes = Rows(db, "SELECT id, target_uri FROM pushes WHERE run_id = " + run +
                                        " AND target_kind = 'gruu' ORDER BY id");
  ASSERT_EQ(gruu_pushes.size(), 20u);
  for (const std::string& row : gruu_pushes) {
    const std::string id = row.substr(0, row.find('|'));
    const std::string gruu = row.substr(row.find('|') + 1);
    SCOPED_TRACE(gruu);
    const std::size_t gr = gruu.find(";gr=");
    ASSERT_NE(gr, std::string::npos);
    const std::vector<std::string> owner = node_of_instance(gruu.substr(gr + 4));
    ASSERT_EQ(owner.size(), 1u);
    EXPECT_EQ(receivers(id), owner);
  }

  // A push to the user reaches all three terminals of that user: ue<N>.0, ue<N>.1, ue<N>.2.
  const auto user_pushes = Rows(db, "SELECT id, substr(target_uri, 9, instr(target_uri, '@') - 9) FROM pushes"
                                        " WHERE run_id = " + run + " AND target_kind = 'user' ORDER BY id");
  ASSERT_EQ(user_pushes.size(), 20u);
  for (const std::string& row : user_pushes) {
    const std::string id = row.substr(0, row.find('|'));
    const std::string user = row.substr(row.find('|') + 1);
    EXPECT_EQ(receivers(id), (std::vector<std::string>{"ue" + user + ".0", "ue" + user + ".1", "ue" + user + ".2"}))
        << "user " << user;
  }

  // all-terminals: each row's request reached one terminal, the three rows of a push three
  // different ones.
  EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM (SELECT p.id FROM pushes p JOIN messages m ON m.run_id = p.run_id"
                       " AND m.call_id = p.call_id WHERE p.run_id = " + run + " AND p.target_kind = 'all-terminals'"
                       " AND m.node LIKE 'ue%' AND m.direction = 'in' AND m.first_line LIKE 'MESSAGE %'"
                       " GROUP BY p.id HAVING COUNT(DISTINCT m.node) = 1)"),
            60);
  EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM (SELECT push_id FROM pushes WHERE run_id = " + run +
                           " AND target_kind = 'all-terminals' GROUP BY push_id HAVING COUNT(DISTINCT terminal) = 3)"),
            20);
}

// ---- refer-lockout, a flood of 2 s (40 REFERs at 20 a second) and the AS's REFER at 21 s.
//
// Processing a REFER takes the UE a SUBSCRIBE to the sender and its NOTIFY back, across the
// access (20 ms or 15 ms each way) and the core twice: well over the 50 ms between two flood
// REFERs, so REFERs overlap. With the lockout (003) the second REFER finds it engaged: deferred
// (defer) or refused with 503 (discard). Without it nothing is locked out at the target.
TEST_F(BundledScenarioTest, ReferLockoutEventsOnlyWithTheLockoutOn) {
  const std::vector<std::string> shorter = {"refer-flood.duration=2s", "refer-subscription.at=21s", "duration=30s"};
  const auto with = [&](const std::string& mode) {
    std::vector<std::string> overrides = shorter;
    overrides.push_back("refer-flood.lockout=" + mode);
    return Run("refer-lockout", overrides);
  };
  const std::string none = with("none");
  const std::string defer = with("defer");
  const std::string discard = with("discard");
  sqlite3* db = Db();
  const auto at_target = [&](const std::string& run, const std::string& kind) {
    return Number(db, "SELECT COUNT(*) FROM events WHERE run_id = " + run + " AND element = 'ue1.0' AND kind = '" +
                          kind + "'");
  };
  EXPECT_EQ(at_target(none, "lockout"), 0);
  EXPECT_EQ(at_target(none, "refer-deferred"), 0);
  EXPECT_EQ(at_target(none, "refer-discarded"), 0);
  EXPECT_GE(at_target(defer, "lockout"), 1);
  EXPECT_GE(at_target(defer, "refer-deferred"), 1);
  EXPECT_EQ(at_target(defer, "refer-discarded"), 0);  // 40 REFERs: fewer than the 64 kept
  EXPECT_GE(at_target(discard, "lockout"), 1);
  EXPECT_EQ(at_target(discard, "refer-deferred"), 0);
  EXPECT_GE(at_target(discard, "refer-discarded"), 1);
  // Without the lockout the UE processes every REFER it gets: a SUBSCRIBE each (RFC 3515 2.4.4);
  // with discard, each REFER request is either refused or processed.
  const auto subscribes = [&](const std::string& run) {
    return Number(db, "SELECT COUNT(DISTINCT call_id) FROM messages WHERE run_id = " + run +
                          " AND node = 'ue1.0' AND direction = 'out' AND first_line LIKE 'SUBSCRIBE %'");
  };
  // REFER requests received (each answered at once, 202 or 503, so none is retransmitted; a REFER
  // sent again after a 503 is a new request and counts again).
  const auto refers = [&](const std::string& run) {
    return Number(db, "SELECT COUNT(*) FROM messages WHERE run_id = " + run +
                          " AND node = 'ue1.0' AND direction = 'in' AND first_line LIKE 'REFER %'");
  };
  EXPECT_EQ(refers(none), 41);  // 40 from the flood, 1 from the AS
  EXPECT_EQ(subscribes(none), 41);
  EXPECT_EQ(subscribes(discard), refers(discard) - at_target(discard, "refer-discarded"));
  // The AS's own REFER-triggered subscriptions to users 2 to 10 are untouched by the flood.
  EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM pushes WHERE run_id = " + none +
                           " AND method = 'REFER' AND app_status = 'accepted'"),
            10);
}

// ---- reg-event-vs-third-party, 20 users x 2 terminals, pushes from 30 s to 55 s.
//
// Both variants: one third-party REGISTER per successful REGISTER of a UE (TS 24.229 5.4.1.7:
// the iFC of profiles/push-user.xml matches every registration), 40 in all, and every push
// accepted. With as.SubscribeRegEvent the AS also subscribes to each user's reg event (RFC 3680):
// one SUBSCRIBE dialog per user and at least the first NOTIFY of each (RFC 6665 4.2.1); without
// it, none.
TEST_F(BundledScenarioTest, RegEventVersusThirdPartyPushesAcceptedInBothVariants) {
  const std::vector<std::string> shorter = {"subscribers.users=20", "duration=60s", "push.stop=55s"};
  std::vector<std::string> third_party = shorter;
  third_party.push_back("as.SubscribeRegEvent=false");
  std::vector<std::string> reg_event = shorter;
  reg_event.push_back("as.SubscribeRegEvent=true");
  const std::string without = Run("reg-event-vs-third-party", third_party);
  const std::string with = Run("reg-event-vs-third-party", reg_event);
  sqlite3* db = Db();
  for (const std::string& run : {without, with}) {
    SCOPED_TRACE("run " + run);
    EXPECT_GE(Number(db, "SELECT COUNT(*) FROM pushes WHERE run_id = " + run), 2);
    EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM pushes WHERE run_id = " + run + " AND app_status <> 'accepted'"), 0);
    EXPECT_EQ(Number(db, "SELECT COUNT(DISTINCT call_id || ' ' || cseq) FROM messages WHERE run_id = " + run +
                             " AND node = 'as' AND direction = 'in' AND first_line LIKE 'REGISTER %'"),
              40);
  }
  const auto dialogs = [&](const std::string& run, const std::string& method, const std::string& direction) {
    return Number(db, "SELECT COUNT(DISTINCT call_id) FROM messages WHERE run_id = " + run + " AND node = 'as'" +
                          " AND direction = '" + direction + "' AND first_line LIKE '" + method + " %'");
  };
  EXPECT_EQ(dialogs(without, "SUBSCRIBE", "out"), 0);
  EXPECT_EQ(dialogs(without, "NOTIFY", "in"), 0);
  EXPECT_EQ(dialogs(with, "SUBSCRIBE", "out"), 20);
  EXPECT_EQ(dialogs(with, "NOTIFY", "in"), 20);
}

// ---- capacity-sweep: two points of the sweep, 50/s and 600/s for 2 s (periodic arrivals).
//
// The S-CSCF spends 2 ms (mean) on a MESSAGE and 0.5 ms on its 200: 400 pushes a second at most.
// 50/s (rho = 0.125): 100 pushes, every one accepted. 600/s: 1,200 pushes in 2 s, of which the
// S-CSCF can finish at most about 800 and hold 200 in its queue; the rest are refused with 503
// and retried 5 s later (or lost with a dropped response): the higher rate has the lower success
// ratio or the higher latency.
TEST(BundledScenarios, CapacitySweepHigherRateHasLowerSuccessOrHigherLatency) {
  const testing::TempDir dir("pushsim-bundled-sweep");
  SweepOptions options;
  options.vary = "push.rate=50/s,600/s";
  options.runs = 1;
  options.jobs = 2;
  options.overrides = {"subscribers.users=20", "push.arrival=periodic", "push.start=12s", "push.stop=14s",
                       "duration=40s"};
  options.database = (dir.path() / "sweep.db").string();
  options.quiet = true;
  std::ostringstream out, err;
  EXPECT_EQ(SweepCommand(kBundled + "capacity-sweep.yaml", options, out, err), 0) << err.str();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(options.database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  const auto points = Rows(db, "SELECT sweep_x, offered_pushes, success_ratio, COALESCE(delivery_p95_s, 1e9) "
                               "FROM sweep_points ORDER BY sweep_x");
  sqlite3_close(db);

  ASSERT_EQ(points.size(), 2u);
  double x[2], offered[2], success[2], p95[2];
  for (int i = 0; i < 2; ++i) {
    std::istringstream row(points[i]);
    char bar = 0;
    row >> x[i] >> bar >> offered[i] >> bar >> success[i] >> bar >> p95[i];
  }
  EXPECT_EQ(x[0], 50);
  EXPECT_EQ(x[1], 600);
  EXPECT_EQ(offered[0], 100);   // 50/s for 2 s
  EXPECT_EQ(offered[1], 1200);  // 600/s for 2 s
  EXPECT_EQ(success[0], 1.0);
  EXPECT_TRUE(success[1] < success[0] || p95[1] > p95[0])
      << "success " << success[0] << " -> " << success[1] << ", p95 " << p95[0] << " -> " << p95[1];
  // Below the knee the p95 is the path's: well under a second.
  EXPECT_LT(p95[0], 1.0);
}

}  // namespace
}  // namespace pushsim::runner
